"""Two laptops each issue Form 4 serial 1, for different trainees, through the real
certificate flow (signed PDFs). Files go both ways: each laptop holds both certificates,
told apart by the installation that issued them; both PDFs verify and the register lists
both distinctly; importing the same files again changes nothing; the Form 4 decision for
each trainee is the same on both laptops."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.demo import READY, _trainee, build_demo, demo_id, fill_store
from sendobserve.exchange.export import ExportScope
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import TraineeRole
from sendobserve.model.vocabulary import issuer_text
from sendobserve.pki import certificates as pki
from sendobserve.reports.register_pack import summarise
from sendobserve.reports.signing import verify_pdf
from sendobserve.services import documents
from sendobserve.services.readiness import load_forms
from sendobserve.storage.repositories import load_practice_record, put_practice_record
from sendobserve.storage.repositories.certificates import CertificateRepository, PkiRepository
from tests.helpers import durable_snapshot

from .storekit import FAST_KDF, PASS, TempStore

TODAY = datetime.now(UTC).date()
SECOND = "Amara Okafor"


def _second_trainee(ts: TempStore) -> uuid.UUID:
    """Another trainee whose record meets Form 4, as the demo builds one."""
    forms = FormRegistry.standard()
    observers = {o.name: o for o in build_demo(forms, today=TODAY).observers}
    record = _trainee(SECOND, forms, observers, code="AO", start=TODAY - timedelta(days=150),
                      roles=[(TraineeRole.OBSERVING, Decimal("3")),
                             (TraineeRole.CO_MEDIATING, Decimal("4.5")),
                             (TraineeRole.CO_MEDIATING, Decimal("3.75")),
                             (TraineeRole.LEADING, Decimal("4.25"))],
                      gaps=(), reflection_hours=Decimal("2.5"), mentor_contact=True)
    with ts.session() as s:
        put_practice_record(s, record, today=TODAY)
    return record.mediator.id


def _export(ts: TempStore, mediator_id: uuid.UUID) -> bytes:
    from sendobserve.exchange.export import export_bundle
    from sendobserve.pki.identity import load_or_create_identity
    from sendobserve.storage import exchange as stored

    with ts.session() as s:
        identity = load_or_create_identity(stored.StoredSigningKey(s))
        data, _ = export_bundle(s, mediator_id, passphrase=PASS, identity=identity,
                                exported_by="x", kdf_log2_n=FAST_KDF, scope=ExportScope.RECORD)
    return data


def _issue(ts: TempStore, mediator_id: uuid.UUID) -> documents.IssuedDocument:
    with ts.open() as store:
        plan = documents.plan_certificate(store, mediator_id, 4, today=TODAY)
        assert plan.refusal is None, plan.refusal
        return documents.issue_certificate(store, plan, plan.candidates[0], today=TODAY)


def _decision(ts: TempStore, mediator_id: uuid.UUID) -> tuple[object, ...]:
    with ts.open() as store:
        plan = documents.plan_certificate(store, mediator_id, 4, today=TODAY)
        held = CertificateRepository(store.session).find(mediator_id, 4)
    assert held is not None
    signer = None if plan.reprint_signer is None else plan.reprint_signer.id
    return (plan.refusal, plan.reprint, signer, held.serial, held.issuer,
            held.verification_code, held.issued_on)


def test_two_laptops_both_issue_serial_1_and_both_certificates_are_held_everywhere(
        tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    with a.open() as store:
        fill_store(store, today=TODAY)
    first, second = demo_id("mediator", READY), _second_trainee(a)
    b.import_bytes(_export(a, second))  # B holds the second trainee's record
    with b.open() as store:
        documents.set_provider_name(store, "Second provider")

    on_a, on_b = _issue(a, first), _issue(b, second)
    assert on_a.serial == on_b.serial == f"SO4-{TODAY.year}-000001"
    assert on_a.verification_code != on_b.verification_code
    own_a, own_b = a.identity().fingerprint, b.identity().fingerprint

    files_from_a = [_export(a, first), _export(a, second)]
    file_from_b = _export(b, second)
    for data in files_from_a:
        b.import_bytes(data)
    result = a.import_bytes(file_from_b)
    assert any(line.startswith(f"Certificate: Form 4 {on_b.serial} ({issuer_text(own_b)})")
               and line.endswith("new") for line in result.preview.lines())

    for ts in (a, b):  # both held, each known by serial and issuer
        with ts.open() as store:
            held = CertificateRepository(store.session).with_serial(on_a.serial)
        assert {(c.issuer, c.mediator_id, c.verification_code) for c in held} == {
            (own_a, first, on_a.verification_code), (own_b, second, on_b.verification_code)}

    # Both PDFs verify under the root of the laptop that issued them, and their codes
    # are the issuer's keyed digest of the serial and the certificate's facts.
    for doc, ts, in ((on_a, a), (on_b, b)):
        with ts.open() as store:
            root = PkiRepository(store.session).load_root()
        assert root is not None
        checked = verify_pdf(doc.pdf, [root.cert_pem])
        assert checked.ok and checked.serial == doc.serial
        facts = ("form4", doc.mediator_name, TODAY.isoformat(), doc.signer_name)
        assert pki.check_verification_code(doc.serial, facts, pki.verification_key(root),
                                           doc.verification_code)

    # The register lists the two distinctly: the same serial, each with its issuer.
    with a.open() as store:
        forms = load_forms(store)
        certs = CertificateRepository(store.session)
        lines: list[str] = []
        for mediator_id in (first, second):
            with store.session() as s:
                record = load_practice_record(s, mediator_id)
            issued = (certs.find(mediator_id, 4),)
            assert issued[0] is not None
            record = replace(record, mediator=replace(record.mediator, accredited_on=TODAY))
            lines += summarise(record, forms, issued, today=TODAY).certificates  # type: ignore[arg-type]
    assert len(set(lines)) == 2
    assert any(on_a.serial in line and issuer_text(own_a) in line for line in lines)
    assert any(on_b.serial in line and issuer_text(own_b) in line for line in lines)

    # The same files again change nothing, on either laptop.
    for ts, again in ((b, files_from_a), (a, [file_from_b])):
        before = durable_snapshot(ts.data_dir)
        assert not any(ts.import_bytes(data).written for data in again)
        assert durable_snapshot(ts.data_dir) == before

    # The Form 4 decision for each trainee is the same on both laptops: issued, a re-print
    # keeping its serial, issuer, code and signer.
    for mediator_id in (first, second):
        assert _decision(a, mediator_id) == _decision(b, mediator_id)
    reprint = _issue(b, first)
    assert reprint.reprint and (reprint.serial, reprint.verification_code) == (
        on_a.serial, on_a.verification_code)


_LAPTOPS: dict[str, Any] = {}


def _two_issuers(root: Path) -> dict[str, Any]:
    """A and B each issue serial 1 (for different trainees); the three files that carry
    them: A's two whole records and B's."""
    from sendobserve.exchange.bundle import open_bundle

    if _LAPTOPS:
        return _LAPTOPS
    a, b = TempStore.create(root / "a"), TempStore.create(root / "b")
    with a.open() as store:
        fill_store(store, today=TODAY)
    first, second = demo_id("mediator", READY), _second_trainee(a)
    b.import_bytes(_export(a, second))
    with b.open() as store:
        documents.set_provider_name(store, "Second provider")
    _issue(a, first)
    _issue(b, second)
    files = [_export(a, first), _export(a, second), _export(b, second)]
    _LAPTOPS.update(trainees=(first, second), files=[
        open_bundle(f, passphrase=PASS) for f in files])
    return _LAPTOPS


@pytest.mark.slow
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(3)))
def test_a_third_laptop_holds_both_certificates_whatever_the_order(
        tmp_path_factory: pytest.TempPathFactory, order: list[int]) -> None:
    from sendobserve.exchange.apply import apply_import
    from sendobserve.storage import exchange_controls as controls_store

    laptops = _two_issuers(tmp_path_factory.mktemp("issuers"))
    c = TempStore.create(tmp_path_factory.mktemp("c") / "c")
    for i in order:
        with c.session() as s:
            apply_import(s, laptops["files"][i])
    with c.session() as s:
        held = tuple(cert for mediator_id in laptops["trainees"]
                     for cert in controls_store.certificates_of(s, mediator_id))
        kept = controls_store.kept_certificates(s)
    assert len(held) == 2 and kept == ()
    assert len({c.serial for c in held}) == 1 and len({c.issuer for c in held}) == 2
    decisions = tuple(_decision(c, m) for m in laptops["trainees"])
    assert all(d[0] is None and d[1] for d in decisions)  # issued: a re-print, no refusal
    reference = _LAPTOPS.setdefault("reference", (held, decisions))
    assert (held, decisions) == reference


def test_a_certificate_held_without_its_issuer_learns_it_from_a_file(tmp_path: Path) -> None:
    """Received before issuers travelled (and re-printed here), a certificate takes the
    issuer a later file names, its prints with it; a file without issuers never takes one
    away. Every store then names it alike."""
    from sendobserve.exchange.bundle import seal
    from sendobserve.exchange.export import build_payload
    from sendobserve.storage import exchange_controls as controls_store
    from sendobserve.storage.repositories import in_session

    from .test_controls import _issue as issue_code
    from .test_controls import _setup

    (a, b), trainee, ppc = _setup(tmp_path, "a", "b")
    serial, _code = issue_code(a, trainee.id, ppc.id, ppc.name, "K7QF2-XA9PQ")
    data = _export(a, trainee.id)
    with a.session() as s:
        (cert,) = build_payload(s, trainee.id, exported_by="A", scope=ExportScope.RECORD,
                                record_history=False).certificates
    issuer = a.identity().fingerprint
    assert cert.issuer == issuer
    with b.session() as s:  # as an earlier version received it, then re-printed here
        assert controls_store.store_certificate(s, replace(cert, issuer="")) == "added"
        _again, reprint = CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=4, mediator_id=trainee.id, signer_id=ppc.id, signer_name=ppc.name,
            issued_on=TODAY, code_for=lambda _s: "UNUSED")
        assert reprint
    result = b.import_bytes(data)
    assert result.written
    assert any(f"Form 4 {serial}" in line and "names the installation that issued it" in line
               for line in result.preview.lines())
    with b.open() as store:
        certs = CertificateRepository(store.session)
        assert [(c.issuer, c.verification_code) for c in certs.with_serial(serial)] == [
            (issuer, "K7QF2-XA9PQ")]
        assert [p.issuer for p in certs.prints(serial)] == [issuer]
    assert not b.import_bytes(data).written  # known now: nothing to do
    # A file that does not name issuers (an earlier version's) never takes it away.
    with a.session() as s:
        payload = build_payload(s, trainee.id, exported_by="A", scope=ExportScope.RECORD,
                                record_history=False)
    legacy = replace(payload, certificates=(replace(cert, issuer=""),))
    b.import_bytes(seal(legacy, passphrase=PASS, signing_key=a.identity(),
                        kdf_log2_n=FAST_KDF))
    with b.open() as store:
        (held,) = CertificateRepository(store.session).with_serial(serial)
    assert held.issuer == issuer

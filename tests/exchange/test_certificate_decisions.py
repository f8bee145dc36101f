"""Two certificates issued for one trainee and form, on two laptops: a person whose role
may decide picks the one that stands; the signed decision travels by file and every
laptop converges on it. The other certificate is never deleted: it stays, superseded."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.errors import UserError
from sendobserve.exchange.bundle import open_bundle
from sendobserve.exchange.codec import decode_payload, encode_payload
from sendobserve.exchange.controls import CERTIFICATE, certificate_record_id
from sendobserve.exchange.decide import (
    decide_certificate,
    list_certificate_conflicts,
    parse_certificate_record,
)
from sendobserve.exchange.errors import ExchangeError
from sendobserve.model.domain import ObserverRole, utcnow
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import in_session
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.helpers import durable_snapshot

from .storekit import PASS, TempStore, add_observer
from .test_controls import _issue, _setup
from .test_whole_record import _export_record

REASON = "The signer's laptop issued it first; the other was printed in error."


def _two_laptops(tmp_path: Path) -> tuple[TempStore, TempStore, object, object,
                                          str, str]:
    """A trainee's record on two laptops, each of which issued its own Form 4; each has
    imported the other's file, so each holds both (its own standing, the other kept)."""
    (a, b), trainee, ppc = _setup(tmp_path, "a", "b")
    serial_a, _ = _issue(a, trainee.id, ppc.id, ppc.name, "AAAA1111")
    with b.session() as s:  # dated a year before: its serial is not one A numbered
        serial_b = CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=4, mediator_id=trainee.id, signer_id=ppc.id, signer_name=ppc.name,
            issued_on=utcnow().date() - timedelta(days=366),
            code_for=lambda _s: "BBBB2222")[0].serial
    b.import_bytes(_export_record(a, trainee.id))
    a.import_bytes(_export_record(b, trainee.id))
    return a, b, trainee, ppc, serial_a, serial_b


def _standing(ts: TempStore, mediator_id: uuid.UUID) -> tuple[str | None, dict[str, bool]]:
    """The serial a re-print uses, and every held certificate: superseded or not."""
    with ts.session() as s:
        found = CertificateRepository(in_session(s)).find(mediator_id, 4)
        held = controls_store.held_certificates(s, mediator_id, 4)
    return (found.serial if found else None,
            {h.certificate.serial: h.superseded_by is not None for h in held})


def test_both_laptops_hold_both_certificates_as_a_conflict_until_someone_decides(
        tmp_path: Path) -> None:
    a, b, trainee, _ppc, serial_a, serial_b = _two_laptops(tmp_path)
    assert _standing(a, trainee.id)[0] == serial_a  # each its own, until a person decides
    assert _standing(b, trainee.id)[0] == serial_b
    with a.session() as s:
        (conflict,) = list_certificate_conflicts(s)
    assert conflict.current.serial == serial_a and [k.serial for k in conflict.kept] == [
        serial_b]
    assert conflict.record == f"certificate:{trainee.id.hex}/4"
    assert parse_certificate_record(conflict.record.partition(":")[2]) == (trainee.id, 4)
    assert "--record certificate:" in conflict.lines()[-1]


def test_a_decision_on_one_laptop_travels_and_both_converge_nothing_deleted(
        tmp_path: Path) -> None:
    a, b, trainee, ppc, serial_a, serial_b = _two_laptops(tmp_path)
    with a.session() as s:
        decision = decide_certificate(s, trainee.id, 4, keep=serial_b.lower(),
                                      decided_by=ppc.name, reason=REASON)
    assert decision.kind == CERTIFICATE and decision.verifies()
    assert decision.record_id == certificate_record_id(trainee.id, 4)
    assert decision.version is not None and decision.version["serial"] == serial_b
    # On A at once: B's certificate stands (a re-print uses it), A's stays, superseded.
    assert _standing(a, trainee.id) == (serial_b, {serial_a: True, serial_b: False})
    with a.session() as s:
        assert list_certificate_conflicts(s) == ()
        again, reprint = CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=4, mediator_id=trainee.id, signer_id=ppc.id, signer_name=ppc.name,
            issued_on=utcnow().date() + timedelta(days=2), code_for=lambda _s: "NEWCODE1")
        assert reprint and (again.serial, again.verification_code) == (serial_b, "BBBB2222")
    # B imports A's next whole-record file: the decision arrives and B converges.
    result = b.import_bytes(_export_record(a, trainee.id))
    assert any(f"{serial_b} stands" in line and line.endswith("new")
               for line in result.preview.lines())
    assert _standing(b, trainee.id) == (serial_b, {serial_a: True, serial_b: False})
    with b.session() as s:
        assert list_certificate_conflicts(s) == ()
        (superseded,) = [h for h in controls_store.held_certificates(s, trainee.id, 4)
                         if h.superseded_by is not None]
        assert superseded.superseded_by == decision.id
    # And back: A importing B's file changes nothing more; both hold the same.
    a.import_bytes(_export_record(b, trainee.id))
    assert _standing(a, trainee.id) == _standing(b, trainee.id)


@pytest.mark.parametrize("order", ["a_first", "b_first"])
def test_two_decisions_taken_apart_the_later_stands_everywhere(
        tmp_path: Path, order: str) -> None:
    a, b, trainee, ppc, serial_a, serial_b = _two_laptops(tmp_path)
    mentor_b = add_observer(b, "Grace Mentor", ObserverRole.MENTOR)
    earlier = utcnow() - timedelta(hours=1)
    with a.session() as s:  # A keeps B's certificate first ...
        decide_certificate(s, trainee.id, 4, keep=serial_b, decided_by=ppc.name,
                           reason=REASON, at=earlier)
    with b.session() as s:  # ... B, later and without seeing it, keeps A's
        decide_certificate(s, trainee.id, 4, keep=serial_a, decided_by=mentor_b.name,
                           reason="Form 4 from the PPC's laptop is the one sent out.")
    from_a, from_b = _export_record(a, trainee.id), _export_record(b, trainee.id)
    if order == "a_first":
        b.import_bytes(from_a)
        a.import_bytes(from_b)
    else:
        a.import_bytes(from_b)
        b.import_bytes(from_a)
    expected = (serial_a, {serial_a: False, serial_b: True})
    assert _standing(a, trainee.id) == expected
    assert _standing(b, trainee.id) == expected


def test_a_refused_decision_changes_nothing(tmp_path: Path) -> None:
    a, _b, trainee, ppc, _serial_a, serial_b = _two_laptops(tmp_path)
    co = add_observer(a, "Ceri Co-mediator", ObserverRole.CO_MEDIATOR)
    before = durable_snapshot(a.data_dir)
    attempts = [
        dict(keep=serial_b, decided_by=co.name, reason=REASON),  # a role that may not
        dict(keep=serial_b, decided_by=ppc.name, reason="   "),  # no reason
        dict(keep="SO4-1999-000001", decided_by=ppc.name, reason=REASON),  # not held
        dict(keep=serial_b, decided_by="Nobody Here", reason=REASON),
    ]
    messages = []
    for kwargs in attempts:
        with pytest.raises(UserError) as caught, a.session() as s:
            decide_certificate(s, trainee.id, 4, **kwargs)  # type: ignore[arg-type]
        messages.append(caught.value.message)
    assert "may not decide" in messages[0]
    assert "reason" in messages[1].lower()
    assert "not the serial" in messages[2]
    assert durable_snapshot(a.data_dir) == before
    with pytest.raises(UserError), a.session() as s:  # Form 5: nothing in conflict
        decide_certificate(s, trainee.id, 5, keep="current", decided_by=ppc.name,
                           reason=REASON)
    with pytest.raises(UserError):
        parse_certificate_record(f"{trainee.id.hex}/6")


def test_a_certificate_decision_changed_in_the_file_is_refused(tmp_path: Path) -> None:
    a, _b, trainee, ppc, serial_a, serial_b = _two_laptops(tmp_path)
    with a.session() as s:
        decide_certificate(s, trainee.id, 4, keep=serial_b, decided_by=ppc.name,
                           reason=REASON)
    payload = open_bundle(_export_record(a, trainee.id), passphrase=PASS).payload
    (d,) = payload.decisions
    assert decode_payload(encode_payload(payload)).decisions == (d,)  # round trip
    other = dict(d.version or {}, serial=serial_a)
    bad = [replace(d, version=other),  # names another certificate than it chose
           replace(d, record_id=certificate_record_id(trainee.id, 5)),  # another form
           replace(d, chosen="deleted", version=None),
           replace(d, reason="Changed after signing.")]
    for changed in bad:
        with pytest.raises(ExchangeError):
            decode_payload(encode_payload(replace(payload, decisions=(changed,))))


def test_the_hubs_record_bundle_carries_a_certificate_decision(tmp_path: Path) -> None:
    """The hub sends each trainee's record bundle (``trainee_payloads``): the decision and
    both certificates ride in it as in a whole-record file."""
    from sendobserve.exchange.export import trainee_payloads

    a, _b, trainee, ppc, serial_a, serial_b = _two_laptops(tmp_path)
    with a.session() as s:
        decision = decide_certificate(s, trainee.id, 4, keep=serial_b, decided_by=ppc.name,
                                      reason=REASON)
        record = trainee_payloads(s, trainee.id, exported_by="hub").record
    assert decision in record.decisions
    assert {c.serial for c in record.certificates} == {serial_a, serial_b}


_T0 = utcnow()


def _held(n: int, standing: int) -> tuple[controls_store.HeldCertificate, ...]:
    from sendobserve.pki.controls import IssuedCertificate

    mid = uuid.UUID(int=7)
    certs = [IssuedCertificate(f"SO4-2026-{i + 1:06d}", 4, mid, None, "Ann Lee",
                               _T0.date(), f"CODE{i}", _T0, None) for i in range(n)]
    return tuple(controls_store.HeldCertificate(c, i != standing, None)
                 for i, c in enumerate(certs))


@settings(max_examples=150, deadline=None)
@given(n=st.integers(2, 4), data=st.data())
def test_the_latest_informed_decision_stands_from_any_start(n: int, data: st.DataObject) -> None:
    """Whatever certificate stood on a store before (its arrival order), decisions that
    each knew every certificate settle it the same way: the latest one's choice stands,
    and every other is superseded by the latest decision that retired it."""
    from sendobserve.exchange.controls import Decision
    from sendobserve.exchange.settle import certificate_outcome

    choices = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5))
    start = data.draw(st.integers(0, n - 1))
    held = _held(n, start)
    digests = [h.certificate.digest for h in held]
    decisions = tuple(
        Decision(uuid.UUID(int=100 + i), CERTIFICATE, uuid.UUID(int=1), uuid.UUID(int=7),
                 digests[c], held[c].certificate.identity(),
                 tuple(sorted(set(digests) - {digests[c]})), "why", "Ann Lee",
                 ObserverRole.PPC, True, _T0 + timedelta(minutes=i))
        for i, c in enumerate(choices))
    standing, superseded = certificate_outcome(held, decisions)
    assert standing == digests[choices[-1]]
    assert set(superseded) == set(digests) - {standing}
    for digest, by in superseded.items():
        last = max(i for i, c in enumerate(choices) if digests[c] != digest)
        assert by == decisions[last].id
    # A decision whose certificate has not arrived changes nothing yet.
    unknown = replace(decisions[-1], chosen="f" * 64)
    assert certificate_outcome(held, (unknown,)) == (digests[start], {})

"""Two Form 4s issued for one trainee on two laptops; a person picks the one that stands on
one laptop; the Form 4 re-printed there (a real signed PDF) carries that one's serial and
verification code, and the decision file brings the other laptop to the same."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.demo import READY, fill_store
from sendobserve.exchange.export import ExportScope
from sendobserve.services import documents, exchange
from sendobserve.services.packs import build_register_pack
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import ObserverRepository
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE
from tests.services.conftest import TODAY, mediator_id

FILE_PASS = "a file passphrase for the test"


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    made = [vault.initialise(tmp_path / name, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
            for name in ("trainee", "ppc")]
    try:
        for m in made:
            fill_store(m.store, today=TODAY)
        yield made[0].store, made[1].store
    finally:
        for m in made:
            m.store.close()


def _send(source: Store, target: Store, folder: Path, name: str) -> None:
    path = folder / f"{name}.sendobs"
    exchange.export_file(source, mediator_id(READY), path, passphrase=FILE_PASS,
                         exported_by=name, scope=ExportScope.RECORD)
    exchange.apply_pending(target, exchange.open_for_import(target, path, FILE_PASS))


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_form4_reprint_uses_the_certificate_that_stands(
        laptops: tuple[Store, Store], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    trainee_laptop, ppc_laptop = laptops
    mid = mediator_id(READY)
    plan = documents.plan_certificate(ppc_laptop, mid, 4, today=TODAY)
    signer = plan.candidates[0]
    # The trainee's laptop numbered one certificate before (another form-4 serial), so the
    # two laptops' serials for this trainee differ.
    other = next(o for o in ObserverRepository(trainee_laptop.session).list())
    CertificateRepository(trainee_laptop.session).issue_or_reprint(
        form_number=4, mediator_id=next(m for m in _mediators(trainee_laptop) if m != mid),
        signer_id=other.id, signer_name=other.name, issued_on=TODAY,
        code_for=lambda _s: "FILLER00")
    on_trainee = documents.issue_certificate(
        trainee_laptop, documents.plan_certificate(trainee_laptop, mid, 4, today=TODAY),
        signer, today=TODAY)
    on_ppc = documents.issue_certificate(ppc_laptop, plan, signer, today=TODAY)
    assert on_trainee.serial != on_ppc.serial
    _send(trainee_laptop, ppc_laptop, tmp_path, "from-trainee")
    (conflict,) = exchange.control_conflicts(ppc_laptop)[1]
    assert conflict.current.serial == on_ppc.serial
    # The PPC's laptop decides the trainee laptop's certificate stands.
    done = exchange.decide_certificate_conflict(
        ppc_laptop, mid, 4, keep=on_trainee.serial, decided_by=signer.name,
        reason="The trainee's copy was sent to the panel first.")
    assert done.changes.certificates and mid in done.changes.mediators
    again = documents.issue_certificate(
        ppc_laptop, documents.plan_certificate(ppc_laptop, mid, 4, today=TODAY), signer,
        today=TODAY)
    assert again.reprint
    assert (again.serial, again.verification_code) == (on_trainee.serial,
                                                       on_trainee.verification_code)
    text = _text(again.pdf)
    assert on_trainee.serial in text and on_ppc.serial not in text
    # The decision travels back: the trainee's laptop converges (it stood there already;
    # the PPC laptop's certificate arrives and is superseded at once, not in conflict).
    _send(ppc_laptop, trainee_laptop, tmp_path, "from-ppc")
    assert exchange.control_conflicts(trainee_laptop)[1] == ()
    assert exchange.control_conflicts(ppc_laptop)[1] == ()
    for laptop in laptops:
        assert CertificateRepository(laptop.session).find(mid, 4).serial == on_trainee.serial
    # The other stays, marked, where the register and the verification look. (On the
    # trainee's laptop the PPC laptop's serial names the filler certificate, so it is
    # reported there, not kept: serials are numbered per installation.)
    old = documents.certificate_standing(ppc_laptop, on_ppc.serial)
    assert old is not None and old.startswith(f"SUPERSEDED by {signer.name}'s decision")
    assert old.endswith(f"{on_trainee.serial} stands")
    for laptop in laptops:
        assert documents.certificate_standing(laptop, on_trainee.serial) == (
            "stands: re-prints use it")
    assert documents.certificate_standing(ppc_laptop, "SO4-1999-000001") is None
    pack = build_register_pack(ppc_laptop, out_dir=tmp_path / "pack", signer="Dana Whitfield",
                               today=TODAY)
    (member,) = [m for m in json.loads(pack.manifest.read_text())["members"]
                 if m["mediator_id"] == str(mid)]
    assert member["certificates"] == [on_trainee.serial]  # the one that stands, re-printed
    assert member["superseded_certificates"] == [on_ppc.serial]
    summary = next(f for f in pack.files if f.name == member["file"])
    assert "SUPERSEDED" in _text(summary.read_bytes())
    # ``sendobserve verify`` on the superseded certificate's PDF, with the store.
    ppc_laptop.close()
    secret = tmp_path / "passphrase.txt"
    secret.write_text(TEST_PASSPHRASE, encoding="utf-8")
    old_pdf = tmp_path / "old-form4.pdf"
    old_pdf.write_bytes(on_ppc.pdf)
    assert main(["--data-dir", str(tmp_path / "ppc"), "--passphrase-file", str(secret),
                 "verify", str(old_pdf)]) == 0
    out = capsys.readouterr().out
    assert f"Certificate: {on_ppc.serial}" in out
    assert f"Here:        SUPERSEDED by {signer.name}'s decision" in out


def _mediators(store: Store) -> list:  # type: ignore[type-arg]
    from sendobserve.storage.repositories import MediatorRepository

    return [m.id for m in MediatorRepository(store.session).list()]

"""The register pack on a real store: a summary per panel member from the rules engine,
a signed declaration, a manifest whose hashes match; every PDF passes 'verify'."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from sendobserve import demo
from sendobserve.cli import main
from sendobserve.errors import UserError
from sendobserve.services.packs import build_register_pack
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from tests.helpers import TEST_PASSPHRASE, durable_snapshot
from tests.reports.conftest import pdf_text

TODAY = date.today()


@pytest.fixture
def panel(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> Store:
    """Demo store: Siobhán's Form 4 issued here; Rhys accredited years ago (renewing);
    Aoife passported this year with no Form 5 from this store."""
    demo.fill_store(store, today=TODAY)
    data_dir = store.data_dir
    store.close()
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    assert main(["--data-dir", str(data_dir), "print", "form4", demo.READY,
                 "-o", str(tmp_path / "f4.pdf")]) == 0
    capsys.readouterr()
    from sendobserve.storage import vault

    reopened = vault.open_with_secret(data_dir, TEST_PASSPHRASE).store
    repo = MediatorRepository(reopened.session)
    for m in repo.list():
        if m.name == demo.READY:
            repo.update(replace(m, accredited_on=TODAY), today=TODAY)
        elif m.name == demo.RENEWING:
            repo.update(replace(m, accredited_on=date(TODAY.year - 3, 2, 3)), today=TODAY)
        elif m.name == demo.PASSPORTED:
            repo.update(replace(m, accredited_on=TODAY), today=TODAY)
    return reopened


def test_the_register_pack_summarises_declares_and_signs(
        panel: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pack"
    pack = build_register_pack(panel, out_dir=out, signer="Dana Whitfield", today=TODAY)
    manifest = json.loads(pack.manifest.read_text())
    members = {m["mediator"]: m for m in manifest["members"]}
    assert set(members) == {demo.READY, demo.RENEWING, demo.PASSPORTED}
    assert members[demo.READY]["kind"] == "Form 4 accreditation"
    assert members[demo.READY]["meets"] is True
    assert members[demo.READY]["certificates"] and members[demo.READY]["signers"]
    assert any(v.startswith("form2 v") for v in members[demo.READY]["form_versions"])
    assert members[demo.RENEWING]["kind"] == "re-registration"
    assert members[demo.RENEWING]["meets"] is True
    assert members[demo.PASSPORTED]["kind"].endswith("(evidence not in this store)")
    assert members[demo.PASSPORTED]["meets"] is False
    assert pack.members == 3 and pack.declared == 2
    for m in manifest["members"]:
        assert hashlib.sha256((out / m["file"]).read_bytes()).hexdigest() == m["sha256"]
    assert (hashlib.sha256(pack.declaration.read_bytes()).hexdigest()
            == manifest["declaration"]["sha256"])
    declaration = " ".join(pdf_text(pack.declaration.read_bytes()).split())
    assert "declare" in declaration and "§1.4.2 ii, §1.6 A" in declaration
    assert "NOT declared" in declaration and demo.PASSPORTED in declaration
    data_dir = panel.data_dir
    panel.close()
    for pdf in (pack.manifest_pdf, pack.declaration, *pack.files, *pack.certificates):
        assert main(["--data-dir", str(data_dir), "verify", str(pdf)]) == 0
        assert "Intact and trusted" in capsys.readouterr().out


def test_the_pack_reprints_each_members_certificate_as_issued(
        panel: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sendobserve.storage.repositories.certificates import CertificateRepository

    original = tmp_path / "f4.pdf"  # printed by the fixture, before the pack
    out = tmp_path / "pack"
    pack = build_register_pack(panel, out_dir=out, signer="Dana Whitfield", today=TODAY)
    manifest = json.loads(pack.manifest.read_text())
    members = {m["mediator"]: m for m in manifest["members"]}
    (printed,) = members[demo.READY]["certificate_pdfs"]
    ready = next(m for m in MediatorRepository(panel.session).list() if m.name == demo.READY)
    issued = CertificateRepository(panel.session).find(ready.id, 4)
    assert issued is not None
    assert (printed["form"], printed["serial"], printed["verification_code"],
            printed["signer"]) == (4, issued.serial, issued.verification_code,
                                   issued.signer_name)
    assert [p.name for p in pack.certificates] == [printed["file"]]
    reprint = (out / printed["file"]).read_bytes()
    assert hashlib.sha256(reprint).hexdigest() == printed["sha256"]
    assert pdf_text(reprint) == pdf_text(original.read_bytes())  # the same certificate
    assert issued.serial in pdf_text(reprint)
    # Nobody else has a certificate from this store; the signed manifest lists the file.
    assert members[demo.RENEWING]["certificate_pdfs"] == []
    assert manifest["certificates_reprinted"] == 1
    assert manifest["certificates_not_reprinted"] == []
    listing = pdf_text(pack.manifest_pdf.read_bytes())
    assert printed["file"] in listing and printed["sha256"][:16] in listing
    # The re-print kept the one certificate: no new serial was issued.
    assert CertificateRepository(panel.session).find(ready.id, 4) == issued


def test_a_cancelled_pack_writes_nothing_and_progress_counts_members(
        panel: Store, tmp_path: Path) -> None:
    from sendobserve.reports.styles import ReportCancelled

    seen: list[tuple[int, int]] = []
    before = durable_snapshot(tmp_path)
    with pytest.raises(ReportCancelled):
        build_register_pack(panel, out_dir=tmp_path / "pack", signer="Dana", today=TODAY,
                            progress=lambda d, t: seen.append((d, t)),
                            cancelled=lambda: len(seen) >= 2)
    assert seen == [(1, 3), (2, 3)]
    assert durable_snapshot(tmp_path) == before
    build_register_pack(panel, out_dir=tmp_path / "pack", signer="Dana", today=TODAY,
                        progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3)


def test_a_bad_request_writes_nothing(panel: Store, tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    before = durable_snapshot(tmp_path)
    with pytest.raises(UserError, match="not empty"):
        build_register_pack(panel, out_dir=full, signer="Dana", today=TODAY)
    with pytest.raises(UserError, match="name of the person"):
        build_register_pack(panel, out_dir=tmp_path / "new", signer=" ", today=TODAY)
    assert durable_snapshot(tmp_path) == before

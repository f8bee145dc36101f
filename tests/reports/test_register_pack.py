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
    for pdf in (pack.manifest_pdf, pack.declaration, *pack.files):
        assert main(["--data-dir", str(data_dir), "verify", str(pdf)]) == 0
        assert "Intact and trusted" in capsys.readouterr().out


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

"""The commands an organisation runs, end to end: certificate from the admin's root, init,
bootstrap, join, approve by trainee name, sync, status, revoke; and their clear refusals."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from sendobserve.cli import main
from sendobserve.model.domain import Mediator, ProfessionalBody
from sendobserve.pki.certificates import fingerprint as cert_fingerprint
from sendobserve.pki.identity import load_or_create_identity
from sendobserve.storage import exchange as stored
from sendobserve.storage import vault
from sendobserve.storage.repositories import MediatorRepository, in_session
from sendobserve.storage.repositories.certificates import PkiRepository
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE

from .conftest import ORG, HubProcess


def _store(folder: Path, *, trainee: str | None = None) -> str:
    created = vault.initialise(folder, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    with created.store.session() as s:
        fp = load_or_create_identity(stored.StoredSigningKey(s)).fingerprint
        if trainee:
            MediatorRepository(in_session(s)).add(
                Mediator(id=uuid.uuid4(), name=trainee,
                         professional_body=ProfessionalBody.COM))
    created.store.close()
    return fp


def _run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_an_organisation_sets_up_its_hub_from_the_command_line(
        hub_db: str, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    admin_dir, laptop_dir, tls_dir = tmp_path / "admin", tmp_path / "laptop", tmp_path / "tls"
    admin_fp = _store(admin_dir, trainee="Siobhán Ó Dálaigh")
    laptop_fp = _store(laptop_dir)

    code, out, _ = _run(capsys, "hub", "init", "--database", hub_db, "--organisation", ORG)
    assert code == 0 and "ready" in out
    code, out, _ = _run(capsys, "--data-dir", str(admin_dir), "hub", "certificate",
                        "--host", "127.0.0.1", "--organisation", ORG, "-o", str(tls_dir))
    assert code == 0
    root_pem = (tls_dir / "root.pem").read_bytes()
    with vault.open_with_secret(admin_dir, TEST_PASSPHRASE, None).store as store:
        root = PkiRepository(store.session).load_root()
    assert root is not None and root.cert_pem == root_pem  # the admin store's own root
    assert cert_fingerprint(root_pem) in out
    assert (tls_dir / "hub.key").stat().st_mode & 0o077 == 0

    hub = HubProcess(hub_db, tls_dir / "hub.crt", tls_dir / "hub.key", root_pem,
                     tmp_path / "hub.log").start()
    try:
        hub.wait_ready()
        root_file = str(tls_dir / "root.pem")
        code, out, _ = _run(capsys, "--data-dir", str(admin_dir), "hub", "join", hub.url,
                            "--root", root_file, "--admin", admin_fp, "--name", "Admin Desk")
        assert code == 0 and "pending" in out and admin_fp in out
        code, out, _ = _run(capsys, "hub", "bootstrap-admin", "--database", hub_db, admin_fp)
        assert code == 0 and "Admin Desk is now the organisation's admin" in out
        code, out, _ = _run(capsys, "--data-dir", str(laptop_dir), "hub", "join", hub.url,
                            "--root", root_file, "--admin", admin_fp.lower(), "--name", "PPC")
        assert code == 0 and "pending" in out

        code, out, _ = _run(capsys, "--data-dir", str(admin_dir), "hub", "installations")
        assert code == 0 and laptop_fp in out and "pending" in out
        code, _, err = _run(capsys, "--data-dir", str(admin_dir), "hub", "approve", laptop_fp,
                            "--role", "ppc")
        assert code == 1 and "--trainee" in err
        code, out, _ = _run(capsys, "--data-dir", str(admin_dir), "hub", "approve", laptop_fp,
                            "--role", "ppc", "--trainee", "siobhan")
        assert code == 0 and "Approved PPC" in out and "as ppc" in out

        for folder in (laptop_dir, admin_dir):
            code, out, err = _run(capsys, "--data-dir", str(folder), "sync")
            assert code == 0 and out.startswith("Synced: sent "), err
        code, out, _ = _run(capsys, "--data-dir", str(laptop_dir), "hub", "status")
        assert code == 0 and "Last synced: 20" in out and "approved (ppc, 1 trainee(s))" in out

        code, _, err = _run(capsys, "--data-dir", str(admin_dir), "hub", "revoke", laptop_fp)
        assert code == 1 and "say why" in err  # a member's revocation needs a reason
        code, out, _ = _run(capsys, "--data-dir", str(admin_dir), "hub", "revoke", laptop_fp,
                            "--reason", "laptop lost")
        assert code == 0 and "Revoked" in out and "every member" in out
        code, _, err = _run(capsys, "--data-dir", str(laptop_dir), "sync")
        assert code == 1 and "revoked" in err
    finally:
        hub.stop()

    code, _, err = _run(capsys, "--data-dir", str(laptop_dir), "sync")  # no hub running
    assert code == 1 and "cannot reach the hub" in err and "nothing was lost" in err
    code, _, err = _run(capsys, "--data-dir", str(laptop_dir), "hub", "join",
                        "http://127.0.0.1:1", "--root", str(tls_dir / "root.pem"),
                        "--admin", admin_fp)
    assert code == 1 and "https://" in err
    code, _, err = _run(capsys, "--data-dir", str(laptop_dir), "hub", "join",
                        "https://127.0.0.1:1", "--root", str(tls_dir / "hub.crt"),
                        "--admin", admin_fp)
    assert code == 1 and "not an organisation's root" in err
    code, _, err = _run(capsys, "hub", "init", "--organisation", ORG)
    assert code == 1 and "--database" in err

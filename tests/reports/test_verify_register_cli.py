"""``sendobserve verify`` looks the certificate up in the store's register by its serial and
the verification code printed on it: where another installation issued the same serial
(held here too), the right one is named, with the installation that issued it; a PDF from
elsewhere whose code is not held here is said to be so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.demo import GAPS, READY, demo_id
from sendobserve.model.domain import utcnow
from sendobserve.model.vocabulary import issuer_text
from sendobserve.pki.controls import IssuedCertificate
from sendobserve.pki.identity import Identity
from sendobserve.storage import vault
from sendobserve.storage.exchange_controls import store_certificate
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.helpers import TEST_PASSPHRASE

from .test_print_cli import PROVIDER, _cli


def _register_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.strip().startswith("Register:")]


def test_verify_names_the_certificate_by_serial_and_printed_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, base = _cli(tmp_path / "here", PROVIDER)
    pdf = folder / "f4.pdf"
    assert main([*base, "print", "form4", READY, "-o", str(pdf)]) == 0
    capsys.readouterr()
    elsewhere = Identity.generate().fingerprint
    with vault.open_with_secret(folder / "data", TEST_PASSPHRASE).store as store:
        certs = CertificateRepository(store.session)
        mine = certs.find(demo_id("mediator", READY), 4)
        assert mine is not None
        with store.session() as s:  # the same serial, issued elsewhere to another trainee
            assert store_certificate(s, IssuedCertificate(
                mine.serial, 4, demo_id("mediator", GAPS), None, "Someone Elsewhere",
                date.today(), "ZZZZZ-YYYYY", utcnow(), "x", issuer=elsewhere)) == "added"
        assert len(certs.with_serial(mine.serial)) == 2
    assert main([*base, "verify", str(pdf)]) == 0
    (line,) = _register_lines(capsys.readouterr().out)
    assert READY in line and mine.verification_code in line
    assert issuer_text(mine.issuer) in line and GAPS not in line

    # A certificate printed by another provider's store with the same serial: intact
    # under its root, but this register holds no certificate with its code.
    other_folder, other_base = _cli(tmp_path / "there", "Other provider")
    other = other_folder / "f4.pdf"
    assert main([*other_base, "print", "form4", READY, "-o", str(other)]) == 0
    root = other_folder / "root.pem"
    assert main([*other_base, "signing", "export-root", "-o", str(root)]) == 0
    capsys.readouterr()
    assert main([*base, "verify", str(other), "--trust", str(root)]) == 0
    (line,) = _register_lines(capsys.readouterr().out)
    assert f"no certificate here has serial {mine.serial} with the code printed" in line

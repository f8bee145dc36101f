"""``sendobserve verify``: exit status and wording for each kind of file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.pki import certificates as pki


@pytest.fixture
def files(tmp_path: Path, form4_signed: bytes, form4_unsigned: bytes,
          root: pki.RootCA) -> dict[str, Path]:
    paths = {
        "signed": tmp_path / "f4.pdf",
        "unsigned": tmp_path / "plain.pdf",
        "root": tmp_path / "root.pem",
        "other_root": tmp_path / "other.pem",
        "tampered": tmp_path / "tampered.pdf",
    }
    paths["signed"].write_bytes(form4_signed)
    paths["unsigned"].write_bytes(form4_unsigned)
    paths["root"].write_bytes(root.cert_pem)
    paths["other_root"].write_bytes(pki.create_root("Other").cert_pem)
    tampered = bytearray(form4_signed)
    tampered[len(form4_unsigned) // 2] ^= 0x20
    paths["tampered"].write_bytes(bytes(tampered))
    return paths


@pytest.mark.parametrize(
    ("pdf", "trust", "status", "says"),
    [
        ("signed", ["root"], 0, "Intact and trusted: signed by Łucja Żak."),
        ("signed", ["other_root", "root"], 0, "Intact and trusted"),
        ("signed", ["other_root"], 2, "NOT TRUSTED"),
        ("signed", [], 2, "add --trust ROOT.pem"),
        ("tampered", ["root"], 3, "ALTERED"),
        ("unsigned", ["root"], 3, "NOT SIGNED"),
    ],
)
def test_verify_exit_status_and_message(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str],
    pdf: str, trust: list[str], status: int, says: str,
) -> None:
    argv = ["--data-dir", str(files[pdf].parent / "no-store"), "verify", str(files[pdf])]
    for name in trust:
        argv += ["--trust", str(files[name])]
    before = {p: p.read_bytes() for p in files.values()}
    assert main(argv) == status
    out = capsys.readouterr().out
    assert says in out
    if status == 0:
        assert "Certificate: SO4-2026-000007" in out
        assert "Issued by:   Kestrel Dispute Resolution (signing root)" in out
    assert {p: p.read_bytes() for p in files.values()} == before  # verify changes nothing


@pytest.mark.parametrize("trust_name", ["missing", "signed"])
def test_bad_trust_files_are_a_usage_error(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], trust_name: str
) -> None:
    trust = files.get(trust_name, tmp_path / "missing.pem")
    assert main(["verify", str(files["signed"]), "--trust", str(trust)]) == 1
    assert capsys.readouterr().err.startswith("sendobserve: ")


def test_a_missing_pdf_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "nope.pdf")]) == 1
    assert "PDF not found" in capsys.readouterr().err


def test_a_changed_byte_in_the_signature_padding_is_altered(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], form4_signed: bytes
) -> None:
    """The bytes after the DER signature in /Contents are outside both the signed range and
    the signature: only this check notices them changing."""
    import re

    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", form4_signed)
    assert match
    a, b, c, _ = (int(x) for x in match.groups())
    gap = form4_signed[a + b : c]
    assert gap.endswith(b"00>")  # the padding is there to alter
    padded = form4_signed[: c - 3] + b"1" + form4_signed[c - 2 :]  # the last padding digit
    path = files["signed"].parent / "padding.pdf"
    path.write_bytes(padded)
    argv = ["--data-dir", str(path.parent / "no-store"), "verify", str(path),
            "--trust", str(files["root"])]
    assert main(argv) == 3
    out = capsys.readouterr().out
    assert "ALTERED" in out and "padding" in out
    assert path.read_bytes() == padded
    # Before this check the same file read as intact: the signature itself still verifies.
    assert main(["--data-dir", str(path.parent / "no-store"), "verify", str(files["signed"]),
                 "--trust", str(files["root"])]) == 0

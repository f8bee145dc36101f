"""`sendobserve evidence add|list|export|remove` as a person would run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendobserve import demo
from sendobserve.cli import main
from tests.helpers import durable_snapshot
from tests.model.test_evidence import make_image, make_pdf


def _list(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["--data-dir", str(demo_dir), "evidence", "list", demo.READY, "--json"]) == 0
    listed: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return listed


def test_add_list_export_remove(demo_dir: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    entries = _list(demo_dir, capsys)
    training = next(e for e in entries if e["entry"] == "training")
    source = tmp_path / "scan.jpeg"
    source.write_bytes(make_image("JPEG", (300, 200)))
    args = ["--data-dir", str(demo_dir), "evidence"]
    assert main([*args, "add", demo.READY, str(training["id"])[:8], str(source)]) == 0
    out = capsys.readouterr().out
    assert "Attached scan.jpeg (JPEG image" in out and "as a training certificate" in out
    files = next(e for e in _list(demo_dir, capsys) if e["id"] == training["id"])["files"]
    assert isinstance(files, list) and len(files) == 1
    file_id = files[0]["id"]
    assert main([*args, "list", demo.READY]) == 0
    assert files[0]["sha256"] in capsys.readouterr().out
    copy = tmp_path / "copy.jpg"
    assert main([*args, "export", file_id[:8], "--to", str(copy)]) == 0
    assert copy.read_bytes()[:3] == b"\xff\xd8\xff"
    assert main([*args, "remove", file_id[:8], "--yes"]) == 0
    assert "Removed scan.jpeg" in capsys.readouterr().out
    assert not next(e for e in _list(demo_dir, capsys) if e["id"] == training["id"])["files"]


@pytest.mark.parametrize(("content", "message"), [
    (b"%PDF-1.4 not really", "starts like a PDF but is not a readable one"),
    (b"Minutes of the meeting", "is not a PDF, PNG or JPEG file"),
    (None, "is not there"),
])
def test_bad_files_are_one_sentence_and_change_nothing(
        demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        content: bytes | None, message: str) -> None:
    entry = _list(demo_dir, capsys)[0]
    source = tmp_path / "certificate.pdf"
    if content is not None:
        source.write_bytes(content)
    before = durable_snapshot(demo_dir)
    assert main(["--data-dir", str(demo_dir), "evidence", "add", demo.READY,
                 str(entry["id"])[:8], str(source)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert durable_snapshot(demo_dir) == before


def test_a_case_takes_other_documents_only(demo_dir: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    case = next(e for e in _list(demo_dir, capsys) if e["entry"] == "case")
    source = tmp_path / "agreement.pdf"
    source.write_bytes(make_pdf())
    before = durable_snapshot(demo_dir)
    assert main(["--data-dir", str(demo_dir), "evidence", "add", demo.READY,
                 str(case["id"])[:8], str(source), "--kind", "cpd_certificate"]) == 1
    assert "cannot be attached to a case" in capsys.readouterr().err
    assert durable_snapshot(demo_dir) == before

"""'sendobserve panel' and 'check', called as a user would on a real store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sendobserve import demo
from sendobserve.cli import main
from sendobserve.storage import vault
from tests.helpers import TEST_PASSPHRASE


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_panel_lists_every_mediator_with_a_stage(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--data-dir", str(demo_dir), "panel")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("NAME") and len(lines) == 5
    by_name = {name: next(line for line in lines if line.startswith(name))
               for name in (demo.READY, demo.GAPS, demo.PASSPORTED, demo.RENEWING)}
    assert "ready for Form 4" in by_name[demo.READY]
    assert "in training" in by_name[demo.GAPS] and "more" in by_name[demo.GAPS]
    assert "ready for Form 5" in by_name[demo.PASSPORTED]
    assert "re-registration due in" in by_name[demo.RENEWING]


def test_panel_json_csv_and_status_filter(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--data-dir", str(demo_dir), "panel", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["mediators"]) == 4
    gaps = next(m for m in data["mediators"] if m["name"] == demo.GAPS)
    assert gaps["status"] == "in training" and gaps["still_needed"]
    code, out, _ = _run(capsys, "--data-dir", str(demo_dir), "panel", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 4 and rows[0]["name"]
    code, out, _ = _run(capsys, "--data-dir", str(demo_dir), "panel", "--json",
                        "--status", "in training")
    assert [m["name"] for m in json.loads(out)["mediators"]] == [demo.GAPS]
    code, _, err = _run(capsys, "--data-dir", str(demo_dir), "panel", "--status", "asleep")
    assert code != 0 and "unknown status 'asleep'" in err


def test_check_agrees_then_reports_a_forged_verdict(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "--data-dir", str(demo_dir), "panel")[0] == 0  # verdicts stored
    code, out, _ = _run(capsys, "--data-dir", str(demo_dir), "check")
    assert code == 0 and "4 stored verdicts current" in out and "agrees" in out
    store = vault.open_with_secret(demo_dir, TEST_PASSPHRASE).store
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE panel_verdicts SET ready_to_certify = 1 WHERE ready_to_certify = 0")
    finally:
        store.close()
    code, out, _ = _run(capsys, "--data-dir", str(demo_dir), "check")
    assert code == 1 and "DIFFER" in out and demo.GAPS in out

"""demo, mediators, readiness and renewal, called as a user would on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendobserve import demo
from sendobserve.cli import main
from sendobserve.storage import vault
from tests.helpers import TEST_PASSPHRASE, durable_snapshot, snapshot


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_twice_adds_nothing_the_second_time(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(demo_dir), "status"]) == 0
    first = capsys.readouterr().out
    assert main(["--data-dir", str(demo_dir), "demo"]) == 0
    assert "nothing was added" in capsys.readouterr().out
    assert main(["--data-dir", str(demo_dir), "status"]) == 0
    second = capsys.readouterr().out
    counts = [line for line in first.splitlines() if line.strip().startswith(("marks", "cases"))]
    assert counts, first
    for line in counts:
        assert line in second


def test_mediators_lists_who_is_ready(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "--data-dir", str(demo_dir), "mediators", "--json")
    assert isinstance(rows, list)
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {demo.READY, demo.GAPS, demo.PASSPORTED, demo.RENEWING}
    assert by_name[demo.READY]["ready_for_form4"] is True
    assert by_name[demo.GAPS]["ready_for_form4"] is False
    assert by_name[demo.PASSPORTED]["passported"] is True
    assert by_name[demo.READY]["passported"] is False
    assert set(rows[0]) == {"id", "name", "ready_for_form4", "passported"}


def test_the_ready_mediator_is_ready(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, "--data-dir", str(demo_dir), "readiness", "Siobhán", "--json")
    assert isinstance(report, dict)
    assert report["ready"] is True
    assert report["still_needed"] == []
    assert {r["status"] for r in report["requirements"]} == {"met"}


def test_the_mediator_with_gaps_gets_exactly_their_gaps(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Typed without accents, as on a keyboard without them.
    report = _json(capsys, "--data-dir", str(demo_dir), "readiness", "lucja zak", "--json")
    assert isinstance(report, dict)
    assert report["ready"] is False
    not_met = {r["id"] for r in report["requirements"] if r["status"] == "not_met"}
    assert not_met == {
        "casework_hours",
        "reflection_hours",
        "three_active_cases",
        "final_case_led",
        "criteria_demonstrated",
        "form4_signer",
    }
    undemonstrated = {c["id"] for c in report["criteria"] if not c["demonstrated_in"]}
    assert undemonstrated == set(demo.GAP_IDS)
    assert "Demonstrate: Reality test proposals (Form 2)" in report["still_needed"]


def test_renewal_and_passport(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    renewing = _json(capsys, "--data-dir", str(demo_dir), "renewal", demo.RENEWING, "--json")
    assert isinstance(renewing, dict) and renewing["ready"] is True
    assert "passport" not in renewing
    passported = _json(capsys, "--data-dir", str(demo_dir), "renewal", "Aoife", "--json")
    assert isinstance(passported, dict)
    assert passported["passport"]["eligible"] is True


def test_text_reports_name_the_gaps(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(demo_dir), "readiness", demo.GAPS]) == 0
    out = capsys.readouterr().out
    assert "NOT READY" in out
    assert "9.5 of 12 hours of casework" in out


def test_an_unknown_or_ambiguous_mediator_is_one_clear_line_and_changes_nothing(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(demo_dir)
    assert main(["--data-dir", str(demo_dir), "readiness", "Nobody Atall"]) == 1
    err = capsys.readouterr().err
    assert "No mediator called 'Nobody Atall'" in err
    assert snapshot(demo_dir) == before


def test_demo_remove_takes_it_out_and_a_second_remove_finds_nothing(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(demo_dir)]
    # A certificate issued to a demo mediator goes with the demo.
    assert main([*base, "print", "form4", demo.READY, "-o", str(demo_dir / "f4.pdf")]) == 0
    capsys.readouterr()
    assert main([*base, "demo", "--remove"]) == 0
    out = capsys.readouterr().out
    assert "Removed the demo practice period" in out
    for table in ("mediators", "cases", "observations", "certificates", "observers"):
        assert table in out, out
    assert main([*base, "mediators"]) == 0
    assert "No mediators yet" in capsys.readouterr().out
    assert main([*base, "demo", "--remove"]) == 0
    assert "nothing was removed" in capsys.readouterr().out
    assert main([*base, "demo"]) == 0  # and it can come back
    assert "Added the demo practice period" in capsys.readouterr().out


def test_demo_remove_refuses_when_records_were_added_to_a_demo_mediator(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import uuid
    from datetime import date
    from decimal import Decimal

    from sendobserve.model.domain import Case, CaseKind, TraineeRole
    from sendobserve.storage.repositories import CaseRepository

    store = vault.open_with_secret(demo_dir, TEST_PASSPHRASE).store
    try:
        CaseRepository(store.session).add(Case(
            uuid.uuid4(), demo.demo_id("mediator", demo.GAPS), "REAL-001", date(2026, 6, 1),
            CaseKind.MEDIATION, TraineeRole.LEADING, Decimal("3")))
    finally:
        store.close()
    before = durable_snapshot(demo_dir)
    assert main(["--data-dir", str(demo_dir), "demo", "--remove"]) == 1
    err = capsys.readouterr().err
    assert "Nothing was removed" in err and "1 cases" in err, err
    assert durable_snapshot(demo_dir) == before

"""`sendobserve cases list|add|edit` as a person would run it: the local authority is
optional, kept, shown and cleared; a refused case changes nothing on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendobserve import demo
from sendobserve.cli import main
from tests.helpers import durable_snapshot


def _cases(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["--data-dir", str(demo_dir), "cases", "list", demo.GAPS, "--json"]) == 0
    listed: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return listed


def test_add_with_and_without_a_local_authority_then_edit_and_clear(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--data-dir", str(demo_dir), "cases"]
    before = _cases(demo_dir, capsys)
    assert before and all(c["local_authority"] is None for c in before)
    assert main([*args, "add", demo.GAPS, "--reference", "SEN-2026-101", "--date",
                 "2026-01-12", "--role", "co_mediating", "--hours", "3.5",
                 "--local-authority", "  Leeds "]) == 0
    out = capsys.readouterr().out
    assert "Added case SEN-2026-101" in out and "local authority: Leeds" in out
    assert main([*args, "add", demo.GAPS, "--reference", "SEN-2026-102", "--date",
                 "2026-01-19", "--role", "observing", "--hours", "2"]) == 0
    assert "local authority: —" in capsys.readouterr().out
    after = {c["reference"]: c for c in _cases(demo_dir, capsys)}
    assert len(after) == len(before) + 2
    leeds, plain = after["SEN-2026-101"], after["SEN-2026-102"]
    assert leeds["local_authority"] == "Leeds"  # trimmed as typed
    assert (leeds["trainee_role"], leeds["casework_hours"], leeds["kind"]) == (
        "co_mediating", "3.5", "mediation")
    assert plain["local_authority"] is None

    case = str(plain["id"])[:8]
    assert main([*args, "edit", demo.GAPS, case, "--local-authority", "Kirklees"]) == 0
    assert "local authority: Kirklees" in capsys.readouterr().out
    edited = next(c for c in _cases(demo_dir, capsys) if c["id"] == plain["id"])
    assert edited == {**plain, "local_authority": "Kirklees"}  # nothing else changed
    assert main([*args, "list", demo.GAPS]) == 0
    listed = capsys.readouterr().out
    assert f"{case}  2026-01-19  SEN-2026-102" in listed and "local authority: Kirklees" in listed
    assert main([*args, "edit", demo.GAPS, case, "--local-authority", ""]) == 0
    capsys.readouterr()
    cleared = next(c for c in _cases(demo_dir, capsys) if c["id"] == plain["id"])
    assert cleared["local_authority"] is None


@pytest.mark.parametrize(("extra", "message"), [
    (["--local-authority", "x" * 101], "The local authority is longer than 100 characters"),
    (["--local-authority", "Leeds", "--hours", "-1"], "Casework hours"),
    (["--local-authority", "Leeds", "--date", "2999-01-01"], "in the future"),
])
def test_a_refused_case_is_one_sentence_and_changes_nothing(
        demo_dir: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
        message: str) -> None:
    base = {"--reference": "SEN-2026-103", "--date": "2026-01-12", "--role": "leading",
            "--hours": "2"}
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        base[flag] = value
    before = durable_snapshot(demo_dir)
    code = main(["--data-dir", str(demo_dir), "cases", "add", demo.GAPS,
                 *(part for pair in base.items() for part in pair)])
    assert code != 0
    assert message in capsys.readouterr().err
    assert durable_snapshot(demo_dir) == before


def test_edit_names_a_case_that_is_not_there(demo_dir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    before = durable_snapshot(demo_dir)
    assert main(["--data-dir", str(demo_dir), "cases", "edit", demo.GAPS, "ffffffff",
                 "--local-authority", "Leeds"]) != 0
    assert "has no case whose id starts with 'ffffffff'" in capsys.readouterr().err
    assert main(["--data-dir", str(demo_dir), "cases", "edit", demo.GAPS,
                 str(_cases(demo_dir, capsys)[0]["id"])[:8]]) != 0
    assert "Nothing to change" in capsys.readouterr().err
    assert durable_snapshot(demo_dir) == before


def test_the_portfolio_prints_a_case_s_local_authority(
        demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.reports.conftest import pdf_text

    base = ["--data-dir", str(demo_dir)]
    assert main([*base, "cases", "list", demo.READY, "--json"]) == 0
    cases = json.loads(capsys.readouterr().out)
    first, second = cases[0], cases[1]
    assert main([*base, "cases", "edit", demo.READY, first["id"][:8],
                 "--local-authority", "Calderdale"]) == 0
    out = tmp_path / "portfolio.pdf"
    assert main([*base, "print", "portfolio", demo.READY, "-o", str(out)]) == 0
    text = pdf_text(out.read_bytes())
    assert "Case reference, local authority" in text
    assert f"{first['reference']} Calderdale" in text  # under its reference, in its row
    # A case without one prints its reference alone.
    at = text.index(second["reference"])
    assert "Calderdale" not in text[at:at + len(second["reference"]) + 40]

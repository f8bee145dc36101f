"""``sendobserve forms list`` and ``sendobserve forms check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.paths import resources_dir

FORMS = resources_dir() / "forms"
EXAMPLE = FORMS / "examples" / "form2-acme-2024.yaml"


def test_list_shows_ids_versions_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["FORM", "VERSION", "TITLE", "PROVIDER", "CRITERIA", "TICK",
                                "ITEMS", "CORE"]  # fmt: skip
    rows = [line.split() for line in lines[1:]]
    assert rows == [
        ["form1", "standards-2018", "Pre-mediation", "Standards", "22", "23", "13", "default"],
        ["form2", "standards-2018", "Mediation", "Standards", "36", "39", "20", "default"],
        ["form3", "standards-2018", "Post-mediation", "Standards", "12", "13", "5", "default"],
    ]


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["form_id"], r["version"], r["criteria"], r["tick_items"]) for r in rows] == [
        ("form1", "standards-2018", 22, 23),
        ("form2", "standards-2018", 36, 39),
        ("form3", "standards-2018", 12, 13),
    ]
    assert all(r["provider"] is None and r["default"] for r in rows)


def test_check_accepts_the_example_and_says_what_changed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = EXAMPLE.read_bytes()
    assert main(["forms", "check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "OK: form2 acme-2024 by Acme SEND Mediation, based on standards-2018" in out
    assert "added: f2.pm.interpreting_advocacy" in out
    assert "reworded: f2.sk.reality_test" in out
    assert "dropped (not core): f2.pm.carry_forms" in out
    assert EXAMPLE.read_bytes() == before


def test_check_accepts_the_standard_files(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in FORMS.glob("*.yaml"))
    assert main(["forms", "check", *files]) == 0
    assert "3 of 3 files OK" in capsys.readouterr().out


def test_check_prints_every_schema_problem_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("- id: f2.sk.engage", "- id: f2.sk.reality_test", 1)
    text = text.replace("core: false", "core: perhaps", 1)
    bad = tmp_path / "form2-acme.yaml"
    bad.write_text(text, encoding="utf-8")
    before = bad.read_bytes()
    lines = text.splitlines()
    perhaps = lines.index("        core: perhaps") + 1
    reused = [i + 1 for i, ln in enumerate(lines) if ln.endswith("- id: f2.sk.reality_test")]
    assert main(["forms", "check", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{bad}:{perhaps}: core of criterion f2.pm.arrive_punctually must be true or false, "
        "not the text 'perhaps'",
        f"{bad}:{reused[1]}: criterion id 'f2.sk.reality_test' is used twice "
        f"(first on line {reused[0]})",
    ]
    assert bad.read_bytes() == before


def test_check_refuses_a_dropped_core_criterion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    block = "      - id: f2.sk.send_context\n        text: Apply knowledge of SEND context\n" \
            "        core: true\n"  # fmt: skip
    assert block in text
    bad = tmp_path / "form2-acme.yaml"
    bad.write_text(text.replace(block, ""), encoding="utf-8")
    assert main(["forms", "check", str(bad), str(EXAMPLE)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"{bad}: form2 acme-2024 drops core criterion f2.sk.send_context "
        "'Apply knowledge of SEND context'\n"
    )
    assert "1 of 2 files OK" in captured.out


def test_check_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "check", str(tmp_path / "nope.yaml")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'nope.yaml'}: no such file\n"

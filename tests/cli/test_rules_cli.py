"""``sendobserve rules``, and the edition in ``readiness --json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendobserve import demo
from sendobserve.cli import main
from tests.helpers import snapshot


def test_rules_prints_the_edition_in_force_requirement_by_requirement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "--as-of", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Professional Standards for Mediators Working With SEND, version 1"
                          " (May 2018)")
    assert "  §1.1             Foundation training of at least 40 hours  [threshold 40]" in out
    assert "discretion: §1.3, agreed by the assessor, the provider and the mediator" in out
    assert "discretion: §1.6 (B), agreed by the assessor and the provider" in out
    assert out.count("no discretion") == 15
    assert "Decisions of this program where the Standards are silent" in out
    assert "renewal_membership (§1.4.1, §1.4.3)" in out


def test_rules_json_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "standards-2018-v1"
    by_id = {r["id"]: r for r in data["requirements"]}
    assert by_id["casework_hours"]["threshold"] == "12"
    assert by_id["casework_hours"]["discretion"] is None
    assert by_id["final_case_led"]["discretion"]["parties"] == ["assessor", "provider",
                                                                "mediator"]
    assert all(d["paragraph"] and d["reason"] for d in data["decisions"])
    assert main(["rules", "--list"]) == 0
    assert "* standards-2018-v1" in capsys.readouterr().out


def test_an_unknown_edition_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--edition", "standards-1999"]) == 1
    err = capsys.readouterr().err
    assert "unknown edition of the Standards: standards-1999" in err
    assert "Known: standards-2018-v1." in err


def test_readiness_json_carries_the_edition(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(demo_dir), "readiness", demo.READY, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["edition"]["id"] == "standards-2018-v1"
    assert report["practice_start"] is not None
    assert main(["--data-dir", str(demo_dir), "readiness", demo.READY]) == 0
    assert "Judged under the Professional Standards for Mediators Working With SEND" in (
        capsys.readouterr().out)


def test_rules_for_a_mediator_and_recording_an_edition(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(demo_dir), "rules", "--mediator", demo.READY]
    assert main(base) == 0
    assert "in force when their practice period began" in capsys.readouterr().out
    assert main([*base, "--set", "standards-2018-v1"]) == 0
    assert "recorded for their practice period" in capsys.readouterr().out
    before = snapshot(demo_dir)
    assert main([*base, "--set", "standards-1999"]) == 1
    assert "unknown edition" in capsys.readouterr().err
    assert snapshot(demo_dir) == before
    assert main([*base, "--set", "default"]) == 0
    assert "in force when their practice period began" in capsys.readouterr().out

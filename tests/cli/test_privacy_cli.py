"""subject-access and erase, called as a provider would on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from sendobserve import demo
from sendobserve.cli import main
from sendobserve.storage import vault
from tests.helpers import TEST_PASSPHRASE


@pytest.fixture
def demo_dir(initialised: vault.Initialised, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Path:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.delenv("SENDOBSERVE_DATA_DIR", raising=False)
    assert main(["--data-dir", str(data_dir), "demo"]) == 0
    assert main(["--data-dir", str(data_dir), "backup"]) == 0
    capsys.readouterr()
    return data_dir


def test_subject_access_writes_json_and_a_readable_pdf(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json, out_pdf = tmp_path / "sar.json", tmp_path / "sar.pdf"
    assert main(["--data-dir", str(demo_dir), "subject-access", demo.GAPS,
                 "--json", str(out_json), "--pdf", str(out_pdf)]) == 0
    assert demo.GAPS in capsys.readouterr().out
    held = json.loads(out_json.read_text("utf-8"))
    assert held["person"] == demo.GAPS
    assert held["records"]["mediators"][0]["name"] == demo.GAPS
    assert held["records"]["observations"] and held["records"]["cases"]
    assert oct(out_json.stat().st_mode & 0o777) == "0o600"
    text = "\n".join(page.extract_text() for page in PdfReader(out_pdf).pages)
    assert "Subject access" in text and demo.GAPS in text
    assert "Cases (" in text and "Observations (Forms 1–3)" in text


def test_erase_needs_confirmation_then_reaches_the_backups(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # noqa: SIM115 - not a terminal
    assert main(["--data-dir", str(demo_dir), "erase", demo.GAPS]) != 0
    assert "--yes" in capsys.readouterr().err
    assert main(["--data-dir", str(demo_dir), "erase", demo.GAPS, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Rewrote the backup" in out
    assert main(["--data-dir", str(demo_dir), "mediators", "--json"]) == 0
    names = {row["name"] for row in json.loads(capsys.readouterr().out)}
    assert demo.GAPS not in names and demo.READY in names


def test_subject_access_for_an_observer_lists_what_they_observed(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sendobserve.storage import vault as v

    store = v.open_with_secret(demo_dir, TEST_PASSPHRASE).store
    try:
        from sendobserve.storage.repositories import ObserverRepository

        observer = ObserverRepository(store.session).list()[0]
    finally:
        store.close()
    out_json = tmp_path / "sar.json"
    assert main(["--data-dir", str(demo_dir), "subject-access", observer.name,
                 "--json", str(out_json)]) == 0
    held = json.loads(out_json.read_text("utf-8"))
    assert held["observer_id"] == str(observer.id) and held["mediator_id"] is None
    assert held["records"]["observers"][0]["name"] == observer.name
    assert held["records"]["observations"]  # what they observed is about them too
    assert main(["--data-dir", str(demo_dir), "subject-access", "Nobody At All",
                 "--json", str(out_json)]) != 0
    assert "No mediator or observer" in capsys.readouterr().err

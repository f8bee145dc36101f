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
def demo_dir(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The demo store, with a backup (an erasure rewrites it)."""
    assert main(["--data-dir", str(demo_dir), "backup"]) == 0
    capsys.readouterr()
    return demo_dir


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


def _fingerprint(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--data-dir", str(data_dir), "identity", "--set-name", "Admin"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Fingerprint"))
    return line.split(":", 1)[1].strip()


@pytest.fixture
def second_laptop(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                  ) -> tuple[Path, Path, str]:
    """A second store holding the GAPS mediator's whole record, imported from the first."""
    from tests.helpers import FAST_SCRYPT

    other = tmp_path / "laptop2"
    vault.initialise(other, TEST_PASSPHRASE, scrypt=FAST_SCRYPT).store.close()
    phrase = tmp_path / "phrase.txt"
    phrase.write_text("a long shared file passphrase", "utf-8")
    admin = _fingerprint(demo_dir, capsys)
    bundle = tmp_path / "gaps.sendobs"
    assert main(["--data-dir", str(demo_dir), "export", "--mediator", demo.GAPS, "--scope",
                 "record", "-o", str(bundle), "--bundle-passphrase-file", str(phrase)]) == 0
    assert main(["--data-dir", str(other), "import", str(bundle), "--yes",
                 "--bundle-passphrase-file", str(phrase)]) == 0
    assert main(["--data-dir", str(other), "backup"]) == 0
    capsys.readouterr()
    return other, phrase, admin


def _names(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> set[str]:
    assert main(["--data-dir", str(data_dir), "mediators", "--json"]) == 0
    return {row["name"] for row in json.loads(capsys.readouterr().out)}


def test_the_erasure_record_travels_by_file_to_a_laptop_that_allows_its_signer(
    demo_dir: Path, second_laptop: tuple[Path, Path, str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other, phrase, admin = second_laptop
    record = tmp_path / "erasure.sendobs"
    assert main(["--data-dir", str(demo_dir), "erase", demo.GAPS, "--yes", "--record",
                 str(record), "--bundle-passphrase-file", str(phrase)]) == 0
    out = capsys.readouterr().out
    assert "Signed erasure record kept" in out and "Wrote 1 erasure record(s)" in out
    assert main(["--data-dir", str(other), "identity", "--allow-erasure", admin,
                 "--by", "The provider's DPO"]) == 0
    assert "applied here from now on" in capsys.readouterr().out
    assert main(["--data-dir", str(other), "import", str(record), "--yes",
                 "--bundle-passphrase-file", str(phrase)]) == 0
    out = capsys.readouterr().out
    assert f"Erases {demo.GAPS}" in out and "Rewrote the backup" in out
    assert demo.GAPS not in _names(other, capsys)


def test_the_erasure_record_is_refused_where_its_signer_may_not_erase(
    demo_dir: Path, second_laptop: tuple[Path, Path, str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.helpers import durable_snapshot

    other, phrase, _admin = second_laptop
    record = tmp_path / "erasure.sendobs"
    assert main(["--data-dir", str(demo_dir), "erase", demo.GAPS, "--yes", "--record",
                 str(record), "--bundle-passphrase-file", str(phrase)]) == 0
    capsys.readouterr()
    before = durable_snapshot(other)
    assert main(["--data-dir", str(other), "import", str(record), "--yes",
                 "--bundle-passphrase-file", str(phrase)]) != 0
    err = capsys.readouterr().err
    assert "may not erase here" in err and "--allow-erasure" in err
    assert durable_snapshot(other) == before
    assert demo.GAPS in _names(other, capsys)


def test_left_panel_is_recorded_and_cleared(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(demo_dir), "left-panel", demo.READY,
                 "--on", "2020-01-31"]) == 0
    assert "left the panel on 31 January 2020" in capsys.readouterr().out
    assert main(["--data-dir", str(demo_dir), "retention", "--set",
                 "practice_logs=1@left_panel"]) == 0
    out = capsys.readouterr().out
    assert "1 year after the mediator left the panel" in out and "due to go" in out
    assert main(["--data-dir", str(demo_dir), "left-panel", demo.READY, "--clear"]) == 0
    assert "on the panel" in capsys.readouterr().out
    assert main(["--data-dir", str(demo_dir), "left-panel", demo.READY,
                 "--on", "2999-01-01"]) != 0
    assert "after today" in capsys.readouterr().err

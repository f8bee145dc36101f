"""Where the command line and the app do the same thing, they call the same function,
so what they write cannot drift apart (the subject-access answer did: the app's report
left out where the records came from)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sendobserve import demo
from sendobserve.cli import main
from sendobserve.services import hub, panel, privacy, screens_reads, screens_writes
from sendobserve.storage import vault
from tests.helpers import TEST_PASSPHRASE


def test_the_screens_doors_are_the_services_the_commands_call() -> None:
    assert screens_writes.sync_with_hub is hub.sync_with_hub          # sendobserve sync
    assert screens_writes.erase_mediator is privacy.erase_mediator    # sendobserve erase
    assert screens_writes.apply_retention is privacy.apply_retention  # retention --apply
    assert screens_reads.panel is panel.verdicts                      # sendobserve panel


def test_subject_access_from_the_app_and_the_command_line_is_the_same_answer(
    initialised: vault.Initialised, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = initialised.store
    demo.fill_store(store, today=date.today())
    gaps = next(m for m in screens_reads.mediators(store) if m.name == demo.GAPS)
    from_app = tmp_path / "app.pdf"
    count = screens_reads.save_subject_access(store, gaps.id, gaps.name, from_app,
                                              made_on=date.today())
    data_dir = store.data_dir
    store.close()
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    from_cli = tmp_path / "cli.json"
    assert main(["--data-dir", str(data_dir), "subject-access", demo.GAPS,
                 "--json", str(from_cli)]) == 0
    assert f"{count} records about {demo.GAPS}" in capsys.readouterr().out
    app_answer = json.loads(from_app.with_suffix(".json").read_text("utf-8"))
    assert app_answer == json.loads(from_cli.read_text("utf-8"))
    assert app_answer["mediator_id"] == str(gaps.id)
    assert "sources" in app_answer and "made_on" in app_answer

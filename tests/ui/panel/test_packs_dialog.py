"""Spot checks and the register pack from the Panel menu, on a real store: the seed shown
is the one drawn and logged, the packs are written through the runner with progress, a
Cancel really stops the job and leaves nothing, and a bad request changes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from PySide6.QtCore import Qt

from sendobserve import demo
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.panel.packs import RegisterPackDialog, SpotCheckDialog, panel_members
from sendobserve.ui.shell.main_window import MainWindow
from sendobserve.ui.shell.workspace import build_workspace
from tests.helpers import durable_snapshot

TODAY = date(2026, 11, 30)


@pytest.fixture
def panel(store: Store) -> Store:
    """Three panel members: the renewing demo mediator and two accredited 200 days ago."""
    demo.fill_store(store, today=TODAY)
    repo = MediatorRepository(store.session)
    for m in repo.list():
        if m.name in (demo.READY, demo.PASSPORTED):
            repo.update(replace(m, accredited_on=TODAY - timedelta(days=200)), today=TODAY)
    return store


def _logged(store: Store) -> list[tuple[str, int]]:
    with store.engine.connect() as conn:
        return [(r.seed, len(json.loads(r.sample))) for r in conn.execute(
            text("SELECT seed, sample FROM spot_checks"))]


def test_the_spot_check_dialog_draws_with_the_seed_shown_and_logs_it(
        qtbot: Any, panel: Store, tmp_path: Path) -> None:
    dialog = SpotCheckDialog(panel, Runner(synchronous=True), population=panel_members(panel),
                             signer="Dana Whitfield", today=lambda: TODAY)
    qtbot.addWidget(dialog)
    assert dialog.population == 3 and dialog.sample_size.maximum() == 3
    shown = int(dialog.seed.text())  # drawn when the dialog opens, before anything else
    dialog.sample_size.setValue(2)
    dialog.folder.setText(str(tmp_path / "check"))
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    result = dialog.result
    assert result is not None and result.seed == shown and len(result.files) == 2
    manifest = json.loads((tmp_path / "check" / "manifest.json").read_text())
    assert manifest["seed"] == shown and manifest["signer"] == "Dana Whitfield"
    assert _logged(panel) == [(str(shown), 2)]
    assert f"seed {shown}" in dialog.outcome.text()
    assert dialog.outcome.accessibleName() == dialog.outcome.text()
    assert not dialog.error.text()
    assert dialog.go.isEnabled() and not dialog.busy
    # The same seed again (into a new folder) draws the same members.
    dialog.folder.setText(str(tmp_path / "again"))
    dialog.start()
    assert list(dialog.result.met) == list(result.met)


def test_cancel_in_the_progress_dialog_stops_the_spot_check_and_leaves_nothing(
        qtbot: Any, panel: Store, tmp_path: Path) -> None:
    dialog = SpotCheckDialog(panel, Runner(synchronous=True), population=3,
                             signer="Dana Whitfield", today=lambda: TODAY)
    qtbot.addWidget(dialog)
    dialog.sample_size.setValue(3)
    dialog.folder.setText(str(tmp_path / "check"))
    seen: list[int] = []

    def press_cancel_on_first_pack() -> None:
        progress = dialog.progress
        assert progress is not None

        def changed(done: int, _total: int, _what: str = "") -> None:
            seen.append(done)
            if done == 1:
                qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)

        progress.job.progressed.connect(changed)

    dialog.started.connect(press_cancel_on_first_pack)
    dialog.start()
    assert seen == [1]
    assert dialog.result is None
    assert dialog.error.text() == "Cancelled: nothing was written and nothing logged."
    assert not (tmp_path / "check").exists()
    assert _logged(panel) == []
    assert dialog.go.isEnabled() and dialog.progress is None


def test_a_bad_request_says_what_is_wrong_and_changes_nothing(
        qtbot: Any, panel: Store, tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    dialog = SpotCheckDialog(panel, Runner(synchronous=True), population=3,
                             today=lambda: TODAY)
    qtbot.addWidget(dialog)
    before = durable_snapshot(tmp_path)
    dialog.folder.setText(str(full))
    dialog.start()
    assert dialog.error.text() == "Type the name of the person who signs the packs."
    dialog.signer.setText("Dana")
    dialog.start()
    assert dialog.error.text() == f"The folder {full} is not empty; choose a new one."
    dialog.seed.setText("twelve")
    dialog.start()
    assert dialog.error.text().startswith("The seed is a whole number")
    assert dialog.error.accessibleName() == dialog.error.text()
    assert durable_snapshot(tmp_path) == before and _logged(panel) == []


def test_the_register_pack_dialog_writes_the_pack_with_progress(
        qtbot: Any, panel: Store, tmp_path: Path) -> None:
    dialog = RegisterPackDialog(panel, Runner(synchronous=True), members=3,
                                signer="Dana Whitfield", today=lambda: TODAY)
    qtbot.addWidget(dialog)
    totals: list[tuple[int, int]] = []
    dialog.started.connect(lambda: dialog.progress.job.progressed.connect(
        lambda d, t, _w: totals.append((d, t))))
    dialog.folder.setText(str(tmp_path / "pack"))
    dialog.start()
    assert totals == [(1, 3), (2, 3), (3, 3)]
    pack = dialog.result
    assert pack is not None and pack.members == 3
    assert (tmp_path / "pack" / "declaration.pdf").is_file()
    assert "3 panel members" in dialog.outcome.text()
    assert str(tmp_path / "pack") in dialog.outcome.text()


def test_the_panel_menu_opens_both_and_they_wait_for_the_lock(
        qtbot: Any, panel: Store, settings: Any) -> None:
    window = MainWindow(panel, runner=Runner(synchronous=True))
    qtbot.addWidget(window)
    window.set_central_widget(build_workspace(panel, settings, runner=window.runner))
    window.show()
    for action in (window.spot_check_action, window.register_pack_action):
        assert action in window.store_actions and action.isEnabled()
    window.spot_check_action.trigger()
    spot = next(w for w in window.findChildren(SpotCheckDialog) if w.isVisible())
    assert spot.population == 3
    spot.reject()
    window.register_pack_action.trigger()
    reg = next(w for w in window.findChildren(RegisterPackDialog) if w.isVisible())
    assert reg.members == 3
    reg.reject()
    window.set_locked(True)
    assert not window.spot_check_action.isEnabled()
    assert not window.register_pack_action.isEnabled()

"""Ctrl+L and the idle timeout hide everything; the passphrase brings it back intact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from sendobserve.model.domain import CaseKind, ObserverRole, TraineeRole
from sendobserve.ui.shell.workspace import Workspace, build_workspace
from tests.ui.conftest import OBSERVER, PASSPHRASE
from tests.ui.test_keyboard_flow import CTRL, focus, press, show, type_text


def form3(service: Any) -> Any:
    mediator = service.add_mediator("Łucja Żak")
    case = service.add_case(mediator.id, "DR-2026-007", date(2026, 2, 9),
                            CaseKind.DISAGREEMENT_RESOLUTION, TraineeRole.LEADING, Decimal("3"))
    observer = service.observer_named(OBSERVER, ObserverRole.MENTOR)
    return mediator, case, service.start_observation(case.id, observer.id, "form3", 1,
                                                     date(2026, 2, 9))


def test_ctrl_l_hides_everything_and_loses_nothing(
        qtbot: Any, service: Any, settings: Any, runner: Any) -> None:
    mediator, case, observation = form3(service)
    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    workspace.open_observation(observation, mediator, case)
    page = workspace.observation_page
    assert page is not None and page.debrief is not None
    strengths = page.debrief.editors["f3.db.strengths"]
    strengths.setFocus()
    type_text(qtbot, "Calm summary of the parents' concerns")  # still inside the debounce
    page.view.setFocus()
    press(qtbot, Qt.Key.Key_Return)  # a note dialog, half typed
    qtbot.waitUntil(lambda: page.note_dialog is not None and page.note_dialog.isVisible())
    note = page.note_dialog
    qtbot.waitUntil(lambda: focus() is note.editor)
    type_text(qtbot, "half a tho")

    press(qtbot, Qt.Key.Key_L, CTRL)
    assert workspace.is_locked
    assert workspace.outer.currentWidget() is workspace.lock_page
    assert not workspace.pages.isVisible() and not note.isVisible()
    # The de-brief text was saved before hiding.
    notes = service.debrief_notes(observation.id)
    assert notes["f3.db.strengths"].text == "Calm summary of the parents' concerns"

    qtbot.waitUntil(lambda: focus() is workspace.lock_page.passphrase)
    type_text(qtbot, "not it")
    press(qtbot, Qt.Key.Key_Return)
    assert workspace.is_locked
    assert "not right" in workspace.lock_page.error.text()
    workspace.lock_page.passphrase.clear()
    type_text(qtbot, PASSPHRASE)
    press(qtbot, Qt.Key.Key_Return)
    assert not workspace.is_locked
    assert workspace.pages.isVisible() and note.isVisible()
    assert note.editor.toPlainText() == "half a tho"
    assert strengths.toPlainText() == "Calm summary of the parents' concerns"
    assert workspace.lock_page.passphrase.text() == ""  # never kept after unlocking


def test_idle_timeout_locks(qtbot: Any, service: Any, settings: Any, runner: Any,
                            idle_lock_as_shipped: None) -> None:
    assert settings.idle_lock_minutes == 5  # the default
    settings.idle_lock_minutes = 2
    workspace = Workspace(service, settings, runner)
    assert workspace.idle.interval_ms() == 2 * 60_000
    workspace.navigation.idle_minutes.setValue(7)  # the setting on screen
    assert workspace.idle.interval_ms() == 7 * 60_000 and settings.idle_lock_minutes == 7
    show(qtbot, workspace)
    workspace.idle.set_interval_ms(80)
    assert not workspace.is_locked
    qtbot.waitUntil(lambda: workspace.is_locked, timeout=3000)
    workspace.unlock(PASSPHRASE)
    assert not workspace.is_locked


def test_a_workspace_built_in_a_test_never_idles_into_the_lock(
        qtbot: Any, store: Any, service: Any, settings: Any, runner: Any) -> None:
    """tests/conftest.py turns the idle lock off for every test's settings, so a workspace
    a test leaves alive cannot lock later and hide a later test's windows."""
    assert settings.idle_lock_minutes == 0
    assert Workspace(service, settings, runner).idle.interval_ms() == 0
    built = build_workspace(store, runner=runner)  # the settings of QSettings() itself
    qtbot.addWidget(built)
    assert built.idle.interval_ms() == 0
    settings.idle_lock_minutes = 4  # a test that sets it gets what it set
    assert Workspace(service, settings, runner).idle.interval_ms() == 4 * 60_000


def test_input_postpones_the_idle_lock(qtbot: Any, service: Any, settings: Any,
                                       runner: Any) -> None:
    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    workspace.idle.set_interval_ms(1500)
    workspace.navigation.search.setFocus()
    for _ in range(7):  # typing every 300 ms keeps it open well past 1.5 s
        qtbot.wait(300)
        type_text(qtbot, "a")
    assert not workspace.is_locked
    qtbot.waitUntil(lambda: workspace.is_locked, timeout=3000)

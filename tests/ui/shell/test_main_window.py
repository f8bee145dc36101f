"""The workspace in the real main window, on the real store; the lock checks the key file."""

from __future__ import annotations

from typing import Any

from sendobserve.storage import vault
from sendobserve.ui.shell.main_window import MainWindow
from sendobserve.ui.shell.workspace import Workspace, build_workspace
from tests.ui.conftest import PASSPHRASE
from tests.ui.shell.test_lock import form3


def test_main_window_hosts_the_workspace_and_saves_before_closing_the_store(
        qtbot: Any, store: Any, settings: Any) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    workspace = build_workspace(store, settings)
    window.set_central_widget(workspace)
    window.show()
    qtbot.waitExposed(window)
    assert isinstance(window.centralWidget(), Workspace)

    mediator, case, observation = form3(workspace.service)
    workspace.open_observation(observation, mediator, case)
    page = workspace.observation_page
    assert page is not None and page.debrief is not None
    page.debrief.editors["f3.db.strengths"].setPlainText("Typed just before closing")

    workspace.lock()
    workspace.unlock("not the passphrase")
    qtbot.waitUntil(lambda: "not right" in workspace.lock_page.error.text(), timeout=10_000)
    assert workspace.is_locked
    workspace.unlock(PASSPHRASE)  # checked against the key file (scrypt), off the GUI thread
    qtbot.waitUntil(lambda: not workspace.is_locked, timeout=10_000)

    window.close()  # the window closes the store: the de-brief text must be in first
    assert store.closed
    reopened = vault.open_with_secret(store.data_dir, PASSPHRASE).store
    try:
        from sendobserve.forms.registry import FormRegistry
        from tests.ui.conftest import make_service

        notes = make_service(reopened, FormRegistry.standard()).debrief_notes(observation.id)
        assert notes["f3.db.strengths"].text == "Typed just before closing"
    finally:
        reopened.close()


def test_the_observation_page_print_button_previews_the_open_observation(
        qtbot: Any, store: Any, settings: Any) -> None:
    from PySide6.QtCore import Qt

    from sendobserve.ui.common.tasks import Runner
    from tests.reports.conftest import pdf_text

    window = MainWindow(store, runner=Runner(synchronous=True))
    qtbot.addWidget(window)
    workspace = build_workspace(store, settings)
    window.set_central_widget(workspace)
    mediator, case, observation = form3(workspace.service)
    workspace.open_observation(observation, mediator, case)
    page = workspace.observation_page
    assert page is not None and page.debrief is not None
    assert page.print_button.accessibleName() == "Print this observation"
    assert "Ctrl+P" in page.print_button.accessibleDescription()
    page.debrief.editors["f3.db.strengths"].setPlainText("Calm summary of the options")
    assert window.printing.preview is None
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    preview = window.printing.preview
    assert preview is not None
    qtbot.addWidget(preview)
    text = pdf_text(preview.pdf)
    assert "Form 3" in text and "Calm summary of the options" in text  # flushed, then printed


def test_the_window_opens_before_the_store_with_its_store_actions_disabled(
        qtbot: Any, store: Any, settings: Any) -> None:
    from PySide6.QtWidgets import QProgressBar

    from sendobserve.ui.shell.main_window import OPENING_TEXT, OpeningPage

    window = MainWindow(data_dir=store.data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.is_open and window.store is None
    assert "sendobserve" in window.windowTitle()
    assert [m.title() for m in (a.menu() for a in window.menuBar().actions())] == [
        "&File", "&Print", "P&anel", "&Help"]
    opening = window.centralWidget()
    assert isinstance(opening, OpeningPage)
    assert opening.accessibleName() == OPENING_TEXT
    busy = opening.findChild(QProgressBar)
    assert busy is not None and busy.maximum() == 0 and busy.accessibleName()
    assert window.store_actions and not any(a.isEnabled() for a in window.store_actions)
    window.print_menu.aboutToShow.emit()  # still disabled when the Print menu opens
    assert not any(a.isEnabled() for a in window.store_actions)

    workspace = build_workspace(store, settings, runner=window.runner)
    window.open_store(store, workspace)
    assert window.is_open and window.centralWidget() is workspace
    assert window.printing is not None and window.exchange is not None
    for action in (window.export_action, window.import_action, window.identity_action):
        assert action.isEnabled()
    window.print_menu.aboutToShow.emit()  # with no trainee chosen, printing still waits
    assert not window.print_readiness_action.isEnabled()
    assert str(store.path) in window.statusBar().currentMessage()
    window.close()
    assert store.closed


def test_a_window_closed_before_its_store_opened_closes_cleanly(qtbot: Any, tmp_path: Any) -> None:
    window = MainWindow(data_dir=tmp_path)
    qtbot.addWidget(window)
    window.show()
    window.close()  # nothing to save, no store to close
    assert window.store is None

"""The workspace in the real main window, on the real store; the lock checks the key file."""

from __future__ import annotations

from typing import Any

from sendobserve.storage import vault
from sendobserve.ui.main_window import MainWindow
from sendobserve.ui.workspace import Workspace, build_workspace
from tests.ui.conftest import PASSPHRASE
from tests.ui.test_lock import form3


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

"""Every screen of the app, driven into place on a real store with the demo data, for the
tests that check rules across all of them (keyboard, focus, mnemonics, accessibility).

``each_screen`` yields ``(name, top-level widget)`` with that screen showing and active;
dialogs are closed again after their turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from sendobserve.demo import GAPS, READY, demo_id, fill_store
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.storage.db import Store
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.shell.main_window import MainWindow
from sendobserve.ui.shell.workspace import Workspace
from tests.ui.conftest import make_service

TODAY = date(2026, 7, 1)


def activate(qtbot: Any, window: QWidget) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QApplication.processEvents()


def main_window(qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
                runner: Runner) -> tuple[MainWindow, Workspace]:
    fill_store(store, today=TODAY)
    window = MainWindow(runner=runner)
    qtbot.addWidget(window)
    workspace = Workspace(make_service(store, forms), settings, runner,
                          trainee=TraineeRecord.of(store, forms))
    window.open_store(store, workspace)
    window.resize(1280, 800)
    activate(qtbot, window)
    return window, workspace


def _select(workspace: Workspace, name: str) -> None:
    nav = workspace.navigation
    nav.search.setText(name)
    nav.trainee_list.setCurrentIndex(nav.filter.index(0, 0))
    assert nav.current_mediator() is not None and nav.current_mediator().name == name


def _dialog(qtbot: Any, dialog: QDialog) -> Iterator[tuple[str, QWidget]]:
    activate(qtbot, dialog)
    yield dialog.windowTitle(), dialog
    dialog.reject()
    dialog.close()


def each_screen(qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
                runner: Runner) -> Iterator[tuple[str, QWidget]]:
    window, workspace = main_window(qtbot, store, forms, settings, runner)
    nav = workspace.navigation
    nav.observer_name.setText("Dana Whitfield")
    yield "trainees", window

    from sendobserve.ui.navigation.page import AddCaseDialog, AddTraineeDialog

    yield from _dialog(qtbot, AddTraineeDialog("", window))
    yield from _dialog(qtbot, AddCaseDialog(READY, window))

    # A draft observation: the checklist, then its review page.
    _select(workspace, GAPS)
    nav.start()
    assert workspace.observation_page is not None, nav.message.text()
    activate(qtbot, window)
    yield "checklist (draft)", window
    page = workspace.observation_page
    from sendobserve.ui.observation.page import AmendDialog, NoteDialog

    yield from _dialog(qtbot, NoteDialog("Welcome the parties", "", page))
    workspace.show_review()
    yield "review and sign", window
    workspace.show_navigation()

    # A finalised observation (from the demo), with its amend dialog.
    observation = workspace.service.observation(
        demo_id("observation", GAPS, "form2", "2"))
    workspace.open_observation(observation, nav.current_mediator(), None)
    activate(qtbot, window)
    yield "checklist (finalised)", window
    from sendobserve.model.domain import MarkState

    yield from _dialog(qtbot, AmendDialog("Welcome the parties", MarkState.DEMONSTRATED, "",
                                          workspace.observation_page))
    workspace.show_navigation()

    # The trainee's page: readiness, then the record.
    _select(workspace, GAPS)
    nav.open_trainee_screen()
    assert workspace.trainee_page is not None
    activate(qtbot, window)
    yield "readiness", window
    screen = workspace.trainee_page.trainee_screen
    screen.tabs.setCurrentWidget(screen.record)
    yield "record", window
    from sendobserve.ui.trainee.record.dialog import EntryDialog
    from sendobserve.ui.trainee.record.specs import KINDS

    for spec in KINDS:
        yield from _dialog(qtbot, EntryDialog(spec, workspace.trainee_page.mediator.id,
                                              lambda item: item, parent=window))
    workspace.show_navigation()

    # Dialogs of the menus and of start-up.
    from sendobserve.storage.keyring_cache import KeyringStatus
    from sendobserve.ui.exchange.dialogs import ExportDialog
    from sendobserve.ui.printing import PrintPreviewDialog
    from sendobserve.ui.shell.about import AboutDialog
    from sendobserve.ui.shell.dialogs import FirstRunDialog, UnlockDialog

    no_keyring = KeyringStatus("keyring.backends.fail.Keyring", False,
                               "keyring.backends.fail.Keyring: no OS keyring is available "
                               "on this computer")
    yield from _dialog(qtbot, FirstRunDialog(store.data_dir, lambda p: "key", no_keyring))
    yield from _dialog(qtbot, UnlockDialog(store.data_dir, lambda p: None, no_keyring))
    yield from _dialog(qtbot, AboutDialog(store.data_dir, window))
    from sendobserve.ui.common.provider import ProviderNameDialog

    yield from _dialog(qtbot, ProviderNameDialog(None, lambda name: name, window))
    yield from _dialog(qtbot, ExportDialog(workspace.service.mediators(), "Dana Whitfield",
                                           parent=window))
    from sendobserve.reports.jobs import observation_document

    pdf = observation_document(store, demo_id("observation", GAPS, "form2", "2"))
    yield from _dialog(qtbot, PrintPreviewDialog(pdf, "Observation", window, runner=runner))

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
    workspace = Workspace(make_service(store, forms, runner.announce), settings, runner,
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
    screen.record.tabs.setCurrentWidget(screen.record.details)
    yield "record: mediator details", window
    screen.record.tabs.setCurrentIndex(0)
    from sendobserve.ui.trainee.record.dialog import EntryDialog
    from sendobserve.ui.trainee.record.specs import KINDS

    for spec in KINDS:
        yield from _dialog(qtbot, EntryDialog(spec, workspace.trainee_page.mediator.id,
                                              lambda item: item, parent=window))
    screen.record.select("training", 0)
    yield from _dialog(qtbot, screen.record.show_evidence("training"))
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
    from sendobserve.services.documents import observation_document

    pdf = observation_document(store, demo_id("observation", GAPS, "form2", "2"))
    yield from _dialog(qtbot, PrintPreviewDialog(pdf, "Observation", window, runner=runner))
    from sendobserve.ui.panel.packs import RegisterPackDialog, SpotCheckDialog

    yield from _dialog(qtbot, SpotCheckDialog(store, runner, population=3, signer="Dana",
                                              parent=window))
    yield from _dialog(qtbot, RegisterPackDialog(store, runner, members=0, parent=window))

    from sendobserve.ui.exchange.trust import ConflictsDialog, KnownSignersDialog

    yield from _dialog(qtbot, KnownSignersDialog(store, window))
    yield from _dialog(qtbot, ConflictsDialog(store, window))
    # The same screen holding a conflict of every kind: two laptops that disagreed about
    # an observation, a reflection, a deleted training course and a Form 4.
    from tests.exchange.conflictkit import disagreeing_laptops

    laptops = disagreeing_laptops(store.data_dir.parent / "disagreeing")
    with laptops.b.open() as disagreeing:
        conflicts = ConflictsDialog(disagreeing, window)
        assert conflicts.list_model.rowCount() == 4
        yield from _dialog(qtbot, conflicts)

    from sendobserve.model.domain import ObserverRole
    from sendobserve.ui.common.progress import ProgressDialog
    from sendobserve.ui.common.tasks import Job
    from sendobserve.ui.printing import CertificateSignaturesDialog, SignerDialog

    signers = [workspace.service.observer_named("Dana Whitfield", ObserverRole.PPC)]
    yield from _dialog(qtbot, SignerDialog(signers, "Who signs Form 4?",
                                           "Only a PPC who supported the reflection.", window))
    yield from _dialog(qtbot, CertificateSignaturesDialog(4, "Dana Whitfield", "PPC", READY,
                                                          window))
    yield from _dialog(qtbot, ProgressDialog("Printing the portfolio", Job(), window))

    # Exchange: import (file and passphrase), the preview of a real file, the identity.
    from sendobserve.services.exchange import export_to_file, identity_card, open_for_import
    from sendobserve.ui.exchange.dialogs import IdentityDialog, ImportDialog, ImportPreviewDialog

    yield from _dialog(qtbot, ImportDialog(window))
    file = store.data_dir.parent / "walk.sendobs"
    export_to_file(store, demo_id("mediator", GAPS), file, passphrase="walk the screens",
                   exported_by="Dana Whitfield")
    pending = open_for_import(store, file, "walk the screens")
    yield from _dialog(qtbot, ImportPreviewDialog(pending.preview, file.name, window))
    yield from _dialog(qtbot, IdentityDialog(identity_card(store).value, window))
    from sendobserve.ui.privacy.dialog import PrivacyDialog

    yield from _dialog(qtbot, PrivacyDialog(store, runner, window, today=TODAY))

    # Last, the lock over everything (what a screen reader gets while locked), then the
    # lock refusing a wrong passphrase (the refusal must be heard, not a caption).
    workspace.lock()
    activate(qtbot, window)
    yield "locked", window
    workspace.unlock("not the passphrase")
    qtbot.waitUntil(lambda: workspace.lock_page.error.text().startswith("That passphrase"),
                    timeout=30_000)
    yield "locked: a wrong passphrase", window
    from tests.helpers import TEST_PASSPHRASE

    workspace.unlock(TEST_PASSPHRASE)  # leave the app as it was found
    qtbot.waitUntil(lambda: not workspace.is_locked, timeout=30_000)

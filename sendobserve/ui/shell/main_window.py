"""The main window: the workspace in its centre; File (export, import), Print and Help.

The Print and exchange actions act on what the workspace has chosen (the current trainee,
the open or selected observation); their slow steps run on the window's task runner.

The window can exist before the store does (``MainWindow()``): start-up shows it at once,
"Opening your records…", with the store's actions disabled, and calls ``open_store`` when
the store is unlocked. So this module imports nothing heavy at import time: printing,
exchange and storage are imported when a store arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleInterface, QAction, QKeySequence
from PySide6.QtWidgets import (
    QAccessibleWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from sendobserve import APP_DISPLAY_NAME, __version__
from sendobserve.ui.common.geometry import remember_geometry
from sendobserve.ui.common.tasks import Runner

if TYPE_CHECKING:
    import uuid

    from sendobserve.storage.db import Store
    from sendobserve.ui.exchange.dialogs import ExchangeController
    from sendobserve.ui.printing import PrintController

OPENING_TEXT = "Opening your records…"


class OpeningPage(QWidget):
    """The centre while the store is unlocked and opened: a busy bar and one sentence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("opening")
        self.setAccessibleName(OPENING_TEXT)
        self.label = QLabel(f"<h2>{OPENING_TEXT}</h2>")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName(OPENING_TEXT)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: no way to know how long scrypt takes here
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(320)
        self.busy.setAccessibleName("Opening your records, please wait")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)


class LockedWindowAccessible(QAccessibleWidget):
    """The main window as assistive technology sees it. While locked its only child is
    the centre (the lock page): the hidden menu and status bars, which Qt would still
    list with an "invisible" state, are not reachable. Unlocked, Qt's own children."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window, QAccessible.Role.Window)
        self._window = window

    def _locked_child(self) -> QAccessibleInterface | None:
        centre = self._window.centralWidget()
        return QAccessible.queryAccessibleInterface(centre) if centre is not None else None

    def childCount(self) -> int:
        if self._window.locked:
            return 0 if self._locked_child() is None else 1
        return super().childCount()

    def child(self, index: int) -> QAccessibleInterface | None:  # type: ignore[override]
        if self._window.locked:
            return self._locked_child() if index == 0 else None
        return super().child(index)

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        if self._window.locked:
            centre = self._locked_child()
            return 0 if centre is not None and child.object() is centre.object() else -1
        return super().indexOfChild(child)


def _window_accessibility(key: str, obj: QObject) -> QAccessibleInterface | None:
    return LockedWindowAccessible(obj) if isinstance(obj, MainWindow) else None


_factory_installed = False


class MainWindow(QMainWindow):
    """Holds the open store; ``set_central_widget`` is where a workspace is placed.

    ``changed(Changes)`` is the app's one change signal: every write (a tick, a record
    edit, an import, a hub sync, a certificate issued, a draft deleted, the demo removed,
    retention or an erasure) is emitted on it once it has committed. It forwards the
    window's runner's ``changed``, which the screens inside the window follow.
    """

    changed = Signal(object)  # sendobserve.services.changes.Changes

    def __init__(self, store: Store | None = None, parent: QWidget | None = None, *,
                 runner: Runner | None = None, data_dir: Path | None = None) -> None:
        global _factory_installed
        if not _factory_installed:
            QAccessible.installFactory(_window_accessibility)
            _factory_installed = True
        super().__init__(parent)
        self.store: Store | None = None
        self.data_dir = data_dir
        self.printing: PrintController | None = None
        self.exchange: ExchangeController | None = None
        self.runner = runner if runner is not None else Runner(self)
        self.runner.changed.connect(self.changed)
        self.locked = False  # the workspace's lock screen is up: see set_locked
        self.setWindowTitle(f"{APP_DISPLAY_NAME} {__version__}")
        self.setAccessibleName(f"{APP_DISPLAY_NAME} main window")
        # 1440×900 at most, else nine tenths of the screen; then as the user left it.
        remember_geometry(self, "main", QSize(1440, 900))

        file_menu = self.menuBar().addMenu("&File")
        self.export_action = self._action(
            file_menu, "&Export observations…", "Ctrl+Shift+E", self._export,
            "Export a trainee's finalised observations to an encrypted file")
        self.import_action = self._action(
            file_menu, "&Import…", "Ctrl+Shift+I", self._import,
            "Import observations from an exchange file, after a preview")
        self.sync_action = self._action(
            file_menu, "S&ync with hub", "", self._sync,
            "Send and receive observations through the organisation's hub")
        self.signers_action = self._action(
            file_menu, "&Known signers…", "", self._known_signers,
            "Installations whose files were imported; revoke a lost laptop")
        self.conflicts_action = self._action(
            file_menu, "Con&flicts…", "", self._conflicts,
            "Records edited differently on two laptops: compare both and keep one")
        self.organisation_action = self._action(
            file_menu, "Or&ganisation…", "", self._organisation,
            "Admin: approve or refuse requests to join the organisation's hub, and revoke "
            "members")
        file_menu.addSeparator()
        self.privacy_action = self._action(
            file_menu, "Data &protection…", "", self._privacy,
            "Retention, a person's subject-access report, and erasure")
        file_menu.addSeparator()
        self.provider_action = self._action(
            file_menu, "Provider's &name…", "", lambda: self._printer().ask_provider_name(),
            "The provider's name printed on Form 4 and Form 5")
        self.remove_demo_action = self._action(
            file_menu, "&Remove demo data…", "", self._remove_demo,
            "Take the fictional demo mediators and everything recorded for them out")
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.addAction(quit_action)  # Ctrl+Q also from the lock screen (no menu bar there)

        # Ctrl+E is the checklist's "amend"; Shift+digit differs by keyboard layout, so the
        # certificates have menu mnemonics (Alt+P, 4) rather than shortcuts.
        self.print_menu = self.menuBar().addMenu("&Print")
        self.print_observation_action = self._action(
            self.print_menu, "&Observation…", "Ctrl+P", self._print_observation,
            "Preview and print the open or selected observation")
        self.print_readiness_action = self._action(
            self.print_menu, "&Readiness report…", "Ctrl+Shift+R",
            lambda: self._for_trainee(lambda m: self._printer().preview_readiness(m)),
            "Preview and print the trainee's readiness report")
        self.print_menu.addSeparator()
        self.print_form4_action = self._action(
            self.print_menu, "Form &4 certificate…", "",
            lambda: self._for_trainee(lambda m: self._printer().preview_form4(m)),
            "Issue or re-print the signed Form 4 certificate")
        self.print_form5_action = self._action(
            self.print_menu, "Form &5 certificate…", "",
            lambda: self._for_trainee(lambda m: self._printer().preview_form5(m)),
            "Issue or re-print the signed Form 5 certificate for a passported mediator")
        self.print_menu.addSeparator()
        self.print_portfolio_action = self._action(
            self.print_menu, "&Portfolio…", "Ctrl+Shift+P",
            lambda: self._for_trainee(lambda m: self._printer().preview_portfolio(m)),
            "Lay out the trainee's portfolio for the assessor panel")
        self.print_menu.aboutToShow.connect(self._update_print_actions)

        panel_menu = self.menuBar().addMenu("P&anel")
        self.panel_action = self._action(
            panel_menu, "The panel at a &glance…", "Ctrl+Shift+G", self._show_panel,
            "Every mediator's stage: in training, ready, accredited, due, lapsed")
        self.spot_check_action = self._action(
            panel_menu, "Draw a &spot check…", "", self._spot_check,
            "Draw panel members at random and write a signed evidence pack for each")
        self.register_pack_action = self._action(
            panel_menu, "&Register pack…", "", self._register_pack,
            "The panel's yearly register pack: summaries, certificates, declaration")

        help_menu = self.menuBar().addMenu("&Help")
        self.identity_action = self._action(
            help_menu, "This installation's &identity…", "", self._show_identity,
            "Show this installation's fingerprint to compare aloud")
        self.about_action = about = QAction(f"&About {APP_DISPLAY_NAME}", self)
        about.triggered.connect(self._unless_locked(self._about))
        help_menu.addAction(about)
        # Everything that reads or writes the store waits for it (Quit and About do not),
        # and is disabled, and refuses, while the screen is locked (set_locked).
        self.store_actions = [self.export_action, self.import_action,
                              self.print_observation_action, self.print_readiness_action,
                              self.print_form4_action, self.print_form5_action,
                              self.print_portfolio_action, self.identity_action,
                              self.privacy_action, self.panel_action, self.sync_action,
                              self.remove_demo_action, self.provider_action,
                              self.organisation_action]
        self.store_actions += [self.signers_action, self.conflicts_action]
        self.store_actions += [self.spot_check_action, self.register_pack_action]
        self.organisation_dialog: Any = None  # OrganisationDialog, while open
        self.hub_sync: Any = None  # HubSyncController, once the store is open
        if store is None:
            self.setCentralWidget(OpeningPage())
            for action in self.store_actions:
                action.setEnabled(False)
            self.statusBar().showMessage(OPENING_TEXT)
        else:
            self.open_store(store)

    @property
    def is_open(self) -> bool:
        return self.store is not None

    def open_store(self, store: Store, workspace: QWidget | None = None) -> None:
        """The store is open: make the controllers, enable the menus, fill the centre
        (``workspace``, or a placeholder saying the records are open)."""
        from sendobserve.ui.exchange.dialogs import ExchangeController
        from sendobserve.ui.printing import PrintController

        self.store = store
        self.data_dir = store.data_dir
        self.printing = PrintController(store, self.runner, self)
        self.exchange = ExchangeController(store, self.runner, self)
        for action in self.store_actions:
            action.setEnabled(not self.locked)
        from sendobserve.ui.exchange.hub_sync import HubSyncController

        self.hub_sync = HubSyncController(store, self.runner, self, self.sync_action)
        if workspace is None:
            placeholder = QLabel(
                f"<h1>{APP_DISPLAY_NAME}</h1><p>Version {__version__}</p>"
                f"<p>Your records are open and encrypted at rest.</p>"
            )
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setAccessibleName(f"{APP_DISPLAY_NAME} version {__version__}")
            placeholder.setObjectName("placeholder")
            self.setCentralWidget(placeholder)
        else:
            self.set_central_widget(workspace)
        status = f"Store: {store.path}"
        if store.warnings:
            status += " — " + "; ".join(store.warnings)
        self.statusBar().showMessage(status)

    def set_central_widget(self, widget: QWidget) -> None:
        """Put a workspace in the centre (replacing the placeholder)."""
        self.setCentralWidget(widget)
        # The observation page's Print… button does what Print ▸ Observation (Ctrl+P) does.
        requested = getattr(widget, "printObservationRequested", None)
        if requested is not None:
            requested.connect(self._unless_locked(self._print_observation))
        locked = getattr(widget, "lockedChanged", None)
        if locked is not None:
            locked.connect(self.set_locked)

    def set_locked(self, locked: bool) -> None:
        """The one switch for the lock, as seen from the window: while locked, every store
        action is disabled (and refuses if triggered anyway), and the menu and status bars
        are hidden, so the window shows, and assistive technology finds, only the lock
        page (About waits too; Quit, which saves first, stays). Unlocking enables the
        store actions again."""
        self.locked = locked
        for action in self.store_actions:
            action.setEnabled(not locked and self.store is not None)
        self.about_action.setEnabled(not locked)  # nothing but Quit while locked
        self.menuBar().setVisible(not locked)
        self.statusBar().setVisible(not locked)

    def _unless_locked(self, slot: Callable[[], None]) -> Callable[[], None]:
        def guarded() -> None:
            if not self.locked:
                slot()
        return guarded

    def _action(self, menu: QMenu, text: str, shortcut: str, slot: Callable[[], None],
                description: str) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(description)
        action.setToolTip(description)
        guarded = self._unless_locked(slot)
        action.triggered.connect(lambda _checked=False: guarded())
        menu.addAction(action)
        return action

    # --- what the workspace has chosen ------------------------------------------------
    def current_mediator(self) -> Any:
        getter = getattr(self.centralWidget(), "current_mediator", None)
        return getter() if callable(getter) else None

    def current_observation(self) -> Any:
        getter = getattr(self.centralWidget(), "current_observation", None)
        return getter() if callable(getter) else None

    def _printer(self) -> PrintController:
        assert self.printing is not None, "the Print actions are disabled until the store opens"
        return self.printing

    def _exchanger(self) -> ExchangeController:
        assert self.exchange is not None, "the File actions are disabled until the store opens"
        return self.exchange

    def _sync(self) -> None:
        if self.hub_sync is not None:
            self.hub_sync.sync_now()

    def _organisation(self) -> None:
        from sendobserve.ui.exchange.organisation import OrganisationDialog

        if self.store is None:
            return
        if self.organisation_dialog is not None and self.organisation_dialog.isVisible():
            self.organisation_dialog.raise_()
            self.organisation_dialog.activateWindow()
            return
        dialog = OrganisationDialog(self.store, self.runner, self)
        dialog.revoked.connect(self._sync)  # send the revocation to every member now
        self.organisation_dialog = dialog
        dialog.open()

    def _import(self) -> None:
        self._exchanger().start_import()

    def _show_identity(self) -> None:
        self._exchanger().show_identity()

    def _update_print_actions(self) -> None:
        if self.store is None or self.locked:
            return  # all stay disabled until the store is open, and while locked
        has_trainee = self.current_mediator() is not None
        self.print_observation_action.setEnabled(self.current_observation() is not None)
        for action in (self.print_readiness_action, self.print_form4_action,
                       self.print_form5_action, self.print_portfolio_action):
            action.setEnabled(has_trainee)

    def _for_trainee(self, then: Callable[[uuid.UUID], None]) -> None:
        mediator = self.current_mediator()
        if mediator is None:
            QMessageBox.information(self, "Choose a trainee",
                                    "Choose a trainee in the list first.")
            return
        then(mediator.id)

    def _print_observation(self) -> None:
        observation = self.current_observation()
        if observation is None:
            QMessageBox.information(self, "Choose an observation",
                                    "Open or select an observation first.")
            return
        flush = getattr(self.centralWidget(), "flush", None)
        if callable(flush):
            flush()  # print what is on screen, typed de-brief text included
        self._printer().preview_observation(observation.id)

    def _remove_demo(self) -> None:
        """File ▸ Remove demo data…: asks first (No is the default), then removes on the
        window's runner; the trainee lists follow the change it announces."""
        store = self.store
        if store is None:
            return
        asked = QMessageBox(QMessageBox.Icon.Question, "Remove demo data",
                            "Remove the four fictional demo mediators and everything recorded "
                            "for them (cases, observations, training, certificates)?",
                            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                            self)
        asked.setDefaultButton(QMessageBox.StandardButton.No)
        asked.setInformativeText("Nothing else is touched. If records were added to a demo "
                                 "mediator, nothing is removed and you are told what.")
        self.remove_demo_question = asked
        asked.finished.connect(lambda result: self._remove_demo_answered(store, result))
        asked.open()

    def _remove_demo_answered(self, store: Store, result: int) -> None:
        from datetime import date

        from sendobserve.services.screens_writes import remove_demo_data

        if result != QMessageBox.StandardButton.Yes:
            return

        def done(removed: Any) -> None:
            # The trainee lists follow the change signal (EVERYTHING) themselves.
            self.statusBar().showMessage(
                "Removed the demo data." if removed.value
                else "There was no demo data to remove.", 10000)

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(self, "Demo data not removed",
                                getattr(exc, "message", None) or str(exc))

        self.runner.op(lambda: remove_demo_data(store, today=date.today())) \
            .success(done).failure(failed).owned_by(self).run()

    def _export(self) -> None:
        mediator = self.current_mediator()
        self._exchanger().start_export(mediator.id if mediator is not None else None)

    def _privacy(self) -> None:
        from sendobserve.ui.privacy.dialog import PrivacyDialog

        assert self.store is not None, "Data protection is disabled until the store opens"
        dialog = PrivacyDialog(self.store, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._records_removed)
        self.privacy_dialog = dialog
        dialog.open()

    def _records_removed(self) -> None:
        """Retention or erasure removed records: leave any page that may show them (the
        lists themselves follow the change signal)."""
        back = getattr(self.centralWidget(), "show_navigation", None)
        if callable(back):
            back()

    def _known_signers(self) -> None:
        from sendobserve.ui.exchange.trust import KnownSignersDialog

        assert self.store is not None, "Known signers is disabled until the store opens"
        dialog = KnownSignersDialog(self.store, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.signers_dialog = dialog
        dialog.open()

    def _conflicts(self) -> None:
        from sendobserve.ui.exchange.trust import ConflictsDialog

        assert self.store is not None, "Conflicts is disabled until the store opens"
        dialog = ConflictsDialog(self.store, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.conflicts_dialog = dialog
        dialog.open()

    def _show_panel(self) -> None:
        from sendobserve.ui.panel.window import show_panel

        show_panel(self)

    def _spot_check(self) -> None:
        from sendobserve.ui.panel.window import show_spot_check

        show_spot_check(self)

    def _register_pack(self) -> None:
        from sendobserve.ui.panel.window import show_register_pack

        show_register_pack(self)

    def _about(self) -> None:
        from sendobserve.ui.shell.about import AboutDialog

        if self.data_dir is None:
            from sendobserve.paths import resolve_data_dir

            self.data_dir = resolve_data_dir(None)
        dialog = AboutDialog(self.data_dir, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_dialog = dialog
        dialog.open()

    def closeEvent(self, event: object) -> None:
        self.runner.cancel_all()  # a portfolio being laid out stops at the next page
        self.runner.wait()  # an import still running finishes before the store closes
        if self.store is not None:
            self.store.close()
        super().closeEvent(event)  # type: ignore[arg-type]

"""The observation workspace: navigation ↔ checklist ↔ review, with a lock over all of it.

The main window hosts one ``Workspace`` as its central widget. The workspace receives
the services, settings and the window's runner it needs; it never reaches for a global
window or the store. Its pages follow the runner's change signal rather than being
refreshed by hand.
"""

from __future__ import annotations

import html
import uuid
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sendobserve.model.domain import Case, Mediator, Observation
from sendobserve.model.vocabulary import day_text
from sendobserve.services.workspace import WorkspaceService
from sendobserve.ui.common.a11y import on_back
from sendobserve.ui.common.lock import Curtain, IdleWatcher, LockPage
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import ChangeFollower, Runner
from sendobserve.ui.navigation.page import NavigationWidget, ordinal_text
from sendobserve.ui.observation.finalise_page import ReviewPage
from sendobserve.ui.observation.page import ObservationPage
from sendobserve.ui.observation.session import ObservationSession

if TYPE_CHECKING:
    from sendobserve.services.screens_trainee import TraineeRecord


def observation_heading(observation: Observation, mediator: Mediator | None, case: Case | None,
                        title: str, number: int) -> str:
    word = "case" if number == 1 else "observation"
    parts = [f"<b>Form {number}: {title}</b>",
             f"{ordinal_text(observation.ordinal)} {word}"]
    if mediator is not None:
        parts.append(f"Mediator: {html.escape(mediator.name)}")
    if case is not None:
        parts.append(f"Case {html.escape(case.reference)}")
    parts.append(day_text(observation.observed_on))
    return " · ".join(parts)


class Workspace(QWidget):
    lockedChanged = Signal(bool)
    printObservationRequested = Signal()  # the open observation's Print… button

    def __init__(self, service: WorkspaceService, settings: WorkspaceSettings,
                 runner: Runner, parent: QWidget | None = None,
                 trainee: TraineeRecord | None = None):
        super().__init__(parent)
        self.service = service
        # The trainee page's door (None: no trainee page, as in the workspace's own tests).
        self.trainee = trainee
        self.trainee_page: TraineePage | None = None
        self._observation_from_trainee = False
        self._navigation_focus: QWidget | None = None  # where to come back to
        self.settings = settings
        self.runner = runner
        self.session: ObservationSession | None = None
        self.observation_page: ObservationPage | None = None
        self.review_page: ReviewPage | None = None
        self._locked = False
        self.curtain = Curtain(self)
        # While locked the pages live here: a child *window* that is never shown (so it
        # has no native window), so neither they nor anything in them (checklist marks,
        # names, shortcuts) is in the window or in any accessibility tree.
        self._stash = QWidget(self, Qt.WindowType.Window)
        self._stash.setObjectName("locked_pages")
        self._focus_before_lock: QWidget | None = None
        self._watched_window: QWidget | None = None

        self.navigation = NavigationWidget(service, runner, settings)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.navigation)
        self.lock_page = LockPage()
        self.outer = QStackedWidget()
        self.outer.addWidget(self.pages)
        self.outer.addWidget(self.lock_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.outer)

        self.navigation.observationOpened.connect(self.open_observation)
        self.navigation.traineeScreenRequested.connect(self.show_trainee)
        self.lock_page.unlockRequested.connect(self.unlock)
        self.idle = IdleWatcher(settings.idle_lock_minutes, self)
        self.idle.idle.connect(self.lock)
        self.idle.lockKey.connect(self.lock)
        self.navigation.idleMinutesChanged.connect(self.idle.set_minutes)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):  # the lid closes, the app is hidden: save now
            app.applicationStateChanged.connect(self._application_state_changed)

    def _application_state_changed(self, state: Qt.ApplicationState) -> None:
        if state != Qt.ApplicationState.ApplicationActive:
            self.flush()

    # --- pages --------------------------------------------------------------------------
    def open_observation(self, observation: Observation, mediator: Mediator | None,
                         case: Case | None) -> None:
        self._remember_navigation_focus()
        self._drop_observation()
        session = ObservationSession(self.service, observation, self)
        heading = observation_heading(observation, mediator, case, session.form.title,
                                      session.form.number)
        page = ObservationPage(session, heading, self.settings.observer_name)
        page.view.advance_after_tick = self.settings.advance_after_tick
        page.reviewRequested.connect(self.show_review)
        page.closeRequested.connect(self._close_observation)
        page.printRequested.connect(self.printObservationRequested)
        # A finalised observation may be amended elsewhere and arrive by an import or a
        # sync: show it as it now is. (A draft is this installation's alone.)
        ChangeFollower(  # owned by the page: gone with it
            page, self.runner,
            lambda c: session.is_final and (c.everything or c.observations or c.marks)
            and c.touches(observation.mediator_id),
            session.reload)
        self.session, self.observation_page = session, page
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)
        page.view.setFocus()

    def _close_observation(self) -> None:
        if self._observation_from_trainee and self.trainee_page is not None:
            self.flush()
            self._drop_observation()
            self.pages.setCurrentWidget(self.trainee_page)  # caught up with the marks
            self.trainee_page.focus_first()
        else:
            self.show_navigation()

    # --- the trainee's readiness and record ----------------------------------------------
    def show_trainee(self, mediator: Mediator) -> None:
        """The readiness view and record of ``mediator`` (at the de-brief)."""
        if self.trainee is None:
            return
        self._remember_navigation_focus()
        self._drop_trainee()
        page = TraineePage(self.trainee, mediator, self.runner)
        page.backRequested.connect(self.show_navigation)
        page.trainee_screen.openObservationRequested.connect(self._open_from_trainee)
        self.trainee_page = page
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)
        page.focus_first()

    def _open_from_trainee(self, observation_id: str, item_id: str) -> None:
        if self.trainee_page is None:
            return
        mediator = self.trainee_page.mediator
        observation = self.service.observation(uuid.UUID(observation_id))
        case = next((c for c in self.service.cases(mediator.id)
                     if c.id == observation.case_id), None)
        self.open_observation(observation, mediator, case)
        self._observation_from_trainee = True
        if item_id and self.observation_page is not None:
            self.observation_page.view.select_item(item_id)

    def _drop_trainee(self) -> None:
        if self.trainee_page is not None:
            self.pages.removeWidget(self.trainee_page)
            self.trainee_page.deleteLater()
            self.trainee_page = None

    def show_review(self) -> None:
        if self.session is None:
            return
        if self.review_page is None:
            self.review_page = ReviewPage(self.session, self.settings.observer_name,
                                          self.settings.observer_role)
            self.review_page.finalised.connect(self._finalised)
            self.review_page.backRequested.connect(self.show_checklist)
            self.pages.addWidget(self.review_page)
        self.review_page.refresh()
        self.pages.setCurrentWidget(self.review_page)
        self.review_page.name.setFocus()

    def show_checklist(self) -> None:
        if self.observation_page is not None:
            self.pages.setCurrentWidget(self.observation_page)
            self.observation_page.view.setFocus()

    def _finalised(self) -> None:
        self.show_checklist()  # the lists follow the change the finalising announced

    def _remember_navigation_focus(self) -> None:
        focus = QApplication.focusWidget()
        if focus is not None and self.navigation.isAncestorOf(focus):
            self._navigation_focus = focus

    def show_navigation(self) -> None:
        """Back to the lists, with the focus where it was when they were left (the trainee
        list after Ctrl+R, the observation list after an observation), else on the
        observations."""
        self.flush()
        self._drop_trainee()
        self.pages.setCurrentWidget(self.navigation)  # catches up with what changed
        back_to = self._navigation_focus
        self._navigation_focus = None
        if back_to is not None and shiboken6.isValid(back_to) and back_to.isVisible():
            back_to.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.navigation.observation_list.setFocus()
        self._drop_observation()

    def _drop_observation(self) -> None:
        for page in (self.observation_page, self.review_page):
            if page is not None:
                self.pages.removeWidget(page)
                page.deleteLater()
        if self.session is not None:
            self.session.deleteLater()
        self.session = self.observation_page = self.review_page = None
        self._observation_from_trainee = False

    def flush(self) -> None:
        """Save anything typed but not yet saved (de-brief text waiting for its debounce)."""
        if self.observation_page is not None:
            self.observation_page.flush()

    # --- context for the window's menus (Print, Export) -------------------------------
    def current_mediator(self) -> Mediator | None:
        """The trainee chosen in the navigation (also while one of theirs is open)."""
        return self.navigation.current_mediator()

    def current_observation(self) -> Observation | None:
        """The observation open on screen, else the one selected in the list."""
        if self.session is not None:
            return self.session.observation
        index = self.navigation.observation_list.currentIndex()
        if not index.isValid():
            return None
        return self.navigation.observations.observation(index.row())

    # --- lock ---------------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self._locked

    def lock(self) -> None:
        """Save, then take everything off the screen and out of the accessibility tree:
        the pages leave the window, other windows are hidden, finished background work
        waits (the runner is held) and the window's data actions are disabled through
        ``lockedChanged``. Only the lock page remains."""
        if self._locked:
            return
        self.flush()
        self._locked = True
        self.runner.hold()
        window = self.window()
        self._focus_before_lock = window.focusWidget() if window is not None else None
        self.lockedChanged.emit(True)  # the window disables its menus first
        self.outer.setCurrentWidget(self.lock_page)
        self.outer.removeWidget(self.pages)
        self.pages.setParent(self._stash)
        self.curtain.draw(window if window is not None else self)
        self.lock_page.reset()

    def unlock(self, passphrase: str) -> None:
        """Check the passphrase (scrypt: about a second) off the GUI thread, then show all."""
        page = self.lock_page
        page.error.setText("Checking…")
        page.unlock_button.setEnabled(False)

        def checked(ok: bool) -> None:
            page.unlock_button.setEnabled(True)
            if not ok:
                page.error.setText("That passphrase is not right. Try again.")
                page.passphrase.selectAll()
                page.passphrase.setFocus()
                return
            self._show_again()

        def failed(exc: BaseException) -> None:
            page.unlock_button.setEnabled(True)
            page.error.setText(f"Could not check the passphrase — {exc}")

        self.runner.op(lambda: self.service.verify_passphrase(passphrase)).success(checked) \
            .failure(failed).owned_by(self).while_held().run()

    def _show_again(self) -> None:
        if not self._locked:
            return
        self.lock_page.passphrase.clear()
        self.lock_page.error.clear()
        self.outer.insertWidget(0, self.pages)
        self.outer.setCurrentWidget(self.pages)
        self._locked = False
        self.lockedChanged.emit(False)
        self.curtain.open()
        focus = self._focus_before_lock
        self._focus_before_lock = None
        if focus is not None and shiboken6.isValid(focus):
            focus.setFocus()
        self.runner.release()  # what finished behind the lock, now in its place

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        # Closing the main window closes the store right after; save typed text first.
        window = self.window()
        if window is not self and window is not self._watched_window:
            window.installEventFilter(self)
            self._watched_window = window
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched_window and event.type() == QEvent.Type.Close:
            self.flush()
        return False


class TraineePage(QWidget):
    """The readiness view and the record of one trainee, with a way back (Esc)."""

    backRequested = Signal()

    def __init__(self, trainee: TraineeRecord, mediator: Mediator, runner: Runner,
                 parent: QWidget | None = None):
        super().__init__(parent)
        from sendobserve.ui.trainee.screen import TraineeScreen

        self.mediator = mediator
        self.setAccessibleName(f"Readiness and record of {mediator.name}")
        header = QHBoxLayout()
        title = QLabel(f"<b>{html.escape(mediator.name)}</b> · readiness and record")
        back = QPushButton("&Back")
        back.setAccessibleName("Back to trainees")
        back.setAccessibleDescription("Esc")
        back.clicked.connect(self.backRequested)
        header.addWidget(title, 1)
        header.addWidget(back)
        self.trainee_screen = TraineeScreen(trainee, mediator.id, runner=runner)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.trainee_screen, 1)
        on_back(self, self.backRequested.emit)

    def focus_first(self) -> None:
        """The matrix, where the de-brief starts (not the tabs' container)."""
        self.trainee_screen.readiness.table.setFocus(Qt.FocusReason.OtherFocusReason)


def build_workspace(store: Any, settings: WorkspaceSettings | None = None,
                    parent: QWidget | None = None,
                    runner: Runner | None = None) -> Workspace:
    """The workspace for an open ``Store``: the main window's central widget.

    This is where the screens' doors are made from the store (nothing inside the
    workspace sees the store): the observation service, and the trainee page's
    ``TraineeRecord``. The lock checks a passphrase against this store's key file (the
    same check as unlocking at start-up); the observer's name, remembered inside this
    store (never in the settings file), signs the mark history.
    """
    from sendobserve.services.screens_reads import StoreMeta
    from sendobserve.services.screens_trainee import TraineeRecord
    from sendobserve.services.store_workspace import StoreWorkspaceService
    from sendobserve.storage import vault
    from sendobserve.storage.errors import WrongKeyError
    from sendobserve.storage.repositories import load_registry

    settings = settings if settings is not None else WorkspaceSettings()
    settings.attach_private(StoreMeta(store))

    def verify(secret: str) -> bool:
        try:
            vault.unlock(store.data_dir, secret)
        except WrongKeyError:
            return False
        return True

    forms = load_registry(store.session)  # the Standards' forms and the provider's own
    # One runner for the window: closing it waits for all background work before the
    # store closes (two runners let a readiness load outlive the store).
    runner = runner if runner is not None else Runner()
    # The door announces every committed write on the runner's one change signal (once:
    # the screens that make a write through it add no announcement of their own).
    service = StoreWorkspaceService(store.session, forms, verify,
                                    actor=lambda: settings.observer_name,
                                    changed=runner.announce)
    return Workspace(service, settings, runner, parent,
                     trainee=TraineeRecord.of(store, forms))

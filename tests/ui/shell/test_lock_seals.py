"""The lock locks: while it is up nothing reaches data, and only the lock page is in the
accessibility tree; unlocking puts everything back where it was.

Real store, real window, real key presses through Qt's shortcut map. Every action and
shortcut is gathered while unlocked (afterwards the pages' own are no longer in the
window, which is the point), then each is tried while locked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface, QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from sendobserve.model.domain import CaseKind, MarkState, ObserverRole, TraineeRole
from sendobserve.ui.common.tasks import Op, Runner
from sendobserve.ui.shell.main_window import MainWindow
from sendobserve.ui.shell.workspace import Workspace, build_workspace
from tests.helpers import durable_snapshot
from tests.ui.conftest import OBSERVER, PASSPHRASE

TRAINEE = "Łucja Żak"
CASE = "DR-2026-007"
NOTE = "Parents agreed the transport plan"
ITEM = "f3.pm.introduce"


class CountingRunner(Runner):
    """The real synchronous runner, counting the work it is given (the lock page's own
    passphrase checks aside)."""

    def __init__(self) -> None:
        super().__init__(synchronous=True)
        self.started = 0

    def submit(self, op: Op[Any]) -> None:
        if not op.urgent:
            self.started += 1
        super().submit(op)


def _window(qtbot: Any, store: Any, settings: Any) -> tuple[MainWindow, Workspace, Any]:
    # Windows of earlier tests, closed but not deleted, would still be in the tree.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for leftover in QApplication.topLevelWidgets():
        leftover.close()
        with contextlib.suppress(AttributeError, TypeError):
            leftover.destroy()
    assert application_tree()[1:] == [], [tree_texts(i) for i in application_tree()]
    runner = CountingRunner()
    window = MainWindow(store, runner=runner)
    qtbot.addWidget(window)
    workspace = build_workspace(store, settings, runner=runner)
    window.set_central_widget(workspace)
    service = workspace.service
    mediator = service.add_mediator(TRAINEE)
    case = service.add_case(mediator.id, CASE, date(2026, 2, 9),
                            CaseKind.DISAGREEMENT_RESOLUTION, TraineeRole.LEADING, Decimal("3"))
    observer = service.observer_named(OBSERVER, ObserverRole.MENTOR)
    observation = service.start_observation(case.id, observer.id, "form3", 1, date(2026, 2, 9))
    workspace.navigation.reload()
    nav = workspace.navigation
    nav.trainee_list.setCurrentIndex(nav.trainee_list.model().index(0, 0))
    assert window.current_mediator().name == TRAINEE
    window.resize(1280, 860)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    workspace.open_observation(observation, mediator, case)
    page = workspace.observation_page
    assert page is not None
    items = page.session.model.item_ids()
    item = ITEM if ITEM in items else items[1]
    service.set_mark(observation.id, item, MarkState.DEMONSTRATED, NOTE)
    workspace.open_observation(service.observation(observation.id), mediator, case)
    page = workspace.observation_page
    assert page is not None
    page.view.select_item(item)
    page.view.setFocus()
    return window, workspace, observation


def walk(iface: QAccessibleInterface | None, seen: set[int] | None = None
         ) -> Iterator[QAccessibleInterface]:
    """Every accessible interface reachable from ``iface`` through its children."""
    seen = set() if seen is None else seen
    if iface is None or not iface.isValid():
        return
    key = id(iface.object()) if iface.object() is not None else id(iface)
    if key in seen:
        return
    seen.add(key)
    yield iface
    for i in range(iface.childCount()):
        yield from walk(iface.child(i), seen)


def tree_texts(iface: QAccessibleInterface) -> str:
    return " | ".join(
        iface.text(kind) or "" for kind in (QAccessible.Text.Name, QAccessible.Text.Description,
                                            QAccessible.Text.Value, QAccessible.Text.Help))


def application_tree() -> list[QAccessibleInterface]:
    return list(walk(QAccessible.queryAccessibleInterface(QApplication.instance())))


def _address(obj: QObject | None) -> int:
    return int(shiboken6.getCppPointer(obj)[0]) if obj is not None else 0


def _within(obj: QObject | None, ancestor: QWidget) -> bool:
    while obj is not None:
        if _address(obj) == _address(ancestor):
            return True
        obj = obj.parent()
    return False


def _assert_only_the_lock_page(window: MainWindow, workspace: Workspace
                               ) -> list[QAccessibleInterface]:
    """Walk the whole tree from the application: nothing but the lock page (and the
    window, workspace and stack that hold it); nothing hidden-but-listed either."""
    reached = application_tree()
    objects = [i.object() for i in reached]
    lock_page = workspace.lock_page
    allowed_chain = {_address(o) for o in (QApplication.instance(), window, workspace,
                                           workspace.outer)}
    strays = [(type(o).__name__, tree_texts(i)) for o, i in zip(objects, reached, strict=True)
              if _address(o) not in allowed_chain and not _within(o, lock_page)]
    assert strays == [], strays
    assert any(o is lock_page.passphrase for o in objects)
    assert any(o is lock_page.unlock_button for o in objects)
    for iface in reached:
        assert not iface.state().invisible, tree_texts(iface)
    return reached


def _visible_windows(but: QWidget) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not but]


def _press_everywhere(qtbot: Any, window: MainWindow, workspace: Workspace,
                      sequence: QKeySequence) -> None:
    """The key, as a person would press it, in each place the lock page can have focus."""
    if sequence.isEmpty():
        return
    combo = sequence[0]
    for target in (workspace.lock_page.passphrase, workspace.lock_page.unlock_button, window):
        target.setFocus()
        QTest.keyClick(target, combo.key(), combo.keyboardModifiers())
        QApplication.processEvents()


def _assert_sealed(window: MainWindow, workspace: Workspace, tops_before: set[int]) -> None:
    assert workspace.is_locked and window.locked
    assert _visible_windows(window) == []
    new_tops = [w for w in QApplication.topLevelWidgets()
                if id(w) not in tops_before and not w.isHidden()]
    assert new_tops == []
    assert not any(d.isVisible() for d in window.findChildren(QDialog))
    assert window.printing is not None and window.printing.preview is None
    assert window.printing.message is None


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where Export would suggest writing: it must stay empty."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def test_no_action_or_shortcut_reaches_data_while_locked(
        qtbot: Any, store: Any, settings: Any, home: Path) -> None:
    window, workspace, observation = _window(qtbot, store, settings)
    runner = window.runner
    assert isinstance(runner, CountingRunner)
    # Everything there is to press, gathered while unlocked: the window's menus and the
    # pages' own shortcuts (the checklist's marks, undo, amend, close…).
    actions = window.findChildren(QAction)
    shortcuts = window.findChildren(QShortcut)
    assert window.print_readiness_action in actions and window.export_action in actions
    assert len(shortcuts) >= 8, [s.key().toString() for s in shortcuts]
    marks_before = dict(workspace.service.marks(observation.id))

    # Control: unlocked, Ctrl+Shift+R does open the trainee's readiness report.
    assert window.printing is not None
    _press_everywhere(qtbot, window, workspace, QKeySequence("Ctrl+Shift+R"))
    assert window.printing.preview is not None
    window.printing.preview.close()
    window.printing.preview = None
    QApplication.processEvents()
    workspace.observation_page.view.setFocus()  # type: ignore[union-attr]

    QTest.keyClick(workspace.observation_page.view, Qt.Key.Key_L,  # type: ignore[union-attr]
                   Qt.KeyboardModifier.ControlModifier)
    assert workspace.is_locked and window.locked
    started = runner.started
    files = durable_snapshot(store.data_dir)
    tops_before = {id(w) for w in QApplication.topLevelWidgets()}

    store_actions = set(window.store_actions)
    for action in actions:
        if action.text().replace("&", "") == "Quit":
            assert action.isEnabled()  # leaving is always possible (it saves first)
            continue
        if action in store_actions:
            assert not action.isEnabled(), action.text()
            action.triggered.emit()  # even a trigger that bypasses "disabled" refuses
        action.trigger()
        _press_everywhere(qtbot, window, workspace, action.shortcut())
        _assert_sealed(window, workspace, tops_before)
    for shortcut in shortcuts:
        _press_everywhere(qtbot, window, workspace, shortcut.key())
        _assert_sealed(window, workspace, tops_before)
    for sequence in ("Ctrl+Shift+R", "Ctrl+P", "Ctrl+Shift+E", "Ctrl+Shift+I", "Ctrl+Shift+P",
                     "Alt+P", "Alt+F", "Alt+H", "Ctrl+R", "Ctrl+N", "Ctrl+Z", "Ctrl+E", "Ctrl+W",
                     "Ctrl+Return", "Escape", "Space", "1", "2", "3", "Backspace", "F10"):
        _press_everywhere(qtbot, window, workspace, QKeySequence(sequence))
        _assert_sealed(window, workspace, tops_before)

    assert runner.started == started  # no work was even started
    assert durable_snapshot(store.data_dir) == files
    assert list(home.iterdir()) == []
    assert dict(workspace.service.marks(observation.id)) == marks_before


def test_only_the_lock_page_is_in_the_accessibility_tree_and_unlocking_restores_the_place(
        qtbot: Any, store: Any, settings: Any) -> None:
    window, workspace, _observation = _window(qtbot, store, settings)
    page = workspace.observation_page
    assert page is not None
    row = page.view.current_item_id()
    unlocked = " ".join(tree_texts(i) for i in application_tree())
    # Control: unlocked, the tree carries the name, the case and the mark with its note.
    assert TRAINEE in unlocked and CASE in unlocked and NOTE in unlocked
    mark_texts = {page.session.model.index_of(item_id).data(Qt.ItemDataRole.AccessibleTextRole)
                  for item_id in page.session.model.item_ids()}
    assert any(NOTE in text for text in mark_texts)
    # A window-modal dialog open at the time (the note editor, as a person left it).
    page.view.setFocus()
    QTest.keyClick(page.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.note_dialog is not None and page.note_dialog.isVisible())
    note = page.note_dialog
    assert note is not None
    note.editor.setPlainText("half a tho")

    workspace.lock()
    reached = _assert_only_the_lock_page(window, workspace)
    locked = " ".join(tree_texts(i) for i in reached)
    for secret in (TRAINEE, CASE, NOTE, OBSERVER, "half a tho", *mark_texts):
        assert secret not in locked

    workspace.unlock(PASSPHRASE)
    assert not workspace.is_locked and not window.locked
    assert workspace.observation_page is page and page.isVisible()
    assert page.view.current_item_id() == row
    assert window.current_mediator().name == TRAINEE
    assert note.isVisible() and note.editor.toPlainText() == "half a tho"
    assert window.menuBar().isVisible() and window.export_action.isEnabled()
    assert TRAINEE in " ".join(tree_texts(i) for i in application_tree())


def test_the_idle_lock_seals_the_same_way(qtbot: Any, store: Any, settings: Any) -> None:
    window, workspace, _observation = _window(qtbot, store, settings)
    assert window.printing is not None
    window.print_readiness_action.trigger()  # a preview open when the lock comes
    preview = window.printing.preview
    assert preview is not None and preview.isVisible()
    row = workspace.observation_page.view.current_item_id()  # type: ignore[union-attr]
    workspace.idle.set_interval_ms(50)
    qtbot.waitUntil(lambda: workspace.is_locked, timeout=3000)
    workspace.idle.set_interval_ms(0)
    assert window.locked and not preview.isVisible()
    assert not window.print_readiness_action.isEnabled()
    QTest.keyClick(workspace.lock_page.passphrase, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert _visible_windows(window) == []
    locked = " ".join(tree_texts(i) for i in _assert_only_the_lock_page(window, workspace))
    assert TRAINEE not in locked and CASE not in locked and NOTE not in locked
    assert "eadiness report" not in locked  # the preview's window is out of the tree

    workspace.unlock(PASSPHRASE)
    assert preview.isVisible()  # the preview comes back, as left
    assert workspace.observation_page.view.current_item_id() == row  # type: ignore[union-attr]


def test_work_finishing_behind_the_lock_waits_for_the_unlock(
        qtbot: Any, store: Any, settings: Any) -> None:
    window, workspace, _observation = _window(qtbot, store, settings)
    runner = window.runner
    runner.synchronous = False  # a worker thread from here on, as in the app
    assert window.printing is not None
    # A report asked for just before the lock finishes behind it: it must not open there.
    window.printing.preview_readiness(window.current_mediator().id)
    progress = window.printing.progress
    assert progress is not None and progress.isVisible()
    workspace.lock()
    assert runner.held and not progress.isVisible()
    assert runner.wait()
    QApplication.processEvents()  # the result arrives on the GUI thread… and waits
    assert window.printing.preview is None
    assert _visible_windows(window) == []
    _assert_only_the_lock_page(window, workspace)
    runner.synchronous = True  # the unlock's own check, inline
    workspace.unlock(PASSPHRASE)
    preview = window.printing.preview
    assert preview is not None and preview.isVisible()
    assert TRAINEE in preview.windowTitle()


def test_windows_hidden_before_or_opened_behind_the_lock_are_out_of_the_tree(
        qtbot: Any, store: Any, settings: Any) -> None:
    window, workspace, _observation = _window(qtbot, store, settings)
    finished = QDialog(window)  # done with, hidden, not deleted: Qt still lists it
    finished.setWindowTitle(f"Readiness report — {TRAINEE}")
    finished.show()
    finished.hide()
    assert TRAINEE in " ".join(tree_texts(i) for i in application_tree())
    workspace.lock()
    stray = QDialog(window)
    stray.setWindowTitle(TRAINEE)
    stray.open()
    qtbot.waitUntil(lambda: not stray.isVisible(), timeout=2000)
    _assert_only_the_lock_page(window, workspace)
    workspace.unlock(PASSPHRASE)
    assert stray.isVisible() and not finished.isVisible()
    stray.close()

"""Adding a trainee, amending by keyboard, ticking by mouse/touch, names for screen readers."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from sendobserve.model.domain import MarkState, ObservationState, ObserverRole, Signature
from sendobserve.ui.observation.checklist_view import MIN_ROW, button_rects
from sendobserve.ui.shell.workspace import Workspace
from tests.ui.conftest import OBSERVER
from tests.ui.test_keyboard_flow import CTRL, focus, press, show, tab_to, type_text

PUNCTUAL = "f2.pm.arrive_punctually"


def test_enter_on_a_search_with_no_match_adds_that_trainee(
        qtbot: Any, service: Any, settings: Any, runner: Any) -> None:
    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    nav = workspace.navigation
    nav.search.setFocus()
    type_text(qtbot, "Kwame Mensah-Boateng")
    press(qtbot, Qt.Key.Key_Return)
    dialog = nav.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: focus() is dialog.name)
    assert dialog.name.text() == "Kwame Mensah-Boateng"
    press(qtbot, Qt.Key.Key_Return)
    assert [m.name for m in service.mediators()] == ["Kwame Mensah-Boateng"]
    assert nav.current_mediator().name == "Kwame Mensah-Boateng"
    assert focus() is nav.add_case_button  # the next step is a case


def test_a_case_without_a_reference_is_refused(
        qtbot: Any, service: Any, settings: Any, runner: Any) -> None:
    service.add_mediator("Rhys ap Dafydd")
    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    nav = workspace.navigation
    nav.trainee_list.setFocus()
    press(qtbot, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    dialog = nav.dialog
    qtbot.waitUntil(lambda: focus() is dialog.reference)
    assert dialog.reference.accessibleName() == "Case reference"
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible() and "reference" in dialog.error.text()
    assert service.cases(nav.current_mediator().id) == ()


def test_amend_by_keyboard_keeps_history(
        qtbot: Any, service: Any, settings: Any, runner: Any, draft: Any) -> None:
    service.set_mark(draft.id, PUNCTUAL, MarkState.DEVELOPMENT_NEEDED, "")
    service.finalise(draft.id, Signature(OBSERVER, ObserverRole.PPC, date(2026, 3, 2)))
    settings.observer_name = OBSERVER
    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    workspace.open_observation(draft, None, None)
    page = workspace.observation_page
    assert page is not None and page.session.is_final
    assert not page.history.isVisible()
    assert page.view.current_item_id() == PUNCTUAL
    press(qtbot, Qt.Key.Key_E, CTRL)
    dialog = page.amend_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: focus() is dialog.reason)
    press(qtbot, Qt.Key.Key_Return)  # no reason: refused, nothing stored
    assert dialog.isVisible() and service.history(draft.id) == ()
    type_text(qtbot, "Wrong row ticked in the room")
    dialog.state.setFocus()
    qtbot.waitUntil(lambda: focus() is dialog.state)
    dialog.state.setCurrentIndex(list(MarkState).index(MarkState.DEMONSTRATED))
    tab_to(qtbot, dialog.reason)
    press(qtbot, Qt.Key.Key_Return)
    assert page.amend_dialog is None
    [amendment] = service.history(draft.id)
    assert amendment.amended_by == OBSERVER and amendment.reason == "Wrong row ticked in the room"
    assert service.observation(draft.id).state is ObservationState.AMENDED
    assert page.session.model.state_of(PUNCTUAL) is MarkState.DEMONSTRATED
    assert page.history.isVisible() and page.history_model.rowCount() == 1
    row = [page.history_model.index(0, c).data() for c in range(5)]
    assert row[1:] == [OBSERVER, "Arrive punctually to prepare room",
                       "△ Development needed → ✓ Demonstrated", "Wrong row ticked in the room"]


def test_mouse_and_touch_targets_tick_and_untick(
        qtbot: Any, service: Any, settings: Any, runner: Any, draft: Any) -> None:
    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    workspace.open_observation(draft, None, None)
    page = workspace.observation_page
    view = page.view
    index = view.model().index_of(PUNCTUAL)
    rect = view.visualRect(index)
    assert rect.height() >= MIN_ROW >= 40
    buttons = button_rects(rect)
    assert all(b.width() >= 40 and b.height() >= 40 for b in buttons.values())
    centre = buttons[MarkState.DEVELOPMENT_NEEDED].center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert service.marks(draft.id)[PUNCTUAL].state is MarkState.DEVELOPMENT_NEEDED
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # again: clear
    assert stored_state(service, draft.id) is MarkState.NOT_YET_SEEN
    assert page.session.model.state_of(PUNCTUAL) is MarkState.NOT_YET_SEEN
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.left() + 60, rect.center().y()))  # on the text: selects
    assert stored_state(service, draft.id) is MarkState.NOT_YET_SEEN
    assert view.current_item_id() == PUNCTUAL


def stored_state(service: Any, observation_id: Any) -> MarkState:
    mark = service.marks(observation_id).get(PUNCTUAL)
    return MarkState.NOT_YET_SEEN if mark is None else mark.state


def _controls(root: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit,
             QAbstractItemView)
    return [w for w in root.findChildren(QWidget)
            if isinstance(w, kinds) and w.focusPolicy() != Qt.FocusPolicy.NoFocus
            and not isinstance(w.parent(), (QAbstractSpinBox, QComboBox))
            and w.window() is root.window()]  # not a combo box's own popup list


def test_every_control_has_an_accessible_name(
        qtbot: Any, service: Any, settings: Any, runner: Any, draft: Any) -> None:
    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    unnamed = [f"{type(w).__name__} in {type(w.parent()).__name__}"
               for w in _controls(workspace) if not w.accessibleName()]
    assert unnamed == []
    workspace.open_observation(draft, None, None)
    workspace.show_review()
    unnamed = [type(w).__name__ for w in _controls(workspace) if not w.accessibleName()]
    assert unnamed == []
    page = workspace.observation_page
    index = page.view.model().index_of(PUNCTUAL)
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Arrive punctually to prepare room: Not yet seen")
    assert "Space or 1" in index.data(Qt.ItemDataRole.AccessibleDescriptionRole)


def test_background_loading_with_a_real_thread_pool(
        qtbot: Any, service: Any, settings: Any, draft: Any) -> None:
    """Lists load on a worker thread; ticks then commit on the GUI thread, same store."""
    from sendobserve.ui.common.tasks import Runner

    runner = Runner()  # not synchronous
    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    nav = workspace.navigation
    qtbot.waitUntil(lambda: nav.mediators.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: nav.cases.rowCount() == 1 and nav.observations.rowCount() == 1,
                    timeout=5000)
    nav.observation_list.setCurrentIndex(nav.observations.index(0, 0))
    nav.open_selected()
    page = workspace.observation_page
    assert page is not None
    assert page.session.set_state(PUNCTUAL, MarkState.DEMONSTRATED) is not None
    nav.refresh_trainee()  # another load on the worker while the store is in use
    qtbot.waitUntil(lambda: nav.observations.rowCount() == 1, timeout=5000)
    assert runner.wait(5000)
    assert service.marks(draft.id)[PUNCTUAL].state is MarkState.DEMONSTRATED

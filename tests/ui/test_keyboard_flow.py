"""A whole Form 2 with the keyboard only: from finding the trainee to a signed observation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from sendobserve.model.domain import (
    CaseKind,
    MarkState,
    ObservationState,
    ObserverRole,
    TraineeRole,
)
from sendobserve.ui.shell.workspace import Workspace
from tests.ui.conftest import OBSERVER

NO = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def focus() -> QWidget:
    if QApplication.activeWindow() is None:
        # The offscreen platform does not hand activation back to the window a closed
        # dialog came from, as a desktop does: do it here.
        windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        if windows:
            windows[-1].activateWindow()
            QApplication.processEvents()
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot: Any, key: Qt.Key, mods: Qt.KeyboardModifier = NO) -> None:
    qtbot.keyClick(focus(), key, mods)


def type_text(qtbot: Any, text: str) -> None:
    qtbot.keyClicks(focus(), text)


def tab_to(qtbot: Any, target: QWidget, limit: int = 30) -> None:
    for _ in range(limit):
        if focus() is target:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.accessibleName()!r}")


def show(qtbot: Any, workspace: Workspace) -> None:
    qtbot.addWidget(workspace)
    workspace.resize(1280, 860)
    workspace.show()
    qtbot.waitExposed(workspace)
    workspace.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is workspace)


def test_form2_from_search_to_signature_without_a_mouse(
        qtbot: Any, service: Any, settings: Any, runner: Any, forms: Any) -> None:
    # An earlier Form 2 on another case, so the new one should be suggested as the 2nd.
    trainee = service.add_mediator("Siobhán Ó Dálaigh")
    service.add_mediator("Łucja Żak")
    earlier = service.add_case(trainee.id, "SEN-2026-003", date(2026, 1, 12),
                               CaseKind.MEDIATION, TraineeRole.OBSERVING, Decimal("3"))
    someone = service.observer_named("Priya Raman", ObserverRole.PPC)
    service.start_observation(earlier.id, someone.id, "form2", 1, date(2026, 1, 12))
    settings.observer_name = OBSERVER
    settings.observer_role = ObserverRole.PPC

    workspace = Workspace(service, settings, runner)
    show(qtbot, workspace)
    nav = workspace.navigation
    nav.search.setFocus()

    # Find the trainee without typing the accents; Enter moves into the list.
    type_text(qtbot, "siobhan")
    assert nav.filter.rowCount() == 1
    press(qtbot, Qt.Key.Key_Return)
    assert focus() is nav.trainee_list
    assert nav.current_mediator().name == "Siobhán Ó Dálaigh"

    # Add a case (Ctrl+Shift+N), reference only.
    press(qtbot, Qt.Key.Key_N, CTRL | SHIFT)
    dialog = nav.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: focus() is dialog.reference)
    type_text(qtbot, "SEN-2026-021")
    tab_to(qtbot, dialog.hours)
    focus().selectAll()
    type_text(qtbot, "5.5")
    press(qtbot, Qt.Key.Key_Return)
    assert nav.dialog is None
    assert nav.current_case().reference == "SEN-2026-021"
    assert nav.current_case().casework_hours == Decimal("5.5")

    # Observer identity is remembered; Form 2 is the default; the ordinal is suggested.
    assert focus() is nav.observer_name and nav.observer_name.text() == OBSERVER
    assert nav.form_choice.currentData() == "form2"
    assert nav.ordinal.value() == 2
    tab_to(qtbot, nav.start_button)
    press(qtbot, Qt.Key.Key_Space)

    page = workspace.observation_page
    assert page is not None and workspace.pages.currentWidget() is page
    assert focus() is page.view
    model = page.session.model
    items = model.item_ids()
    assert len(items) == 39

    # Tick every item: mostly demonstrated, some development needed, one N/A, one unseen.
    # One key per item: a tick moves on to the next (the setting is on by default).
    assert settings.advance_after_tick
    plan: dict[str, MarkState] = {}
    for n, item in enumerate(items):
        assert page.view.current_item_id() == item
        if n == len(items) - 1:
            plan[item] = MarkState.NOT_YET_SEEN  # never seen: leave it
            press(qtbot, Qt.Key.Key_J)  # the last item: J stays on it
        elif n % 7 == 3:
            press(qtbot, Qt.Key.Key_2)
            plan[item] = MarkState.DEVELOPMENT_NEEDED
        elif n == 15:
            press(qtbot, Qt.Key.Key_3)
            plan[item] = MarkState.NOT_APPLICABLE
        else:
            press(qtbot, Qt.Key.Key_Space if n % 2 else Qt.Key.Key_1)
            plan[item] = MarkState.DEMONSTRATED
        assert page.save_state.text() == "<b>✓ Saved</b>"
    assert page.view.current_item_id() == items[-1]
    assert page.progress.text() == "38 of 39 seen"

    # A note on the current (last) item: Enter, type, Ctrl+Return.
    press(qtbot, Qt.Key.Key_K)
    noted = page.view.current_item_id()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.note_dialog is not None and focus() is page.note_dialog.editor)
    type_text(qtbot, "Agreement drafted together")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    assert page.note_dialog is None
    assert focus() is page.view

    # Undo the note and then redo it: both go through the store.
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert service.marks(page.session.id)[noted].note == ""
    press(qtbot, Qt.Key.Key_Z, CTRL | SHIFT)
    assert service.marks(page.session.id)[noted].note == "Agreement drafted together"

    # Review (Ctrl+Return) lists what was not seen; sign with the typed name.
    press(qtbot, Qt.Key.Key_Return, CTRL)
    review = workspace.review_page
    assert review is not None and workspace.pages.currentWidget() is review
    assert review.not_seen_model.stringList() == ["Write clear SMART agreement"]
    assert focus() is review.name and review.name.text() == OBSERVER
    tab_to(qtbot, review.finalise_button)
    press(qtbot, Qt.Key.Key_Space)

    assert workspace.pages.currentWidget() is page
    observation = service.observation(page.session.id)
    assert observation.state is ObservationState.FINALISED
    assert observation.ordinal == 2 and observation.form_id == "form2"
    assert observation.signature is not None
    assert observation.signature.name == OBSERVER
    assert observation.signature.role is ObserverRole.PPC
    assert observation.signature.drawing_png is None  # keyboard users sign by name
    stored = {item: mark.state for item, mark in service.marks(observation.id).items()}
    expected = {item: state for item, state in plan.items()
                if state is not MarkState.NOT_YET_SEEN}
    assert stored == expected
    assert service.marks(observation.id)[noted].note == "Agreement drafted together"

    # Read only now: a key press changes nothing.
    press(qtbot, Qt.Key.Key_2)
    assert service.marks(observation.id)[items[0]].state is MarkState.DEMONSTRATED
    assert "Finalised" in page.state_label.text()

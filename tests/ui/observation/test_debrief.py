"""Form 3 de-brief notes are saved as you type (about 1 s debounce), on focus-out, on close."""

from __future__ import annotations

from typing import Any

from sendobserve.ui.observation import page as observation_page
from sendobserve.ui.observation.page import ObservationPage
from sendobserve.ui.observation.session import ObservationSession
from tests.ui.shell.test_lock import form3
from tests.ui.test_keyboard_flow import type_text


def test_text_is_saved_after_a_pause_and_on_focus_out(qtbot: Any, service: Any) -> None:
    _m, _c, observation = form3(service)
    page = ObservationPage(ObservationSession(service, observation), "Form 3")
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    assert page.debrief is not None
    assert list(page.debrief.editors) == [
        "f3.db.strengths", "f3.db.breakthroughs", "f3.db.challenges_learning",
        "f3.db.outcome", "f3.db.gaps", "f3.db.learning_plan"]
    plan = page.debrief.editors["f3.db.learning_plan"]
    plan.setFocus()
    qtbot.waitUntil(plan.hasFocus)
    type_text(qtbot, "Read the SEND Code of Practice")
    assert "f3.db.learning_plan" not in service.debrief_notes(observation.id)  # not yet
    assert observation_page.DEBOUNCE_MS == 1000
    qtbot.waitUntil(lambda: "f3.db.learning_plan" in service.debrief_notes(observation.id),
                    timeout=2500)
    assert service.debrief_notes(observation.id)["f3.db.learning_plan"].text == (
        "Read the SEND Code of Practice")

    outcome = page.debrief.editors["f3.db.outcome"]
    outcome.setFocus()
    qtbot.waitUntil(outcome.hasFocus)
    type_text(qtbot, "Agreed")
    page.view.setFocus()  # leaving the box saves at once
    qtbot.waitUntil(lambda: not outcome.hasFocus())
    assert service.debrief_notes(observation.id)["f3.db.outcome"].text == "Agreed"

    page.debrief.editors["f3.db.gaps"].setPlainText("Knowledge of the Tribunal")
    page.close_observation()  # closing flushes
    assert service.debrief_notes(observation.id)["f3.db.gaps"].text == (
        "Knowledge of the Tribunal")


def test_saved_notes_come_back_when_reopened(qtbot: Any, service: Any) -> None:
    _m, _c, observation = form3(service)
    service.save_debrief_note(observation.id, "f3.db.strengths", "Clear opening")
    page = ObservationPage(ObservationSession(service, observation), "Form 3")
    qtbot.addWidget(page)
    assert page.debrief is not None
    assert page.debrief.editors["f3.db.strengths"].toPlainText() == "Clear opening"


def test_text_is_saved_when_the_app_goes_to_the_background(
        qtbot: Any, service: Any, settings: Any, runner: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from sendobserve.ui.shell.workspace import Workspace

    mediator, case, observation = form3(service)
    workspace = Workspace(service, settings, runner)
    qtbot.addWidget(workspace)
    workspace.open_observation(observation, mediator, case)
    page = workspace.observation_page
    assert page is not None and page.debrief is not None
    page.debrief.editors["f3.db.outcome"].setPlainText("Agreement on the placement")
    assert "f3.db.outcome" not in service.debrief_notes(observation.id)  # debounce pending
    # The lid closes: the system makes the app inactive.
    QApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)
    assert service.debrief_notes(observation.id)["f3.db.outcome"].text == (
        "Agreement on the placement")

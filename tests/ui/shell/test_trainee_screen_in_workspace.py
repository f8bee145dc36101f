"""The readiness view inside the workspace: Ctrl+R from a trainee, a cell opens the checklist
at that criterion, and closing the checklist comes back to the matrix."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sendobserve.demo import GAPS, demo_id, fill_store
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.storage.db import Store
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.observation.checklist_model import Role
from sendobserve.ui.shell.workspace import TraineePage, Workspace
from tests.ui.conftest import make_service
from tests.ui.trainee.readiness.conftest import TODAY


def test_ctrl_r_opens_the_matrix_and_a_cell_opens_the_observation_at_its_criterion(
    qtbot: QtBot, store: Store, forms: Any, settings: WorkspaceSettings, runner: Runner
) -> None:
    fill_store(store, today=TODAY)
    workspace = Workspace(make_service(store, forms), settings, runner,
                          trainee=TraineeRecord.of(store))
    qtbot.addWidget(workspace)
    workspace.show()
    qtbot.waitExposed(workspace)
    workspace.activateWindow()

    nav = workspace.navigation
    nav.search.setText("lucja")
    nav.trainee_list.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is nav.trainee_list)
    assert nav.current_mediator() is not None and nav.current_mediator().name == GAPS
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    page = workspace.pages.currentWidget()
    assert isinstance(page, TraineePage)
    assert page.mediator.name == GAPS

    # The last Form 2 of the trainee, where "Reality test proposals" was development needed.
    observation_id = demo_id("observation", GAPS, "form2", "2")
    page.trainee_screen.openObservationRequested.emit(str(observation_id), "f2.sk.reality_test")
    assert workspace.observation_page is not None
    assert workspace.pages.currentWidget() is workspace.observation_page
    assert workspace.session is not None and workspace.session.observation.id == observation_id
    current = workspace.observation_page.view.currentIndex()
    assert current.data(Role.ITEM_ID) == "f2.sk.reality_test"

    workspace.observation_page.closeRequested.emit()
    assert workspace.pages.currentWidget() is page
    assert workspace.observation_page is None

    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert workspace.pages.currentWidget() is nav
    assert workspace.trainee_page is None

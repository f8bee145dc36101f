"""Deleting an accidental draft from the trainees page, with undo; a finalised observation
is never deleted (it is amended)."""

from __future__ import annotations

from typing import Any

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sendobserve.demo import GAPS
from sendobserve.model.domain import MarkState, ObservationState
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import RecordNotFound
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import Runner
from tests.helpers import durable_snapshot
from tests.ui.screens import main_window


def _row_of(nav: Any, state: ObservationState) -> int:
    return next(r for r in range(nav.observations.rowCount())
                if nav.observations.observation(r).state is state)


def test_delete_a_draft_with_the_delete_key_and_put_it_back(
        qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
        runner: Runner) -> None:
    _window, workspace = main_window(qtbot, store, forms, settings, runner)
    nav = workspace.navigation
    nav.search.setText(GAPS)
    nav.observer_name.setText("Dana Whitfield")
    nav.start()  # an accidental draft
    workspace.service.set_mark(workspace.session.id, "f2.pm.pre_meetings",
                               MarkState.DEMONSTRATED, "")
    workspace.show_navigation()
    drafts_before = nav.observations.rowCount()
    draft = nav.observations.observation(_row_of(nav, ObservationState.DRAFT))
    marks = workspace.service.marks(draft.id)
    assert marks  # the draft had a tick

    nav.observation_list.setCurrentIndex(
        nav.observations.index(_row_of(nav, ObservationState.DRAFT), 0))
    nav.observation_list.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)
    assert nav.observations.rowCount() == drafts_before - 1
    with pytest.raises(RecordNotFound):
        workspace.service.observation(draft.id)
    assert nav.message.text().startswith("Deleted the draft Form ")
    assert nav.undo_delete_button.isVisible()

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert nav.observations.rowCount() == drafts_before
    assert workspace.service.observation(draft.id).state is ObservationState.DRAFT
    assert workspace.service.marks(draft.id) == marks
    assert nav.message.text().startswith("Put back the draft Form ")
    assert not nav.undo_delete_button.isVisible()


def test_a_finalised_observation_is_never_deleted(
        qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
        runner: Runner) -> None:
    _window, workspace = main_window(qtbot, store, forms, settings, runner)
    nav = workspace.navigation
    nav.search.setText(GAPS)
    row = _row_of(nav, ObservationState.FINALISED)
    nav.observation_list.setCurrentIndex(nav.observations.index(row, 0))
    before = durable_snapshot(store.data_dir)
    nav.delete_button.click()
    assert "is finalised: it is never deleted" in nav.message.text()
    assert durable_snapshot(store.data_dir) == before
    assert not nav.undo_delete_button.isVisible()


def test_file_remove_demo_data_asks_with_no_as_default_then_removes(
        qtbot: Any, store: Store, forms: Any, settings: WorkspaceSettings,
        runner: Runner) -> None:
    from PySide6.QtWidgets import QMessageBox

    window, workspace = main_window(qtbot, store, forms, settings, runner)
    nav = workspace.navigation
    assert nav.mediators.rowCount() == 4
    before = durable_snapshot(store.data_dir)
    window.remove_demo_action.trigger()
    asked = window.remove_demo_question
    assert asked.defaultButton() is asked.button(QMessageBox.StandardButton.No)
    asked.button(QMessageBox.StandardButton.No).click()
    assert nav.mediators.rowCount() == 4
    assert durable_snapshot(store.data_dir) == before

    window.remove_demo_action.trigger()
    window.remove_demo_question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: nav.mediators.rowCount() == 0)
    assert window.statusBar().currentMessage() == "Removed the demo data."

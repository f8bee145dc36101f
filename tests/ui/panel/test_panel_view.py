"""The panel window on a real store: model and proxy without a view, then the real
window offscreen (keyboard: search, stage, group, Enter opens the trainee)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from PySide6.QtCore import QModelIndex, Qt

from sendobserve import demo
from sendobserve.model.panel import PanelStatus, Verdict
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import load_registry, panel_verdicts
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.panel.model import (
    COL_NAME,
    COL_PPC,
    COL_STATUS,
    Group,
    MediatorIdRole,
    PanelFilterProxy,
    PanelTableModel,
    SearchRole,
)
from sendobserve.ui.shell.main_window import MainWindow
from sendobserve.ui.shell.workspace import build_workspace

TODAY = date.today()


@pytest.fixture
def verdicts(store: Store) -> list[Verdict]:
    demo.fill_store(store, today=TODAY)
    return panel_verdicts(store.session, load_registry(store.session), today=TODAY)


def _names(proxy: PanelFilterProxy) -> list[str]:
    return [proxy.index(r, COL_NAME).data() for r in range(proxy.rowCount())]


def test_the_model_shows_each_stage_in_words_and_symbol(verdicts: list[Verdict]) -> None:
    model = PanelTableModel()
    model.set_verdicts(verdicts, TODAY)
    assert model.rowCount() == 4 and model.columnCount() == 7
    stages = {model.index(r, COL_NAME).data(): model.index(r, COL_STATUS).data()
              for r in range(model.rowCount())}
    assert stages[demo.GAPS] == "◔ in training"
    assert stages[demo.READY] == "✓ ready for Form 4"
    assert stages[demo.PASSPORTED] == "✓ ready for Form 5"
    assert stages[demo.RENEWING].startswith("⚠ re-registration due in ")
    row = next(r for r in range(4) if model.index(r, COL_NAME).data() == demo.GAPS)
    sentence = model.index(row, COL_NAME).data(Qt.ItemDataRole.AccessibleTextRole)
    assert sentence.startswith(f"{demo.GAPS}; in training; still needed: ")


def test_the_proxy_filters_searches_sorts_and_groups(verdicts: list[Verdict]) -> None:
    model = PanelTableModel()
    model.set_verdicts(verdicts, TODAY)
    proxy = PanelFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_NAME, Qt.SortOrder.AscendingOrder)
    assert _names(proxy) == [demo.PASSPORTED, demo.GAPS, demo.RENEWING, demo.READY]  # Ł as L
    proxy.set_statuses([PanelStatus.READY])
    assert _names(proxy) == [demo.PASSPORTED, demo.READY]
    proxy.set_statuses([])
    proxy.set_search("siobhan")  # accents and case ignored
    assert _names(proxy) == [demo.READY]
    proxy.set_search("anjali")  # the PPC's name finds their trainees
    assert _names(proxy) == [demo.READY]
    proxy.set_search("casework")  # what is still needed
    assert _names(proxy) == [demo.GAPS]
    proxy.set_search("")
    proxy.sort(COL_STATUS, Qt.SortOrder.AscendingOrder)
    assert _names(proxy)[0] == demo.GAPS  # in training comes first along the path
    proxy.set_group(Group.PPC)
    groups = [proxy.group_of(proxy.mapToSource(proxy.index(r, 0)).row())
              for r in range(proxy.rowCount())]
    assert groups == sorted(groups, key=str.casefold)  # each group together
    assert proxy.mediator_id(0) is not None and proxy.mediator_id(99) is None


def test_the_window_loads_on_the_runner_and_enter_opens_the_trainee(
        qtbot: Any, store: Store, settings: Any, verdicts: list[Verdict]) -> None:
    window = MainWindow(store, runner=Runner(synchronous=True))
    qtbot.addWidget(window)
    window.set_central_widget(build_workspace(store, settings, runner=window.runner))
    window.show()
    assert window.panel_action.isEnabled()
    window.panel_action.trigger()
    view = window.panel_view  # type: ignore[attr-defined]
    assert view.model.rowCount() == 4
    assert "4 mediators" in view.summary.text()
    assert "Re-registrations due in the next 12 months: 1 in all" in view.chart_text.text()
    assert view.chart.accessibleDescription() == view.chart_text.text()
    assert view.chart.renderer().isValid()

    qtbot.keyClicks(view.search, "rhys")
    assert view.proxy.rowCount() == 1
    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(0, COL_NAME))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    page = window.centralWidget().trainee_page
    assert page is not None and page.mediator.name == demo.RENEWING

    view.search.clear()
    view.grouping.setCurrentIndex(view.grouping.findData(int(Group.PPC)))
    header = view.table.horizontalHeader()
    assert header.visualIndex(COL_PPC) == 1
    view.stage.setCurrentIndex(view.stage.findData(PanelStatus.IN_TRAINING.value))
    assert view.proxy.rowCount() == 1
    assert "1 shown" in view.summary.text()
    assert view.stage.currentText() == "◔ in training (1)"
    ids = {view.proxy.index(r, 0).data(MediatorIdRole) for r in range(view.proxy.rowCount())}
    assert len(ids) == 1


def test_a_panel_that_cannot_be_read_says_so(qtbot: Any, store: Store) -> None:
    from sendobserve.ui.panel.view import PanelView

    def broken(_progress: Any) -> list[Verdict]:
        raise RuntimeError("the disk went away")

    view = PanelView(broken, Runner(synchronous=True))
    qtbot.addWidget(view)
    view.reload()
    assert view.summary.text() == "The panel could not be read: the disk went away"
    assert view.reload_button.isEnabled()
    assert view.model.rowCount() == 0
    assert not QModelIndex().isValid()


def test_rows_sorted_off_the_gui_thread_are_the_models_own_order(
        verdicts: list[Verdict]) -> None:
    from sendobserve.ui.panel.model import prepare_rows

    for column in range(7):
        for group in Group:
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                by_model = PanelTableModel()
                by_model.set_verdicts(verdicts, TODAY)
                by_model.sort(column, order, group)
                prepared = PanelTableModel()
                prepared.set_prepared(prepare_rows(verdicts, TODAY,
                                                   sort=(column, order, group)))
                assert prepared.rows() == by_model.rows()
                assert [prepared.data(prepared.index(r, 0), SearchRole) for r in range(4)] \
                    == [by_model.data(by_model.index(r, 0), SearchRole) for r in range(4)]
                prepared.sort(column, order, group)  # already in that order: nothing moves
                assert prepared.rows() == by_model.rows()

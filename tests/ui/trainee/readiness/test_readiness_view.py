"""The readiness screen on a real demo store: filter, open a cell, keyboard, live updates."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QModelIndex, Qt

from sendobserve.demo import GAP_IDS, GAPS, PASSPORTED, READY, RENEWING, demo_id
from sendobserve.model import requirements as R
from sendobserve.model.domain import MarkState, ObserverRole, Signature
from sendobserve.model.outcome import Status
from sendobserve.services.screens_trainee import TraineeRecord, standard_forms
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import ObservationRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.trainee.readiness.matrix import FIRST_SLOT, ItemIdRole, MarkStateRole
from sendobserve.ui.trainee.readiness.view import (
    TAB_FORM4,
    TAB_PASSPORT,
    TAB_RENEWAL,
    ReadinessView,
)
from tests.ui.trainee.readiness.conftest import TODAY, mediator_id


def _view(qtbot: QtBot, store: Store, name: str) -> ReadinessView:
    view = ReadinessView(TraineeRecord.of(store), mediator_id(name),
                         runner=Runner(synchronous=True), today=lambda: TODAY)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def _cell(view: ReadinessView, item_id: str, state: MarkState) -> QModelIndex:
    proxy = view.proxy
    for row in range(proxy.rowCount()):
        if proxy.data(proxy.index(row, 0), ItemIdRole) == item_id:
            for col in range(FIRST_SLOT, proxy.columnCount()):
                if proxy.data(proxy.index(row, col), MarkStateRole) == state.value:
                    return proxy.index(row, col)
    raise AssertionError(f"no {state} cell for {item_id}")


def test_gaps_only_box_shows_exactly_lucjas_two_gaps(qtbot: QtBot, demo_store: Store) -> None:
    view = _view(qtbot, demo_store, GAPS)
    assert len(view.proxy.item_ids()) == 75
    view.gaps_only.setChecked(True)
    assert view.proxy.item_ids() == list(GAP_IDS)
    view.gaps_only.setChecked(False)
    assert len(view.proxy.item_ids()) == 75


def test_search_box_filters_the_matrix(qtbot: QtBot, demo_store: Store) -> None:
    view = _view(qtbot, demo_store, GAPS)
    qtbot.keyClicks(view.search, "smart")
    assert view.proxy.item_ids() == ["f2.sk.smart_agreement"]


def test_enter_on_a_cell_asks_to_open_that_observation_at_that_criterion(
    qtbot: QtBot, demo_store: Store
) -> None:
    view = _view(qtbot, demo_store, GAPS)
    assert view.data is not None
    (seen,) = view.data.readiness.criterion("f2.sk.reality_test").development_needed
    cell = _cell(view, "f2.sk.reality_test", MarkState.DEVELOPMENT_NEEDED)
    view.table.setFocus()
    view.table.setCurrentIndex(cell)
    with qtbot.waitSignal(view.openObservationRequested, timeout=2000) as signal:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert signal.args == [str(seen.observation.observation_id), "f2.sk.reality_test"]


def test_double_click_opens_once(qtbot: QtBot, demo_store: Store) -> None:
    view = _view(qtbot, demo_store, READY)
    assert view.data is not None
    criterion = view.data.readiness.criteria[0]
    (seen,) = criterion.demonstrated_in
    item_id = criterion.id
    cell = _cell(view, item_id, MarkState.DEMONSTRATED)
    view.table.scrollTo(cell)
    emitted: list[tuple[str, str]] = []
    view.openObservationRequested.connect(lambda o, c: emitted.append((o, c)))
    # A real double-click: press and release, then the second press arrives as a
    # double-click (QTest's mouseDClick alone skips the first press).
    centre = view.table.visualRect(cell).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert emitted == [(str(seen.observation.observation_id), item_id)]


def test_a_cell_without_an_observation_opens_nothing(qtbot: QtBot, demo_store: Store) -> None:
    view = _view(qtbot, demo_store, GAPS)
    emitted: list[object] = []
    view.openObservationRequested.connect(lambda *a: emitted.append(a))
    view.table.setCurrentIndex(view.proxy.index(3, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert not view.open_current()
    assert emitted == []


def test_arrow_keys_walk_the_matrix(qtbot: QtBot, demo_store: Store) -> None:
    view = _view(qtbot, demo_store, GAPS)
    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(2, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Right)
    qtbot.keyClick(view.table, Qt.Key.Key_Right)
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    current = view.table.currentIndex()
    assert (current.row(), current.column()) == (3, FIRST_SLOT)
    # Tab leaves the table instead of walking every cell.
    assert not view.table.tabKeyNavigation()


def test_every_control_has_an_accessible_name(qtbot: QtBot, demo_store: Store) -> None:
    from PySide6.QtWidgets import QCheckBox, QLineEdit, QPushButton, QTableView

    view = _view(qtbot, demo_store, GAPS)
    missing = [type(w).__name__ for w in view.findChildren(QLineEdit)
               + view.findChildren(QTableView) if not w.accessibleName()]
    missing += [b.text() for b in view.findChildren(QCheckBox) + view.findChildren(QPushButton)
                if not b.accessibleName()]
    assert missing == []
    assert view.table.accessibleName() == f"Readiness matrix for {GAPS}"


def test_a_new_finalised_observation_shows_after_refresh(qtbot: QtBot, demo_store: Store) -> None:
    """A mark made in the workspace shows here once the host calls refresh()."""
    view = _view(qtbot, demo_store, GAPS)
    view.gaps_only.setChecked(True)
    observations = ObservationRepository(demo_store.session)
    case_id = demo_id("case", GAPS, "3")
    ppc = demo_id("observer", "Anjali Patel")
    form2 = standard_forms().latest("form2")
    day = TODAY - timedelta(days=1)
    obs = observations.start(case_id, ppc, "form2", form2.version, observed_on=day,
                             today=TODAY)
    observations.set_mark(obs.id, "f2.sk.reality_test", MarkState.DEMONSTRATED, "Well tested",
                          by="Anjali Patel")
    observations.finalise(obs.id, Signature("Anjali Patel", ObserverRole.PPC, day),
                          today=TODAY)
    assert view.proxy.item_ids() == list(GAP_IDS)  # not re-read yet
    with qtbot.waitSignal(view.refreshed, timeout=2000):
        view.refresh()
    assert view.proxy.item_ids() == ["f2.sk.smart_agreement"]
    assert view.data is not None
    assert view.data.readiness.criterion("f2.sk.reality_test").demonstrated


def test_loads_off_the_gui_thread_by_default(qtbot: QtBot, demo_store: Store) -> None:
    view = ReadinessView(TraineeRecord.of(demo_store), mediator_id(GAPS), today=lambda: TODAY)
    qtbot.addWidget(view)
    if view.data is None:
        with qtbot.waitSignal(view.refreshed, timeout=10_000):
            pass
    assert view.data is not None
    assert view.proxy.rowCount() > 75


def test_each_mediator_opens_on_the_tab_that_concerns_them(
    qtbot: QtBot, demo_store: Store
) -> None:
    expected = {READY: TAB_FORM4, GAPS: TAB_FORM4, PASSPORTED: TAB_PASSPORT,
                RENEWING: TAB_RENEWAL}
    for name, tab in expected.items():
        view = _view(qtbot, demo_store, name)
        assert view.tabs.currentIndex() == tab, name
    ready = _view(qtbot, demo_store, READY)
    assert ready.status.text().startswith("Ready for Form 4.")
    assert ready.panel.needed_heading.text() == "Nothing more is needed."


def test_requirements_panel_gives_numbers_and_plain_sentences(
    qtbot: QtBot, demo_store: Store
) -> None:
    view = _view(qtbot, demo_store, GAPS)
    casework = view.panel.text_of(R.CASEWORK_HOURS)
    assert casework.startswith("✗ Not met")
    assert "casework 9.5 of 12 h" in casework
    needed = view.panel.needed_items
    assert "Log 2.5 more hours of casework" in needed
    assert "Demonstrate: Reality test proposals (Form 2)" in needed
    assert "<li>Log 2.5 more hours of casework</li>" in view.panel.needed.text()
    assert view.data is not None
    assert len(needed) == len(view.data.readiness.still_needed)
    assert view.panel.rows[R.CASEWORK_HOURS][1].accessibleName().startswith(
        "At least 12 hours of casework: not met. casework 9.5 of 12 h.")


def test_renewal_and_passport_panels(qtbot: QtBot, demo_store: Store) -> None:
    rhys = _view(qtbot, demo_store, RENEWING)
    assert rhys.data is not None
    cpd = rhys.renewal.requirements.text_of(R.RENEWAL_CPD_HOURS)
    assert "CPD 21 of 20 h" in cpd and cpd.startswith("✓ Met")
    assert "Autism awareness for mediators" in rhys.renewal.cpd.text()
    aoife = _view(qtbot, demo_store, PASSPORTED)
    facts = aoife.passport.facts.text()
    assert "Working as a SEND mediator since: 1 March 2009" in facts
    assert "Mediation Training Collective" in facts
    assert aoife.data is not None and aoife.data.passport.eligible
    assert aoife.passport.requirements.verdict.text() == "✓ Eligible for Form 5"
    assert all(r.status is Status.MET for r in aoife.data.passport.requirements)


def test_next_gap_walks_the_gaps_and_wraps(qtbot: QtBot, demo_store: Store) -> None:
    view = _view(qtbot, demo_store, GAPS)
    seen = []
    for _ in range(3):
        assert view.next_gap()
        seen.append(view.proxy.data(view.table.currentIndex(), ItemIdRole))
    assert seen == [*GAP_IDS, GAP_IDS[0]]
    ready = _view(qtbot, demo_store, READY)
    assert not ready.next_gap_button.isEnabled()
    assert not ready.next_gap()


def test_the_workspace_task_runner_can_load_it(qtbot: QtBot, demo_store: Store) -> None:
    from sendobserve.ui.common.tasks import Runner

    runner = Runner()
    view = ReadinessView(TraineeRecord.of(demo_store), mediator_id(GAPS), runner=runner,
                         today=lambda: TODAY)
    qtbot.addWidget(view)
    if view.data is None:
        with qtbot.waitSignal(view.refreshed, timeout=10_000):
            pass
    assert view.data is not None and view.data.readiness.mediator_name == GAPS
    runner.wait()


def test_an_unknown_mediator_is_reported_not_raised(qtbot: QtBot, demo_store: Store) -> None:
    import uuid

    missing = uuid.uuid4()
    view = ReadinessView(TraineeRecord.of(demo_store), missing, runner=Runner(synchronous=True),
                         today=lambda: TODAY)
    qtbot.addWidget(view)
    assert view.data is None
    assert view.status.text() == f"Could not load the record: No mediator with id {missing}" \
        " in this store"


def test_a_screen_reader_hears_the_cells_sentence(qtbot: QtBot, demo_store: Store) -> None:
    """Through Qt's accessibility interface, as an assistive technology asks for it."""
    from PySide6.QtGui import QAccessible

    view = _view(qtbot, demo_store, GAPS)
    cell = _cell(view, "f2.sk.reality_test", MarkState.DEVELOPMENT_NEEDED)
    QAccessible.setActive(True)
    try:
        table = QAccessible.queryAccessibleInterface(view.table)
        assert table is not None
        cells = {}
        for n in range(table.childCount()):
            child = table.child(n)
            if child.role() == QAccessible.Role.Cell:
                where = child.tableCellInterface()
                cells[(where.rowIndex(), where.columnIndex())] = child
    finally:
        QAccessible.setActive(False)
    accessible = cells[(cell.row(), cell.column())]
    assert accessible.text(QAccessible.Text.Name) == (
        "Reality test proposals — development needed in case 3 by Chloé Martin-Dubois,"
        " regional manager")
    assert accessible.text(QAccessible.Text.Description).startswith("Moved to agreement")

"""The panel window: every mediator at a glance, with a chart of renewals due.

Loads on the window's task runner (stored verdicts read; only those a change or a new day
made stale are assessed again, with a progress bar); the rows are shown as soon as they
are read, sorted on the worker, and the chart is drawn after them. Keyboard: type to
search (Ctrl+F), Alt+S the stage, Alt+G the grouping, Enter or double-click opens the
trainee, F5 reloads.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendobserve.model.panel import (
    PanelStatus,
    Verdict,
    count_by_status,
    renewals_by_month,
)
from sendobserve.services.changes import Changes
from sendobserve.ui.common.tasks import ChangeFollower, Job, Runner
from sendobserve.ui.panel.model import (
    COL_DUE,
    COL_LAST,
    COL_MENTOR,
    COL_NAME,
    COL_NEEDED,
    COL_PPC,
    COL_STATUS,
    SYMBOL,
    Group,
    MediatorIdRole,
    PanelFilterProxy,
    PanelTableModel,
    PreparedRows,
    prepare_rows,
)

CHART_WIDTH, CHART_HEIGHT = 640, 200
Loader = Callable[[Callable[[int, int], None]], list[Verdict]]


@dataclass(frozen=True)
class _Chart:
    svg: bytes
    text: str


def moves_a_verdict(changes: Changes) -> bool:
    """Whether a change set may change some mediator's stage on the panel. A tick alone
    does not: only finalised observations count, and finalising or amending one is an
    ``observations`` change (so an open panel does not reload at every key press)."""
    return (changes.everything or changes.people or changes.cases or changes.observations
            or changes.record or changes.certificates)


class PanelTable(QTableView):
    openRequested = Signal(str)  # str(uuid) of the mediator

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        value = index.siblingAtColumn(0).data(MediatorIdRole)
        if value:
            self.openRequested.emit(value)


class PanelView(QWidget):
    """The dashboard. ``loader(progress)`` runs on the runner and returns the verdicts."""

    openTraineeRequested = Signal(object)  # uuid.UUID

    def __init__(self, loader: Loader, runner: Runner, *,
                 today: Callable[[], date] = date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.setAccessibleName("The panel at a glance")
        self.setWindowTitle("The panel at a glance")
        self._loader = loader
        self._runner = runner
        self._today = today
        self.model = PanelTableModel(self)
        self.proxy = PanelFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, PPC, mentor or what is needed")
        self.search.setAccessibleName("Search the panel")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._searched)
        self.stage = QComboBox()
        self.stage.setAccessibleName("Show stage")
        self.stage.currentIndexChanged.connect(self._stage_chosen)
        stage_label = QLabel("&Stage:")
        stage_label.setBuddy(self.stage)
        self.grouping = QComboBox()
        self.grouping.setAccessibleName("Group by")
        for text, group in (("nobody", Group.NONE), ("PPC", Group.PPC), ("mentor", Group.MENTOR)):
            self.grouping.addItem(text, int(group))
        self.grouping.currentIndexChanged.connect(self._group_chosen)
        group_label = QLabel("&Group by:")
        group_label.setBuddy(self.grouping)
        self.reload_button = QPushButton("&Reload")
        self.reload_button.setAccessibleName("Reload the panel")
        self.reload_button.clicked.connect(self.reload)

        self.table = PanelTable()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Mediators on the panel")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_STATUS, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_NEEDED, QHeaderView.ResizeMode.Stretch)
        for col, chars in ((COL_NAME, 22), (COL_STATUS, 30), (COL_LAST, 15), (COL_PPC, 18),
                           (COL_MENTOR, 18), (COL_DUE, 19)):
            self.table.setColumnWidth(col, self.fontMetrics().averageCharWidth() * chars)
        self.table.openRequested.connect(self._open)
        self.table.doubleClicked.connect(self.table._open)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Assessing verdicts")
        self.progress.setVisible(False)
        self.chart = QSvgWidget()
        self.chart.setFixedSize(CHART_WIDTH, CHART_HEIGHT)  # the drawing's own proportions
        self.chart.setAccessibleName("Chart: re-registrations due per month")
        self.chart_text = QLabel()
        self.chart_text.setWordWrap(True)
        self.chart_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                                | Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(stage_label)
        bar.addWidget(self.stage, 2)
        bar.addWidget(group_label)
        bar.addWidget(self.grouping, 1)
        bar.addWidget(self.reload_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chart, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.chart_text)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.reload)
        self._fill_stages({})
        self.setTabOrder(self.search, self.stage)
        self.setTabOrder(self.stage, self.grouping)
        self.setTabOrder(self.grouping, self.reload_button)
        self.setTabOrder(self.reload_button, self.table)
        # Any write to anyone's evidence may move a verdict: reload (when next shown).
        self.follower = ChangeFollower(self, runner, moves_a_verdict, self.reload)

    # --- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        today = self._today()
        self.progress.setVisible(False)
        self.summary.setText("Reading the panel…")
        self.reload_button.setEnabled(False)

        header = self.table.horizontalHeader()
        sort = (max(header.sortIndicatorSection(), 0), header.sortIndicatorOrder(),
                self.proxy.group)

        def work(job: Job) -> PreparedRows:
            # Everything slow happens off the GUI thread: verdicts and rows in the order
            # shown here, then the chart (``_draw_chart``) once the rows are on screen.
            return prepare_rows(self._loader(job.report), today, sort=sort)

        self._runner.job(work).progress(self._progressed).success(self._loaded) \
            .failure(self._failed).owned_by(self).run()

    def _draw_chart(self, prepared: PreparedRows) -> None:
        def work() -> _Chart:
            from sendobserve.reports.panel_chart import renewals_svg, renewals_text

            months = renewals_by_month(prepared.rows, prepared.today)
            return _Chart(renewals_svg(months, width=CHART_WIDTH, height=CHART_HEIGHT),
                          renewals_text(months))

        self._runner.op(work).success(self._charted).failure(self._chart_failed) \
            .owned_by(self).run()

    def _charted(self, chart: _Chart) -> None:
        self.chart.load(QByteArray(chart.svg))
        self.chart_text.setText(chart.text)
        self.chart.setAccessibleDescription(chart.text)

    def _chart_failed(self, exc: BaseException) -> None:
        self.chart_text.setText(f"The chart could not be drawn: {exc}")
        self.chart.setAccessibleDescription(self.chart_text.text())

    def _progressed(self, done: int, total: int, _what: str = "") -> None:
        self.progress.setVisible(done < total)
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat("Assessing %v of %m changed verdicts")
        self.summary.setText(f"Assessing {done} of {total} verdicts that changed…")

    def _failed(self, exc: BaseException) -> None:
        self.reload_button.setEnabled(True)
        self.progress.setVisible(False)
        self.summary.setText(f"The panel could not be read: {exc}")

    def _loaded(self, prepared: PreparedRows) -> None:
        self.reload_button.setEnabled(True)
        self.progress.setVisible(False)
        self.model.set_prepared(prepared)
        header = self.table.horizontalHeader()
        self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        counts = count_by_status(prepared.rows)
        self._fill_stages(counts)
        self._summarise(counts)
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.proxy.index(0, COL_NAME))
        self._draw_chart(prepared)

    def _summarise(self, counts: dict[PanelStatus, int] | None = None) -> None:
        total = self.model.rowCount()
        if counts is None:
            counts = count_by_status(self.model.rows())
        parts = [f"{n} {s.value}" for s, n in counts.items() if n]
        shown = self.proxy.rowCount()
        lead = f"{total} mediators" + (f", {shown} shown" if shown != total else "")
        self.summary.setText(lead + (": " + ", ".join(parts) if parts else "") + ".")

    def _fill_stages(self, counts: dict[PanelStatus, int]) -> None:
        current = self.stage.currentData()
        self.stage.blockSignals(True)
        self.stage.clear()
        self.stage.addItem("every stage", None)
        for status in PanelStatus:
            n = counts.get(status, 0)
            self.stage.addItem(f"{SYMBOL[status]} {status.value} ({n})", status.value)
        found = self.stage.findData(current)
        self.stage.setCurrentIndex(max(0, found))
        self.stage.blockSignals(False)

    # --- filtering -------------------------------------------------------------------------
    def _searched(self, text: str) -> None:
        self.proxy.set_search(text)
        self._summarise()

    def _stage_chosen(self, _index: int) -> None:
        value = self.stage.currentData()
        self.proxy.set_statuses([PanelStatus(value)] if value else [])
        self._summarise()

    def _group_chosen(self, _index: int) -> None:
        group = Group(self.grouping.currentData())
        self.proxy.set_group(group)
        # The grouping column comes right after the name while grouped.
        header = self.table.horizontalHeader()
        for col in range(self.model.columnCount()):
            header.moveSection(header.visualIndex(col), col)
        column = {Group.PPC: COL_PPC, Group.MENTOR: COL_MENTOR}.get(group)
        if column is not None:
            header.moveSection(header.visualIndex(column), 1)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            source = self.proxy.mapToSource(current)
            self.table.setAccessibleDescription(self.model.row_sentence(source.row()))

    def _open(self, value: str) -> None:
        self.openTraineeRequested.emit(uuid.UUID(value))

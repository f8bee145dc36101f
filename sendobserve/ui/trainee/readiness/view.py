"""The readiness screen for one mediator: matrix and Form 4 requirements side by side,
with re-registration and passporting on their own tabs.

Built from the trainee page's door (``services.screens_trainee.TraineeRecord``) and a
mediator id; it never reaches for the main window or the store. ``refresh()`` reloads and
re-assesses (off the GUI thread through the runner);
``openObservationRequested(observation_id, criterion_id)`` asks the host to open that
observation at that criterion.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sendobserve.model.domain import MarkState as M
from sendobserve.model.outcome import fmt_hours
from sendobserve.model.renewal import last_twelve_months
from sendobserve.model.vocabulary import day_text
from sendobserve.services.readiness import ReadinessData
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.ui.common.a11y import LiveLabel, clear_on_escape
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.trainee.readiness.matrix import (
    COL_CRITERION,
    COL_STATUS,
    FIRST_SLOT,
    GapRole,
    ItemIdRole,
    ReadinessFilterProxy,
    ReadinessTableModel,
    RowKind,
    RowKindRole,
)
from sendobserve.ui.trainee.readiness.panels import PassportPanel, ReadinessPanel, RenewalPanel
from sendobserve.ui.trainee.style import GAP_GLYPH, GLYPH

TAB_FORM4, TAB_RENEWAL, TAB_PASSPORT = 0, 1, 2


def _scroll(widget: QWidget, name: str) -> QScrollArea:
    area = QScrollArea()
    area.setAccessibleName(name)
    area.setWidgetResizable(True)
    area.setWidget(widget)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


class MatrixView(QTableView):
    """The table: arrow keys move cell by cell, Enter or a double-click opens a cell.

    ``openRequested`` comes from Enter/Return and from a double-click only (not from
    ``activated``, which some styles also emit on a double-click: that would open twice).
    """

    openRequested = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)
        self.setShowGrid(True)
        self.verticalHeader().setVisible(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Wrapped rows take their height from the column widths: re-measure once the
        # widths settle (after a resize or a drag), not on every pixel.
        self._rows_timer = QTimer(self)
        self._rows_timer.setSingleShot(True)
        self._rows_timer.setInterval(0)
        self._rows_timer.timeout.connect(self.fit_rows)
        self.horizontalHeader().sectionResized.connect(lambda *_: self._rows_timer.start())
        self.doubleClicked.connect(self.openRequested)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            if self.currentIndex().isValid():
                self.openRequested.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def fit_columns(self) -> None:
        header = self.horizontalHeader()
        metrics = self.fontMetrics()
        header.setMinimumSectionSize(metrics.horizontalAdvance("M") * 3)
        header.setSectionResizeMode(COL_CRITERION, QHeaderView.ResizeMode.Interactive)
        # Fixed widths from the font, not ResizeToContents: that asks every row for its
        # size hint each time a width is read (7 ms a read on the demo).
        bold = QFont(self.font())
        bold.setBold(True)
        status_width = max(QFontMetrics(bold).horizontalAdvance(w) for w in (
            "⚑ gap △", "none yet", "Overall")) + 16
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_STATUS, status_width)
        model = self.model()
        slot_width = metrics.horizontalAdvance("18 Aug 2026 · case 3") + 16
        for col in range(FIRST_SLOT, model.columnCount() if model else FIRST_SLOT):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, slot_width)
        self._fit_criterion()
        self._rows_timer.stop()
        self.fit_rows()

    def needed_width(self) -> int:
        """Width that shows every column with the criterion column at its floor."""
        model = self.model()
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(1, model.columnCount())) if model \
            else 0
        return (others + self.fontMetrics().averageCharWidth() * 26
                + 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width())

    def fit_rows(self) -> None:
        """Row heights from the wrapped criterion text (and, on a form's heading row, the
        observation cells). Measured here from the two columns that can wrap: Qt's
        ``resizeRowsToContents`` asks every cell for every role and took ~60 ms a refresh.
        """
        model = self.model()
        if model is None:
            return
        base = self.font()
        metrics = QFontMetrics(base)
        pad = 6
        minimum = int(metrics.height() * 1.25) + pad  # the marks' glyphs are drawn larger
        flags = int(Qt.TextFlag.TextWordWrap)
        width0 = max(self.columnWidth(COL_CRITERION) - 8, 10)
        slots = [(c, max(self.columnWidth(c) - 8, 10))
                 for c in range(FIRST_SLOT, model.columnCount())]
        header = self.verticalHeader()
        for row in range(model.rowCount()):
            index = model.index(row, COL_CRITERION)
            font = index.data(Qt.ItemDataRole.FontRole)
            fm = QFontMetrics(font) if isinstance(font, QFont) else metrics
            text = str(index.data() or "")
            height = fm.boundingRect(QRect(0, 0, width0, 1 << 20), flags, text).height()
            if index.data(RowKindRole) == RowKind.FORM:
                for col, width in slots:
                    cell = str(model.index(row, col).data() or "")
                    height = max(height, metrics.boundingRect(
                        QRect(0, 0, width, 1 << 20), flags, cell).height())
            header.resizeSection(row, max(height + pad, minimum))

    def _fit_criterion(self) -> None:
        """The criterion column takes the spare width, but never less than ~24 letters:
        at 200 % a narrow window scrolls sideways rather than wrapping every word."""
        header = self.horizontalHeader()
        model = self.model()
        if model is None or model.columnCount() == 0:
            return
        others = sum(header.sectionSize(c) for c in range(1, model.columnCount()))
        # Room for the vertical scroll bar is kept whether it shows or not, so rows
        # re-measured after a resize never push the table into sideways scrolling.
        spare = (self.width() - 2 * self.frameWidth()
                 - self.verticalScrollBar().sizeHint().width() - others)
        header.resizeSection(COL_CRITERION, max(spare, self.fontMetrics().averageCharWidth() * 26))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_criterion()


class ReadinessView(QWidget):
    """The mentor's de-brief screen for one mediator.

    ``door``: the trainee page's reads (the record, and the form registry the rules read
    it with). ``runner``: where loading runs (the window's; by default one of its own).
    ``today``: the date the rules judge by (``date.today`` by default).
    """

    openObservationRequested = Signal(str, str)  # observation id, tick item id
    refreshed = Signal()  # the screen shows a new assessment
    loadFailed = Signal(str)

    def __init__(
        self,
        door: TraineeRecord,
        mediator_id: uuid.UUID,
        *,
        runner: Runner | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._door = door
        self.mediator_id = mediator_id
        self._runner = runner if runner is not None else Runner(self)
        self._today = today
        self._generation = 0
        self._first = True
        self.data: ReadinessData | None = None
        self.setObjectName("readinessView")

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.status = LiveLabel("Readiness", "Loading…")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        self.model = ReadinessTableModel(self)
        self.proxy = ReadinessFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = MatrixView()
        self.table.setModel(self.proxy)
        self.table.setObjectName("readinessMatrix")
        self.table.openRequested.connect(self._activated)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search criteria")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search criteria")
        self.search.setAccessibleDescription("Esc clears the search.")
        clear_on_escape(self.search)
        self.search.textChanged.connect(self._search_changed)
        search_label = QLabel("&Search:")
        search_label.setBuddy(self.search)
        self.gaps_only = QCheckBox("&Gaps only")
        self.gaps_only.setAccessibleName("Show only criteria never demonstrated")
        self.gaps_only.toggled.connect(self._gaps_toggled)
        self.next_gap_button = QPushButton("Ne&xt gap")
        self.next_gap_button.setAccessibleName("Go to the next criterion never demonstrated")
        self.next_gap_button.clicked.connect(self.next_gap)
        legend = QLabel(self._legend())
        legend.setTextFormat(Qt.TextFormat.PlainText)
        legend.setWordWrap(True)
        self.legend = legend
        self.applies = QLabel()
        self.applies.setTextFormat(Qt.TextFormat.PlainText)
        self.applies.setWordWrap(True)
        self.applies.setVisible(False)
        self.notes = QLabel()
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setWordWrap(True)

        tools = QHBoxLayout()
        tools.addWidget(search_label)
        tools.addWidget(self.search, 1)
        tools.addWidget(self.gaps_only)
        tools.addWidget(self.next_gap_button)
        matrix_box = QWidget()
        matrix_layout = QVBoxLayout(matrix_box)
        matrix_layout.setContentsMargins(0, 0, 0, 0)
        matrix_layout.addWidget(self.applies)
        matrix_layout.addLayout(tools)
        matrix_layout.addWidget(self.table, 1)
        matrix_layout.addWidget(self.legend)
        matrix_layout.addWidget(self.notes)

        self.panel = ReadinessPanel()
        self.panel_scroll = _scroll(self.panel, "Requirements for Form 4")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(matrix_box)
        self.splitter.addWidget(self.panel_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self._split_done = False

        self.renewal = RenewalPanel()
        self.passport = PassportPanel()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Readiness, re-registration and passporting")
        self.tabs.tabBar().setAccessibleName("Readiness, re-registration and passporting")
        # Alt+P is the Print menu's, Alt+G the Gaps only box's.
        self.tabs.addTab(self.splitter, "&Readiness (Form 4)")
        self.tabs.addTab(_scroll(self.renewal, "Re-registration"), "Re-registratio&n")
        self.tabs.addTab(_scroll(self.passport, "Passporting"), "Passp&orting (Form 5)")

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)

        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self._focus_search)
        self.refresh()

    @staticmethod
    def _legend() -> str:
        return (
            f"{GLYPH[M.DEMONSTRATED]} demonstrated    {GLYPH[M.DEVELOPMENT_NEEDED]} development"
            f" needed    {GLYPH[M.NOT_APPLICABLE]} not applicable    blank: not seen    "
            f"{GAP_GLYPH} gap: never demonstrated.  Enter on a cell opens that observation."
        )

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Side by side when the matrix fits in three fifths of the width with room for
        the requirements beside it; otherwise the requirements go under the matrix (a
        small window, or 200 % on a laptop) rather than the matrix scrolling sideways."""
        char = self.fontMetrics().averageCharWidth()
        need = self.table.needed_width()
        wide = self.width() * 3 // 5 >= need and self.width() - need >= 36 * char
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation != self.splitter.orientation() or not self._split_done:
            self.splitter.setOrientation(orientation)
            total = self.splitter.width() if wide else self.splitter.height()
            if total > 0:
                # Matrix about three fifths, requirements two: both readable at a de-brief.
                self.splitter.setSizes([total * 3 // 5, total - total * 3 // 5])
                self._split_done = True

    # --- data ---------------------------------------------------------------------------
    def set_mediator(self, mediator_id: uuid.UUID) -> None:
        """Show another mediator (the search and filter stay as they are)."""
        self.mediator_id = mediator_id
        self._first = True
        self.refresh()

    def refresh(self) -> None:
        """Reload the record and re-assess; call after a mark, an import or an edit."""
        self._generation += 1
        generation = self._generation
        door, mediator_id, today = self._door, self.mediator_id, self._today()

        def done(data: ReadinessData) -> None:
            if generation == self._generation:  # a newer refresh supersedes this one
                self.show_data(data)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
                self.status.setText(f"Could not load the record: {message}")
                self.loadFailed.emit(message)

        self._runner.op(lambda: door.readiness(mediator_id, today)).success(done) \
            .failure(failed).owned_by(self).run()

    def show_data(self, data: ReadinessData) -> None:
        """Show an assessment (the view keeps the cell under the cursor where it can)."""
        current = self.table.currentIndex()
        keep = (
            self.proxy.data(current.siblingAtColumn(COL_CRITERION), ItemIdRole)
            if current.isValid() else None,
            current.column() if current.isValid() else None,
        )
        self.data = data
        report = data.readiness
        mediator = data.record.mediator
        titles: dict[int, str] = {}
        for number in (1, 2, 3):
            try:
                titles[number] = self._door.forms.latest(f"form{number}").title
            except Exception:  # a provider's registry without this form: number only
                continue
        self.model.set_report(report, titles)
        self.table.fit_columns()
        self._arrange()
        self._restore(keep)

        self.title.setText(f"{mediator.name} — readiness as of {day_text(report.as_of, long=True)}")
        self.title.setAccessibleName(self.title.text())
        summary = self._summary(data)
        self.status.setText(summary)
        self.table.setAccessibleName(f"Readiness matrix for {mediator.name}")
        self.table.setAccessibleDescription(summary)
        other = ("passported" if mediator.passported else
                 "accredited" if mediator.accredited_on is not None else "")
        self.applies.setText(
            f"Form 4 readiness is for trainees; {mediator.name} is {other}: see the"
            f" {'Passporting' if mediator.passported else 'Re-registration'} tab." if other
            else "")
        self.applies.setVisible(bool(other))
        self.next_gap_button.setEnabled(any(not c.demonstrated for c in report.criteria))
        self.notes.setText("  ".join(report.notes))
        self.notes.setVisible(bool(report.notes))
        self.panel.show_report(report)

        window = last_twelve_months(report.as_of)
        cpd_lines = [
            f"{day_text(c.done_on)}   {fmt_hours(c.hours)} h   "
            f"{c.kind.value.replace('_', ' ')}: {c.description}"
            for c in sorted(data.record.cpd, key=lambda c: c.done_on, reverse=True)
            if c.done_on in window
        ]
        self.renewal.show_report(data.renewal, cpd_lines, mediator.accredited_on is not None)
        self.passport.show_report(data.passport, mediator.passported)
        if self._first:
            self._first = False
            if mediator.passported:
                self.tabs.setCurrentIndex(TAB_PASSPORT)
            elif mediator.accredited_on is not None:
                self.tabs.setCurrentIndex(TAB_RENEWAL)
            else:
                self.tabs.setCurrentIndex(TAB_FORM4)
        self.refreshed.emit()

    @staticmethod
    def _summary(data: ReadinessData) -> str:
        """One line under the name: the verdict that matters for this mediator."""
        mediator = data.record.mediator
        if mediator.passported:
            p = data.passport
            return ("Passported: eligible for Form 5." if p.eligible else
                    f"Passported: not yet eligible for Form 5 ({len(p.still_needed)} still"
                    " needed).")
        if mediator.accredited_on is not None:
            r = data.renewal
            return (f"Accredited on {day_text(mediator.accredited_on, long=True)}. "
                    + ("Meets the annual re-registration requirements." if r.ready else
                       f"Re-registration: {len(r.still_needed)} still needed."))
        report = data.readiness
        gaps = sum(1 for c in report.criteria if not c.demonstrated)
        total = len(report.criteria)
        head = ("Ready for Form 4." if report.ready else
                f"Not ready for Form 4: {len(report.still_needed)} still needed.")
        tail = f"{total - gaps} of {total} criteria demonstrated" + (
            f", {gaps} gap{'s' if gaps != 1 else ''}." if gaps else ".")
        return f"{head}  {tail}"

    def _restore(self, keep: tuple[Any, int | None]) -> None:
        item_id, column = keep
        if item_id is None or column is None:
            # First load: start on the first criterion, so the arrow keys begin somewhere
            # and a screen reader hears a cell, not an empty "table".
            if self.proxy.rowCount() and not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.proxy.index(0, COL_CRITERION))
            return
        for row in range(self.proxy.rowCount()):
            idx = self.proxy.index(row, COL_CRITERION)
            if self.proxy.data(idx, ItemIdRole) == item_id:
                self.table.setCurrentIndex(self.proxy.index(row, min(
                    column, self.proxy.columnCount() - 1)))
                return

    # --- interaction --------------------------------------------------------------------
    def _activated(self, index: QModelIndex) -> None:
        target = self.proxy.open_target(index)
        if target is not None:
            self.openObservationRequested.emit(*target)

    def open_current(self) -> bool:
        """Open the cell under the cursor; False when it has no observation."""
        target = self.proxy.open_target(self.table.currentIndex())
        if target is None:
            return False
        self.openObservationRequested.emit(*target)
        return True

    def next_gap(self) -> bool:
        """Move to the next gap row below the cursor (wrapping round); False if none."""
        rows = self.proxy.rowCount()
        start = self.table.currentIndex().row() if self.table.currentIndex().isValid() else -1
        for step in range(1, rows + 1):
            row = (start + step) % rows
            index = self.proxy.index(row, COL_CRITERION)
            if self.proxy.data(index, GapRole):
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self.table.fit_rows()

    def _gaps_toggled(self, on: bool) -> None:
        self.proxy.set_gaps_only(on)
        self.table.fit_rows()

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(TAB_FORM4)
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

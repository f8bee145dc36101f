"""The panel's item model and its proxy: one row per mediator, sorted, filtered, grouped.

``PanelTableModel`` holds ``PanelRow``s (``model.panel``), never ORM rows; its cells carry
the stage as words and a symbol, so it is never shown by colour alone. ``PanelFilterProxy``
filters by stage and by a search over name, PPC, mentor and what is still needed (accents
and case ignored), and groups by PPC or mentor by sorting on the group first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from sendobserve.model.panel import STATUS_ORDER, PanelRow, PanelStatus, Verdict, panel_row
from sendobserve.model.vocabulary import day_text, fold_name

Index = QModelIndex | QPersistentModelIndex

COL_NAME, COL_STATUS, COL_NEEDED, COL_LAST, COL_PPC, COL_MENTOR, COL_DUE = range(7)
HEADERS = ("Mediator", "Stage", "Still needed", "Last observation", "PPC", "Mentor",
           "Re-registration due")

ROLE_BASE = int(Qt.ItemDataRole.UserRole) + 1
MediatorIdRole = ROLE_BASE  # str(uuid)
StatusRole = ROLE_BASE + 1  # PanelStatus value
SortRole = ROLE_BASE + 2  # a key that sorts the column sensibly
SearchRole = ROLE_BASE + 3  # folded text the search box matches


class Group(IntEnum):
    NONE = 0
    PPC = 1
    MENTOR = 2


SYMBOL = {
    PanelStatus.IN_TRAINING: "◔",
    PanelStatus.READY: "✓",
    PanelStatus.ACCREDITED: "★",
    PanelStatus.PASSPORTED: "★",
    PanelStatus.DUE: "⚠",
    PanelStatus.LAPSED: "✗",
}
_TINT = {
    PanelStatus.READY: "#e3f4e1",
    PanelStatus.DUE: "#fff2cc",
    PanelStatus.LAPSED: "#fbe0e0",
}


def _day(value: date | None) -> str:
    return day_text(value) if value else "—"


@dataclass(frozen=True)
class PreparedRows:
    """Everything the model shows, made off the GUI thread: the rows, their folded names
    (for sorting) and search texts, already in the order shown. Folding and sorting 5,000
    rows takes a noticeable moment."""

    today: date
    rows: tuple[PanelRow, ...]
    names: tuple[str, ...]
    search: tuple[str, ...]
    fold: Callable[[str], str]
    sorted_by: tuple[int, Qt.SortOrder, Group] | None = None


def prepare_rows(verdicts: Iterable[Verdict], today: date, *,
                 sort: tuple[int, Qt.SortOrder, Group] | None = None) -> PreparedRows:
    """The rows of ``verdicts`` on ``today``, sorted as ``sort`` (column, order, group)
    says when given (as ``PanelTableModel.sort`` would, so the window need not)."""
    rows = tuple(panel_row(v, today) for v in verdicts)
    folds: dict[str, str] = {}  # PPCs, mentors and needs repeat: fold each once

    def fold(text: str) -> str:
        found = folds.get(text)
        if found is None:
            found = folds[text] = fold_name(text)
        return found

    names = tuple(fold(r.verdict.name) for r in rows)
    if sort is not None:
        order_of = sorted_order(rows, names, fold, *sort)
        rows = tuple(rows[i] for i in order_of)
        names = tuple(names[i] for i in order_of)
    search = tuple(
        " ".join((names[i], fold(r.verdict.ppc or ""), fold(r.verdict.mentor or ""),
                  fold(r.needed), r.status_text))
        for i, r in enumerate(rows))
    return PreparedRows(today, rows, names, search, fold, sort)


def group_name(r: PanelRow, group: Group) -> str:
    v = r.verdict
    name = v.ppc if group is Group.PPC else v.mentor if group is Group.MENTOR else ""
    return name or "(none)"


def sort_key(r: PanelRow, name: str, col: int, fold: Callable[[str], str]) -> Any:
    v = r.verdict
    if col == COL_STATUS:
        return (STATUS_ORDER[r.status], r.due_in_days or 0, name)
    if col == COL_LAST:
        return (v.last_observation or date.min, name)
    if col == COL_DUE:
        return (r.due_on or date.max, name)
    if col == COL_NAME:
        return (name, v.mediator_id.int)
    return (fold(cell_text(r, col)), name)


def sorted_order(rows: Sequence[PanelRow], names: Sequence[str], fold: Callable[[str], str],
                 column: int, order: Qt.SortOrder, group: Group) -> list[int]:
    """The rows' indexes in the order shown: by ``column``, then (stable) by group, the
    groups alphabetical whichever way the column sorts."""
    order_of = list(range(len(rows)))
    order_of.sort(key=lambda i: sort_key(rows[i], names[i], column, fold),
                  reverse=order == Qt.SortOrder.DescendingOrder)
    if group is not Group.NONE:
        order_of.sort(key=lambda i: fold(group_name(rows[i], group)))  # stable
    return order_of


def cell_text(r: PanelRow, col: int) -> str:
    v = r.verdict
    if col == COL_NAME:
        return v.name
    if col == COL_STATUS:
        return f"{SYMBOL[r.status]} {r.status_text}"
    if col == COL_NEEDED:
        return r.needed or "—"
    if col == COL_LAST:
        return _day(v.last_observation)
    if col == COL_PPC:
        return v.ppc or "—"
    if col == COL_MENTOR:
        return v.mentor or "—"
    if col == COL_DUE:
        return _day(r.due_on)
    return ""


class PanelTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PanelRow] = []
        self._names: list[str] = []
        self._search: list[str] = []
        self._fold: Callable[[str], str] = fold_name
        self._sorted_by: tuple[int, Qt.SortOrder, Group] | None = None
        self.today: date = date.today()

    def set_verdicts(self, verdicts: Iterable[Verdict], today: date) -> None:
        self.set_prepared(prepare_rows(verdicts, today))

    def set_prepared(self, prepared: PreparedRows) -> None:
        """Show rows made by ``prepare_rows`` (which may run on a worker thread)."""
        self.beginResetModel()
        self.today = prepared.today
        self._rows = list(prepared.rows)
        self._names = list(prepared.names)
        self._search = list(prepared.search)
        self._fold = prepared.fold
        self._sorted_by = prepared.sorted_by
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder,
             group: Group = Group.NONE) -> None:
        """Sort the rows themselves, in Python on precomputed keys: a proxy comparing
        through ``data()`` took seconds at 5,000 rows. Groups stay in alphabetical order
        whichever way the column sorts. Rows prepared in this order are left alone."""
        if not self._rows or self._sorted_by == (column, order, group):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        order_of = sorted_order(self._rows, self._names, self._fold, column, order, group)
        self._rows = [self._rows[i] for i in order_of]
        self._names = [self._names[i] for i in order_of]
        self._search = [self._search[i] for i in order_of]
        self._sorted_by = (column, order, group)
        new_row = {old: new for new, old in enumerate(order_of)}
        self.changePersistentIndexList(
            persistent,
            [self.index(new_row[i.row()], i.column()) if i.isValid() else i
             for i in persistent])
        self.layoutChanged.emit()

    def group_name(self, row: int, group: Group) -> str:
        return group_name(self._rows[row], group)

    def rows(self) -> list[PanelRow]:
        return list(self._rows)

    def row(self, row: int) -> PanelRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        v = r.verdict
        col = index.column()
        if role == MediatorIdRole:
            return str(v.mediator_id)
        if role == StatusRole:
            return r.status.value
        if role == SearchRole:
            return self._search[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == COL_NEEDED and r.needed:
                lines = v.renewal_needed if v.accredited_on else v.still_needed
                return "\n".join(lines)
            if col == COL_NAME:
                return self.row_sentence(index.row())
            return self._text(r, col)
        if role == SortRole:
            return repr(self._sort_key(index.row(), col))
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_STATUS and r.status in _TINT:
            return QColor(_TINT[r.status])
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS and r.status in _TINT:
            return QColor("#1a1a1a")  # readable on the tint in a dark theme too
        return None

    def _text(self, r: PanelRow, col: int) -> str:
        return cell_text(r, col)

    def _sort_key(self, row: int, col: int) -> Any:
        return sort_key(self._rows[row], self._names[row], col, self._fold)

    def row_sentence(self, row: int) -> str:
        """The whole row read aloud: who, stage, what is needed, who supports them."""
        r = self._rows[row]
        v = r.verdict
        parts = [v.name, r.status_text]
        if r.needed:
            parts.append(f"still needed: {r.needed}")
        if v.last_observation:
            parts.append(f"last observed {_day(v.last_observation)}")
        if v.ppc:
            parts.append(f"PPC {v.ppc}")
        if v.mentor:
            parts.append(f"mentor {v.mentor}")
        return "; ".join(parts)


class PanelFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._statuses: frozenset[PanelStatus] = frozenset()
        self._needle = ""
        self._group = Group.NONE
        self._column, self._order = COL_NAME, Qt.SortOrder.AscendingOrder

    def set_statuses(self, statuses: Iterable[PanelStatus]) -> None:
        self._refilter(lambda: setattr(self, "_statuses", frozenset(statuses)))

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_needle", fold_name(text.strip())))

    def _refilter(self, change: Callable[[], None]) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+: invalidateFilter is deprecated
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            change()
            self.invalidateFilter()

    def set_group(self, group: Group) -> None:
        self._group = group
        self.sort(self._column, self._order)

    @property
    def group(self) -> Group:
        return self._group

    def group_of(self, source_row: int) -> str:
        model = self.sourceModel()
        assert isinstance(model, PanelTableModel)
        return model.group_name(source_row, self._group)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The source model sorts itself (fast); this proxy only filters, in its order."""
        self._column, self._order = max(column, 0), order
        model = self.sourceModel()
        if isinstance(model, PanelTableModel):
            model.sort(self._column, order, self._group)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._statuses and not self._needle:
            return True  # called for every row on each reset: nothing else when unfiltered
        model = self.sourceModel()
        if not isinstance(model, PanelTableModel):
            return True
        r = model.row(source_row)
        if self._statuses and r.status not in self._statuses:
            return False
        if self._needle:
            folded = model.data(model.index(source_row, 0), SearchRole)
            return all(word in folded for word in self._needle.split())
        return True

    def mediator_id(self, proxy_row: int) -> uuid.UUID | None:
        if not 0 <= proxy_row < self.rowCount():
            return None
        value = self.data(self.index(proxy_row, 0), MediatorIdRole)
        return uuid.UUID(value) if value else None

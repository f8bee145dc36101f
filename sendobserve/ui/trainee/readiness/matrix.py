"""The readiness matrix as an item model: criteria down the side, observations across.

Rows, in the order of the forms: a heading row per form (its cells name each
observation: date, case, observer and role), a heading row per section, a heading row
per criterion with sub-items, then one row per tick item (a criterion, or a sub-item).
Headings are ordinary rows so the arrow keys walk straight down the matrix.

Columns: the criterion, its status over the whole period, then one column per
observation *slot*: the n-th counted observation on each form (Forms 1–3 are filled in
per case, so slot n is usually the n-th active case on every form, and the header then
names that case). Folding the three forms' observations into shared columns keeps the
matrix as narrow as the paper forms instead of two-thirds empty.

``ReadinessFilterProxy`` adds "gaps only" and a search box, and keeps the headings
above any row it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

from sendobserve.forms.definition import SECTION_TITLES, SectionKind
from sendobserve.model.domain import MarkState
from sendobserve.model.outcome import role_label
from sendobserve.model.readiness import (
    CriterionGroup,
    CriterionProgress,
    CriterionStatus,
    ObservationRef,
    ReadinessReport,
)
from sendobserve.model.vocabulary import day_text, fold_name
from sendobserve.ui.trainee.style import (
    GAP_GLYPH,
    GAP_WORD,
    GLYPH,
    WORD,
    gap_background,
    mark_colour,
)

Index = QModelIndex | QPersistentModelIndex

COL_CRITERION = 0
COL_STATUS = 1
FIRST_SLOT = 2

ROLE_BASE = int(Qt.ItemDataRole.UserRole) + 1
RowKindRole = ROLE_BASE  # RowKind
ItemIdRole = ROLE_BASE + 1  # tick item id (ITEM), criterion id (GROUP)
ObservationIdRole = ROLE_BASE + 2  # str(uuid) of the observation in this cell
MarkStateRole = ROLE_BASE + 3  # MarkState value of this cell
GapRole = ROLE_BASE + 4  # True on the row of a criterion never demonstrated
FormNumberRole = ROLE_BASE + 5


class RowKind(IntEnum):
    FORM = 0
    SECTION = 1
    GROUP = 2
    ITEM = 3


@dataclass(frozen=True, slots=True)
class _Row:
    kind: RowKind
    form_number: int
    text: str
    section: SectionKind | None = None
    item: CriterionProgress | None = None
    group: CriterionGroup | None = None


def _day(ref: ObservationRef) -> str:
    return day_text(ref.observed_on)


def _observer(ref: ObservationRef) -> str:
    if ref.observer_role is None:
        return ref.observer_name
    return f"{ref.observer_name}, {role_label(ref.observer_role)}"


class ReadinessTableModel(QAbstractTableModel):
    """Read-only; ``set_report`` replaces everything (a reset: a refresh is whole)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._report: ReadinessReport | None = None
        self._rows: list[_Row] = []
        self._slots: dict[int, list[ObservationRef]] = {}
        self._n_slots = 0
        self._case_no: dict[Any, int] = {}
        self._case_ref: dict[Any, str] = {}
        self._marks: dict[tuple[Any, str], tuple[MarkState, str]] = {}
        self.generation = 0  # bumped on every reset, so the proxy knows its cache is stale
        self._fonts: dict[tuple[bool, bool, float], QFont] = {}
        self._palette_key = -1
        self._colours: dict[MarkState, QColor] = {}
        self._gap_bg = QColor()

    # --- loading ------------------------------------------------------------------------
    def set_report(
        self, report: ReadinessReport | None, form_titles: dict[int, str] | None = None
    ) -> None:
        self.beginResetModel()
        self.generation += 1
        self._report = report
        self._rows = []
        self._slots = {}
        self._marks = {}
        self._case_no = {}
        self._case_ref = {}
        if report is not None:
            self._build(report, form_titles or {})
        self._n_slots = max((len(v) for v in self._slots.values()), default=0)
        self.endResetModel()

    def _build(self, report: ReadinessReport, titles: dict[int, str]) -> None:
        for n, case in enumerate(report.cases, start=1):
            self._case_no[case.case_id] = n
            self._case_ref[case.case_id] = case.reference
        seen: dict[Any, ObservationRef] = {}
        for case in report.cases:
            for ref in case.observations:
                seen[ref.observation_id] = ref
        for ref in sorted(
            seen.values(), key=lambda r: (r.observed_on, r.ordinal, str(r.observation_id))
        ):
            self._slots.setdefault(ref.form_number, []).append(ref)

        groups = {(g.form_number, g.id): g for g in report.criterion_groups}
        form = section = None
        group_id: str | None = None
        for c in report.criteria:
            if c.form_number != form:
                form, section, group_id = c.form_number, None, None
                title = titles.get(c.form_number, "")
                text = f"Form {c.form_number}" + (f" — {title}" if title else "")
                self._rows.append(_Row(RowKind.FORM, c.form_number, text))
            if c.section != section:
                section, group_id = c.section, None
                self._rows.append(
                    _Row(RowKind.SECTION, c.form_number, SECTION_TITLES[c.section], c.section)
                )
            if c.parent_text is not None and c.criterion_id != group_id:
                group_id = c.criterion_id
                self._rows.append(
                    _Row(
                        RowKind.GROUP,
                        c.form_number,
                        c.parent_text,
                        c.section,
                        group=groups.get((c.form_number, c.criterion_id)),
                    )
                )
            elif c.parent_text is None:
                group_id = None
            self._rows.append(_Row(RowKind.ITEM, c.form_number, c.text, c.section, item=c))
            for state, sightings in (
                (MarkState.DEMONSTRATED, c.demonstrated_in),
                (MarkState.DEVELOPMENT_NEEDED, c.development_needed),
                (MarkState.NOT_APPLICABLE, c.not_applicable_in),
            ):
                for s in sightings:
                    self._marks[(s.observation.observation_id, c.id)] = (state, s.note)

    # --- shape --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIRST_SLOT + self._n_slots

    @property
    def report(self) -> ReadinessReport | None:
        return self._report

    def row_kind(self, row: int) -> RowKind:
        return self._rows[row].kind

    def row_form(self, row: int) -> int:
        return self._rows[row].form_number

    def row_section(self, row: int) -> SectionKind | None:
        return self._rows[row].section

    def row_item(self, row: int) -> CriterionProgress | None:
        return self._rows[row].item

    def row_search_text(self, row: int) -> str:
        r = self._rows[row]
        parts = [r.text]
        if r.item is not None and r.item.parent_text:
            parts.append(r.item.parent_text)
        return fold_name(" ".join(parts))

    def slot_observation(self, form_number: int, column: int) -> ObservationRef | None:
        refs = self._slots.get(form_number, [])
        k = column - FIRST_SLOT
        return refs[k] if 0 <= k < len(refs) else None

    def case_label(self, ref: ObservationRef) -> str:
        return f"case {self._case_no.get(ref.case_id, '?')}"

    # --- cells --------------------------------------------------------------------------
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def open_target(self, index: Index) -> tuple[str, str] | None:
        """(observation id, criterion id) that Enter on this cell opens, or None."""
        if not index.isValid() or index.column() < FIRST_SLOT:
            return None
        row = self._rows[index.row()]
        ref = self.slot_observation(row.form_number, index.column())
        if ref is None:
            return None
        if row.kind is RowKind.ITEM and row.item is not None:
            return str(ref.observation_id), row.item.id
        if row.kind is RowKind.GROUP and row.group is not None:
            return str(ref.observation_id), row.group.id
        return str(ref.observation_id), ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == RowKindRole:
            return row.kind
        if role == FormNumberRole:
            return row.form_number
        if role == GapRole:
            return row.item is not None and not row.item.demonstrated
        if role == ItemIdRole:
            if row.item is not None:
                return row.item.id
            return row.group.id if row.group is not None else None
        value = self._side(row, col, role) if col < FIRST_SLOT else self._cell(row, col, role)
        if role == Qt.ItemDataRole.AccessibleTextRole and not value:
            # Every cell has a name: headings say what they head, blank cells say so.
            return row.text if col < FIRST_SLOT else "not observed"
        return value

    def _palette(self) -> QPalette:
        return QGuiApplication.palette()

    def _font(self, *, bold: bool = False, italic: bool = False, scale: float = 1.0) -> QFont:
        """Fonts are asked for thousands of times while painting: build each once."""
        key = (bold, italic, scale)
        font = self._fonts.get(key)
        if font is None:
            font = QFont()
            font.setBold(bold)
            font.setItalic(italic)
            if scale != 1.0:
                font.setPointSizeF(font.pointSizeF() * scale)
            self._fonts[key] = font
        return font

    def _colour(self, state: MarkState) -> QColor:
        palette = self._palette()
        if palette.cacheKey() != self._palette_key:
            self._palette_key = palette.cacheKey()
            self._colours = {s: mark_colour(s, palette) for s in MarkState}
            self._gap_bg = gap_background(palette)
        return self._colours[state]

    def _gap_background(self) -> QColor:
        self._colour(MarkState.DEMONSTRATED)  # refreshes the cache if the palette changed
        return self._gap_bg

    def _side(self, row: _Row, col: int, role: int) -> Any:
        item = row.item
        gap = item is not None and not item.demonstrated
        if role == Qt.ItemDataRole.FontRole:
            return self._font(
                bold=row.kind in (RowKind.FORM, RowKind.SECTION) or gap,
                italic=row.kind is RowKind.GROUP,
                scale=1.1 if row.kind is RowKind.FORM else 1.0,
            )
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.kind is RowKind.FORM:
                return self._palette().color(QPalette.ColorRole.AlternateBase)
            if gap:
                return self._gap_background()
        if col == COL_CRITERION:
            if role == Qt.ItemDataRole.DisplayRole:
                indent = "      " if item is not None and item.parent_text else ""
                return indent + row.text
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                return self._row_sentence(row)
            return None
        # COL_STATUS
        if role == Qt.ItemDataRole.DisplayRole:
            return self._status_text(row)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._row_sentence(row)
        if role == Qt.ItemDataRole.ForegroundRole and row.kind is RowKind.GROUP:
            return self._colour(MarkState.DEMONSTRATED)
        if role == Qt.ItemDataRole.ForegroundRole and item is not None:
            if item.demonstrated:
                return self._colour(MarkState.DEMONSTRATED)
            if item.status is CriterionStatus.DEVELOPMENT_NEEDED:
                return self._colour(MarkState.DEVELOPMENT_NEEDED)
        return None

    def _status_text(self, row: _Row) -> str:
        item = row.item
        if item is not None:
            if item.demonstrated:
                n = len(item.demonstrated_in)
                return f"{GLYPH[MarkState.DEMONSTRATED]} ×{n}" if n > 1 else GLYPH[
                    MarkState.DEMONSTRATED]
            if item.status is CriterionStatus.DEVELOPMENT_NEEDED:
                return f"{GAP_GLYPH} {GAP_WORD} {GLYPH[MarkState.DEVELOPMENT_NEEDED]}"
            return f"{GAP_GLYPH} {GAP_WORD}"
        if row.kind is RowKind.GROUP and row.group is not None:
            return GLYPH[MarkState.DEMONSTRATED] if row.group.demonstrated else ""
        if row.kind is RowKind.FORM:
            n = len(self._slots.get(row.form_number, []))
            return f"{n} obs." if n else "none yet"
        return ""

    def _row_sentence(self, row: _Row) -> str:
        if row.kind is RowKind.FORM:
            n = len(self._slots.get(row.form_number, []))
            return f"{row.text}: {n} counted observation{'s' if n != 1 else ''}"
        if row.kind is RowKind.SECTION:
            return f"Form {row.form_number}, {row.text}"
        if row.kind is RowKind.GROUP:
            done = row.group is not None and row.group.demonstrated
            return f"{row.text} (Form {row.form_number}): " + (
                "every part demonstrated" if done else "not every part demonstrated yet"
            )
        item = row.item
        assert item is not None
        where = f"{item.label} (Form {item.form_number})"
        if item.demonstrated:
            cases = ", ".join(
                f"{self.case_label(s.observation)} by {_observer(s.observation)}"
                for s in item.demonstrated_in
            )
            return f"{where}: demonstrated in {cases}"
        if item.status is CriterionStatus.DEVELOPMENT_NEEDED:
            return f"{where}: gap — never demonstrated; seen as development needed"
        if item.status is CriterionStatus.NOT_APPLICABLE:
            return f"{where}: gap — never demonstrated; only marked not applicable"
        return f"{where}: gap — never demonstrated"

    def _cell(self, row: _Row, col: int, role: int) -> Any:
        ref = self.slot_observation(row.form_number, col)
        if role == ObservationIdRole:
            return str(ref.observation_id) if ref is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if row.kind is RowKind.FORM:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignCenter)
        if row.kind is RowKind.FORM:
            return self._form_cell(row, ref, role)
        if row.kind is RowKind.SECTION:
            return None
        if row.kind is RowKind.GROUP:
            return self._group_cell(row, ref, role)
        item = row.item
        assert item is not None
        if ref is None:
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return f"{item.label}: no observation in this column on Form {row.form_number}"
            return None
        on_version = ref.form_version in item.versions
        state, note = self._marks.get(
            (ref.observation_id, item.id), (MarkState.NOT_YET_SEEN, "")
        )
        if role == MarkStateRole:
            return state.value if on_version else None
        if role == Qt.ItemDataRole.DisplayRole:
            if not on_version or state is MarkState.NOT_YET_SEEN:
                return ""
            return GLYPH[state]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(state)
        if role == Qt.ItemDataRole.FontRole:
            return self._font(bold=True, scale=1.25)
        if role == Qt.ItemDataRole.BackgroundRole and not item.demonstrated:
            return self._gap_background()
        where = f"{self.case_label(ref)} by {_observer(ref)}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if not on_version:
                return f"{item.label} — not on form version {ref.form_version} ({where})"
            return f"{item.label} — {WORD[state]} in {where}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return note
        if role == Qt.ItemDataRole.ToolTipRole:
            if not on_version:
                return f"Not on form version {ref.form_version}"
            head = (
                f"{WORD[state].capitalize()} — {_day(ref)}, {self.case_label(ref)}"
                f" ({self._case_ref.get(ref.case_id, '?')}), {_observer(ref)}"
            )
            return head + (f"\nNote: {note}" if note else "") + "\nEnter opens the observation"
        return None

    def _form_cell(self, row: _Row, ref: ObservationRef | None, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._palette().color(QPalette.ColorRole.AlternateBase)
        if ref is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{_day(ref)} · {self.case_label(ref)}\n{_observer(ref)}"
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            state = " (amended)" if ref.amended else ""
            return (
                f"Form {row.form_number} observation {ref.ordinal}{state}: {_day(ref)},"
                f" {self.case_label(ref)} ({self._case_ref.get(ref.case_id, '?')}),"
                f" observed by {_observer(ref)}"
            )
        return None

    def _group_cell(self, row: _Row, ref: ObservationRef | None, role: int) -> Any:
        if ref is None or row.group is None:
            return None
        whole = any(r.observation_id == ref.observation_id for r in row.group.demonstrated_in)
        if role == Qt.ItemDataRole.DisplayRole:
            return GLYPH[MarkState.DEMONSTRATED] if whole else ""
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(MarkState.DEMONSTRATED)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            what = "every part demonstrated" if whole else "not every part demonstrated"
            return f"{row.text} — {what} in {self.case_label(ref)} by {_observer(ref)}"
        return None

    # --- headers ------------------------------------------------------------------------
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return None
        if section == COL_CRITERION:
            return "Criterion" if role == Qt.ItemDataRole.DisplayRole else None
        if section == COL_STATUS:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Overall"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{GLYPH[MarkState.DEMONSTRATED]} demonstrated (×n: in n observations);" \
                    f" {GAP_GLYPH} gap: never demonstrated"
            return None
        refs = [
            refs[section - FIRST_SLOT]
            for refs in self._slots.values()
            if 0 <= section - FIRST_SLOT < len(refs)
        ]
        cases = {r.case_id for r in refs}
        if role == Qt.ItemDataRole.DisplayRole:
            if len(cases) == 1:
                ref = refs[0]
                case = next(c for c in self._report.cases if c.case_id == ref.case_id) if (
                    self._report) else None
                when = day_text(case.case_date) if case else _day(ref)
                return (
                    f"{self.case_label(ref).capitalize()}\n"
                    f"{self._case_ref.get(ref.case_id, '?')}\n{when}"
                )
            return f"Observation {section - FIRST_SLOT + 1}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(
                f"Form {r.form_number}: {_day(r)}, {self.case_label(r)}"
                f" ({self._case_ref.get(r.case_id, '?')}), {_observer(r)}"
                for r in sorted(refs, key=lambda r: r.form_number)
            )
        return None


class ReadinessFilterProxy(QSortFilterProxyModel):
    """"Gaps only" and a search box; a heading stays while any row under it is shown."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._gaps_only = False
        self._search = ""
        self._accepted: set[int] | None = None
        self._generation = -1

    @property
    def gaps_only(self) -> bool:
        return self._gaps_only

    def set_gaps_only(self, on: bool) -> None:
        if on != self._gaps_only:
            self._gaps_only = on
            self._refilter()

    def set_search(self, text: str) -> None:
        folded = fold_name(text)
        if folded != self._search:
            self._search = folded
            self._refilter()

    def _refilter(self) -> None:
        self.beginFilterChange()
        self._accepted = None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _source(self) -> ReadinessTableModel:
        model = self.sourceModel()
        assert isinstance(model, ReadinessTableModel)
        return model

    def _compute(self) -> set[int]:
        src = self._source()
        rows = range(src.rowCount())
        if not self._gaps_only and not self._search:
            return set(rows)
        keep: set[int] = set()
        form_row = section_row = group_row = -1
        for row in rows:
            kind = src.row_kind(row)
            if kind is RowKind.FORM:
                form_row, section_row, group_row = row, -1, -1
                continue
            if kind is RowKind.SECTION:
                section_row, group_row = row, -1
                continue
            if kind is RowKind.GROUP:
                group_row = row
                if self._search and self._search in src.row_search_text(row) and (
                    not self._gaps_only
                ):
                    keep.update(r for r in (form_row, section_row, row) if r >= 0)
                continue
            item = src.row_item(row)
            assert item is not None
            if item.parent_text is None:
                group_row = -1
            if self._gaps_only and item.demonstrated:
                continue
            if self._search and self._search not in src.row_search_text(row):
                continue
            keep.update(r for r in (form_row, section_row, group_row, row) if r >= 0)
        return keep

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        src = self._source()
        if self._accepted is None or self._generation != src.generation:
            self._accepted = self._compute()
            self._generation = src.generation
        return source_row in self._accepted

    def open_target(self, index: Index) -> tuple[str, str] | None:
        return self._source().open_target(self.mapToSource(index))

    def item_ids(self, *, gaps: bool | None = None) -> list[str]:
        """The tick item ids of the rows shown, top to bottom (for tests and summaries)."""
        out = []
        for r in range(self.rowCount()):
            idx = self.index(r, COL_CRITERION)
            if self.data(idx, RowKindRole) == RowKind.ITEM and (
                gaps is None or self.data(idx, GapRole) == gaps
            ):
                out.append(str(self.data(idx, ItemIdRole)))
        return out

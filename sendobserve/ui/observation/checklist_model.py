"""The checklist as a Qt item model: sections → criteria → sub-items, as the form defines.

A criterion with sub-items is a heading (the ticking rule in ``forms.definition``):
it is not ticked itself and shows a summary derived from its sub-items. Only
"tick items" (criteria without sub-items, and sub-items) carry a mark.

The model holds only committed marks: the page writes through the service first and
then calls ``apply_mark`` with what came back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from sendobserve.forms.definition import FormDefinition
from sendobserve.model.domain import Mark, MarkState
from sendobserve.ui.common.states import LOOKS

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class Role(IntEnum):
    # Enum values arrive through QVariant as their str values (StrEnum compares equal).
    STATE = Qt.ItemDataRole.UserRole + 1  # MarkState (derived for a heading), None for a section
    NOTE = Qt.ItemDataRole.UserRole + 2  # str
    ITEM_ID = Qt.ItemDataRole.UserRole + 3  # the tick item / criterion / section id
    KIND = Qt.ItemDataRole.UserRole + 4  # NodeKind
    TICKABLE = Qt.ItemDataRole.UserRole + 5  # bool
    SUMMARY = Qt.ItemDataRole.UserRole + 6  # "2 of 4 demonstrated" / "5 of 18 seen" / ""
    NOTES_PROMPT = Qt.ItemDataRole.UserRole + 7  # bool: a Form 3 de-brief topic


class NodeKind(StrEnum):
    SECTION = "section"
    CRITERION = "criterion"
    SUBITEM = "subitem"


@dataclass(eq=False)
class _Node:
    kind: NodeKind
    id: str
    text: str
    parent: _Node | None
    row: int
    notes_prompt: bool = False
    children: list[_Node] = field(default_factory=list)
    state: MarkState = MarkState.NOT_YET_SEEN
    note: str = ""

    @property
    def tickable(self) -> bool:
        return self.kind is not NodeKind.SECTION and not self.children


def derived_state(states: Iterable[MarkState]) -> MarkState:
    """A heading's state from its sub-items: demonstrated only when every one is."""
    seen = list(states)
    if seen and all(s is MarkState.DEMONSTRATED for s in seen):
        return MarkState.DEMONSTRATED
    if any(s is MarkState.DEVELOPMENT_NEEDED for s in seen):
        return MarkState.DEVELOPMENT_NEEDED
    if seen and all(s is MarkState.NOT_APPLICABLE for s in seen):
        return MarkState.NOT_APPLICABLE
    return MarkState.NOT_YET_SEEN


_CHANGED_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.AccessibleDescriptionRole,
    Role.STATE,
    Role.NOTE,
    Role.SUMMARY,
]


# What a heading or section shows that a tick below it can change.
_HEADING_ROLES = [
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.AccessibleDescriptionRole,
    Role.STATE,
    Role.SUMMARY,
]


class ChecklistModel(QAbstractItemModel):
    def __init__(self, form: FormDefinition, marks: Iterable[Mark] = (), parent: Any = None):
        super().__init__(parent)
        self._form = form
        self._read_only = False
        self._roots: list[_Node] = []
        self._items: dict[str, _Node] = {}
        for s_row, section in enumerate(form.sections):
            s_node = _Node(NodeKind.SECTION, section.kind.value, section.title, None, s_row)
            self._roots.append(s_node)
            for c_row, crit in enumerate(section.criteria):
                c_node = _Node(NodeKind.CRITERION, crit.id, crit.text, s_node, c_row,
                               notes_prompt=crit.notes_prompt)
                s_node.children.append(c_node)
                for i_row, sub in enumerate(crit.subitems):
                    sub_node = _Node(NodeKind.SUBITEM, sub.id, sub.text, c_node, i_row,
                                     notes_prompt=crit.notes_prompt)
                    c_node.children.append(sub_node)
                    self._items[sub.id] = sub_node
                if not crit.subitems:
                    self._items[crit.id] = c_node
        for mark in marks:
            node = self._items.get(mark.criterion_id)
            if node is not None:
                node.state, node.note = mark.state, mark.note
        # Kept up to date by apply_mark, so the progress line costs nothing per tick.
        self._seen = sum(1 for n in self._items.values() if n.state is not MarkState.NOT_YET_SEEN)

    # --- facts ----------------------------------------------------------------------
    @property
    def form(self) -> FormDefinition:
        return self._form

    @property
    def read_only(self) -> bool:
        return self._read_only

    def set_read_only(self, read_only: bool) -> None:
        if read_only != self._read_only:
            self._read_only = read_only
            for node in self._items.values():
                index = self.createIndex(node.row, 0, node)
                self.dataChanged.emit(index, index, [
                    Role.TICKABLE, Qt.ItemDataRole.AccessibleDescriptionRole,
                    Qt.ItemDataRole.ToolTipRole])

    def item_ids(self) -> list[str]:
        return list(self._items)

    def state_of(self, item_id: str) -> MarkState:
        return self._items[item_id].state

    def note_of(self, item_id: str) -> str:
        return self._items[item_id].note

    def progress(self) -> tuple[int, int]:
        """(seen, total) over tick items: anything but "not yet seen" counts as seen."""
        return self._seen, len(self._items)

    def progress_text(self) -> str:
        seen, total = self.progress()
        return f"{seen} of {total} seen"

    def not_seen(self) -> list[tuple[str, str]]:
        """(item id, readable text) of every tick item still not seen, in form order."""
        return [(item_id, self._full_text(node)) for item_id, node in self._items.items()
                if node.state is MarkState.NOT_YET_SEEN]

    def index_of(self, item_id: str) -> QModelIndex:
        node = self._items.get(item_id)
        if node is None:
            for n in self._walk():
                if n.id == item_id:
                    node = n
                    break
        if node is None:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def tick_indexes(self) -> list[QModelIndex]:
        return [self.createIndex(n.row, 0, n) for n in self._items.values()]

    # --- changes --------------------------------------------------------------------
    def apply_mark(self, mark: Mark) -> QModelIndex:
        """Show a committed mark: dataChanged for the item's one row, and for a heading or
        section above it only if what that shows (its derived state or its count) changed,
        so a tick repaints one row, not three. A note edit that keeps the state still
        re-announces the headings above, as it always did (rare, and not a tick)."""
        node = self._items.get(mark.criterion_id)
        if node is None:
            raise KeyError(f"{mark.criterion_id} is not a tick item of {self._form.form_id}")
        if node.state is mark.state and node.note == mark.note:
            return self.createIndex(node.row, 0, node)
        note_only = node.state is mark.state
        ancestors: list[tuple[_Node, tuple[MarkState | None, str]]] = []
        ancestor = node.parent
        while ancestor is not None:
            ancestors.append((ancestor, self._shown(ancestor)))
            ancestor = ancestor.parent
        self._seen += ((mark.state is not MarkState.NOT_YET_SEEN)
                       - (node.state is not MarkState.NOT_YET_SEEN))
        node.state, node.note = mark.state, mark.note
        index = self.createIndex(node.row, 0, node)
        self.dataChanged.emit(index, index, _CHANGED_ROLES)
        for ancestor, before in ancestors:
            if note_only or self._shown(ancestor) != before:
                a_index = self.createIndex(ancestor.row, 0, ancestor)
                self.dataChanged.emit(a_index, a_index, _HEADING_ROLES)
        return index

    # --- QAbstractItemModel -----------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        siblings = self._children(parent)
        if row >= len(siblings):
            return QModelIndex()
        return self.createIndex(row, 0, siblings[row])

    def parent(self, child: Index | None = None) -> Any:
        if child is None:  # QObject.parent(): the overload PySide also routes here
            return super().parent()
        if not child.isValid():
            return QModelIndex()
        node: _Node = child.internalPointer()
        if node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: _Node = index.internalPointer()
        if role == Qt.ItemDataRole.DisplayRole:
            return node.text
        if role == Role.KIND:
            return node.kind
        if role == Role.ITEM_ID:
            return node.id
        if role == Role.TICKABLE:
            return node.tickable and not self._read_only
        if role == Role.NOTES_PROMPT:
            return node.notes_prompt
        if role == Role.NOTE:
            return node.note
        if role == Role.STATE:
            return self._state(node)
        if role == Role.SUMMARY:
            return self._summary(node)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._accessible_text(node)
        if role in (Qt.ItemDataRole.AccessibleDescriptionRole, Qt.ItemDataRole.ToolTipRole):
            return self._accessible_description(node)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return f"Form {self._form.number}: {self._form.title}"
        return None

    # --- helpers ----------------------------------------------------------------------
    def _children(self, parent: Index) -> list[_Node]:
        if not parent.isValid():
            return self._roots
        node: _Node = parent.internalPointer()
        return node.children

    def _walk(self) -> Iterator[_Node]:
        stack = list(reversed(self._roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def _leaves(self, node: _Node) -> list[_Node]:
        if node.tickable:
            return [node]
        return [leaf for child in node.children for leaf in self._leaves(child)]

    def _state(self, node: _Node) -> MarkState | None:
        if node.kind is NodeKind.SECTION:
            return None
        if node.tickable:
            return node.state
        return derived_state(child.state for child in node.children)

    def _shown(self, node: _Node) -> tuple[MarkState | None, str]:
        """Everything a heading's or section's row derives from the marks below it."""
        return self._state(node), self._summary(node)

    def _summary(self, node: _Node) -> str:
        if node.tickable:
            return ""
        leaves = self._leaves(node)
        if node.kind is NodeKind.SECTION:
            seen = sum(1 for n in leaves if n.state is not MarkState.NOT_YET_SEEN)
            return f"{seen} of {len(leaves)} seen"
        shown = sum(1 for n in leaves if n.state is MarkState.DEMONSTRATED)
        return f"{shown} of {len(leaves)} demonstrated"

    def _full_text(self, node: _Node) -> str:
        if node.kind is NodeKind.SUBITEM and node.parent is not None:
            return f"{node.parent.text.rstrip(':')}: {node.text.lstrip('- ')}"
        return node.text

    def _accessible_text(self, node: _Node) -> str:
        if node.kind is NodeKind.SECTION:
            return f"Section {node.text}, {self._summary(node)}"
        state = self._state(node)
        word = LOOKS[state].word if state is not None else ""
        if node.tickable:
            text = f"{self._full_text(node)}: {word}"
            return f"{text}. Note: {node.note}" if node.note else text
        return f"{node.text.rstrip(':')}: {word}, {self._summary(node)}"

    def _accessible_description(self, node: _Node) -> str:
        if node.kind is NodeKind.SECTION:
            return f"{node.text}: {self._summary(node)}"
        if not node.tickable:
            return "A heading: mark each of the parts below it."
        if self._read_only:
            return "Finalised: read only. Use Amend to correct it."
        return ("Space or 1: demonstrated. 2: development needed. 3: not applicable. "
                "Backspace: not yet seen. Enter: note.")

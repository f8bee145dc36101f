"""The checklist on screen: a keyboard-first tree with big touch targets.

Keys (on the current row): Space or 1 demonstrated, 2 development needed, 3 not
applicable, Backspace clear; arrows and J/K move (J/K skip headings); Enter edits the
note. Each tick row also has three ≥ 44 px buttons (✓ △ –) for mouse, pen and finger;
tapping the button of the state already set clears it. The view only *asks* for a
change (``markRequested``); the page commits it and the model then shows it.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QScroller,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from sendobserve.model.domain import MarkState
from sendobserve.ui.checklist_model import NodeKind, Role
from sendobserve.ui.states import LOOKS, state_colour, state_label

MIN_ROW = 44  # logical pixels: a finger-sized target at 100 %, scaled by Qt above that
BUTTON = 40  # the same in every row, so the columns line up
STATE_COLUMN = 190
PAD = 8
BUTTON_STATES = (MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED, MarkState.NOT_APPLICABLE)

_KEY_STATES = {
    Qt.Key.Key_Space: MarkState.DEMONSTRATED,
    Qt.Key.Key_1: MarkState.DEMONSTRATED,
    Qt.Key.Key_2: MarkState.DEVELOPMENT_NEEDED,
    Qt.Key.Key_3: MarkState.NOT_APPLICABLE,
    Qt.Key.Key_Backspace: MarkState.NOT_YET_SEEN,
    Qt.Key.Key_Delete: MarkState.NOT_YET_SEEN,
}


def button_rects(row: QRect) -> dict[MarkState, QRect]:
    """Where the three state buttons sit in a tick row (shared by painting and hit-testing)."""
    size = BUTTON
    top = row.top() + (row.height() - size) // 2
    right = row.right() - PAD
    rects: dict[MarkState, QRect] = {}
    for state in reversed(BUTTON_STATES):
        rects[state] = QRect(right - size + 1, top, size, size)
        right -= size + 4
    return rects


def _is_heading(index: QModelIndex | QPersistentModelIndex) -> bool:
    """A section, or a criterion whose sub-items carry the marks."""
    return index.data(Role.KIND) == NodeKind.SECTION or index.model().rowCount(index) > 0


class ChecklistDelegate(QStyledItemDelegate):
    def __init__(self, view: ChecklistView):
        super().__init__(view)
        self._view = view

    def _text_rect(self, rect: QRect, has_state: bool) -> QRect:
        """Rows with a state keep the state and button columns (drawn or not) aligned."""
        right = rect.right() - PAD
        if has_state:
            right -= 3 * (BUTTON + 4) + STATE_COLUMN
        return QRect(rect.left() + PAD, rect.top(), max(40, right - rect.left() - PAD),
                     rect.height())

    def _fonts(self, base: QFont) -> tuple[QFont, QFont, QFont]:
        heading = QFont(base)
        heading.setBold(True)
        heading.setPointSizeF(base.pointSizeF() * 1.1)
        note = QFont(base)
        note.setItalic(True)
        return base, heading, note

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        width = self._view.viewport().width() - self._view.indentation() * self._depth(index)
        kind = index.data(Role.KIND)
        body, heading, note_font = self._fonts(option.font)
        font = heading if _is_heading(index) else body
        rect = self._text_rect(QRect(0, 0, max(width, 200), 1000), kind != NodeKind.SECTION)
        flags = int(Qt.TextFlag.TextWordWrap)
        height = QFontMetrics(font).boundingRect(rect, flags, index.data()).height()
        note = index.data(Role.NOTE)
        if note:
            height += QFontMetrics(note_font).boundingRect(rect, flags, note).height() + 2
        return QSize(width, max(MIN_ROW, height + 2 * PAD))

    def _depth(self, index: QModelIndex | QPersistentModelIndex) -> int:
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        return depth

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        palette: QPalette = option.palette
        rect = QRect(option.rect)
        kind = index.data(Role.KIND)
        tickable = bool(index.data(Role.TICKABLE))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.Text
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
            text_role = QPalette.ColorRole.HighlightedText
        elif kind == NodeKind.SECTION:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        body, heading, note_font = self._fonts(option.font)
        has_state = kind != NodeKind.SECTION
        text_rect = self._text_rect(rect, has_state).adjusted(0, PAD, 0, -PAD)
        painter.setPen(palette.color(text_role))
        painter.setFont(heading if _is_heading(index) else body)
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft)
        note = index.data(Role.NOTE)
        if not note:
            flags |= int(Qt.AlignmentFlag.AlignVCenter)
        used = painter.boundingRect(text_rect, flags, index.data())
        painter.drawText(text_rect, flags, index.data())
        if note:
            painter.setFont(note_font)
            note_rect = QRect(text_rect.left(), used.bottom() + 2, text_rect.width(),
                              text_rect.bottom() - used.bottom())
            painter.drawText(note_rect, int(Qt.TextFlag.TextWordWrap), f"Note: {note}")
        painter.setFont(body)
        summary = index.data(Role.SUMMARY) or ""
        if has_state:
            state = MarkState(index.data(Role.STATE))
            state_rect = QRect(text_rect.right() + PAD, rect.top(), STATE_COLUMN - PAD,
                               rect.height())
            colour = palette.color(text_role) if selected else state_colour(state, palette)
            painter.setPen(colour)
            bold = QFont(body)
            bold.setBold(state is not MarkState.NOT_YET_SEEN)
            painter.setFont(bold)
            label = state_label(state)
            if summary:
                label = f"{label}\n{summary}"
            painter.drawText(state_rect, int(Qt.AlignmentFlag.AlignVCenter
                                             | Qt.TextFlag.TextWordWrap), label)
        elif summary:
            painter.setPen(palette.color(text_role))
            painter.drawText(rect.adjusted(0, 0, -PAD, 0),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             summary)
        if tickable:
            current = MarkState(index.data(Role.STATE))
            for state, button in button_rects(rect).items():
                self._paint_button(painter, palette, button, state, state is current)
        if option.state & QStyle.StateFlag.State_HasFocus and self._view.hasFocus():
            pen = QPen(palette.color(QPalette.ColorRole.Highlight if not selected
                                     else QPalette.ColorRole.HighlightedText), 3)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.restore()

    def _paint_button(self, painter: QPainter, palette: QPalette, rect: QRect,
                      state: MarkState, on: bool) -> None:
        colour = state_colour(state, palette)
        painter.setPen(QPen(colour, 2))
        painter.setBrush(colour if on else palette.color(QPalette.ColorRole.Button))
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
        glyph_font = QFont(painter.font())
        glyph_font.setPointSizeF(glyph_font.pointSizeF() * 1.4)
        glyph_font.setBold(True)
        painter.setFont(glyph_font)
        painter.setPen(palette.color(QPalette.ColorRole.Base) if on else colour)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), LOOKS[state].glyph)


class ChecklistView(QTreeView):
    markRequested = Signal(str, str)  # item id, MarkState value
    noteRequested = Signal(str)  # item id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setExpandsOnDoubleClick(False)
        self.setUniformRowHeights(False)
        self.setIndentation(28)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setWordWrap(True)
        self.setItemDelegate(ChecklistDelegate(self))
        self.setAccessibleName("Checklist")
        # A tick moves on to the next item (one key per criterion); the setting can stop it.
        self.advance_after_tick = True
        self.setAccessibleDescription(
            "Space or 1: demonstrated. 2: development needed. 3: not applicable. "
            "Backspace: not yet seen. J and K: next and previous item. Enter: note.")
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.TouchGesture)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self.expandAll()
        if model is not None:
            self.setCurrentIndex(self.moveToTick(QModelIndex(), +1))

    def drawBranches(self, painter: QPainter, rect: QRect,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        """No expand arrows: every heading is always open."""

    def resizeEvent(self, event: object) -> None:  # wrapped text changes row heights
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.scheduleDelayedItemsLayout()

    def current_item_id(self) -> str | None:
        index = self.currentIndex()
        return index.data(Role.ITEM_ID) if index.isValid() else None

    def select_item(self, item_id: str) -> None:
        model = self.model()
        index = model.index_of(item_id)  # type: ignore[attr-defined]
        if index.isValid():
            self.setCurrentIndex(index)
            self.scrollTo(index)

    def moveToTick(self, start: QModelIndex, step: int) -> QModelIndex:
        """The next (step=+1) or previous (-1) tick row after ``start``; ``start`` if none."""
        def step_from(index: QModelIndex) -> QModelIndex:
            return self.indexBelow(index) if step > 0 else self.indexAbove(index)

        index = step_from(start) if start.isValid() else self.model().index(0, 0)
        while index.isValid():
            if index.data(Role.KIND) != NodeKind.SECTION and self.model().rowCount(index) == 0:
                return index
            index = step_from(index)
        return start

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            if key in _KEY_STATES:
                self._request(_KEY_STATES[key])
                return
            if key in (Qt.Key.Key_J, Qt.Key.Key_K):
                target = self.moveToTick(self.currentIndex(), +1 if key == Qt.Key.Key_J else -1)
                if target.isValid():
                    self.setCurrentIndex(target)
                    self.scrollTo(target)
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item_id = self.current_item_id()
                if item_id and self.currentIndex().data(Role.TICKABLE):
                    self.noteRequested.emit(item_id)
                return
        super().keyPressEvent(event)

    def _request(self, state: MarkState) -> None:
        index = self.currentIndex()
        if index.isValid() and index.data(Role.TICKABLE):
            self.markRequested.emit(index.data(Role.ITEM_ID), state.value)
            ticked = MarkState(index.data(Role.STATE)) is state  # committed and shown
            if (self.advance_after_tick and ticked and state is not MarkState.NOT_YET_SEEN
                    and self.currentIndex() == index):
                target = self.moveToTick(index, +1)
                if target != index:
                    self.setCurrentIndex(target)
                    self.scrollTo(target)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and index.data(Role.TICKABLE):
            for state, rect in button_rects(self.visualRect(index)).items():
                if rect.contains(event.position().toPoint()):
                    self.setCurrentIndex(index)
                    current = MarkState(index.data(Role.STATE))
                    chosen = MarkState.NOT_YET_SEEN if state is current else state
                    self.markRequested.emit(index.data(Role.ITEM_ID), chosen.value)
                    event.accept()
                    return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and index.data(Role.TICKABLE):
            self.setCurrentIndex(index)
            self.noteRequested.emit(index.data(Role.ITEM_ID))
            return
        super().mouseDoubleClickEvent(event)

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
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
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
from sendobserve.ui.common.states import LOOKS, state_colour, state_label
from sendobserve.ui.observation.checklist_model import NodeKind, Role

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


class _Fonts:
    """The fonts a row is painted with, made once per base font (not on every paint)."""

    def __init__(self, base: QFont) -> None:
        self.body = QFont(base)
        self.heading = QFont(base)
        self.heading.setBold(True)
        self.heading.setPointSizeF(base.pointSizeF() * 1.1)
        self.note = QFont(base)
        self.note.setItalic(True)
        self.state = QFont(base)
        self.state.setBold(True)
        # The buttons' glyphs as they have always been drawn: each button's font was made
        # from the one before it, so the sizes step up 1.4x from the right (– △ ✓).
        self.glyphs: dict[MarkState, QFont] = {}
        size = base.pointSizeF()
        for state in reversed(BUTTON_STATES):
            size *= 1.4
            glyph = QFont(base)
            glyph.setPointSizeF(size)
            glyph.setBold(True)
            self.glyphs[state] = glyph


class ChecklistDelegate(QStyledItemDelegate):
    def __init__(self, view: ChecklistView):
        super().__init__(view)
        self._view = view
        self._fonts_by_key: dict[str, _Fonts] = {}
        # Row heights depend only on the text, the note, the width and the font: a tick
        # (a state change) asks again for the row's size and gets it from here.
        self._heights: dict[tuple[str, str, int, bool, str], int] = {}
        self._buttons: dict[tuple[int, str, MarkState, bool, float], QPixmap] = {}

    def _text_rect(self, rect: QRect, has_state: bool) -> QRect:
        """Rows with a state keep the state and button columns (drawn or not) aligned."""
        right = rect.right() - PAD
        if has_state:
            right -= 3 * (BUTTON + 4) + STATE_COLUMN
        return QRect(rect.left() + PAD, rect.top(), max(40, right - rect.left() - PAD),
                     rect.height())

    def _fonts(self, base: QFont) -> _Fonts:
        key = base.key()
        fonts = self._fonts_by_key.get(key)
        if fonts is None:
            fonts = self._fonts_by_key[key] = _Fonts(base)
        return fonts

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        width = self._view.viewport().width() - self._view.indentation() * self._depth(index)
        kind = index.data(Role.KIND)
        heading = _is_heading(index)
        text, note = index.data(), index.data(Role.NOTE) or ""
        key = (text, note, width, heading, option.font.key())
        height = self._heights.get(key)
        if height is None:
            fonts = self._fonts(option.font)
            font = fonts.heading if heading else fonts.body
            rect = self._text_rect(QRect(0, 0, max(width, 200), 1000),
                                   kind != NodeKind.SECTION)
            flags = int(Qt.TextFlag.TextWordWrap)
            height = QFontMetrics(font).boundingRect(rect, flags, text).height()
            if note:
                height += QFontMetrics(fonts.note).boundingRect(rect, flags, note).height() + 2
            if len(self._heights) > 4096:
                self._heights.clear()
            self._heights[key] = height
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
        text = index.data()
        tickable = bool(index.data(Role.TICKABLE))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.Text
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
            text_role = QPalette.ColorRole.HighlightedText
        elif kind == NodeKind.SECTION:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        fonts = self._fonts(option.font)
        has_state = kind != NodeKind.SECTION
        heading = kind == NodeKind.SECTION or index.model().rowCount(index) > 0
        text_rect = self._text_rect(rect, has_state).adjusted(0, PAD, 0, -PAD)
        painter.setPen(palette.color(text_role))
        painter.setFont(fonts.heading if heading else fonts.body)
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft)
        note = index.data(Role.NOTE)
        if note:
            used = painter.boundingRect(text_rect, flags, text)
            painter.drawText(text_rect, flags, text)
            painter.setFont(fonts.note)
            note_rect = QRect(text_rect.left(), used.bottom() + 2, text_rect.width(),
                              text_rect.bottom() - used.bottom())
            painter.drawText(note_rect, int(Qt.TextFlag.TextWordWrap), f"Note: {note}")
        else:
            painter.drawText(text_rect, flags | int(Qt.AlignmentFlag.AlignVCenter), text)
        summary = index.data(Role.SUMMARY) or ""
        state = MarkState(index.data(Role.STATE)) if has_state else None
        if state is not None:
            state_rect = QRect(text_rect.right() + PAD, rect.top(), STATE_COLUMN - PAD,
                               rect.height())
            colour = palette.color(text_role) if selected else state_colour(state, palette)
            painter.setPen(colour)
            painter.setFont(fonts.body if state is MarkState.NOT_YET_SEEN else fonts.state)
            label = state_label(state)
            if summary:
                label = f"{label}\n{summary}"
            painter.drawText(state_rect, int(Qt.AlignmentFlag.AlignVCenter
                                             | Qt.TextFlag.TextWordWrap), label)
        elif summary:
            painter.setFont(fonts.body)
            painter.setPen(palette.color(text_role))
            painter.drawText(rect.adjusted(0, 0, -PAD, 0),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             summary)
        if tickable and state is not None:
            ratio = painter.device().devicePixelRatioF()
            for button_state, button in button_rects(rect).items():
                painter.drawPixmap(button.topLeft(), self._button(
                    palette, fonts, button_state, button_state is state, ratio))
        if option.state & QStyle.StateFlag.State_HasFocus and self._view.hasFocus():
            pen = QPen(palette.color(QPalette.ColorRole.Highlight if not selected
                                     else QPalette.ColorRole.HighlightedText), 3)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.restore()

    def _button(self, palette: QPalette, fonts: _Fonts, state: MarkState, on: bool,
                ratio: float) -> QPixmap:
        """One state button, drawn once per look and kept: a repaint copies it instead of
        filling a rounded rectangle and laying out a glyph for each of three buttons."""
        key = (palette.cacheKey(), fonts.body.key(), state, on, ratio)
        pixmap = self._buttons.get(key)
        if pixmap is None:
            if len(self._buttons) > 256:
                self._buttons.clear()
            pixmap = QPixmap(round(BUTTON * ratio), round(BUTTON * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setFont(fonts.glyphs[state])
            self._paint_button(painter, palette, QRect(0, 0, BUTTON, BUTTON), state, on)
            painter.end()
            self._buttons[key] = pixmap
        return pixmap

    def _paint_button(self, painter: QPainter, palette: QPalette, rect: QRect,
                      state: MarkState, on: bool) -> None:
        """One state button; the painter's font is already the glyph font."""
        colour = state_colour(state, palette)
        painter.setPen(QPen(colour, 2))
        painter.setBrush(colour if on else palette.color(QPalette.ColorRole.Button))
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
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

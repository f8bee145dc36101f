"""A pad to draw a signature with a mouse, a pen (tablet events, with pressure) or a finger.

Strokes are kept as point lists so that "Undo stroke" and "Clear" are exact; the
signature is exported as PNG bytes cropped to what was drawn.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

Stroke = list[tuple[QPointF, float]]  # (point, width)


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._strokes: list[Stroke] = []
        self._undone: list[Stroke] = []  # for "redo stroke"; emptied by a new stroke
        self._drawing: Stroke | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(120)
        self.setAccessibleName("Signature pad")
        self.setAccessibleDescription(
            "Draw your signature with a mouse, pen or finger. Ctrl+Z removes the last stroke, "
            "Ctrl+Shift+Z puts it back; Delete clears. Your typed name below signs too.")

    def sizeHint(self) -> QSize:
        return QSize(480, 140)

    # --- API --------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self._strokes

    def stroke_count(self) -> int:
        return len(self._strokes)

    def clear(self) -> None:
        self._undone.extend(reversed(self._strokes))  # redo brings the first stroke back first
        self._strokes.clear()
        self._drawing = None
        self.update()
        self.changed.emit()

    def undo_stroke(self) -> None:
        if self._strokes:
            self._undone.append(self._strokes.pop())
            self.update()
            self.changed.emit()

    def redo_stroke(self) -> None:
        if self._undone:
            self._strokes.append(self._undone.pop())
            self.update()
            self.changed.emit()

    def add_stroke(self, points: list[QPointF], width: float = 2.5) -> None:
        """Add a whole stroke (used by tests and by keyboard-only users' "Sign with name")."""
        if len(points) > 1:
            self._strokes.append([(p, width) for p in points])
            self._undone.clear()
            self.update()
            self.changed.emit()

    def to_png(self) -> bytes | None:
        """The drawing in black on transparent, cropped with a margin; None when empty."""
        if not self._strokes:
            return None
        bounds = QRectF()
        for stroke in self._strokes:
            for point, _w in stroke:
                bounds = bounds.united(QRectF(point, point).adjusted(-4, -4, 4, 4))
        image = QImage(bounds.size().toSize() + QSize(1, 1), QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.translate(-bounds.topLeft())
        self._paint_strokes(painter, QColor("black"))
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes; str works
        return bytes(data.data())

    # --- input ------------------------------------------------------------------------
    def _begin(self, point: QPointF, width: float) -> None:
        self._undone.clear()
        self._drawing = [(point, width)]
        self._strokes.append(self._drawing)

    def _extend(self, point: QPointF, width: float) -> None:
        if self._drawing is not None:
            self._drawing.append((point, width))
            self.update()

    def _end(self) -> None:
        if self._drawing is not None:
            if len(self._drawing) < 2:  # a dot: keep it visible as a tiny stroke
                p, w = self._drawing[0]
                self._drawing.append((p + QPointF(0.5, 0.5), w))
            self._drawing = None
            self.update()
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), 2.5)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position(), 2.5)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        width = 1.0 + 3.0 * max(0.1, event.pressure())
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position(), width)
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position(), width)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()  # no synthesised mouse events: the pen draws once

    def event(self, event: object) -> bool:
        if isinstance(event, QTouchEvent):
            points = event.points()
            if points:
                pos = points[0].position()
                kind = event.type()
                if kind == QTouchEvent.Type.TouchBegin:
                    self._begin(pos, 3.0)
                elif kind == QTouchEvent.Type.TouchUpdate:
                    self._extend(pos, 3.0)
                else:
                    self._end()
            event.accept()
            return True
        return super().event(event)  # type: ignore[arg-type]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (event.key() == Qt.Key.Key_Z
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.redo_stroke()
            else:
                self.undo_stroke()
            return
        if event.key() == Qt.Key.Key_Delete:
            self.clear()
            return
        super().keyPressEvent(event)

    # --- painting ---------------------------------------------------------------------
    def _paint_strokes(self, painter: QPainter, colour: QColor) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self._strokes:
            for (a, wa), (b, _wb) in itertools.pairwise(stroke):
                pen = QPen(colour, wa, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                           Qt.PenJoinStyle.RoundJoin)
                painter.setPen(pen)
                painter.drawLine(a, b)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        focus = self.hasFocus()
        border = QPen(palette.color(QPalette.ColorRole.Highlight if focus
                                    else QPalette.ColorRole.Mid), 3 if focus else 1)
        painter.setPen(border)
        painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        baseline = self.height() - 36
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine))
        painter.drawLine(16, baseline, self.width() - 16, baseline)
        if not self._strokes:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(16, baseline + 4, self.width() - 32, 28),
                             int(Qt.AlignmentFlag.AlignLeft), "Sign above the line")
        self._paint_strokes(painter, palette.color(QPalette.ColorRole.Text))
        painter.end()

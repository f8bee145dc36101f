"""A visible focus ring on every focusable control, whatever the style draws (or not).

Some styles show no focus at all on a scroll area or a plain-text editor, and a faint one
(1.75:1) on check boxes and tabs. One ring, drawn 2 px wide just outside the control that
has the keyboard focus, in ``palette.focus_colour`` (at least 3:1 against the window),
follows the focus across the application.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QFocusFrame, QWidget

from sendobserve.ui.common.palette import focus_colour

WIDTH = 2


class FocusRing(QFocusFrame):
    """A transparent overlay that draws the ring; it never takes the mouse or the focus.

    A ``QFocusFrame`` (placed and painted here, not through ``setWidget``) because Qt leaves
    focus frames out of the accessibility tree: the ring is decoration, and a hidden one
    must not be listed to a screen reader (nor show up behind the lock)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("")
        self.target: QWidget | None = None

    def follow(self, widget: QWidget | None) -> None:
        if self.target is not None and shiboken6.isValid(self.target):
            self.target.removeEventFilter(self)
        self.target = None
        parent = widget.parentWidget() if widget is not None else None
        if widget is None or parent is None or widget.isWindow():
            self.hide()
            return
        self.target = widget
        widget.installEventFilter(self)
        self.setParent(parent)
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        if self.target is None or not shiboken6.isValid(self.target):
            return
        rect = self.target.geometry().adjusted(-WIDTH - 1, -WIDTH - 1, WIDTH + 1, WIDTH + 1)
        self.setGeometry(rect)

    def eventFilter(self, watched: QObject, event: object) -> bool:
        from PySide6.QtCore import QEvent

        if watched is self.target and isinstance(event, QEvent):
            if event.type() in (QEvent.Type.Move, QEvent.Type.Resize):
                self._place()
            elif event.type() == QEvent.Type.Hide:
                self.hide()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pen = QPen(focus_colour(self.palette()), WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        inner = QRect(self.rect()).adjusted(WIDTH // 2, WIDTH // 2, -(WIDTH + 1) // 2,
                                            -(WIDTH + 1) // 2)
        painter.drawRect(inner)
        painter.end()


_ring: FocusRing | None = None


def _follow(_old: QWidget | None, new: QWidget | None) -> None:
    global _ring
    # The ring lives inside the focused control's parent: it goes when that page does.
    if _ring is None or not shiboken6.isValid(_ring):
        _ring = FocusRing()
    if new is not None and not shiboken6.isValid(new):
        new = None
    _ring.follow(new)


def install_focus_ring(app: QApplication) -> None:
    """Show the ring around whatever has the keyboard focus, from now on."""
    if not getattr(app, "_focus_ring_installed", False):
        app.focusChanged.connect(_follow)
        app._focus_ring_installed = True  # type: ignore[attr-defined]


def current_ring() -> FocusRing | None:
    return _ring if _ring is not None and shiboken6.isValid(_ring) else None

"""Window sizes: a sensible first size for the screen, then each window's own geometry
remembered (QSettings, per user: sizes and positions only, never personal data)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def first_size(widget: QWidget, wanted: QSize, share: float = 0.9) -> QSize:
    """``wanted``, shrunk to ``share`` of the screen's available area (so a 900 px preview
    still fits a 1280×800 laptop, title bar and task bar included)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return wanted
    room = screen.availableGeometry().size()
    return QSize(min(wanted.width(), int(room.width() * share)),
                 min(wanted.height(), int(room.height() * share)))


class _Keeper(QObject):
    def __init__(self, widget: QWidget, key: str) -> None:
        super().__init__(widget)
        self.key = key

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget) and event.type() in (QEvent.Type.Close,
                                                              QEvent.Type.Hide):
            QSettings().setValue(self.key, watched.saveGeometry())
        return False


def remember_geometry(widget: QWidget, name: str, wanted: QSize) -> None:
    """Restore ``widget``'s last geometry (by ``name``), else size it for the screen;
    save it whenever the window closes or hides."""
    key = f"geometry/{name}"
    saved = QSettings().value(key)
    restored = isinstance(saved, QByteArray | bytes) and widget.restoreGeometry(
        QByteArray(saved))
    if not restored:
        widget.resize(first_size(widget, wanted))
    widget.installEventFilter(_Keeper(widget, key))

"""Locking: Ctrl+L or an idle timeout hides everything until the passphrase is given.

Nothing typed is discarded: pending de-brief text is saved before the screen locks; the
pages are taken out of the window (and so out of the accessibility tree, not merely
covered) and put back as they were; dialogs and preview windows opened with ``open()``
or ``show()`` are hidden, their native windows released so assistive technology no longer
lists them, and shown again after unlocking. A dialog running its own event loop
(``exec()``: a file chooser, a yes/no question) is cancelled by hiding it.
"""

from __future__ import annotations

import contextlib

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMenu,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from sendobserve.ui.common.a11y import LiveLabel
from sendobserve.ui.common.secret_field import PasswordField

_ACTIVITY = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TabletPress, QEvent.Type.TabletMove,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
}


LOCK_KEYS = QKeySequence("Ctrl+L")


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without keyboard, mouse, pen or touch input, and
    ``lockKey`` on Ctrl+L wherever the focus is (a QShortcut would not fire while a
    window-modal dialog, such as the note editor, has the focus)."""

    idle = Signal()
    lockKey = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.set_interval_ms(minutes * 60_000)

    def set_interval_ms(self, msecs: int) -> None:
        self._timer.stop()
        self._timer.setInterval(max(0, msecs))
        if msecs > 0:
            self._timer.start()

    def interval_ms(self) -> int:
        return self._timer.interval()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.interval() > 0:
            self._timer.start()
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if pressed.matches(LOCK_KEYS) == QKeySequence.SequenceMatch.ExactMatch:
                self.lockKey.emit()
                return True
        return False


class LockPage(QWidget):
    unlockRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAutoFillBackground(True)
        title = QLabel("<h1>Locked</h1>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel("Everything is saved and hidden. Type your passphrase to continue "
                      "where you left off.")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.passphrase = PasswordField()
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setAccessibleDescription("Enter unlocks.")
        self.passphrase.setMinimumHeight(40)
        self.passphrase.setMinimumWidth(320)
        self.passphrase.setMaximumWidth(480)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setMinimumHeight(40)
        self.unlock_button.setMinimumWidth(160)
        self.error = LiveLabel("Unlock", alert=True)  # its text is heard, not a caption
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        label = QLabel("&Your passphrase:")  # Alt+P is the Print menu
        label.setBuddy(self.passphrase)
        for widget in (label, self.passphrase, self.unlock_button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.error)
        layout.addStretch(2)
        self.passphrase.returnPressed.connect(self._request)
        self.unlock_button.clicked.connect(self._request)

    def _request(self) -> None:
        self.unlockRequested.emit(self.passphrase.text())

    def reset(self) -> None:
        self.passphrase.clear()
        self.error.clear()
        self.passphrase.setFocus()


def _release_native_window(widget: QWidget) -> None:
    """A hidden top-level widget keeps its native window, and the accessibility tree lists
    every native window, hidden or not: release it (``show()`` makes a new one)."""
    with contextlib.suppress(AttributeError, TypeError):  # not made from Python: hidden
        widget.destroy()


class Curtain(QObject):
    """While drawn, no window but ``keep`` is on screen or in the accessibility tree.

    ``draw(keep)`` hides every other visible top-level window (dialogs, previews,
    message boxes, menus) and releases its native window; a window that appears while
    drawn (nothing should: the task runner is held) is taken down on the next turn of the
    event loop. ``open()`` shows again, in the same order, the windows that were hidden
    and still exist, except menus and dialogs whose own event loop ended when hidden.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keep: QWidget | None = None
        self._hidden: list[QWidget] = []

    @property
    def drawn(self) -> bool:
        return self._keep is not None

    def draw(self, keep: QWidget) -> None:
        if self._keep is not None:
            return
        self._keep = keep
        QToolTip.hideText()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.installEventFilter(self)
            for widget in app.topLevelWidgets():
                self._take_down(widget)
            for widget in app.topLevelWidgets():  # finished, hidden, but still listed
                if (widget is not keep and not widget.isVisible()
                        and widget.windowHandle() is not None):
                    _release_native_window(widget)

    def open(self) -> list[QWidget]:
        """Lift the curtain; returns the windows shown again."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.removeEventFilter(self)
        self._keep = None
        shown = []
        for widget in self._hidden:
            if shiboken6.isValid(widget) and self._restorable(widget):
                widget.show()
                shown.append(widget)
        self._hidden = []
        return shown

    def _take_down(self, widget: QWidget) -> None:
        if (self._keep is None or widget is self._keep or not widget.isWindow()
                or not widget.isVisible()):
            return
        # A dialog running exec() returns from it when hidden (it is cancelled): note
        # that before hiding, so it is not shown again as if it were still waiting.
        running_own_loop = (isinstance(widget, QDialog) and widget.isModal()
                            and widget.windowModality() == Qt.WindowModality.ApplicationModal)
        widget.hide()
        _release_native_window(widget)
        if not running_own_loop and widget not in self._hidden:
            self._hidden.append(widget)

    @staticmethod
    def _restorable(widget: QWidget) -> bool:
        return not isinstance(widget, QMenu) and widget.windowType() != Qt.WindowType.Popup

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (self._keep is not None and event.type() == QEvent.Type.Show
                and isinstance(watched, QWidget) and watched.isWindow()
                and watched is not self._keep):
            QTimer.singleShot(0, lambda w=watched: self._take_down(w)
                              if shiboken6.isValid(w) else None)
        return False


# Qt's own file dialogs, never the platform's: a native dialog (Windows, macOS) is outside
# the app's windows, so the lock could neither hide it nor keep it out of the
# accessibility tree. Every QFileDialog.get… call passes this.
FILE_DIALOG_OPTIONS = QFileDialog.Option.DontUseNativeDialog


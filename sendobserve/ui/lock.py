"""Locking: Ctrl+L or an idle timeout hides everything until the passphrase is given.

Nothing is closed or discarded: the pages (and any open dialog, hidden while locked)
keep what was typed, and pending de-brief text is saved before the screen locks.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from sendobserve.ui.secret_field import PasswordField

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
        self.error = QLabel()
        self.error.setAccessibleName("Problem")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        label = QLabel("&Passphrase:")
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

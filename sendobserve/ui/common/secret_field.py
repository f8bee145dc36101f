"""A password field that never hands what is typed to the accessibility bus.

Qt's ``QLineEdit`` in password mode shows bullets on screen, but its line control still
holds the real text and announces every change to assistive technology with the
characters themselves (text-inserted and text-updated events carry the typed text, in
clear, to every client listening on the accessibility bus). ``PasswordField`` keeps the
secret in Python and gives the line control only bullets, so every change it announces
is a bullet; and its accessible interface (installed once, for this class only) has no
value and no text interface, so no client can read back what is there, not even its
length through the text.

Everything that can put text into a line edit goes through ``_replace``: typed keys
(Qt's own key handling runs on a copy of the event whose text is bullets, so every rule
of which key inserts what stays Qt's), paste from the keyboard, the context menu and the
X11 middle button, input-method commits, and ``setText``/``insert`` from code. Undo,
redo, copy, cut and drag and drop are off, as in any password field.

"Show what I type" (``setEchoMode(Normal)``) puts the real text on screen and so into
the line control: the person asked to see it. Its accessible value stays empty.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleInterface,
    QClipboard,
    QContextMenuEvent,
    QGuiApplication,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
)
from PySide6.QtWidgets import QAccessibleWidget, QLineEdit, QMenu, QWidget

MASK = "\u2022"  # what the line control holds instead of each typed character

_REFUSED_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo,
                 QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.Cut)


def _is_control(ch: str) -> bool:
    """A control character (Escape, Return, Tab, Ctrl+letter…): never part of a secret.
    Everything else Qt would insert (letters, marks, format and private-use characters)
    is a character of the secret, shown as one bullet."""
    return unicodedata.category(ch) == "Cc"


class PasswordField(QLineEdit):
    """A drop-in ``QLineEdit`` for passphrases: ``text()`` is the secret, the widget
    (and so the accessibility bus) only ever holds bullets."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _install_accessibility_factory()
        self._secret = ""
        self._revealed = False
        super().setEchoMode(QLineEdit.EchoMode.Password)
        self.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText
                                 | Qt.InputMethodHint.ImhSensitiveData
                                 | Qt.InputMethodHint.ImhNoPredictiveText
                                 | Qt.InputMethodHint.ImhNoAutoUppercase)
        self.setAcceptDrops(False)
        self.setDragEnabled(False)
        self._pending: tuple[int, int, int, str] | None = None
        self.textChanged.connect(self._follow)  # first: before anyone reads text()

    # --- the secret -------------------------------------------------------------------
    def text(self) -> str:
        return super().text() if self._revealed else self._secret

    def setText(self, text: str | None) -> None:
        text = text or ""
        self._secret = text
        super().setText(text if self._revealed else MASK * len(text))

    def clear(self) -> None:
        self.setText("")

    def insert(self, text: str) -> None:
        self._replace(text)

    def paste(self) -> None:
        self._replace(QGuiApplication.clipboard().text())

    def is_revealed(self) -> bool:
        return self._revealed

    def set_revealed(self, revealed: bool) -> None:
        """Show the secret on screen ("Show what I type"), or hide it again."""
        self.setEchoMode(QLineEdit.EchoMode.Normal if revealed
                         else QLineEdit.EchoMode.Password)

    def setEchoMode(self, mode: QLineEdit.EchoMode) -> None:
        """Normal shows the secret (the person asked to see it); any other mode hides it
        again. The line control holds the real text only while it is shown."""
        revealed = mode == QLineEdit.EchoMode.Normal
        if revealed == self._revealed:
            return
        cursor = self.cursorPosition()
        if revealed:
            super().setText(self._secret)
        else:
            self._secret = super().text()
            super().setText(MASK * len(self._secret))
        self._revealed = revealed
        super().setEchoMode(QLineEdit.EchoMode.Normal if revealed
                            else QLineEdit.EchoMode.Password)
        self.setCursorPosition(cursor)

    # --- every way text comes in ------------------------------------------------------
    def _selection(self) -> tuple[int, int]:
        if self.hasSelectedText():
            return self.selectionStart(), self.selectionLength()
        return self.cursorPosition(), 0

    def _replace(self, text: str) -> None:
        """Put ``text`` where the cursor is (over the selection), bullets on screen."""
        if self._revealed:
            super().insert(text)
            return
        text = "".join(ch for ch in text if not _is_control(ch))
        limit = self.maxLength() - (len(self._secret) - self._selection()[1])
        text = text[:max(0, limit)]
        start, length = self._selection()
        self._secret = self._secret[:start] + text + self._secret[start + length:]
        super().insert(MASK * len(text))
        self._check_in_step()

    def _check_in_step(self) -> None:
        if len(super().text()) != len(self._secret) or set(super().text()) - {MASK}:
            # Never expected; if the line control ever took text some other way, what it
            # holds is unknown here: start again rather than keep a wrong secret.
            self._secret = ""
            super().setText("")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._revealed:
            super().keyPressEvent(event)
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            event.accept()
            return
        if any(event.matches(key) for key in _REFUSED_KEYS):
            event.accept()
            return
        typed = event.text()
        if not typed or _is_control(typed[0]):  # Escape, Return, Ctrl+letter…: no text
            typed = ""
        start, length = self._selection()
        self._pending = (len(super().text()), start, length, typed)
        masked = QKeyEvent(event.type(), event.key(), event.modifiers(),
                           event.nativeScanCode(), event.nativeVirtualKey(),
                           event.nativeModifiers(), MASK * len(typed) or event.text(),
                           event.isAutoRepeat(), event.count())
        try:
            super().keyPressEvent(masked)
        finally:
            self._pending = None
        event.setAccepted(masked.isAccepted())
        self._check_in_step()

    def _follow(self, shown: str) -> None:
        """The line control changed (first slot on ``textChanged``, so every other slot
        already reads the new secret): apply the same change to the secret."""
        if self._revealed or self._pending is None:
            return
        before, start, length, typed = self._pending
        self._pending = None
        after = len(shown)
        if typed and after == before - length + len(typed):
            self._secret = self._secret[:start] + typed + self._secret[start + length:]
        elif after < before:  # a deletion: the cursor is where the removed part began
            at = self.cursorPosition()
            self._secret = self._secret[:at] + self._secret[at + before - after:]

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        if self._revealed:
            super().inputMethodEvent(event)
            return
        if event.commitString():
            self._replace(event.commitString())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        clipboard = QGuiApplication.clipboard()
        if (not self._revealed and event.button() == Qt.MouseButton.MiddleButton
                and clipboard.supportsSelection()):
            if not self.isReadOnly():
                self._replace(clipboard.text(QClipboard.Mode.Selection))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if self._revealed:
            super().contextMenuEvent(event)
            return
        menu = QMenu(self)
        paste = menu.addAction("&Paste")
        paste.setEnabled(not self.isReadOnly() and bool(QGuiApplication.clipboard().text()))
        paste.triggered.connect(self.paste)
        select_all = menu.addAction("Select &All")
        select_all.triggered.connect(self.selectAll)
        menu.exec(event.globalPos())
        menu.deleteLater()


class PasswordAccessible(QAccessibleWidget):
    """A password field as assistive technology sees it: an editable text with a name,
    a description and the password state; no value, no text to read back."""

    def __init__(self, field: PasswordField) -> None:
        super().__init__(field, QAccessible.Role.EditableText)

    def text(self, kind: QAccessible.Text) -> str:
        if kind == QAccessible.Text.Value:
            return ""
        return super().text(kind)

    def state(self) -> QAccessible.State:
        state = super().state()
        state.passwordEdit = True
        state.editable = True
        state.focusable = True
        return state


def _accessibility_factory(key: str, obj: QObject) -> QAccessibleInterface | None:
    if isinstance(obj, PasswordField):
        return PasswordAccessible(obj)
    return None


_installed = False


def _install_accessibility_factory() -> None:
    global _installed
    if not _installed:
        QAccessible.installFactory(_accessibility_factory)
        _installed = True

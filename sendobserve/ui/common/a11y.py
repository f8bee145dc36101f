"""Keyboard and screen-reader rules shared by every page, so they hold as rules, not per page.

- ``BACK_KEY`` (Escape) goes back on every page, as it closes every dialog; in a search
  field with text in it, Escape first clears the field (``clear_on_escape``).
- ``LiveLabel``: a label that carries status or an error. Its accessible name is
  "caption: text" and follows the text, so a screen reader reads what is shown, and each
  change is announced (Qt sends NameChanged; an error also sends Alert).
- ``tell``: an action that cannot run says why, in the window's status bar (and to a
  screen reader), instead of doing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableView,
    QWidget,
)

BACK_KEY = "Esc"

_TAGS = re.compile(r"<[^>]+>")


def plain_text(text: str) -> str:
    """What a rich-text label shows, as one line of plain text."""
    text = _TAGS.sub(" ", text.replace("<br>", " "))
    for entity, char in (("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'),
                         ("&#39;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return " ".join(text.split())


class LiveLabel(QLabel):
    """A label whose text is status or an error, exposed and announced as it changes."""

    def __init__(self, caption: str, text: str = "", *, alert: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = caption
        self.alert = alert
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        shown = plain_text(text)
        # setAccessibleName sends NameChanged, which screen readers speak for live labels.
        self.setAccessibleName(f"{self.caption}: {shown}" if shown else self.caption)
        if self.alert and shown and QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def clear(self) -> None:
        self.setText("")


def on_keys(page: QWidget, keys: str | QKeySequence | QKeySequence.StandardKey,
            slot: Callable[[], object]) -> QShortcut:
    """``keys`` anywhere on ``page`` (not in its dialogs) run ``slot``."""
    shortcut = QShortcut(QKeySequence(keys), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut


def on_back(page: QWidget, slot: Callable[[], object]) -> QShortcut:
    """Escape anywhere on ``page`` (not in its dialogs) goes back."""
    return on_keys(page, QKeySequence(Qt.Key.Key_Escape), slot)


W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, description: str = "") -> W:
    """``widget`` with the accessible name (and description) a screen reader says."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


def act_or_cancel(dialog: QDialog, text: str, act: Callable[[], object], *,
                  name: str = "") -> QDialogButtonBox:
    """A dialog's one action (``text`` on the button, ``name`` read aloud: the text
    without its ``&`` unless given) and Cancel, which closes it with nothing done. The
    action's button is ``buttons.button(QDialogButtonBox.StandardButton.Ok)``."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(text)
    ok.setAccessibleName(name or text.replace("&", ""))
    buttons.accepted.connect(act)
    buttons.rejected.connect(dialog.reject)
    return buttons


def row_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only table chosen from by row: one row at a time, Tab leaves it (arrows move
    inside), text wraps, no row numbers, columns fitted to their contents and the last
    one stretched; ``name`` is what a screen reader calls it."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.setWordWrap(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def save_or_cancel(dialog: QDialog, save: Callable[[], object]) -> QDialogButtonBox:
    """A dialog's Save and Cancel: Save (or Enter) runs ``save``, which accepts the dialog
    when what was typed is right; Cancel (or Escape) closes it with nothing kept."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    return buttons


class _ClearOnEscape(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (isinstance(watched, QLineEdit) and watched.text()
                and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)):
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape and event.modifiers() in (
                    Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()  # the key comes to the field, not to the page's Back
                    return True
                watched.clear()
                return True
        return False


def clear_on_escape(field: QLineEdit) -> QLineEdit:
    """Escape in ``field`` clears it when it has text; when empty, Escape goes back."""
    keeper = _ClearOnEscape(field)
    field.installEventFilter(keeper)
    return field


def tell(widget: QWidget, message: str, timeout_ms: int = 8000) -> None:
    """Why an action did not run: in the window's status bar, and announced."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        bar = window.statusBar()
        bar.showMessage(message, timeout_ms)
        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleEvent(bar, QAccessible.Event.Alert))


def with_mnemonic(text: str, used: set[str]) -> str:
    """``text`` with an Alt key not in ``used`` (word initials first, then any letter),
    which it adds to ``used``; ``text`` unchanged if it has one or none is free."""
    if "&" in text.replace("&&", ""):
        return text
    starts = [i for i, c in enumerate(text)
              if c.isalpha() and (i == 0 or not text[i - 1].isalpha())]
    rest = [i for i, c in enumerate(text) if c.isalpha() and i not in starts]
    for i in starts + rest:
        key = text[i].casefold()
        if key not in used:
            used.add(key)
            return f"{text[:i]}&{text[i:]}"
    return text

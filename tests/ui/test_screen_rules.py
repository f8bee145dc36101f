"""Rules that hold on every screen and dialog, checked by walking each one as it shows:

- something sensible has the keyboard focus (a visible, enabled, named control);
- no two Alt mnemonics clash within a window (menus, buttons, labels' buddies, tabs);
- through Qt's accessibility interface, as a screen reader sees it: every focusable object
  has a name, no label's fixed caption hides its text, nothing on a hidden page reports
  itself visible, and no developer words (class paths, format versions, ids) are shown.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QTabBar,
    QWidget,
)

from sendobserve.storage.db import Store
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import Runner
from tests.ui.screens import each_screen

_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")
# Words a mediator should never meet: a Python class path, a file format's version, an id.
DEVELOPER_WORDS = re.compile(
    r"\b[a-z_]+(?:\.[a-z_]+)+\.[A-Z]\w*|format version|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}"
    r"|\bform[1-5]\b")


def mnemonic(text: str) -> str | None:
    found = _MNEMONIC.search(text)
    return found.group(1).lower() if found else None


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Every Alt key in reach on this window as it shows: menu titles, and the visible
    buttons, group boxes, tabs and labels with a buddy."""
    keys: dict[str, list[str]] = {}

    def add(text: str) -> None:
        key = mnemonic(text)
        if key:
            keys.setdefault(key, []).append(text)

    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible():
                add(action.text())
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if isinstance(widget, QAbstractButton) or (
                isinstance(widget, QLabel) and widget.buddy() is not None):
            add(widget.text())
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            add(widget.title())
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                if widget.isTabVisible(i):
                    add(widget.tabText(i))
    return keys


def _words(text: str) -> set[str]:
    """The words a label shows (markup and mnemonics aside), to compare with its name."""
    text = re.sub(r"<[^>]+>", " ", text).replace("&nbsp;", " ").replace("&amp;", "&")
    return set(re.findall(r"\w+", text.replace("&&", " ").replace("&", "").casefold()))


def accessibility_problems(window: QWidget) -> list[str]:
    """What a screen reader would trip over, walking from the window down and not into
    anything that says it is invisible (as assistive technology does)."""
    problems: list[str] = []
    State = QAccessible

    def walk(iface: QAccessibleInterface, path: str) -> None:
        state = iface.state()
        name = iface.text(State.Text.Name)
        obj = iface.object()
        widget = obj if isinstance(obj, QWidget) else None
        here = f"{path.split(' > ')[-1]} > {iface.role().name} {name!r}"
        if state.invisible:
            return
        if widget is not None and not widget.isVisible():
            problems.append(f"{here}: hidden ({type(widget).__name__}) but reports visible")
            return
        said = f"{name} {iface.text(State.Text.Description)} {iface.text(State.Text.Value)}"
        if isinstance(widget, QLabel):
            said += " " + widget.text()
        odd = DEVELOPER_WORDS.search(said)
        if odd:
            problems.append(f"{here}: developer words on screen: {odd.group(0)!r}")
        if state.focusable and not state.disabled and not name.strip():
            problems.append(f"{here}: focusable ({type(obj).__name__}) with no name")
        if isinstance(widget, QLabel):
            # What is shown must be heard: every word of the text is in the name or the
            # description (which may say more, but not something else).
            heard = _words(name) | _words(iface.text(State.Text.Description))
            hidden = _words(widget.text()) - heard
            if hidden:
                problems.append(f"{here}: the caption hides {sorted(hidden)} of the text "
                                f"{widget.text()[:80]!r}")
        for i in range(iface.childCount()):
            child = iface.child(i)
            if child is not None and child.isValid():
                walk(child, here)

    root = QAccessible.queryAccessibleInterface(window)
    assert root is not None
    walk(root, type(window).__name__)
    return problems


def test_every_screen_keeps_the_rules(qtbot: Any, store: Store, forms: Any,
                                      settings: WorkspaceSettings, runner: Runner) -> None:
    failures: list[str] = []
    seen: list[str] = []
    for name, window in each_screen(qtbot, store, forms, settings, runner):
        seen.append(name)
        focused = window.focusWidget()  # what has the focus when the window is active
        if focused is None or focused.window() is not window:
            failures.append(f"[{name}] nothing in it has the keyboard focus ({focused!r})")
        elif not focused.isVisible() or not focused.isEnabled() or not (
                focused.accessibleName() or getattr(focused, "text", lambda: "")()):
            failures.append(f"[{name}] focus is on an invisible, disabled or unnamed "
                            f"{type(focused).__name__}")
        for key, texts in mnemonics(window).items():
            if len(texts) > 1:
                failures.append(f"[{name}] Alt+{key.upper()} is on {texts}")
        failures += [f"[{name}] {p}" for p in accessibility_problems(window)]
    assert len(seen) >= 10, seen
    assert not failures, "\n".join(failures)

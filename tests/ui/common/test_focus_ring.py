"""Visible focus, measured: for each kind of focusable control, the pixels that change
when it takes the keyboard focus must differ from before by at least 3:1, all round it
(at least as many pixels as the control's perimeter)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from sendobserve.ui.common.focus_ring import install_focus_ring
from sendobserve.ui.common.palette import MARKER_CONTRAST, contrast, harden


def _changed_by_3_to_1(before: QImage, after: QImage, widget: QWidget, root: QWidget) -> int:
    top_left = widget.mapTo(root, widget.rect().topLeft())
    x0, y0 = max(0, top_left.x() - 4), max(0, top_left.y() - 4)
    x1 = min(before.width(), top_left.x() + widget.width() + 4)
    y1 = min(before.height(), top_left.y() + widget.height() + 4)
    count = 0
    for y in range(y0, y1):
        for x in range(x0, x1):
            a, b = before.pixel(x, y), after.pixel(x, y)
            if a != b and contrast(QColor(a), QColor(b)) >= MARKER_CONTRAST:
                count += 1
    return count


def test_every_kind_of_control_shows_its_focus_at_3_to_1(qtbot: Any, qapp: Any) -> None:
    qapp.setPalette(harden(qapp.palette()))
    install_focus_ring(qapp)
    root = QWidget()
    qtbot.addWidget(root)
    root.resize(700, 420)
    tabs = QTabWidget()
    tabs.addTab(QLabel("one"), "First")
    tabs.addTab(QLabel("two"), "Second")
    scroll = QScrollArea()
    scroll.setWidget(QLabel("\n".join(f"line {i}" for i in range(40))))
    list_view = QListView()
    controls: dict[str, QWidget] = {
        "check box": QCheckBox("Gaps only"),
        "button": QPushButton("Next gap"),
        "line edit": QLineEdit("search"),
        "plain-text editor": QPlainTextEdit("note"),
        "scroll area": scroll,
        "tab bar": tabs.tabBar(),
        "list": list_view,
    }
    start = QPushButton("start here")
    grid = QGridLayout(root)
    grid.setSpacing(16)
    grid.addWidget(start, 0, 0)
    for i, (name, widget) in enumerate(controls.items(), start=1):
        if name == "tab bar":
            grid.addWidget(tabs, i // 3, i % 3)
        else:
            grid.addWidget(widget, i // 3, i % 3)
    root.show()
    qtbot.waitExposed(root)
    root.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is root)

    weak: list[str] = []
    for name, widget in controls.items():
        start.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
        before = root.grab().toImage()
        widget.setFocus()
        qtbot.waitUntil(lambda w=widget: QApplication.focusWidget() is w)
        QApplication.processEvents()
        after = root.grab().toImage()
        changed = _changed_by_3_to_1(before, after, widget, root)
        perimeter = 2 * (widget.width() + widget.height())
        if changed < perimeter:
            weak.append(f"{name}: {changed} px at 3:1, perimeter {perimeter}")
    assert not weak, "\n".join(weak)

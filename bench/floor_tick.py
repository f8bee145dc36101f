"""The tick's floor through the repaint, and the one way both sides of it are timed.

A tick is: a key press, one committed write, the row repainted with its new state, and
the "Saved" line repainted. ``BareTick`` is the least that work can be done with: a
``QTreeView`` on a ``QStandardItemModel`` (Qt's own item model and delegate, no Python
in the paint) holding the same rows, a plain-text ``QLabel``, and on a key press one raw
``sqlcipher3`` insert + commit (the same pragmas as the store), the row's text set and the
label's text set to "Saved". ``press`` times a key press from before ``QTest.keyClick``
until the row has been painted and, if the "Saved" line's text changed, the line too; it
refuses a press after which the row, or a changed line, was not repainted.

Why "if it changed": after a tick that follows a saved tick, the line reads "Saved"
before and after. The app leaves it as it is (its write is committed on the GUI thread,
so no frame could ever show a "Saving…" in between), and so does the floor; after a
failure, the next saved tick changes the line, and then its repaint is timed too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QTreeView, QVBoxLayout, QWidget


class PaintSpy(QObject):
    """Records which watched widgets were painted, and where, since ``clear``."""

    def __init__(self, widgets: dict[str, QWidget]) -> None:
        super().__init__()
        self._names = {id(w): name for name, w in widgets.items()}
        self.painted: dict[str, QRect] = {}
        for w in widgets.values():
            w.installEventFilter(self)

    def clear(self) -> None:
        self.painted = {}

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            name = self._names.get(id(obj))
            if name is not None:
                rect = event.rect()  # type: ignore[attr-defined]
                self.painted[name] = self.painted.get(name, QRect()).united(rect)
        return False


def press(app: QApplication, target: QWidget, key: Qt.Key, spy: PaintSpy,
          row: Callable[[], QRect], saved: QLabel) -> tuple[float, float]:
    """(wall ms, CPU ms) from the key press until the row ``row()`` (its visible part, in
    viewport coordinates) has been repainted, and the "Saved" line ``saved`` too if its
    text changed."""
    spy.clear()
    before = saved.text()
    c0, t0 = time.process_time(), time.perf_counter()
    QTest.keyClick(target, key)
    changed = saved.text() != before
    for _ in range(50):
        app.processEvents()
        if "row" in spy.painted and (not changed or "saved" in spy.painted):
            break
    wall, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    if "row" not in spy.painted or (changed and "saved" not in spy.painted):
        raise RuntimeError(f"a timed key press did not repaint what changed: "
                           f"{sorted(spy.painted)}")
    if not spy.painted["row"].contains(row()):
        raise RuntimeError(f"a timed key press repainted {spy.painted['row']} of the view, "
                           f"not all of the ticked row {row()}")
    return wall, cpu


class _View(QTreeView):
    def __init__(self, on_key: Callable[[], None]) -> None:
        super().__init__()
        self._on_key = on_key

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_1, Qt.Key.Key_2):
            self._on_key()
            return
        super().keyPressEvent(event)


class BareTick(QWidget):
    """The floor: the same rows in Qt's own view, one raw commit per key press."""

    def __init__(self, texts: list[str], commit: Callable[[int], None]) -> None:
        super().__init__()
        self._commit = commit
        self._count = 0
        self.model = QStandardItemModel()
        self._texts = texts
        for text in texts:
            item = QStandardItem(text)
            item.setEditable(False)
            self.model.appendRow(item)
        self.view = _View(self._tick)
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setWordWrap(True)
        self.saved = QLabel("Saved")
        self.saved.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.saved)
        layout.addWidget(self.view, 1)
        self.view.setCurrentIndex(self.model.index(0, 0))

    def _tick(self) -> None:
        n = self._count = self._count + 1
        self._commit(n)
        row = self.view.currentIndex().row()
        state = "demonstrated" if n % 2 else "development needed"
        self.model.item(row).setText(f"{self._texts[row]}: {state}")
        self.saved.setText("Saved")

    def row_rect(self) -> QRect:
        return self.view.visualRect(self.view.currentIndex()).intersected(
            self.view.viewport().rect())


def bare_tick(app: QApplication, texts: list[str],
              commit: Callable[[int], None]) -> tuple[BareTick, Callable[[], tuple[float, float]]]:
    """A shown ``BareTick`` page and a function that makes one timed press on it."""
    page = BareTick(texts, commit)
    page.resize(1280, 800)
    page.show()
    for _ in range(5):
        app.processEvents()
    spy = PaintSpy({"row": page.view.viewport(), "saved": page.saved})
    return page, lambda: press(app, page.view, Qt.Key.Key_1, spy, page.row_rect, page.saved)

"""The whole-file checks and the daily backup, run after the records are open.

A progress bar in the status bar says what is being checked; a damaged file found later
gets a message box that says what to do (writes have already stopped), and the status
bar keeps saying it. The work runs on its own thread, not the window's task runner, so
readiness and the panel do not wait for an 18-second read of a large store.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QProgressBar

from sendobserve import APP_DISPLAY_NAME
from sendobserve.ui.tasks import run_in_background


class _Carrier(QObject):
    progressed = Signal(int, int, str)


def start_integrity_checks(window: QMainWindow, store: Any) -> QProgressBar | None:
    """Start the deferred checks of ``store`` if this process deferred them."""
    from sendobserve.storage import integrity

    if not integrity.deferred():
        return None
    bar = QProgressBar()
    bar.setRange(0, 3)
    bar.setMaximumWidth(260)
    bar.setAccessibleName("Checking the store")
    bar.setFormat("Checking the store…")
    window.statusBar().addPermanentWidget(bar)
    # No parent: the worker may still report after the window (and its children) are gone;
    # the closure below keeps the carrier alive as long as the work runs.
    carrier = _Carrier()

    def progressed(n: int, total: int, what: str) -> None:
        if not shiboken6.isValid(bar):
            return
        bar.setRange(0, total)
        bar.setValue(n)
        bar.setFormat(what[:1].upper() + what[1:] + "…")
        bar.setToolTip(what)

    carrier.progressed.connect(progressed)

    def work() -> Any:
        return integrity.run_deferred_checks(store, progress=carrier.progressed.emit)

    def done(outcome: Any) -> None:
        if not shiboken6.isValid(window) or not shiboken6.isValid(bar):
            return  # the window closed first
        window.statusBar().removeWidget(bar)
        bar.deleteLater()
        if outcome.ok:
            window.statusBar().showMessage(outcome.message, 10_000)
            return
        window.statusBar().showMessage(outcome.message)
        if window.isVisible():
            QMessageBox.critical(window, APP_DISPLAY_NAME, outcome.message)

    def failed(exc: BaseException) -> None:
        if not shiboken6.isValid(window) or not shiboken6.isValid(bar):
            return
        window.statusBar().removeWidget(bar)
        bar.deleteLater()
        window.statusBar().showMessage(f"The store could not be checked: {exc}")

    run_in_background(work, done, failed)
    return bar

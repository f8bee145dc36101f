"""The whole-file checks and the daily backup, run after the records are open.

A progress bar in the status bar says what is being checked; a damaged file found later
gets a message box that says what to do (writes have already stopped), and the status
bar keeps saying it. The work runs on its own thread, not the window's task runner, so
readiness and the panel do not wait for an 18-second read of a large store.
"""

from __future__ import annotations

import threading
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QProgressBar

from sendobserve import APP_DISPLAY_NAME
from sendobserve.ui.common.tasks import run_in_background

CLOSE_WAIT_S = 30  # an interrupted check stops within milliseconds; this is the backstop


class _Carrier(QObject):
    progressed = Signal(int, int, str)


class _CloseGuard(QObject):
    def __init__(self, cancel: threading.Event, finished: threading.Event,
                 parent: QObject) -> None:
        super().__init__(parent)
        self.cancel = cancel
        self.finished = finished

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and not self.finished.is_set():
            self.cancel.set()
            self.finished.wait(CLOSE_WAIT_S)
        return False


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
    # Owned by the application (C++), not by Python: the worker may still report after the
    # window is gone, and the last Python reference to the carrier may be dropped on the
    # worker's thread; an object owned by Python would then be destroyed there, under the
    # GUI thread's feet (seen as a segmentation fault in the event loop). It is deleted on
    # the GUI thread once the work has reported.
    carrier = _Carrier(QApplication.instance())

    def progressed(n: int, total: int, what: str) -> None:
        if not shiboken6.isValid(bar):
            return
        bar.setRange(0, total)
        bar.setValue(n)
        bar.setFormat(what[:1].upper() + what[1:] + "…")
        bar.setToolTip(what)

    carrier.progressed.connect(progressed)

    cancel, finished = threading.Event(), threading.Event()

    def work() -> Any:
        try:
            return integrity.run_deferred_checks(store, progress=carrier.progressed.emit,
                                                 cancel=cancel)
        finally:
            finished.set()

    # Closing the window closes the store: stop the checks (or the backup) first and wait.
    guard = _CloseGuard(cancel, finished, window)
    window.installEventFilter(guard)

    def retire() -> None:
        if shiboken6.isValid(carrier):
            carrier.deleteLater()

    def done(outcome: Any) -> None:
        retire()
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
        retire()
        if not shiboken6.isValid(window) or not shiboken6.isValid(bar):
            return
        window.statusBar().removeWidget(bar)
        bar.deleteLater()
        window.statusBar().showMessage(f"The store could not be checked: {exc}")

    run_in_background(work, done, failed)
    return bar

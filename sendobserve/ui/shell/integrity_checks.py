"""The whole-file checks and the daily backup, run after the records are open.

A progress bar in the status bar says what is being checked; a damaged file found later
gets a message box that says what to do (writes have already stopped), and the status
bar keeps saying it. The work runs on the start-up runner (Qt's global pool), not the
window's runner, so readiness and the panel do not wait for an 18-second read of a large
store.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QMainWindow, QMessageBox, QProgressBar

from sendobserve import APP_DISPLAY_NAME
from sendobserve.ui.common.tasks import Job, startup_runner

CLOSE_WAIT_S = 30  # an interrupted check stops within milliseconds; this is the backstop


class _CloseGuard(QObject):
    def __init__(self, job: Job, parent: QObject) -> None:
        super().__init__(parent)
        self.job = job

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and not self.job.finished.is_set():
            self.job.cancel()
            self.job.wait(CLOSE_WAIT_S)
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

    def progressed(n: int, total: int, what: str) -> None:
        if not shiboken6.isValid(bar):
            return
        bar.setRange(0, total)
        bar.setValue(n)
        bar.setFormat(what[:1].upper() + what[1:] + "…")
        bar.setToolTip(what)

    # The start-up runner (the application's, on Qt's global pool) carries the progress:
    # the job has a parent on the GUI thread, so the worker never destroys it, and it
    # reports even after the window is gone.
    op = startup_runner().job(
        lambda job: integrity.run_deferred_checks(store, progress=job.report,
                                                  cancel=job.cancel_event))

    # Closing the window closes the store: stop the checks (or the backup) first and wait.
    guard = _CloseGuard(op.job, window)
    window.installEventFilter(guard)

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

    op.progress(progressed).success(done).failure(failed).run()
    return bar

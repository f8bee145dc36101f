"""A progress dialog for one runner ``Job``: a title, a bar and a Cancel that really
stops the job (printing, the portfolio, an import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from sendobserve.ui.common.tasks import Job, Op

# --- progress with a Cancel that really stops the job ------------------------------------

class ProgressDialog(QDialog):
    """A title, a bar and Cancel for one runner ``Job``; the bar is busy until the first
    figure arrives, and Cancel (or Esc) asks the job to stop."""

    def __init__(self, title: str, job: Job, parent: QWidget | None = None,
                 *, cancellable: bool = True) -> None:
        super().__init__(parent)
        self.job = job
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.label = QLabel(f"{title}…")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName("Progress")
        layout.addWidget(self.bar)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(buttons)
        job.progressed.connect(self._changed)

    def _changed(self, done: int, total: int, _what: str = "") -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _cancel(self) -> None:
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText("Stopping…")

    def reject(self) -> None:  # Esc or closing the window cancels too
        if self.cancel_button.isVisible() and self.cancel_button.isEnabled():
            self._cancel()

    def finish(self) -> None:
        self.job.progressed.disconnect(self._changed)
        # Stop the busy animation first: the style's animation must not outlive the bar.
        self.bar.setRange(0, max(1, self.bar.maximum()))
        self.done(QDialog.DialogCode.Accepted)
        self.deleteLater()


def run_behind_progress(op: Op[Any], title: str, parent: QWidget | None,
                        then: Callable[[Any], object], failed: Callable[[BaseException], object],
                        *, cancellable: bool = True) -> ProgressDialog:
    """Start ``op`` behind a progress dialog for its job; the dialog is gone before
    ``then`` (the result) or ``failed`` (the error) is called."""
    progress = ProgressDialog(title, op.job, parent, cancellable=cancellable)
    progress.open()

    def done(value: Any) -> None:
        progress.finish()
        then(value)

    def refused(exc: BaseException) -> None:
        progress.finish()
        failed(exc)

    op.success(done).failure(refused).run()
    return progress

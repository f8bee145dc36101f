"""A hidden start-up probe for ``bench/run.py``; inert unless its environment variable is set.

With ``SENDOBSERVE_BENCH_FIRST_PAINT=1`` the app unlocks with ``SENDOBSERVE_PASSPHRASE``
instead of showing the unlock dialog, prints ``bench <phase> <time.monotonic()>`` lines
(the clock is shared between processes, so the parent can measure from before it
started us) and quits once the main window has finished its first paint.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from sendobserve.storage.db import Store

ENV = "SENDOBSERVE_BENCH_FIRST_PAINT"
PASSPHRASE_ENV = "SENDOBSERVE_PASSPHRASE"


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


def mark(phase: str) -> None:
    print(f"bench {phase} {time.monotonic():.6f}", file=sys.stdout, flush=True)


class _FirstPaint(QObject):
    """Quits after the pass that paints the first main window (children included)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self._seen
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QMainWindow)
        ):
            self._seen = True
            mark("paint-event")
            QTimer.singleShot(0, self._done)  # runs once this paint pass is finished
        return False

    def _done(self) -> None:
        mark("painted")
        self._app.quit()


def install(app: QApplication) -> None:
    """Watch for the first painted main window (no-op unless enabled)."""
    if enabled():
        mark("qt-ready")
        app.installEventFilter(_FirstPaint(app))


def store(data_dir: Path) -> Store | None:
    """The store opened with the passphrase from the environment, or None when not enabled."""
    if not enabled():
        return None
    from sendobserve.storage import vault

    unlocked = vault.unlock(data_dir, os.environ[PASSPHRASE_ENV])
    mark("unlocked")  # scrypt is slow on purpose; an OS-keyring start skips it
    opened = vault.open_with_keys(data_dir, unlocked)
    mark("store-open")
    return opened

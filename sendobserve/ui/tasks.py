"""Run slow work off the GUI thread and hand the result back on it.

The function runs on a ``QThreadPool`` worker and must not touch widgets; the
``success``/``failure`` callbacks run on the GUI thread. Tests use
``TaskRunner(synchronous=True)``, which runs everything inline so that a test reads
the outcome on the next line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

T = TypeVar("T")
log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; queued signals carry the outcome back to it."""

    done = Signal(object, object, object)  # (owner, callback, value)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay, owner: QObject | None,
                 success: Callable[[Any], None], failure: Callable[[BaseException], None]):
        super().__init__()
        self._fn = fn
        self._owner = owner
        self._relay = relay
        self._success = success
        self._failure = failure

    def run(self) -> None:
        try:
            value = self._fn()
        except BaseException as exc:  # delivered to the failure callback, not swallowed
            self._relay.done.emit(self._owner, self._failure, exc)
        else:
            self._relay.done.emit(self._owner, self._success, value)


def _log_failure(exc: BaseException) -> None:
    log.error("background task failed", exc_info=exc)


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False):
        super().__init__(parent)
        self.synchronous = synchronous
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer at a time keeps SQLite simple
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)

    def run(
        self,
        fn: Callable[[], T],
        success: Callable[[T], None],
        failure: Callable[[BaseException], None] = _log_failure,
        *,
        owner: QObject | None = None,
    ) -> None:
        """``owner``: the widget the callbacks update; if it is gone by the time the
        result arrives (the page was closed), the result is dropped."""
        if self.synchronous:
            try:
                value = fn()
            except Exception as exc:
                failure(exc)
            else:
                success(value)
            return
        self._pool.start(_Job(fn, self._relay, owner, success, failure))

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until queued work is done (for closing the app and for tests)."""
        return self._pool.waitForDone(msecs)

    @Slot(object, object, object)
    def _deliver(self, owner: QObject | None, callback: Callable[[Any], None],
                 value: Any) -> None:
        if owner is not None and not shiboken6.isValid(owner):
            return
        callback(value)

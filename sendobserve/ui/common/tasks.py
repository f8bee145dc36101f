"""Run slow work off the GUI thread and hand the result back on it.

The function runs on a ``QThreadPool`` worker and must not touch widgets; the
callbacks run on the GUI thread. Two front doors to the same idea:

- ``TaskRunner``: an object the workspace is given (so tests can pass
  ``TaskRunner(synchronous=True)``, which runs everything inline and lets a test read
  the outcome on the next line); one worker at a time, and results for a page that has
  been closed meanwhile are dropped. While the screen is locked (``hold``) results wait
  and are handed over, in order, at ``release``: a report finished behind the lock opens
  after unlocking, never over the lock. Only work started with ``while_held=True`` (the
  lock's own passphrase check) reports while held.
- ``run_in_background(fn, on_done, on_failed)``: the start-up dialogs' one-shot helper
  (scrypt, opening and checking the store) on Qt's global pool.
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
        self._held = False
        self._waiting: list[tuple[QObject | None, Callable[[Any], None], Any]] = []

    def run(
        self,
        fn: Callable[[], T],
        success: Callable[[T], None],
        failure: Callable[[BaseException], None] = _log_failure,
        *,
        owner: QObject | None = None,
        while_held: bool = False,
    ) -> None:
        """``owner``: the widget the callbacks update; if it is gone by the time the
        result arrives (the page was closed), the result is dropped. ``while_held``: report
        even while the runner is held (the lock screen's own work)."""
        if while_held:
            success, failure = _Urgent(success), _Urgent(failure)
        if self.synchronous:
            try:
                value = fn()
            except Exception as exc:
                self._deliver(owner, failure, exc)
            else:
                self._deliver(owner, success, value)
            return
        self._pool.start(_Job(fn, self._relay, owner, success, failure))

    def hold(self) -> None:
        """Keep results back (the screen is locked) until ``release``."""
        self._held = True

    def release(self) -> None:
        """Hand over, in order, what finished while held."""
        self._held = False
        waiting, self._waiting = self._waiting, []
        for owner, callback, value in waiting:
            self._deliver(owner, callback, value)

    @property
    def held(self) -> bool:
        return self._held

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until queued work is done (for closing the app and for tests)."""
        return self._pool.waitForDone(msecs)

    @Slot(object, object, object)
    def _deliver(self, owner: QObject | None, callback: Callable[[Any], None],
                 value: Any) -> None:
        if owner is not None and not shiboken6.isValid(owner):
            return
        if self._held and not isinstance(callback, _Urgent):
            self._waiting.append((owner, callback, value))
            return
        callback(value)


class _Urgent:
    """A callback that reports even while the runner is held."""

    def __init__(self, callback: Callable[[Any], None]) -> None:
        self._callback = callback

    def __call__(self, value: Any) -> None:
        self._callback(value)


# --- one-shot helper for the start-up dialogs ----------------------------------------------

_running: set[_Signals] = set()  # keeps signal carriers alive until they have reported


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _OneShot(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # reported to the GUI thread, never lost in a worker
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[BaseException], None],
) -> None:
    """Run ``fn`` on Qt's global pool; exactly one callback runs, on the GUI thread."""
    signals = _Signals()
    _running.add(signals)

    def finished_ok(result: object) -> None:
        _running.discard(signals)
        on_done(result)

    def finished_badly(exc: object) -> None:
        _running.discard(signals)
        assert isinstance(exc, BaseException)
        on_failed(exc)

    signals.done.connect(finished_ok)
    signals.failed.connect(finished_badly)
    QThreadPool.globalInstance().start(_OneShot(fn, signals))

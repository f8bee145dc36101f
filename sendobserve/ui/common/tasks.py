"""The one way to run work off the GUI thread: ``runner.op(fn)…run()``.

::

    runner.op(lambda: door.readiness(mediator_id, today)) \\
        .success(self.show_data).failure(self.explain).owned_by(self).run()

The function runs on a worker and must not touch widgets; every callback runs on the GUI
thread. An op is built fluently and started with ``run()``:

- ``success(fn)`` gets the result; ``failure(fn)`` the exception (by default it is
  logged, never lost);
- ``owned_by(widget)``: the widget the callbacks update. If it is gone by the time the
  result arrives (the page was closed), the callbacks are dropped;
- ``runner.job(fn)`` instead of ``runner.op(fn)`` hands the work a ``Job``: it calls
  ``job.report(done, total[, what])`` and polls ``job.cancelled()``; ``progress(fn)``
  receives each report on the GUI thread and ``run()`` returns the job, whose
  ``cancel()`` the GUI calls (Cancel, Esc, closing the window: ``runner.cancel_all()``);
- a result that is a ``Changes``, or carries one as ``.changes`` (a service's
  ``Done``), is emitted on ``runner.changed`` after ``success``: every write an op
  makes reaches the open screens through that one signal (the window forwards it as
  ``MainWindow.changed``). A write made on the GUI thread is announced once with
  ``runner.announce(changes)``: the observation screens' door does it for every tick
  (``StoreWorkspaceService(changed=runner.announce)``), the trainee page for a record
  edit. A screen follows the signal with
  ``ChangeFollower(screen, runner, cares, refresh)``: ``cares(changes)`` says whether a
  change concerns what it shows (its flags, and ``changes.touches(mediator_id)``); a
  visible screen refreshes at once, a hidden one (another tab, the trainee page under an
  open observation) when it is next shown, so a run of ticks re-assesses nothing nobody
  is looking at. ``skip_own=True``: the screen shows its own ops' writes itself, and its
  follower lets their announcement by (``Runner.source``).

The window owns one runner: one worker, so SQLite sees one writer at a time, and closing
the window waits for it (``wait``) before the store closes. While the screen is locked
(``hold``) results wait and are handed over, in order, at ``release``: a report finished
behind the lock opens after unlocking, never over it; only an op marked ``while_held()``
(the lock page's own passphrase check) reports while held. ``Runner(synchronous=True)``
runs every op inline, so a test reads the outcome on the next line.

The start-up dialogs (scrypt, opening and checking the store) run before any window has
a runner, on Qt's global pool: ``startup_runner()``, owned by the application.

Everything Qt carries between threads here (the relay, each job) has a parent on the GUI
thread: a worker that drops the last Python reference to a parentless ``QObject`` would
destroy it on the worker's thread, under the GUI thread's feet (an intermittent
segmentation fault). Jobs are deleted on the GUI thread once they have reported.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRunnable,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QWidget

from sendobserve.services.changes import Changes

T = TypeVar("T")
log = logging.getLogger(__name__)


def changes_in(value: object) -> Changes | None:
    """The change set a result carries: itself, or its ``changes``; None for a read."""
    if isinstance(value, Changes):
        return value
    changes = getattr(value, "changes", None)
    return changes if isinstance(changes, Changes) else None


def _log_failure(exc: BaseException) -> None:
    log.error("background task failed", exc_info=exc)


class Job(QObject):
    """One op's line between the threads: progress out (queued to the GUI thread) and
    Cancel in. ``finished`` is set on the worker when the work has returned or raised."""

    progressed = Signal(int, int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel_event = threading.Event()
        self.finished = threading.Event()

    def report(self, done: int, total: int, what: str = "") -> None:  # on the worker
        self.progressed.emit(done, total, what)

    def cancel(self) -> None:
        self.cancel_event.set()

    def cancelled(self) -> bool:  # polled by the worker
        return self.cancel_event.is_set()

    def wait(self, seconds: float) -> bool:
        """Block until the work has returned (closing the window waits for it)."""
        return self.finished.wait(seconds)


class Op(Generic[T]):
    """One piece of work and what to do with its outcome; built with ``Runner.op`` or
    ``Runner.job``, started with ``run``."""

    def __init__(self, runner: Runner, fn: Callable[[Job], T]) -> None:
        self._runner = runner
        self._fn = fn
        self._success: Callable[[T], object] = lambda _value: None
        self._failure: Callable[[BaseException], object] = _log_failure
        self._progress: Callable[[int, int, str], object] | None = None
        self.owner: QObject | None = None
        self.urgent = False
        self.job = Job(runner)

    def success(self, fn: Callable[[T], object]) -> Op[T]:
        self._success = fn
        return self

    def failure(self, fn: Callable[[BaseException], object]) -> Op[T]:
        self._failure = fn
        return self

    def progress(self, fn: Callable[[int, int, str], object]) -> Op[T]:
        """``fn(done, total, what)`` on the GUI thread for each ``job.report``."""
        self._progress = fn
        return self

    def owned_by(self, owner: QObject | None) -> Op[T]:
        self.owner = owner
        return self

    def while_held(self) -> Op[T]:
        """Report even while the runner is held (the lock page's own work)."""
        self.urgent = True
        return self

    def run(self) -> Job:
        if self._progress is not None:
            self.job.progressed.connect(self._progress)
        self._runner.submit(self)
        return self.job

    # --- used by the runner ----------------------------------------------------------
    def work(self) -> T:
        try:
            return self._fn(self.job)
        finally:
            self.job.finished.set()

    def report(self, ok: bool, value: Any) -> None:
        if self.owner is None or shiboken6.isValid(self.owner):
            if ok:
                self._success(value)
            else:
                self._failure(value)


class _Relay(QObject):
    """Lives on the GUI thread; a queued signal carries each outcome back to it."""

    done = Signal(object, bool, object)  # (op, succeeded, result or exception)


class _Worker(QRunnable):
    def __init__(self, op: Op[Any], relay: _Relay) -> None:
        super().__init__()
        self._op = op
        self._relay = relay

    def run(self) -> None:
        try:
            value = self._op.work()
        except BaseException as exc:  # delivered to the failure callback, not swallowed
            self._relay.done.emit(self._op, False, exc)
        else:
            self._relay.done.emit(self._op, True, value)


class Runner(QObject):
    """Runs ops off the GUI thread (see the module's note). ``threads``: how many at once
    on its own pool (1: one writer at a time); ``pool``: run on that pool instead."""

    changed = Signal(object)  # Changes: what a write changed

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False,
                 threads: int = 1, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(threads)
        self._pool = pool
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self._held = False
        # Whose op's result is being announced, while its change signal is out (None: an
        # ``announce`` with no source); ``ChangeFollower(skip_own=True)`` reads it.
        self.source: QObject | None = None
        self._waiting: list[tuple[Op[Any], bool, Any]] = []
        self._running: set[Job] = set()

    # --- building ops ----------------------------------------------------------------
    def op(self, fn: Callable[[], T]) -> Op[T]:
        """Work that needs nothing from the GUI while it runs."""
        return Op(self, lambda _job: fn())

    def job(self, fn: Callable[[Job], T]) -> Op[T]:
        """Work that reports progress and can be cancelled through its ``Job``."""
        return Op(self, fn)

    def submit(self, op: Op[Any]) -> None:
        """Start ``op`` (``Op.run`` calls this: every op enters here)."""
        self._running.add(op.job)
        if self.synchronous:
            try:
                value = op.work()
            except Exception as exc:
                self._deliver(op, False, exc)
            else:
                self._deliver(op, True, value)
            return
        self._pool.start(_Worker(op, self._relay))

    # --- the one change signal ---------------------------------------------------------
    def announce(self, changes: Changes | None, *, source: QObject | None = None) -> None:
        """Tell every open screen what a write changed (no-op for nothing); ``source``:
        the screen whose write it was, if it shows the write itself."""
        if changes is not None and changes.any:
            self.source = source
            try:
                self.changed.emit(changes)
            finally:
                self.source = None

    # --- lock, close ------------------------------------------------------------------
    def hold(self) -> None:
        """Keep results back (the screen is locked) until ``release``."""
        self._held = True

    def release(self) -> None:
        """Hand over, in order, what finished while held."""
        self._held = False
        waiting, self._waiting = self._waiting, []
        for op, ok, value in waiting:
            self._deliver(op, ok, value)

    @property
    def held(self) -> bool:
        return self._held

    def cancel_all(self) -> None:
        """Ask every running job to stop (the window is closing)."""
        for job in list(self._running):
            job.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until queued work is done (for closing the app and for tests)."""
        return self._pool.waitForDone(msecs)

    @Slot(object, bool, object)
    def _deliver(self, op: Op[Any], ok: bool, value: Any) -> None:
        if self._held and not op.urgent:
            self._waiting.append((op, ok, value))
            return
        self._running.discard(op.job)
        try:
            op.report(ok, value)
        finally:
            if shiboken6.isValid(op.job):
                op.job.deleteLater()
            # The write happened whether or not the page that asked is still open.
            if ok:
                self.announce(changes_in(value), source=op.owner)


_startup: Runner | None = None


def startup_runner() -> Runner:
    """The runner of the start-up dialogs and the deferred checks: Qt's global pool,
    owned by the application, so it outlives any window."""
    global _startup
    if _startup is None or not shiboken6.isValid(_startup):
        _startup = Runner(QCoreApplication.instance(), pool=QThreadPool.globalInstance())
    return _startup


class ChangeFollower(QObject):
    """Refreshes ``screen`` on the changes it cares about (see the module's note). Owned
    by the screen: gone with it, and so is its connection to the runner."""

    def __init__(self, screen: QWidget, runner: Runner, cares: Callable[[Changes], bool],
                 refresh: Callable[[], object], *, skip_own: bool = False) -> None:
        """``skip_own``: a change announced for one of the screen's own ops
        (``owned_by(screen)``) is not followed, the screen having shown it already."""
        super().__init__(screen)
        self._screen = screen
        self._runner = runner
        self._skip_own = skip_own
        self._cares = cares
        self._refresh = refresh
        self.stale = False
        self.refreshes = 0  # how many refreshes a change caused (tests read it)
        runner.changed.connect(self.heard)
        screen.installEventFilter(self)

    @Slot(object)
    def heard(self, changes: Changes) -> None:
        if self._skip_own and self._runner.source is self._screen:
            return
        if not self._cares(changes):
            return
        if self._screen.isVisible():
            self._run()
        else:
            self.stale = True

    def _run(self) -> None:
        self.stale = False
        self.refreshes += 1
        self._refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._screen and event.type() == QEvent.Type.Show and self.stale:
            self._run()
        return False

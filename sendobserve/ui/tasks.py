"""Slow work (scrypt, opening and checking the store) off the GUI thread, behind one helper.

``run_in_background(fn, on_done, on_failed)`` runs ``fn`` on Qt's thread pool and
calls exactly one of the callbacks back on the GUI thread. ``fn`` must not touch
widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_running: set[_Signals] = set()  # keeps signal carriers alive until they have reported


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
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
    QThreadPool.globalInstance().start(_Job(fn, signals))

"""Running work on the window's runner and announcing what a write changed, for the
evidence, trust and export screens, whichever runner the window has: ``run(fn, ok, fail,
owner=)`` (``TaskRunner``) or ``op(fn).success().failure().owned_by().run()`` and
``announce`` (the one runner with the one change signal). Once only the latter is left,
these helpers are one line each.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QWidget


def synchronous_runner(parent: QObject | None = None) -> Any:
    """A runner that runs everything inline (a dialog opened without a window, tests)."""
    tasks = importlib.import_module("sendobserve.ui.common.tasks")
    cls = getattr(tasks, "Runner", None) or tasks.TaskRunner
    return cls(parent, synchronous=True)


def window_runner(widget: QWidget) -> Any:
    """The runner of the window ``widget`` is in, or None."""
    return getattr(widget.window(), "runner", None)


def run(runner: Any, work: Callable[[], Any], success: Callable[[Any], None],
        failure: Callable[[BaseException], None], *, owner: QObject | None) -> None:
    op = getattr(runner, "op", None)
    if callable(op):
        op(work).success(success).failure(failure).owned_by(owner).run()
    else:
        runner.run(work, success, failure, owner=owner)


def announce(runner: Any, widget: QWidget, changes: Any) -> None:
    """Tell the open screens what a write changed: through the runner's one change signal
    where there is one, else the window's ``changed`` signal where it has one."""
    tell = getattr(runner, "announce", None)
    if callable(tell):
        tell(changes)
        return
    window = widget.window()
    signal = getattr(window, "changed", None) if isinstance(window, QMainWindow) else None
    if signal is not None:
        signal.emit(changes)

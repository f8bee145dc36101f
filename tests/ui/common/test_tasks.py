"""The task runner: work off the GUI thread, results and failures back on it."""

from __future__ import annotations

import threading
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication

from sendobserve.ui.common.tasks import TaskRunner


def test_result_and_failure_arrive_on_the_gui_thread(qtbot: Any) -> None:
    runner = TaskRunner()
    seen: list[tuple[str, object, bool]] = []
    worker_threads: list[int] = []

    def work() -> int:
        worker_threads.append(threading.get_ident())
        return 42

    def fail() -> int:
        raise ValueError("disk full")

    gui = QApplication.instance().thread()
    runner.run(work, lambda v: seen.append(("ok", v, QThread.currentThread() is gui)))
    runner.run(fail, lambda v: None,
               lambda e: seen.append(("failed", str(e), QThread.currentThread() is gui)))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert seen == [("ok", 42, True), ("failed", "disk full", True)]
    assert worker_threads and worker_threads[0] != threading.get_ident()


def test_synchronous_mode_runs_inline(qapp: Any) -> None:
    runner = TaskRunner(synchronous=True)
    out: list[object] = []
    runner.run(lambda: "now", out.append)
    runner.run(lambda: 1 / 0, out.append, lambda e: out.append(type(e).__name__))
    assert out == ["now", "ZeroDivisionError"]


def test_a_result_for_a_deleted_owner_is_dropped(qtbot: Any) -> None:
    runner = TaskRunner()
    owner = QObject()
    out: list[object] = []
    gate = threading.Event()
    runner.run(lambda: gate.wait(5) and "late", out.append, owner=owner)
    shiboken6.delete(owner)  # the page that asked was closed meanwhile
    assert not shiboken6.isValid(owner)
    gate.set()
    assert runner.wait(5000)
    qtbot.wait(50)
    assert out == []


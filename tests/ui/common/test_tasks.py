"""The runner: work off the GUI thread, results and failures back on it, progress and
Cancel between the two, and every write's change set on one signal."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication

from sendobserve.services import Done
from sendobserve.services.changes import Changes
from sendobserve.ui.common.tasks import Job, Runner

ONE = uuid.UUID(int=1)


def test_result_and_failure_arrive_on_the_gui_thread(qtbot: Any) -> None:
    runner = Runner()
    seen: list[tuple[str, object, bool]] = []
    worker_threads: list[int] = []

    def work() -> int:
        worker_threads.append(threading.get_ident())
        return 42

    def fail() -> int:
        raise ValueError("disk full")

    gui = QApplication.instance().thread()
    runner.op(work).success(
        lambda v: seen.append(("ok", v, QThread.currentThread() is gui))).run()
    runner.op(fail).failure(
        lambda e: seen.append(("failed", str(e), QThread.currentThread() is gui))).run()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert seen == [("ok", 42, True), ("failed", "disk full", True)]
    assert worker_threads and worker_threads[0] != threading.get_ident()


def test_synchronous_mode_runs_inline(qapp: Any) -> None:
    runner = Runner(synchronous=True)
    out: list[object] = []
    runner.op(lambda: "now").success(out.append).run()
    runner.op(lambda: 1 / 0).success(out.append).failure(
        lambda e: out.append(type(e).__name__)).run()
    assert out == ["now", "ZeroDivisionError"]


def test_a_result_for_a_deleted_owner_is_dropped(qtbot: Any) -> None:
    runner = Runner()
    owner = QObject()
    out: list[object] = []
    gate = threading.Event()
    runner.op(lambda: gate.wait(5) and "late").success(out.append).owned_by(owner).run()
    shiboken6.delete(owner)  # the page that asked was closed meanwhile
    assert not shiboken6.isValid(owner)
    gate.set()
    assert runner.wait(5000)
    qtbot.wait(50)
    assert out == []


def test_progress_reaches_the_gui_and_cancel_reaches_the_work(qtbot: Any) -> None:
    runner = Runner()
    gui = QApplication.instance().thread()
    seen: list[tuple[int, int, bool]] = []
    started = threading.Event()

    def work(job: Job) -> int:
        done = 0
        while not job.cancelled():
            done += 1
            job.report(done, 1000)
            started.set()
            QThread.msleep(2)
        return done

    outcome: list[int] = []
    job = runner.job(work).progress(
        lambda n, total, _what: seen.append((n, total, QThread.currentThread() is gui))) \
        .success(outcome.append).run()
    assert started.wait(5)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    job.cancel()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert outcome[0] >= 1
    assert all(on_gui and total == 1000 for _n, total, on_gui in seen)
    assert job.finished.is_set()


def test_cancel_all_stops_every_running_job(qtbot: Any) -> None:
    runner = Runner(threads=2)
    stopped: list[str] = []

    def until_cancelled(job: Job) -> str:
        while not job.cancelled():
            QThread.msleep(2)
        return "stopped"

    runner.job(until_cancelled).success(stopped.append).run()
    runner.job(until_cancelled).success(stopped.append).run()
    runner.cancel_all()  # what closing the window does
    assert runner.wait(5000)
    qtbot.waitUntil(lambda: len(stopped) == 2, timeout=5000)


def test_a_write_announces_what_it_changed_after_its_success(qapp: Any) -> None:
    runner = Runner(synchronous=True)
    order: list[object] = []
    runner.changed.connect(lambda changes: order.append(changes))
    change = Changes(record=True, mediators=frozenset({ONE}))
    runner.op(lambda: Done("saved", change)).success(
        lambda w: order.append(w.value)).run()
    runner.op(lambda: "a read").success(order.append).run()  # a read announces nothing
    runner.op(lambda: 1 / 0).failure(lambda e: order.append("failed")).run()
    assert order == ["saved", change, "a read", "failed"]


def test_a_write_is_announced_even_when_the_page_that_asked_is_gone(qapp: Any) -> None:
    runner = Runner(synchronous=True)
    heard: list[Changes] = []
    runner.changed.connect(heard.append)
    owner = QObject()
    shiboken6.delete(owner)
    runner.op(lambda: Changes(cases=True)).success(heard.append).owned_by(owner).run()
    assert heard == [Changes(cases=True)]  # the signal only, not the page's callback


def test_while_held_results_and_their_changes_wait_in_order(qapp: Any) -> None:
    runner = Runner(synchronous=True)
    out: list[object] = []
    runner.changed.connect(out.append)
    runner.hold()
    runner.op(lambda: "first").success(out.append).run()
    runner.op(lambda: Changes(marks=True)).run()
    runner.op(lambda: "the lock's own").success(out.append).while_held().run()
    assert out == ["the lock's own"]
    runner.release()
    assert out == ["the lock's own", "first", Changes(marks=True)]


def test_announcing_nothing_emits_nothing(qapp: Any) -> None:
    runner = Runner(synchronous=True)
    heard: list[Changes] = []
    runner.changed.connect(heard.append)
    runner.announce(Changes())
    runner.announce(None)
    runner.announce(Changes(forms=True))
    assert heard == [Changes(forms=True)]


def test_a_screen_refreshes_on_what_it_cares_about_now_or_when_next_shown(qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    from sendobserve.ui.common.tasks import ChangeFollower

    runner = Runner(synchronous=True)
    screen = QWidget()
    qtbot.addWidget(screen)
    refreshed: list[str] = []
    follower = ChangeFollower(screen, runner, lambda c: c.touches(ONE) and c.record,
                              lambda: refreshed.append("refresh"))
    screen.show()
    runner.announce(Changes(record=True, mediators=frozenset({ONE})))
    runner.announce(Changes(record=True, mediators=frozenset({uuid.UUID(int=2)})))
    runner.announce(Changes(forms=True))
    assert refreshed == ["refresh"]
    screen.hide()
    runner.announce(Changes(record=True))
    runner.announce(Changes(record=True))
    assert refreshed == ["refresh"] and follower.stale
    screen.show()  # once, however many changes it missed
    assert refreshed == ["refresh", "refresh"] and not follower.stale
    assert follower.refreshes == 2
    shiboken6.delete(screen)
    runner.announce(Changes(record=True))  # the follower went with its screen
    assert refreshed == ["refresh", "refresh"]


def test_a_screen_can_leave_its_own_writes_to_itself(qtbot: Any) -> None:
    # A screen that shows its own write (with its sentence) follows only the changes
    # made elsewhere: its own op's result is announced with it as the source.
    from PySide6.QtWidgets import QWidget

    from sendobserve.ui.common.tasks import ChangeFollower

    runner = Runner(synchronous=True)
    screen, other = QWidget(), QWidget()
    qtbot.addWidget(screen)
    qtbot.addWidget(other)
    own = ChangeFollower(screen, runner, lambda c: c.record, lambda: None, skip_own=True)
    every = ChangeFollower(other, runner, lambda c: c.record, lambda: None)
    screen.show()
    other.show()
    runner.op(lambda: Changes(record=True)).owned_by(screen).run()  # the screen's own
    assert (own.refreshes, every.refreshes) == (0, 1)
    runner.op(lambda: Changes(record=True)).owned_by(other).run()  # another screen's
    runner.announce(Changes(record=True))  # a write with no screen (a tick, an import)
    assert (own.refreshes, every.refreshes) == (2, 3)
    assert runner.source is None  # only while the signal is out

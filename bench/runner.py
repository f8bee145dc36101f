"""What the one runner costs per op: GUI thread → worker → GUI thread, for an op that
returns nothing to announce, and for a write that announces a change one screen follows.

    PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen python bench/runner.py [N]

Prints the median and 95th percentile in milliseconds over N ops (1,000 by default).
The work itself is empty, so the figures are the runner's own overhead (a job object,
two queued signals, the change signal and one follower's check).
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QWidget

from sendobserve.services import Done
from sendobserve.services.changes import Changes
from sendobserve.ui.common.tasks import ChangeFollower, Runner


def _round_trips(app: QApplication, start: Callable[[Callable[[object], None]], None],
                 n: int) -> list[float]:
    times = []
    for _ in range(n):
        box: list[object] = []
        t0 = time.perf_counter()
        start(box.append)
        while not box:
            app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    app = QApplication(sys.argv[:1])
    runner = Runner()
    screen = QWidget()
    screen.show()
    mediator = uuid.uuid4()
    refreshed: list[int] = []
    ChangeFollower(screen, runner, lambda c: c.touches(mediator), lambda: refreshed.append(1))
    change = Changes(record=True, mediators=frozenset({mediator}))

    def read(done: Callable[[object], None]) -> None:
        runner.op(lambda: 1).success(done).run()

    def write(done: Callable[[object], None]) -> None:
        runner.op(lambda: Done(1, change)).success(done).run()

    for name, start in (("read (no change)", read), ("write (announced, followed)", write)):
        times = _round_trips(app, start, n)
        print(f"{name}: median {statistics.median(times):.3f} ms, "
              f"p95 {times[int(0.95 * n)]:.3f} ms over {n}")
    assert len(refreshed) == n  # every write reached the screen once


if __name__ == "__main__":
    main()

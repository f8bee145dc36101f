"""Conflicts timings: ``PYTHONPATH=. python -m bench.conflicts [N]``.

Two real stores disagree in every way a store keeps as a conflict (an observation
amended differently, a reflection edited differently, a training course deleted on one
and edited on the other, a Form 4 issued on each: ``tests.exchange.conflictkit``); on the
second, times N reads of File ▸ Conflicts…'s list (``services.conflict_views``) and one
certificate decision (signed, kept, settled, committed). Wall and thread CPU time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sendobserve.services.conflict_views import conflict_views, decide
from tests.exchange.conflictkit import disagreeing_laptops


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        d = disagreeing_laptops(Path(folder))
        with d.b.open() as store:
            views = conflict_views(store)  # warm
            wall, cpu = time.perf_counter(), time.thread_time()
            for _ in range(n):
                views = conflict_views(store)
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            print(f"conflict list ({len(views)} conflicts, one of each kind): "
                  f"{wall / n * 1000:.1f} ms wall, {cpu / n * 1000:.1f} ms CPU per read")
            cert = next(v for v in views if v.kind == "certificate")
            wall, cpu = time.perf_counter(), time.thread_time()
            decide(store, cert, cert.versions[1].keep, decided_by=d.decider.name,
                   reason="Timed")
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            print(f"certificate decision (sign, keep, settle, commit): "
                  f"{wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)

"""How long a tick takes, key press through the repaint: python tools/bench_ticks.py [N]

The tick figures of ``bench/run.py --only tick``, on their own: a real encrypted store in
a temporary folder, the real checklist page offscreen, N key presses (default 300), each
changing the item's state and committing it (WAL, synchronous=FULL), timed until the
ticked row has been repainted; beside them the same presses on a bare Qt view with one
raw SQLCipher commit each, and ``set_mark`` alone against a raw commit. Wall-clock and
CPU time, medians and 99th percentiles: see ``bench/README.md``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    import run  # bench/run.py

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    run.bench_tick(runs)
    run.bench_tick_checklist(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

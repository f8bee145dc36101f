"""Named crash points so tests can kill the process at exact moments of a multi-step change.

Set ``SENDOBSERVE_CRASH_AT`` to a point's name and the process dies there as if
killed (SIGKILL where there is one): no ``finally`` blocks, no flushing. Unset, a
crash point costs one environment lookup.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "SENDOBSERVE_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) != name:
        return
    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(137)

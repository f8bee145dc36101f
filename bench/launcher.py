"""The minimal launcher: every process figure (start-up, CPU time, peak RSS) comes from here.

    python bench/launcher.py PROGRAM [ARG ...]

Forks and execs PROGRAM, timestamps the lines it prints that start with one of MARKS
(and reads the child's resident size as each arrives), reaps it with ``os.wait4`` and
prints one JSON line: milliseconds from the fork to each mark and to the exit, the
resident MiB at each mark, the child's user + system CPU time, its peak RSS, its exit
status, and this launcher's own resident size at the fork.

Why a launcher at all: on Linux a child's ``ru_maxrss`` is at least the resident size of
its parent at the fork (the pre-exec copy counts toward the child's high-water mark),
so a child spawned by the benchmark itself, after it has run scrypt and built stores,
would report the benchmark's memory, not its own. This process imports only ``os``,
``sys``, ``time`` and ``json``; its resident size at the fork (printed as
``launcher_rss_mib``, about 10 MiB, read from ``/proc/self/statm``) is far below any
child measured, so the children's figures are their own.
"""

import json
import os
import sys
import time

MARKS = (b"main window painted", b"records opened", b"key derived")


def _resident_mib(pid: str = "self") -> float | None:
    """A process's resident size now (for this one: not its peak, which it inherited from
    whatever started it); None if it has gone."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    argv = sys.argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    launcher_rss = _resident_mib()
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: stdout into the pipe, stderr left alone, then exec
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            os.close(write_end)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    os.close(write_end)
    marks: dict[str, float] = {}
    resident: dict[str, float | None] = {}
    with os.fdopen(read_end, "rb") as lines:
        for line in lines:
            for mark in MARKS:
                name = mark.decode()
                if line.startswith(mark) and name not in marks:
                    marks[name] = (time.monotonic() - started) * 1000
                    resident[name] = _resident_mib(str(pid))
    _pid, status, usage = os.wait4(pid, 0)
    ended = (time.monotonic() - started) * 1000
    print(json.dumps({
        "marks_ms": marks,
        "resident_mib": resident,
        "exit_ms": ended,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "status": os.waitstatus_to_exitcode(status),
        "launcher_rss_mib": launcher_rss,
    }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

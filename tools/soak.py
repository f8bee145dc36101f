#!/usr/bin/env python3
"""Kill -9 soak: a child writes through the real store and is killed at random moments.

Each round a fresh child process opens the store (``open_store``: the same engine,
pragmas and checks the app uses) and commits one row per transaction, printing each
row's number only after ``commit`` returned — an *acknowledged* write. The parent
kills it with SIGKILL at a random moment (nine in ten among the writes, one in ten
while the store is still opening), then reopens the store (which runs
``cipher_integrity_check`` and ``quick_check``) and checks that every acknowledged
row is there. Any lost row or failed check fails the run.

    python tools/soak.py --kills 1000          # the full soak
    python tools/soak.py --kills 50 --json     # what the test suite runs

Children are forked where the OS can (fast, so many kills fit in little time) and
spawned as new interpreters elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from sendobserve.storage.db import create_store, open_store  # noqa: E402

OPEN_KILL_SHARE = 0.1
TABLE_SQL = "CREATE TABLE IF NOT EXISTS soak_log (n INTEGER PRIMARY KEY, payload TEXT NOT NULL)"


def child_write(data_dir: Path, key: bytes, out_fd: int, ack_early: bool = False) -> None:
    """Write rows forever, acknowledging each after its commit; runs until killed.

    ``ack_early`` breaks the rule on purpose (acknowledge, then commit) so the harness
    can show that it does catch lost writes.
    """
    store = open_store(data_dir, key, daily_backup=False)
    with store.session() as session:
        start = int(session.execute(text("SELECT coalesce(max(n), 0) FROM soak_log")).scalar_one())
    os.write(out_fd, b"ready\n")
    n = start
    payload = "x" * 200
    while True:
        n += 1
        with store.session() as session:
            session.execute(
                text("INSERT INTO soak_log (n, payload) VALUES (:n, :p)"), {"n": n, "p": payload}
            )
            if ack_early:
                os.write(out_fd, f"{n}\n".encode())
                time.sleep(0.005)
        if not ack_early:
            os.write(out_fd, f"{n}\n".encode())


def _spawn_child(
    data_dir: Path, key: bytes, ack_early: bool
) -> tuple[int, int, subprocess.Popen[bytes] | None]:
    """Start a writer; returns (pid, read fd, Popen or None when forked)."""
    if hasattr(os, "fork"):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_fd)
            try:
                child_write(data_dir, key, write_fd, ack_early)
            finally:
                os._exit(1)
        os.close(write_fd)
        return pid, read_fd, None
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(data_dir), key.hex()]
        + (["--ack-early"] if ack_early else []),
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    return proc.pid, proc.stdout.fileno(), proc


def _read_acks(fd: int, deadline: float, buffer: bytearray) -> None:
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        buffer.extend(chunk)


def _wait_ready(fd: int, buffer: bytearray, deadline: float) -> None:
    while b"ready\n" not in buffer and time.monotonic() < deadline:
        _read_acks(fd, min(deadline, time.monotonic() + 0.05), buffer)


def run(
    kills: int, seed: int, data_dir: Path, max_delay: float, ack_early: bool = False
) -> dict[str, object]:
    rng = random.Random(seed)
    key = os.urandom(32)
    store = create_store(data_dir, key)
    with store.session() as session:
        session.execute(text(TABLE_SQL))
    store.close()
    acknowledged = 0
    highest_ack = 0
    lost_total = 0
    failures: list[str] = []
    kills_during_writes = 0
    started = time.monotonic()
    for round_no in range(1, kills + 1):
        pid, fd, proc = _spawn_child(data_dir, key, ack_early)
        buffer = bytearray()
        if rng.random() < OPEN_KILL_SHARE:
            # Some kills land while the child opens the store (recovery, checks).
            _read_acks(fd, time.monotonic() + rng.uniform(0.0, max_delay), buffer)
        else:
            # Most land among the writes: the clock starts once the store is open.
            _wait_ready(fd, buffer, time.monotonic() + 30)
            _read_acks(fd, time.monotonic() + rng.uniform(0.0, max_delay), buffer)
        os.kill(pid, signal.SIGKILL)
        if proc is None:
            os.waitpid(pid, 0)
        else:
            proc.wait()
        _read_acks(fd, time.monotonic() + 0.2, buffer)  # whatever was acknowledged before death
        if proc is None:
            os.close(fd)
        lines = buffer.decode().split()
        acks = [int(x) for x in lines if x.isdigit()]
        if acks:
            kills_during_writes += 1
            acknowledged += len(acks)
            highest_ack = max(highest_ack, max(acks))
        try:
            check = open_store(data_dir, key, daily_backup=False)  # integrity checks run here
        except Exception as exc:  # a failed check is the finding, not a crash of the tool
            failures.append(f"round {round_no}: store did not open: {exc}")
            break
        try:
            with check.session() as session:
                present = int(
                    session.execute(
                        text("SELECT count(*) FROM soak_log WHERE n <= :h"), {"h": highest_ack}
                    ).scalar_one()
                )
        finally:
            check.close()
        lost = highest_ack - present
        if lost:
            lost_total += lost
            failures.append(f"round {round_no}: {lost} acknowledged rows missing")
    return {
        "kills": kills,
        "kills_during_writes": kills_during_writes,
        "acknowledged_writes": acknowledged,
        "rows_checked": highest_ack,
        "lost": lost_total,
        "integrity_failures": len([f for f in failures if "did not open" in f]),
        "failures": failures[:10],
        "seconds": round(time.monotonic() - started, 1),
        "seed": seed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--max-delay", type=float, default=0.1, help="longest wait before a kill, seconds"
    )
    parser.add_argument("--data-dir", help="keep the store here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--ack-early",
        action="store_true",
        help="self-test: acknowledge before commit, which must show up as lost writes",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_write(
            Path(args.child[0]), bytes.fromhex(args.child[1]), sys.stdout.fileno(), args.ack_early
        )
        return 1
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    tmp = None
    if args.data_dir:
        data_dir = Path(args.data_dir)
    else:
        tmp = tempfile.mkdtemp(prefix="sendobserve-soak-")
        data_dir = Path(tmp) / "data"
    try:
        result = run(args.kills, seed, data_dir, args.max_delay, args.ack_early)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            print(f"{name}: {value}")
    return 0 if result["lost"] == 0 and not result["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())

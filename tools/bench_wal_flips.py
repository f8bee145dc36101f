#!/usr/bin/env python3
"""Flip one bit of a store's write-ahead log (or database), open it, and see what happens.

A store is written commit by commit and its database and ``-wal`` are copied while it is
still open (the state after a crash or power cut). Each round copies that pair, flips one
random bit of the log and opens the copy with ``open_store`` as the app does. Outcomes:

* ``detected``  — refused as damaged (the files are kept aside, nothing opened);
* ``harmless``  — opened, and every row reads exactly as in the undamaged copy;
* ``silent_loss`` — opened, but rows differ: acknowledged commits were dropped unseen;
* ``errors``    — anything else (a traceback): must be 0.

    python tools/bench_wal_flips.py --flips 2000           # the full run
    python tools/bench_wal_flips.py --flips 30 --json      # what the test suite runs
    python tools/bench_wal_flips.py --flips 2000 --file db # flips in the database instead
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sendobserve.storage import keys, vault  # noqa: E402
from sendobserve.storage.db import DB_NAME, Store, open_store  # noqa: E402
from sendobserve.storage.errors import DamagedStoreError  # noqa: E402
from sendobserve.storage.meta import set_meta  # noqa: E402

FILES = (DB_NAME, DB_NAME + "-wal", keys.KEY_FILE_NAME)


def make_wal_store(folder: Path, commits: int) -> bytes:
    """A database with a live write-ahead log of ``commits`` commits in ``folder``; its key."""
    live = folder / "live"
    created = vault.initialise(
        live, "correct horse battery staple", scrypt=keys.ScryptParams(n=2**14)
    )
    store = created.store
    try:
        for i in range(commits):
            with store.session() as session:
                set_meta(session, f"row-{i}", f"observation {i} " + "x" * (40 + 7 * i % 300))
        pristine = folder / "pristine"
        pristine.mkdir()
        for name in FILES:  # copied while open: the log is not folded in
            shutil.copyfile(live / name, pristine / name)
    finally:
        store.close()
    return created.data_key


def content_digest(store: Store) -> str:
    """A digest of every row of every table, in a fixed order."""
    digest = hashlib.sha256()
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        tables = [
            r[0]
            for r in raw.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
            ).fetchall()
        ]
        for table in tables:
            for row in raw.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr((table, row)).encode())
    return digest.hexdigest()


def _copy(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in FILES:
        shutil.copyfile(source / name, target / name)


def run(flips: int, seed: int, commits: int = 60, target: str = "wal") -> dict[str, object]:
    rng = random.Random(seed)
    outcome = {"detected": 0, "harmless": 0, "silent_loss": 0, "errors": 0}
    failures: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="walflips-") as tmp:
        folder = Path(tmp)
        key = make_wal_store(folder, commits)
        pristine = folder / "pristine"
        name = DB_NAME + "-wal" if target == "wal" else DB_NAME
        size = (pristine / name).stat().st_size
        _copy(pristine, folder / "reference")
        with open_store(folder / "reference", key, daily_backup=False) as store:
            expected = content_digest(store)
        for _ in range(flips):
            offset, bit = rng.randrange(size), rng.randrange(8)
            work = folder / "work"
            _copy(pristine, work)
            damaged = work / name
            data = bytearray(damaged.read_bytes())
            data[offset] ^= 1 << bit
            damaged.write_bytes(bytes(data))
            try:
                with open_store(work, key, daily_backup=False) as store:
                    got = content_digest(store)
            except DamagedStoreError:
                outcome["detected"] += 1
                continue
            except Exception:
                outcome["errors"] += 1
                failures.append(f"offset {offset} bit {bit}: {traceback.format_exc(limit=3)}")
                continue
            if got == expected:
                outcome["harmless"] += 1
            else:
                outcome["silent_loss"] += 1
                failures.append(f"offset {offset} bit {bit}: opened with rows missing")
    return {
        **outcome,
        "flips": flips,
        "seed": seed,
        "file": name,
        "file_bytes": size,
        "seconds": round(time.perf_counter() - started, 1),
        "failures": failures[:20],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flips", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commits", type=int, default=60)
    parser.add_argument("--file", choices=["wal", "db"], default="wal", help="what to damage")
    parser.add_argument("--json", action="store_true", help="one JSON line at the end")
    args = parser.parse_args(argv)
    result = run(args.flips, args.seed, args.commits, args.file)
    if args.json:
        print(json.dumps(result))
    else:
        for name in ("file", "flips", "detected", "harmless", "silent_loss", "errors", "seconds"):
            print(f"{name:>12}: {result[name]}")
        for failure in result["failures"]:  # type: ignore[union-attr]
            print(failure)
    return 0 if result["silent_loss"] == 0 and result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

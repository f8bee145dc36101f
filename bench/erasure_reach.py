"""Erasure that reaches other copies: how long one trainee's erasure takes, here and on a
second laptop that imports the signed erasure record.

    PYTHONPATH=$PWD python bench/erasure_reach.py [--trainees 50] [--backups 7]

Two copies of the generated organisation store (``gen.py``: 72 observations and 1,800
marks per trainee), the second given its own installation identity and told that the
first may erase there. On the first: ``--backups`` rolling backups, then ``erase_mediator``
of one trainee (live store with secure delete, log truncated, ``VACUUM``, every backup
rewritten). On the second: the same backups, then the record imported (``apply_import``:
the rows deleted in the import's transaction) and ``complete_erasures`` (log, ``VACUUM``,
backups).

Floor: ``VACUUM`` of the live store and ``VACUUM`` of each backup attached to the same
connection, with ``secure_delete`` on: rewriting every copy once is the least an erasure
that reaches every copy can do (deleting the rows costs little beside it).
Not part of the test suite: timings on a shared machine vary.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen


def _open(data_dir: Path):  # type: ignore[no-untyped-def]
    from sendobserve.storage import vault

    return vault.open_with_keys(data_dir, vault.unlock(data_dir, gen.PASSPHRASE))


def _floor(data_dir: Path) -> float:
    from sendobserve.storage.backup import all_encrypted_copies

    store = _open(data_dir)
    try:
        t0 = time.perf_counter()
        with store.engine.connect() as sa_conn:
            raw = sa_conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA secure_delete = ON")
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for path in all_encrypted_copies(store.data_dir):
                raw.execute("ATTACH DATABASE ? AS copy", (str(path),))
                raw.execute("VACUUM copy")
                raw.execute("DETACH DATABASE copy")
        return time.perf_counter() - t0
    finally:
        store.close()


def _backups(data_dir: Path, count: int) -> None:
    from sendobserve.storage.backup import make_backup

    store = _open(data_dir)
    try:
        for n in range(count):
            make_backup(store, reason=f"bench{n}", keep=count)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--backups", type=int, default=7)
    args = parser.parse_args()

    from sqlalchemy import delete

    from sendobserve.exchange.apply import apply_import
    from sendobserve.exchange.bundle import MIN_LOG2_N, open_bundle, seal
    from sendobserve.exchange.export import erasure_payload
    from sendobserve.pki.identity import load_or_create_identity
    from sendobserve.storage import erasure_records
    from sendobserve.storage import exchange as stored
    from sendobserve.storage.erasure import complete_erasures, erase_mediator

    g = gen.cached(args.trainees)
    victim = g.mediator_ids[len(g.mediator_ids) // 2]
    with tempfile.TemporaryDirectory() as tmp:
        a, b, f = (Path(tmp) / n for n in ("a", "b", "floor"))
        for target in (a, b, f):
            shutil.copytree(g.data_dir, target)
            _backups(target, args.backups)
        floor = _floor(f)

        store = _open(a)
        try:
            t0 = time.perf_counter()
            result = erase_mediator(store, victim)
            here = time.perf_counter() - t0
            with store.session() as s:
                admin = load_or_create_identity(stored.StoredSigningKey(s))
                data = seal(erasure_payload(s, exported_by="bench"), passphrase="bench pass "
                            "phrase long enough", signing_key=admin, kdf_log2_n=MIN_LOG2_N)
        finally:
            store.close()

        store = _open(b)
        try:
            with store.session() as s:  # the second laptop: its own identity, A allowed
                s.execute(delete(stored.InstallationIdentityRecord))
            with store.session() as s:
                load_or_create_identity(stored.StoredSigningKey(s))
                erasure_records.allow(s, admin.fingerprint, named_by="bench")
            opened = open_bundle(data, passphrase="bench pass phrase long enough")
            t0 = time.perf_counter()
            with store.session() as s:
                apply_import(s, opened)
            applied = time.perf_counter() - t0
            done = complete_erasures(store)
            there = time.perf_counter() - t0
        finally:
            store.close()

    rows = sum(result.rows_deleted.values())
    print(f"store: {args.trainees} trainees, {g.observations} observations, {g.marks} marks; "
          f"{args.backups} backups; one trainee erased ({rows} rows)")
    print(f"floor (VACUUM of the live store and every backup): {floor:.2f} s")
    print(f"erase here (live + {len(result.copies)} backups): {here:.2f} s "
          f"({here / floor:.2f}x the floor)")
    print(f"second laptop, import of the record (rows deleted): {applied:.2f} s; "
          f"with log, VACUUM and {len(done[0].copies) if done else 0} backups: {there:.2f} s "
          f"({there / floor:.2f}x the floor)")


if __name__ == "__main__":
    main()

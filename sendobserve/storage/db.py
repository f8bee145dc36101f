"""The one place that opens the encrypted database.

``create_store`` makes a new store; ``open_store`` opens an existing one with its data
key, after checking — read-only, before anything is written — that the file is
encrypted, decrypts with the key, passes ``cipher_integrity_check`` and
``quick_check``, and has a schema this version knows (``checks``). Only then does it open
for writing, migrate (after a backup) and take the daily backup. A file that fails any
check is reported and left exactly as it was; nothing here ever creates a database
in the place of one that did not open.

The layers below, each importing only those under it: ``engine`` (the file, keyed
connections, probes, revisions, ``Store``) → ``backup`` → ``checks`` → ``integrity`` →
``db``. The names most callers need are re-exported here.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.storage import integrity, keys
from sendobserve.storage.backup import backup_due, make_backup
from sendobserve.storage.checks import (
    DAMAGED_PREFIX,
    check_wal,
    damaged_message,
    keep_damaged_copies,
    verify_database,
)
from sendobserve.storage.engine import (
    DB_NAME,
    MIGRATIONS_DIR,
    PLAINTEXT_HEADER,
    SIDECAR_SUFFIXES,
    STAGING_NAME,
    KeyMismatch,
    Store,
    StoreReadError,
    check_header,
    check_revision,
    database_accepts_key,
    db_path,
    head_revisions,
    inspect_database,
    known_revisions,
    make_engine,
    sidecars,
    upgrade,
)
from sendobserve.storage.errors import (
    DamagedStoreError,
    DataDirError,
    DiskFullError,
    NoStoreError,
    StoreExistsError,
)
from sendobserve.storage.fsutil import (
    check_writable_dir,
    disk_full_at,
    disk_full_message,
    fsync_file,
    is_disk_full,
    keep_private,
    make_private,
    replace_durably,
)
from sendobserve.storage.lock import DataDirLock
from sendobserve.storage.meta import META_CREATED_AT, META_STORE_ID, set_meta

__all__ = [
    "DAMAGED_PREFIX", "DB_NAME", "MIGRATIONS_DIR", "PLAINTEXT_HEADER", "SIDECAR_SUFFIXES",
    "STAGING_NAME", "KeyMismatch", "Store", "StoreReadError", "check_header",
    "check_revision", "check_wal", "create_store", "damaged_message", "database_accepts_key",
    "db_path", "head_revisions", "inspect_database", "keep_damaged_copies",
    "known_revisions", "open_store", "sidecars", "verify_database",
]


def open_store(
    data_dir: Path, data_key: bytes, *, daily_backup: bool = True, migrate: bool = True
) -> Store:
    """Open an existing store: check, then migrate (after a backup), then the daily backup."""
    data_dir = Path(data_dir)
    path = db_path(data_dir)
    if not path.exists():
        raise NoStoreError(
            f"there is no sendobserve store in {data_dir}; create one with 'sendobserve init'"
        )
    if not os.access(data_dir, os.W_OK) or not os.access(path, os.W_OK):
        raise DataDirError(f"the data folder {data_dir} cannot be written")
    if disk_full_at(data_dir):  # before anything is created or written
        raise DiskFullError(disk_full_message(data_dir))
    lock = DataDirLock(data_dir)
    lock.acquire()
    keep_private(data_dir)
    # A process that defers the whole-file checks (the app) runs them after opening.
    defer = integrity.deferred()
    try:
        if defer:
            revision = integrity.verify_quickly(data_dir, data_key, path)
        else:
            revision = verify_database(data_dir, data_key, path)
        engine = make_engine(path, data_key)
    except BaseException:
        lock.release(undo_create=True)
        raise
    store = Store(data_dir, engine, keys.key_id(data_key), lock)
    try:
        heads = head_revisions()
        if migrate and revision not in heads:
            if revision is not None:
                if defer:  # nothing rewrites the file before the whole of it is checked
                    verify_database(data_dir, data_key, path)
                make_backup(store, reason=f"before-{'-'.join(heads)}")
            upgrade(engine)
        # Deferred: after the checks, in the background.
        if daily_backup and not defer and backup_due(data_dir):
            try:
                make_backup(store)
            except (OSError, UserError, sqlcipher3.Error) as exc:
                # The records are safe; a missing backup must be visible, not block work.
                store.warnings.append(f"today's backup could not be made: {exc}")
        with engine.connect() as conn:  # the first connection makes the log and its index
            conn.exec_driver_sql("SELECT 1")
    except BaseException as exc:
        store.close()
        if isinstance(exc, Exception) and (is_disk_full(exc) or disk_full_at(data_dir)):
            raise DiskFullError(disk_full_message(data_dir)) from None
        raise
    return store


def create_store(data_dir: Path, data_key: bytes, *, store_id: str | None = None) -> Store:
    """Create a new store. Refuses if any database file is already there.

    The database is built under a staging name and renamed into place when complete, so
    a kill half-way leaves no half-made store behind (the staging file is cleared on the
    next attempt).
    """
    data_dir = Path(data_dir)
    problem = check_writable_dir(data_dir)
    if problem:
        raise DataDirError(problem)
    path = db_path(data_dir)
    existing = [p for p in [path, *sidecars(path)] if p.exists()]
    if existing:
        raise StoreExistsError(
            f"a store already exists in {data_dir} ({existing[0].name}); not overwriting it"
        )
    staging = data_dir / STAGING_NAME
    for p in [staging, *sidecars(staging)]:
        p.unlink(missing_ok=True)
    engine = make_engine(staging, data_key)
    try:
        upgrade(engine)
        with Session(engine) as session:
            set_meta(session, META_STORE_ID, store_id or uuid.uuid4().hex)
            set_meta(session, META_CREATED_AT, datetime.now(UTC).isoformat(timespec="seconds"))
            session.commit()
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    for side in sidecars(staging):
        side.unlink(missing_ok=True)
    make_private(staging)
    fsync_file(staging)
    if staging.read_bytes()[:16] == PLAINTEXT_HEADER:  # the trap in the notes: never ship it
        staging.unlink()
        raise DamagedStoreError("internal error: the new database was not encrypted")
    replace_durably(staging, path)
    return open_store(data_dir, data_key, daily_backup=False)

"""Whole-file integrity checks and the daily backup, off the path to opened records.

``open_store`` normally reads the whole file before it opens (``cipher_integrity_check``
decrypts and authenticates every page, ``quick_check`` walks every b-tree): about 18 s at
5,000 trainees, plus the daily backup. A process that calls
``defer_whole_file_checks()`` (the desktop app) opens after the cheap checks only — the
file is encrypted, the key decrypts its first page, the schema is known — and then runs
``run_deferred_checks(store)`` in the background: the whole-file checks, with progress,
then the daily backup if one is due. The whole-file checks still run before anything
rewrites the file: before a migration (inside ``open_store``) and before that backup.

A failure found later stops writes at once (every connection becomes read-only, and a
write attempt raises ``DamagedStoreError`` naming the newest good backup and the command
that restores it); what is on screen stays readable.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendobserve.storage.errors import DamagedStoreError

if TYPE_CHECKING:
    from sendobserve.storage.engine import Store

Progress = Callable[[int, int, str], None]  # (step, steps, what is being done)

_deferred = False
_damage: weakref.WeakKeyDictionary[Store, str] = weakref.WeakKeyDictionary()
# Steps of the quick_check between two looks at whether the store has been closed.
_PROGRESS_OPS = 100_000


def defer_whole_file_checks(enabled: bool = True) -> None:
    """From now on ``open_store`` in this process leaves the whole-file checks and the
    daily backup to ``run_deferred_checks``."""
    global _deferred
    _deferred = enabled


def deferred() -> bool:
    return _deferred


def damage(store: Store) -> str | None:
    """What the background checks found wrong with ``store`` (None: nothing, or not yet)."""
    return _damage.get(store)


def verify_quickly(data_dir: Path, data_key: bytes, path: Path) -> str | None:
    """The checks that need no whole-file read; returns the schema revision.

    The header is not plaintext, the write-ahead log was not cut short by damage, the key
    decrypts the first page, and the schema is one this version knows. Errors are reported
    as ``verify_database`` reports them.
    """
    import sqlcipher3

    from sendobserve.storage import checks, engine

    engine.check_header(path)
    # Never deferred: once SQLite opens the file for writing it would checkpoint a log that
    # was cut short by damage, and the commits after the bad frame would be gone for good.
    checks.check_wal(path)
    try:
        with engine.probe_connection(path, data_key) as conn:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            except sqlcipher3.DatabaseError:
                # Not a first page that decrypts: the full check tells a wrong key from damage.
                return checks.verify_database(data_dir, data_key, path)
            has_version = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            rows = (conn.execute("SELECT version_num FROM alembic_version").fetchall()
                    if has_version else [])
    except sqlcipher3.Error as exc:
        detail = f"the database {path} is damaged ({exc})"
        raise DamagedStoreError(checks.damaged_message(data_dir, detail, data_key)) from None
    if not has_version:
        return None
    if len(rows) != 1:
        revs = ", ".join(sorted(str(r[0]) for r in rows)) or "none"
        detail = f"the database {path} has an unexpected schema version ({revs})"
        raise DamagedStoreError(checks.damaged_message(data_dir, detail, data_key))
    revision = str(rows[0][0])
    engine.check_revision(path, revision)
    return revision


@dataclass(frozen=True)
class CheckOutcome:
    ok: bool
    message: str  # what was found, or what was done ("checked; today's backup made")
    backup: Path | None = None


def run_deferred_checks(store: Store, *, daily_backup: bool = True,
                        progress: Progress | None = None,
                        cancel: threading.Event | None = None) -> CheckOutcome:
    """The whole-file checks of an open store, then the daily backup if due.

    Safe on a worker thread: it reads through one pooled connection of its own and gives
    up ("not finished") when ``cancel`` is set or the store is closed; whoever closes the
    store should set ``cancel`` and wait for this to return (a closing window does). On
    damage, writes stop.
    """
    import sqlcipher3
    from sqlalchemy import event

    def stop() -> int:
        return 1 if store.closed or (cancel is not None and cancel.is_set()) else 0

    from sendobserve.storage.backup import backup_due, make_backup

    def step(n: int, what: str) -> None:
        if progress is not None:
            progress(n, 3, what)

    path = store.path
    unfinished = CheckOutcome(True, "Not finished: the store was closed.")
    if store.closed:
        return unfinished
    try:
        with store.engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.set_progress_handler(stop, _PROGRESS_OPS)
            try:
                step(0, "checking that every page decrypts and is authentic")
                failures = raw.execute("PRAGMA cipher_integrity_check").fetchall()
                if stop():
                    return unfinished
                if failures:
                    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
                    return _damaged(store, f"the database {path} is damaged "
                                           f"({failures[0][0]}{more})")
                step(1, "checking the structure of every table and index")
                result = raw.execute("PRAGMA quick_check").fetchall()
                if result != [("ok",)]:
                    return _damaged(store, f"the database {path} is damaged "
                                           f"(integrity check: {result[0][0]})")
            finally:
                raw.set_progress_handler(None, 0)
    except Exception as exc:
        if stop():
            return unfinished
        if isinstance(exc, sqlcipher3.Error) or isinstance(
                getattr(exc, "orig", None), sqlcipher3.Error):
            return _damaged(store, f"the database {path} is damaged ({exc})")
        raise
    if stop():
        return unfinished
    if not daily_backup or not backup_due(store.data_dir):
        step(3, "checked")
        return CheckOutcome(True, "The whole file was checked: no damage.")
    step(2, "making today's backup")

    def interruptible(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_progress_handler(stop, _PROGRESS_OPS)

    # The backup's VACUUM INTO runs on a pooled connection too: let a closing window stop it.
    event.listen(store.engine, "checkout", interruptible)
    try:
        made = make_backup(store)
    except Exception as exc:  # the records are safe; a missing backup must be visible
        if stop():
            return unfinished
        warning = f"today's backup could not be made: {exc}"
        store.warnings.append(warning)
        step(3, "checked")
        return CheckOutcome(True, f"The whole file was checked: no damage; {warning}.")
    finally:
        event.remove(store.engine, "checkout", interruptible)
    step(3, "checked")
    return CheckOutcome(True, "The whole file was checked: no damage; today's backup made.",
                        made)


def _data_key(store: Store) -> bytes | None:
    """The data key the store's engine was opened with (to test backups for the message)."""
    literal = store.engine.url.password or ""
    if literal.startswith("x'") and literal.endswith("'"):
        try:
            return bytes.fromhex(literal[2:-1])
        except ValueError:
            return None
    return None


def _damaged(store: Store, detail: str) -> CheckOutcome:
    from sendobserve.storage.checks import damaged_message

    message = (damaged_message(store.data_dir, detail, _data_key(store))
               + ". Nothing more will be written: close the app, restore, and start again")
    stop_writes(store, message)
    return CheckOutcome(False, message)


def stop_writes(store: Store, message: str) -> None:
    """Make every connection of ``store`` read-only; a write then raises ``message``."""
    from sqlalchemy import event

    if store in _damage:
        return
    _damage[store] = message
    store.warnings.append(message)
    engine = store.engine

    def read_only(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    def explain(context: Any) -> None:
        text = str(context.original_exception).lower()
        if "readonly" in text or "read-only" in text or "read only" in text:
            raise DamagedStoreError(message) from context.original_exception

    event.listen(engine, "checkout", read_only)
    event.listen(engine, "handle_error", explain)

"""Rolling encrypted backups (``VACUUM INTO``) and restoring one of them.

A backup is a consistent copy of the open database, encrypted with the same key,
written under a temporary name and renamed into ``<data_dir>/backups/`` when whole.
One is taken on the first open of each day and before each migration; the newest
``KEEP_DEFAULT`` are kept. Restoring checks the chosen file opens with the store's
key and passes the integrity checks before anything is replaced, and keeps the
database it replaces in the same folder (``replaced-….db``).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy.exc import SQLAlchemyError

from sendobserve.paths import default_data_dir
from sendobserve.storage import BACKUPS_KEPT, keys
from sendobserve.storage._crash import crash_point
from sendobserve.storage.engine import (
    KeyMismatch,
    Store,
    check_revision,
    db_path,
    inspect_database,
    raw_connect,
    sidecars,
)
from sendobserve.storage.errors import (
    DamagedStoreError,
    DataDirError,
    StoreError,
    WrongKeyError,
)
from sendobserve.storage.fsutil import (
    copy_file_durably,
    fsync_file,
    make_private,
    make_private_dir,
    raise_if_disk_full,
    replace_durably,
)
from sendobserve.storage.lock import DataDirLock
from sendobserve.storage.meta import META_LAST_BACKUP_AT, set_meta

BACKUP_DIR_NAME = "backups"
KEEP_DEFAULT = BACKUPS_KEPT
_BACKUP_RE = re.compile(r"^sendobserve-(\d{8}T\d{6}\.\d{6}Z)(-[a-z0-9_.-]+)?\.db$")
_STAMP = "%Y%m%dT%H%M%S.%fZ"


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR_NAME


def _stamp_of(path: Path) -> datetime | None:
    match = _BACKUP_RE.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)


def list_backups(data_dir: Path) -> list[Path]:
    """The rolling backups, newest first (replaced databases are not in the series)."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _stamp_of(p) is not None]
    return sorted(found, key=lambda p: (_stamp_of(p), p.name), reverse=True)


def all_encrypted_copies(data_dir: Path) -> list[Path]:
    """Every database copy in the backups folder, rolling or replaced (for key rotation)."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".db" and not p.name.startswith("."))


def last_backup_time(data_dir: Path) -> datetime | None:
    backups = list_backups(data_dir)
    return _stamp_of(backups[0]) if backups else None


def backup_due(data_dir: Path, now: datetime | None = None) -> bool:
    """At least once per day of use: no backup yet today (UTC)."""
    last = last_backup_time(data_dir)
    today = (now or datetime.now(UTC)).date()
    return last is None or last.date() < today


def make_backup(store: Store, *, reason: str | None = None, keep: int = KEEP_DEFAULT) -> Path:
    """A consistent encrypted copy of the open store; prunes the series to ``keep``."""
    folder = backup_dir(store.data_dir)
    try:
        make_private_dir(folder)
    except OSError as exc:
        raise_if_disk_full(exc, folder)
        raise DataDirError(f"cannot create the backup folder {folder}: {exc.strerror}") from None
    for stale in folder.glob(".tmp-*"):
        stale.unlink(missing_ok=True)
    now = datetime.now(UTC)
    suffix = f"-{re.sub(r'[^a-z0-9_.-]+', '-', reason.lower())}" if reason else ""
    final = folder / f"sendobserve-{now.strftime(_STAMP)}{suffix}.db"
    tmp = folder / f".tmp-{final.name}"
    try:
        with store.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("VACUUM INTO ?", (str(tmp),))
        make_private(tmp)
        fsync_file(tmp)
        crash_point("backup:before-rename")
        replace_durably(tmp, final)
        with store.session() as session:
            set_meta(session, META_LAST_BACKUP_AT, now.isoformat(timespec="seconds"))
    except (OSError, sqlcipher3.Error, SQLAlchemyError) as exc:
        tmp.unlink(missing_ok=True)
        raise_if_disk_full(exc, folder)
        raise
    for old in list_backups(store.data_dir)[max(keep, 1) :]:
        old.unlink(missing_ok=True)
    return final


def check_backup(data_dir: Path, source: Path, data_key: bytes) -> str | None:
    """Raise unless ``source`` opens with the key and passes every check; its revision."""
    if not source.is_file():
        raise StoreError(f"there is no backup file {source}")
    try:
        revision = inspect_database(source, data_key)
    except KeyMismatch:
        raise WrongKeyError(
            f"the backup {source} does not open with this store's key (it belongs to another "
            "store, or was made before a key rotation that did not finish)"
        ) from None
    check_revision(source, revision)
    return revision


def newest_good_backup(data_dir: Path, data_key: bytes) -> Path | None:
    for candidate in list_backups(data_dir):
        try:
            check_backup(data_dir, candidate, data_key)
        except StoreError:
            continue
        return candidate
    return None


def restore_command(data_dir: Path, backup: Path) -> str:
    where = "" if Path(data_dir) == default_data_dir() else f' --data-dir "{data_dir}"'
    return f'sendobserve{where} restore "{backup}"'


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    replaced_copy: Path | None
    kept_log: Path | None = None  # the replaced database's log, when it could not be folded


def _fold_wal(path: Path, data_keys: list[bytes]) -> bool:
    """Fold the write-ahead log of ``path`` into it (a checkpoint that empties the log).

    True when the database now holds everything (no log, or an empty one). False when it
    cannot be done safely: the log is damaged (folding would drop what follows the
    damage), no key opens the file, or it is in use.
    """
    from sendobserve.storage.wal import scan_wal

    wal = path.with_name(path.name + "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return True
    if not scan_wal(wal).ok:
        return False
    for key in data_keys:
        try:
            conn = raw_connect(path, key, mode="rw")
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
                conn.execute("PRAGMA synchronous = FULL")
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                conn.close()
        except sqlcipher3.Error as exc:
            raise_if_disk_full(exc, path)
            continue
        if busy and busy[0] == 0 and (not wal.exists() or wal.stat().st_size == 0):
            return True
    return False


def restore(
    data_dir: Path, source: Path, data_key: bytes, live_keys: tuple[bytes, ...] = ()
) -> RestoreResult:
    """Replace the store's database with the backup ``source``.

    The store must not be open (in this or another process). The backup is checked
    first and copied in beside the database. Then the current database's write-ahead log
    is folded into it and the whole database is copied into the backups folder
    (``replaced-….db``, re-encrypted by later key rotations like any backup). Only then is
    the checked copy renamed over the database, and the emptied log removed. A kill at any
    moment leaves the old or the restored database, each whole, and the replaced one kept.

    If the old log cannot be folded (it is damaged, or no key opens the old database),
    the log is kept beside the copy as it was (``replaced-….db-wal``, or
    ``….db-wal-damaged`` for a damaged one, which nothing opens) and named in the result.
    """
    data_dir = Path(data_dir)
    source = Path(source).resolve()
    if not os.access(data_dir, os.W_OK):
        raise DataDirError(f"the data folder {data_dir} cannot be written")
    target = db_path(data_dir)
    if source == target.resolve():
        raise StoreError("that is the live database, not a backup")
    check_backup(data_dir, source, data_key)
    keys_to_try = [data_key, *(k for k in live_keys if k != data_key)]
    lock = DataDirLock(data_dir)
    lock.acquire()
    staging = data_dir / "sendobserve.db.restoring"
    try:
        folder = backup_dir(data_dir)
        make_private_dir(folder)
        for p in [staging, *sidecars(staging)]:
            p.unlink(missing_ok=True)
        copy_file_durably(source, staging)
        try:
            inspect_database(staging, data_key)
        except (KeyMismatch, DamagedStoreError):
            staging.unlink(missing_ok=True)
            raise DamagedStoreError(
                f"the copy of {source} did not verify; nothing replaced"
            ) from None
        replaced: Path | None = None
        kept_log: Path | None = None
        live_wal = sidecars(target)[0]
        if target.exists():
            from sendobserve.storage.wal import scan_wal

            stamp = datetime.now(UTC).strftime(_STAMP)
            replaced = folder / f"replaced-{stamp}.db"
            folded = _fold_wal(target, keys_to_try)
            crash_point("restore:after-fold")
            copy_file_durably(target, replaced)
            if not folded:
                sound = scan_wal(live_wal).ok
                kept_log = folder / (replaced.name + ("-wal" if sound else "-wal-damaged"))
                copy_file_durably(live_wal, kept_log)
                if sound and _fold_wal(replaced, keys_to_try):
                    kept_log.unlink(missing_ok=True)
                    kept_log = None
                for side in sidecars(replaced)[1:]:
                    side.unlink(missing_ok=True)
            if not folded and live_wal.exists():
                # Its content is kept above; it must not sit beside the restored database
                # (SQLite would replay it there). Moved, not deleted, until that is in place.
                replace_durably(live_wal, data_dir / ".sendobserve.db-wal.replaced")
        crash_point("restore:before-rename")
        replace_durably(staging, target)
        crash_point("restore:after-rename")
        # What is left of the old database: an emptied log, its index, or the moved log
        # whose content is kept in the backups folder.
        for side in [*sidecars(target), data_dir / ".sendobserve.db-wal.replaced"]:
            side.unlink(missing_ok=True)
        return RestoreResult(source, replaced, kept_log)
    except (OSError, sqlcipher3.Error) as exc:
        staging.unlink(missing_ok=True)
        raise_if_disk_full(exc, data_dir)
        raise
    finally:
        lock.release()


def rekey_copy(path: Path, old_key: bytes, new_key: bytes) -> bool:
    """Re-encrypt one backup file under ``new_key`` via a fresh export and an atomic rename.

    Returns False when the file already uses ``new_key``. A kill leaves the old file whole.
    A copy kept with a write-ahead log beside it has the log folded in first, so no log
    is left under the old key; a copy whose log cannot be folded is refused as damaged.
    """
    with contextlib.suppress(KeyMismatch, DamagedStoreError):
        if not sidecars(path)[0].exists():
            inspect_database(path, new_key)
            return False
    if not _fold_wal(path, [old_key]):
        raise DamagedStoreError(f"the log beside {path} could not be folded into it")
    for side in sidecars(path):
        side.unlink(missing_ok=True)
    try:  # a damaged copy is left as it is, never half-read into a new one
        inspect_database(path, old_key)
    except KeyMismatch:
        raise DamagedStoreError(f"{path} does not open with the old key") from None
    tmp = path.with_name(f".tmp-rekey-{path.name}")
    tmp.unlink(missing_ok=True)
    try:
        conn = raw_connect(path, old_key, mode="immutable")  # no side files
        try:
            conn.execute(
                f'ATTACH DATABASE ? AS rekeyed KEY "{keys.sqlcipher_key_literal(new_key)}"',
                (str(tmp),),
            )
            conn.execute("SELECT sqlcipher_export('rekeyed')")
            conn.execute("DETACH DATABASE rekeyed")
        finally:
            conn.close()
        make_private(tmp)
        fsync_file(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    replace_durably(tmp, path)
    return True

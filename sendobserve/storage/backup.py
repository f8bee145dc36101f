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
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sendobserve.paths import default_data_dir
from sendobserve.storage import BACKUPS_KEPT, keys
from sendobserve.storage._crash import crash_point
from sendobserve.storage.db import (
    KeyMismatch,
    Store,
    _raw_connect,
    check_revision,
    db_path,
    inspect_database,
    sidecars,
)
from sendobserve.storage.errors import (
    DamagedStoreError,
    DataDirError,
    StoreError,
    WrongKeyError,
)
from sendobserve.storage.fsutil import fsync_dir, fsync_file
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
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"cannot create the backup folder {folder}: {exc.strerror}") from None
    for stale in folder.glob(".tmp-*"):
        stale.unlink(missing_ok=True)
    now = datetime.now(UTC)
    suffix = f"-{re.sub(r'[^a-z0-9_.-]+', '-', reason.lower())}" if reason else ""
    final = folder / f"sendobserve-{now.strftime(_STAMP)}{suffix}.db"
    tmp = folder / f".tmp-{final.name}"
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("VACUUM INTO ?", (str(tmp),))
    fsync_file(tmp)
    crash_point("backup:before-rename")
    os.replace(tmp, final)
    fsync_dir(folder)
    with store.session() as session:
        set_meta(session, META_LAST_BACKUP_AT, now.isoformat(timespec="seconds"))
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


def restore(data_dir: Path, source: Path, data_key: bytes) -> RestoreResult:
    """Replace the store's database with the backup ``source``.

    The store must not be open (in this or another process). The backup is checked
    first; the current database (and any write-ahead log it has) is copied aside before
    the checked copy is renamed into place, so a kill at any moment leaves either the old
    or the restored database, never a mixture.
    """
    data_dir = Path(data_dir)
    source = Path(source).resolve()
    if not os.access(data_dir, os.W_OK):
        raise DataDirError(f"the data folder {data_dir} cannot be written")
    target = db_path(data_dir)
    if source == target.resolve():
        raise StoreError("that is the live database, not a backup")
    check_backup(data_dir, source, data_key)
    lock = DataDirLock(data_dir)
    lock.acquire()
    try:
        folder = backup_dir(data_dir)
        folder.mkdir(exist_ok=True)
        staging = data_dir / "sendobserve.db.restoring"
        for p in [staging, *sidecars(staging)]:
            p.unlink(missing_ok=True)
        shutil.copyfile(source, staging)
        fsync_file(staging)
        try:
            inspect_database(staging, data_key)
        except (KeyMismatch, DamagedStoreError):
            staging.unlink(missing_ok=True)
            raise DamagedStoreError(
                f"the copy of {source} did not verify; nothing replaced"
            ) from None
        replaced: Path | None = None
        if target.exists():
            stamp = datetime.now(UTC).strftime(_STAMP)
            replaced = folder / f"replaced-{stamp}.db"
            shutil.copyfile(target, replaced)
            fsync_file(replaced)
            for side in sidecars(target)[:1]:  # a -wal belongs to the replaced database
                if side.exists():
                    kept = folder / f"replaced-{stamp}.db{side.name[len(target.name):]}"
                    shutil.copyfile(side, kept)
                    fsync_file(kept)
            fsync_dir(folder)
        crash_point("restore:before-rename")
        for side in sidecars(target):
            side.unlink(missing_ok=True)
        os.replace(staging, target)
        fsync_dir(data_dir)
        return RestoreResult(source, replaced)
    finally:
        lock.release()


def rekey_copy(path: Path, old_key: bytes, new_key: bytes) -> bool:
    """Re-encrypt one backup file under ``new_key`` via a fresh export and an atomic rename.

    Returns False when the file already uses ``new_key``. A kill leaves the old file whole.
    """
    with contextlib.suppress(KeyMismatch, DamagedStoreError):
        inspect_database(path, new_key)
        return False
    tmp = path.with_name(f".tmp-rekey-{path.name}")
    tmp.unlink(missing_ok=True)
    conn = _raw_connect(path, old_key, mode="ro")
    try:
        conn.execute(
            f'ATTACH DATABASE ? AS rekeyed KEY "{keys.sqlcipher_key_literal(new_key)}"',
            (str(tmp),),
        )
        conn.execute("SELECT sqlcipher_export('rekeyed')")
        conn.execute("DETACH DATABASE rekeyed")
    finally:
        conn.close()
    fsync_file(tmp)
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return True

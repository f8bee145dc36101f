"""The store's life cycle: create, unlock, change the passphrase, rotate the data key.

Each multi-step change is ordered so that a kill at any moment leaves a store that the
old or the new secret opens, never neither:

* passphrase change — one atomic replacement of the key file;
* key rotation — (1) the key file gains a *pending* data key; (2) ``PRAGMA rekey``
  re-encrypts a copy of the database, which is renamed over it when whole; (3) each
  backup is re-encrypted into a new file renamed over the old; (4) the pending key
  becomes current. Unlocking tries
  the current key, then the pending one, and finishes or abandons a rotation it finds
  half done.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

import sqlcipher3

from sendobserve.storage import backup, keys
from sendobserve.storage._crash import crash_point
from sendobserve.storage.backup import all_encrypted_copies, rekey_copy
from sendobserve.storage.db import (
    STAGING_NAME,
    Store,
    create_store,
    database_accepts_key,
    db_path,
    inspect_database,
    open_store,
    sidecars,
    verify_database,
)
from sendobserve.storage.engine import raw_connect
from sendobserve.storage.errors import (
    DataDirError,
    DiskFullError,
    NoStoreError,
    StoreBusyError,
    StoreError,
    StoreExistsError,
    WrongKeyError,
)
from sendobserve.storage.fsutil import (
    check_writable_dir,
    copy_file_durably,
    fsync_file,
    raise_if_disk_full,
    replace_durably,
)
from sendobserve.storage.keyring_cache import KeyCache
from sendobserve.storage.lock import DataDirLock

REKEY_NAME = "sendobserve.db.rekey"


@dataclass(frozen=True)
class Initialised:
    store: Store
    recovery_key: str  # shown once, never stored
    store_id: str
    data_key: bytes  # so the caller can cache it in the OS keyring


def store_exists(data_dir: Path) -> bool:
    return db_path(data_dir).exists() or keys.key_file_path(data_dir).exists()


def init_blocker(data_dir: Path) -> str | None:
    """Why ``initialise`` would refuse this folder, or None if a store can be made here."""
    data_dir = Path(data_dir)
    if db_path(data_dir).exists():
        return f"a store already exists in {data_dir}; not overwriting it"
    key_path = keys.key_file_path(data_dir)
    if key_path.exists() and not (data_dir / STAGING_NAME).exists():
        return (
            f"{key_path} exists but there is no database beside it; if you are sure it "
            "protects nothing (check for backups first), delete it and run init again"
        )
    return None


def initialise(
    data_dir: Path, passphrase: str, *, scrypt: keys.ScryptParams = keys.DEFAULT_SCRYPT
) -> Initialised:
    """Create the key file and an empty store; the recovery key is returned once."""
    data_dir = Path(data_dir)
    problem = check_writable_dir(data_dir)
    if problem:
        raise DataDirError(problem)
    key_path = keys.key_file_path(data_dir)
    staging = data_dir / STAGING_NAME
    blocker = init_blocker(data_dir)
    if blocker:
        raise StoreExistsError(blocker)
    if key_path.exists():
        key_path.unlink()  # an init that was killed half-way: its key file guards nothing
    material = keys.create_key_file_material(passphrase, scrypt=scrypt)
    staging.touch()  # marks an init in progress until the database is renamed into place
    keys.write_key_file(data_dir, material.key_file)
    crash_point("init:after-keyfile")
    store = create_store(data_dir, material.data_key, store_id=material.key_file.store_id)
    return Initialised(
        store, material.recovery_key, material.key_file.store_id, material.data_key
    )


def unlock(data_dir: Path, secret: str) -> keys.UnlockedKeys:
    """Open the key file with the passphrase or recovery key (slow on purpose: scrypt)."""
    data_dir = Path(data_dir)
    if not db_path(data_dir).exists() and not keys.key_file_path(data_dir).exists():
        raise NoStoreError(
            f"there is no sendobserve store in {data_dir}; create one with 'sendobserve init'"
        )
    unlocked = keys.unlock_key_file(keys.read_key_file(data_dir), secret)
    if not unlocked.key_file.slot_macs:  # a key file from before slot checks: add them
        checked = keys.with_slot_checks(
            unlocked.key_file, unlocked.master_key, renew=tuple(unlocked.key_file.slots)
        )
        try:
            keys.write_key_file(data_dir, checked)
        except OSError:
            return unlocked  # a read-only or full disk: the checks are added another time
        unlocked = replace(unlocked, key_file=checked)
    return unlocked


def _select_key(data_dir: Path, unlocked: keys.UnlockedKeys) -> bytes:
    """The data key the database is under, finishing or abandoning a half-done rotation."""
    path = db_path(data_dir)
    if not path.exists():
        raise NoStoreError(
            f"there is no database in {data_dir} (the key file is there); restore one with "
            "'sendobserve restore FILE'"
        )
    if unlocked.key_file.pending is not None:  # a rotation was interrupted: drop its copy
        for p in [data_dir / REKEY_NAME, *sidecars(data_dir / REKEY_NAME)]:
            p.unlink(missing_ok=True)
    if database_accepts_key(path, unlocked.current):
        if unlocked.key_file.pending is not None:
            keys.write_key_file(data_dir, replace(unlocked.key_file, pending=None))
        return unlocked.current
    if unlocked.pending is not None and database_accepts_key(path, unlocked.pending):
        # The database is under the new key: open it; on a full disk the rest is finished
        # at a later unlock.
        with contextlib.suppress(DiskFullError):
            _finish_rotation(data_dir, unlocked.key_file, unlocked.current, unlocked.pending)
        return unlocked.pending
    verify_database(data_dir, unlocked.current)  # raises the damage report
    raise AssertionError("unreachable: the database neither opened nor failed")


def _finish_rotation(
    data_dir: Path, key_file: keys.KeyFile, old: bytes, new: bytes
) -> list[Path]:
    """Re-encrypt every kept copy under ``new``, then make it the current key. A damaged
    copy is left as it was and returned (it never stops the rotation); a full disk stops
    it with nothing lost (the pending key stays, and the next unlock carries on)."""
    skipped: list[Path] = []
    for copy in all_encrypted_copies(data_dir):
        if database_accepts_key(copy, old):
            try:
                rekey_copy(copy, old, new)
            except (StoreError, sqlcipher3.Error, OSError) as exc:
                raise_if_disk_full(exc, copy)
                skipped.append(copy)
                continue
            crash_point("rotate:after-backup-rekey")
    assert key_file.pending is not None
    keys.write_key_file(data_dir, replace(key_file, current=key_file.pending, pending=None))
    crash_point("rotate:after-finalise")
    return skipped


def _opened(data_dir: Path, data_key: bytes) -> Store:
    """Open the store, then finish any erasure a crash cut short (the person's records
    may still be in a backup): every way in does it, before anything else reads them.
    One that cannot be finished now is said, and tried again at the next opening. The
    question is one row of one table; the erasure machinery loads only when needed."""
    from sqlalchemy.exc import SQLAlchemyError

    from sendobserve.storage.privacy_log import erasures_to_finish

    store = open_store(data_dir, data_key)
    try:
        with store.session() as session:
            if not erasures_to_finish(session):
                return store
        from sendobserve.storage.erasure import complete_erasures

        complete_erasures(store)
    except (StoreError, sqlcipher3.Error, SQLAlchemyError, OSError) as exc:
        store.warnings.append(
            f"An erasure a crash interrupted could not be finished yet ({exc}); it is "
            "tried again each time the store opens.")
    return store


def open_with_keys(data_dir: Path, unlocked: keys.UnlockedKeys) -> Store:
    return _opened(Path(data_dir), _select_key(Path(data_dir), unlocked))


@dataclass(frozen=True)
class Opened:
    store: Store
    how: str  # "keyring", "passphrase" or "recovery"
    keyring_note: str | None  # why the key is not cached in the OS keyring, if it is not


def open_from_cache(data_dir: Path, cache: KeyCache) -> Opened | None:
    """Open with the data key cached in a trusted OS keyring, if there is a usable one."""
    data_dir = Path(data_dir)
    if not cache.status().trusted or not db_path(data_dir).exists():
        return None
    key_file = keys.read_key_file(data_dir)
    cached = cache.load(key_file.store_id)
    if cached is None or keys.key_id(cached) not in key_file.known_key_ids():
        return None
    if key_file.pending is not None or not database_accepts_key(db_path(data_dir), cached):
        return None  # a rotation to finish, or a stale cache: the passphrase is needed
    return Opened(_opened(data_dir, cached), "keyring", None)


def open_with_secret(data_dir: Path, secret: str, cache: KeyCache | None = None) -> Opened:
    data_dir = Path(data_dir)
    unlocked = unlock(data_dir, secret)
    key = _select_key(data_dir, unlocked)
    store = _opened(data_dir, key)
    store.warnings[:0] = unlocked.warnings
    note: str | None = None
    if cache is not None:
        note = cache.save(keys.read_key_file(data_dir).store_id, key)
    return Opened(store, unlocked.slot, note)


def change_passphrase(
    data_dir: Path, unlocked: keys.UnlockedKeys, new_passphrase: str
) -> tuple[str, ...]:
    """Re-wrap the master key under a new passphrase; the recovery key keeps working.

    Returns the warnings that still hold afterwards: a damaged recovery slot is not
    carried forward silently (it keeps failing its check, and this says so).
    """
    data_dir = Path(data_dir)
    current = keys.read_key_file(data_dir)
    if current.store_id != unlocked.key_file.store_id:
        raise DataDirError("the key file changed while it was unlocked; try again")
    changed = keys.with_new_passphrase(current, unlocked.master_key, new_passphrase)
    keys.write_key_file(data_dir, changed)
    return keys.slot_warnings(changed, unlocked.master_key)


def new_recovery_key(data_dir: Path, unlocked: keys.UnlockedKeys) -> str:
    """Replace the recovery slot (the old recovery key stops working); the new key, once."""
    data_dir = Path(data_dir)
    current = keys.read_key_file(data_dir)
    if current.store_id != unlocked.key_file.store_id:
        raise DataDirError("the key file changed while it was unlocked; try again")
    renewed, recovery = keys.with_new_recovery_key(current, unlocked.master_key)
    keys.write_key_file(data_dir, renewed)
    return recovery


def _rekey_database(data_dir: Path, old: bytes, new: bytes) -> None:
    """``PRAGMA rekey`` on a copy, checked, then renamed over the database.

    Rekeying in place would leave, between its commit and the next checkpoint, a file
    under the old key with a write-ahead log under the new one; renaming a finished copy
    means the database file is always wholly under one key.
    """
    path = db_path(data_dir)
    work = data_dir / REKEY_NAME
    for p in [work, *sidecars(work)]:
        p.unlink(missing_ok=True)
    conn = raw_connect(path, old, mode="rw")
    try:  # fold any write-ahead log into the file so one file is the whole database
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    if busy and busy[0]:
        raise StoreBusyError("the store is in use by another sendobserve; close it first")
    copy_file_durably(path, work)
    conn = raw_connect(work, old, mode="rw")
    try:
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f'PRAGMA rekey = "{keys.sqlcipher_key_literal(new)}"')
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for side in sidecars(work):
        side.unlink(missing_ok=True)
    inspect_database(work, new)  # raises if the copy is not whole under the new key
    fsync_file(work)
    crash_point("rotate:before-swap")
    replace_durably(work, path)


@dataclass(frozen=True)
class Rotated:
    key_id: str  # the new data key's public id
    skipped: tuple[Path, ...]  # damaged copies left as they were (not re-encrypted)


def rotate_data_key(
    data_dir: Path, unlocked: keys.UnlockedKeys, cache: KeyCache | None
) -> Rotated:
    """Re-encrypt the database and its backups under a new random data key."""
    data_dir = Path(data_dir)
    old = _select_key(data_dir, unlocked)
    verify_database(data_dir, old)
    key_file = keys.read_key_file(data_dir)
    new = keys.new_key()
    lock = DataDirLock(data_dir)
    lock.acquire()
    try:
        wrapped = keys.wrap_data_key(key_file.store_id, unlocked.master_key, new)
        pending = replace(key_file, pending=wrapped)
        keys.write_key_file(data_dir, pending)
        crash_point("rotate:after-pending")
        _rekey_database(data_dir, old, new)
        crash_point("rotate:after-rekey")
        skipped = _finish_rotation(data_dir, pending, old, new)
    except BaseException as exc:
        for p in [data_dir / REKEY_NAME, *sidecars(data_dir / REKEY_NAME)]:
            with contextlib.suppress(OSError):
                p.unlink(missing_ok=True)
        if not database_accepts_key(db_path(data_dir), new):
            # The database is still under the old key: drop the pending key so nothing is
            # left half-done (the next unlock would otherwise try to finish it).
            with contextlib.suppress(OSError, StoreError):
                keys.write_key_file(data_dir, key_file)
        if isinstance(exc, Exception):
            raise_if_disk_full(exc, data_dir)
        raise
    finally:
        lock.release()
    if cache is not None:
        cache.save(key_file.store_id, new)
    return Rotated(keys.key_id(new), tuple(skipped))


def restore_backup(
    data_dir: Path, unlocked: keys.UnlockedKeys, source: Path
) -> backup.RestoreResult:
    """Restore ``source`` with whichever of the store's data keys it was made with."""
    wrong: WrongKeyError | None = None
    for key in unlocked.candidates():
        try:
            backup.check_backup(data_dir, source, key)
        except WrongKeyError as exc:
            wrong = exc
            continue
        return backup.restore(data_dir, source, key, tuple(unlocked.candidates()))
    assert wrong is not None
    raise wrong

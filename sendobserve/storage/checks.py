"""Whether a database file may be opened: its write-ahead log was not cut short by damage,
it decrypts with the key, it passes SQLite's checks, and its schema is one this version
knows. A damaged file is reported with the newest good backup and how to restore it.

Between ``backup`` (which it asks for that backup) and ``db`` (which opens the store only
after these checks); ``integrity`` runs the whole-file part later for the app.
"""

from __future__ import annotations

from pathlib import Path

from sendobserve.storage import keys
from sendobserve.storage.backup import newest_good_backup, restore_command
from sendobserve.storage.engine import (
    KeyMismatch,
    StoreReadError,
    check_revision,
    db_path,
    inspect_database,
)
from sendobserve.storage.errors import DamagedStoreError, WrongKeyError
from sendobserve.storage.fsutil import copy_file_durably, make_private_dir, raise_if_disk_full


def _known_key_ids(data_dir: Path) -> set[str]:
    try:
        return keys.read_key_file(data_dir).known_key_ids()
    except Exception:
        return set()


def damaged_message(data_dir: Path, detail: str, data_key: bytes | None) -> str:
    """The damage report: what is wrong, the newest backup that is good, how to restore it."""
    good = newest_good_backup(data_dir, data_key) if data_key is not None else None
    if good is None:
        return f"{detail}; no good backup was found in {data_dir / 'backups'}"
    command = restore_command(data_dir, good)
    return (
        f"{detail}; newest good backup: {good} — restore it with: {command} (changes made "
        "after that backup are not in it; the damaged database is kept in the backups folder "
        "as replaced-….db)"
    )


DAMAGED_PREFIX = "damaged-"


def keep_damaged_copies(path: Path, wal: Path) -> Path | None:
    """Copy the database and its log, as they are, into ``damaged-<digest>/`` beside them
    (once per distinct damaged log); the folder, or None if the copies could not be made."""
    import hashlib

    try:
        digest = hashlib.sha256(wal.read_bytes()).hexdigest()[:12]
        folder = path.parent / f"{DAMAGED_PREFIX}{digest}"
        if (folder / wal.name).exists() and (folder / path.name).exists():
            return folder
        make_private_dir(folder)
        for source in (path, wal):
            copy_file_durably(source, folder / source.name)
        return folder
    except OSError:
        return None


def check_wal(path: Path) -> None:
    """Refuse a database whose write-ahead log was cut short by damage (see ``storage.wal``):
    SQLite would replay it only up to the damage and drop the commits after it silently."""
    from sendobserve.storage.wal import scan_wal

    wal = path.with_name(path.name + "-wal")
    try:
        report = scan_wal(wal)
    except OSError as exc:
        raise_if_disk_full(exc)
        raise DamagedStoreError(f"cannot read {wal}: {exc.strerror or exc}") from None
    if report.ok:
        return
    kept = keep_damaged_copies(path, wal)
    where = (
        f"copies of both files are kept in {kept}"
        if kept is not None
        else "copy the whole data folder somewhere safe before anything else"
    )
    raise DamagedStoreError(
        f"the write-ahead log {wal} is damaged: {report.damaged}. Nothing was changed and the "
        f"store was not opened, because opening it would silently drop the changes recorded "
        f"after the damage; {where}. Do not restore a backup over it: a backup is older and "
        "would lose those changes too"
    )


def verify_database(data_dir: Path, data_key: bytes, path: Path | None = None) -> str | None:
    """All checks ``open_store`` makes before writing; returns the schema revision."""
    path = path or db_path(data_dir)
    check_wal(path)
    try:
        revision = inspect_database(path, data_key)
    except StoreReadError:
        raise
    except KeyMismatch:
        if keys.key_id(data_key) in _known_key_ids(data_dir):
            detail = (
                f"the database {path} does not decrypt with the key in its key file: "
                "it is damaged or was replaced"
            )
            raise DamagedStoreError(damaged_message(data_dir, detail, data_key)) from None
        raise WrongKeyError(f"the key does not open the database {path}") from None
    except DamagedStoreError as exc:
        raise DamagedStoreError(damaged_message(data_dir, exc.message, data_key)) from None
    check_revision(path, revision)
    return revision

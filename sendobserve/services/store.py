"""The store itself: create it, open it, report on it, back it up and restore it, and
change its keys (Qt-free). The CLI and the app create a store through ``create_store``.

These are the use cases that come before (or instead of) an open store: each takes the
data folder, and the ones that change the key file take the keys ``unlock`` returned (the
passphrase or recovery key checked once, by scrypt). The storage stack (SQLAlchemy,
SQLCipher: about half a second) is imported inside each function: the desktop app reads
its secret through the command line's helpers before its first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sendobserve.services import Done
from sendobserve.services.changes import EVERYTHING, NOTHING
from sendobserve.storage import BACKUPS_KEPT  # a constant: the storage stack is not loaded

if TYPE_CHECKING:
    from sendobserve.storage.backup import RestoreResult as RestoreResult
    from sendobserve.storage.db import Store as Store
    from sendobserve.storage.keyring_cache import KeyCache as KeyCache
    from sendobserve.storage.keys import UnlockedKeys as UnlockedKeys
    from sendobserve.storage.vault import Rotated as Rotated


# --- the passphrase rule (``storage.keys``: one rule for the CLI and the first-run dialog)

def passphrase_problem(passphrase: str) -> str | None:
    """Why this passphrase may not be used (too short, too easy to guess), or None."""
    from sendobserve.storage import keys

    return keys.passphrase_problem(passphrase)


def as_reason(problem: str) -> str:
    """A refusal from ``passphrase_problem`` as a sentence: a capital, a full stop."""
    from sendobserve.storage import keys

    return keys.as_reason(problem)


def passphrase_strength(passphrase: str) -> tuple[int, str]:
    """zxcvbn's score (0–4) and a hint in words."""
    from sendobserve.storage import keys

    return keys.passphrase_strength(passphrase)


# --- creating and opening ----------------------------------------------------------------

def key_cache() -> KeyCache:
    """The OS keyring's cache of data keys (trusted backends only)."""
    from sendobserve.storage.keyring_cache import KeyCache

    return KeyCache()


def init_blocker(data_dir: Path) -> str | None:
    """Why a store may not be created in ``data_dir`` (one exists, the folder is not
    usable), or None. Asked before a passphrase is, so none is typed in vain."""
    from sendobserve.storage import vault

    return vault.init_blocker(data_dir)


@dataclass(frozen=True)
class Created:
    """A new store, open; its recovery key (shown once, never stored); and why its data
    key is not cached in the OS keyring, if it is not."""

    store: Store
    recovery_key: str
    keyring_note: str | None


def create_store(data_dir: Path, passphrase: str, cache: KeyCache) -> Created:
    """Create the encrypted store in ``data_dir`` and cache its data key in the keyring.
    The store is returned open; if caching fails unexpectedly it is closed first."""
    from sendobserve.storage import vault

    made = vault.initialise(data_dir, passphrase)
    try:
        note = cache.save(made.store_id, made.data_key)
    except BaseException:
        made.store.close()
        raise
    return Created(made.store, made.recovery_key, note)


def open_store(data_dir: Path, *, secret: str | None, ask: Callable[[], str],
               cache: KeyCache | None) -> Store:
    """Open the store: with the data key cached in the keyring when no secret was given
    (and ``cache`` is given), else with ``secret`` or, failing that, what ``ask`` returns
    (asked only when needed); the key is then cached in ``cache``, if given."""
    from sendobserve.storage import vault

    if cache is not None and secret is None:
        opened = vault.open_from_cache(data_dir, cache)
        if opened is not None:
            return opened.store
    return vault.open_with_secret(data_dir, ask() if secret is None else secret, cache).store


def open_without_asking(data_dir: Path, given: Callable[[], str | None], cache: KeyCache
                        ) -> Store | None:
    """The store, if there is one and it opens with the secret ``given`` returns (asked
    for only once a store is found; not cached) or else the key cached in the keyring;
    None rather than asking anyone for anything."""
    from sendobserve.storage import vault
    from sendobserve.storage.db import db_path

    if not db_path(data_dir).exists():
        return None
    secret = given()
    if secret is not None:
        return vault.open_with_secret(data_dir, secret).store
    opened = vault.open_from_cache(data_dir, cache)
    return None if opened is None else opened.store


def unlock(data_dir: Path, secret: str) -> UnlockedKeys:
    """Open the key file with the passphrase or recovery key (slow on purpose: scrypt);
    what the key-file changes below need. ``warnings`` says what is damaged."""
    from sendobserve.storage import vault

    return vault.unlock(data_dir, secret)


# --- what the store is -------------------------------------------------------------------

@dataclass(frozen=True)
class StoreStatus:
    """Where the store is, its schema and records, the keyring and the backups."""

    data_dir: Path
    database: Path
    key_file: Path
    store_id: str | None
    revision: str | None
    heads: tuple[str, ...]
    counts: dict[str, int]
    keyring: str
    backups: tuple[Path, ...]
    last_backup: datetime | None
    backup_dir: Path
    warnings: tuple[str, ...] = field(default=())

    @property
    def up_to_date(self) -> bool:
        return self.revision in self.heads

    def size_kib(self) -> float:
        """The database file's size now (read when asked: closing folds the log in)."""
        return self.database.stat().st_size / 1024


def status(store: Store, cache: KeyCache) -> StoreStatus:
    """Everything ``sendobserve status`` reports about an open store. Reads only."""
    from sendobserve.storage import backup, keys
    from sendobserve.storage.db import db_path, head_revisions

    data_dir = store.data_dir
    return StoreStatus(
        data_dir=data_dir, database=db_path(data_dir), key_file=keys.key_file_path(data_dir),
        store_id=store.store_id(), revision=store.schema_revision(),
        heads=tuple(head_revisions()), counts=dict(store.table_counts()),
        keyring=cache.status().describe(), backups=tuple(backup.list_backups(data_dir)),
        last_backup=backup.last_backup_time(data_dir), backup_dir=backup.backup_dir(data_dir),
        warnings=tuple(store.warnings))


# --- backups and keys --------------------------------------------------------------------

def make_backup(store: Store) -> Done[Path]:
    """An encrypted copy in the backups folder now (the newest ``BACKUPS_KEPT`` kept)."""
    from sendobserve.storage import backup

    return Done(backup.make_backup(store), NOTHING)


def restore_backup(data_dir: Path, unlocked: UnlockedKeys, source: Path
                   ) -> Done[RestoreResult]:
    """Put a checked backup in place of the database (the replaced one kept aside).
    Nothing may be open on the store: every record may have changed."""
    from sendobserve.storage import vault

    return Done(vault.restore_backup(data_dir, unlocked, source), EVERYTHING)


def change_passphrase(data_dir: Path, unlocked: UnlockedKeys, new_passphrase: str
                      ) -> Done[tuple[str, ...]]:
    """A new passphrase (the recovery key keeps working); the value is the warnings that
    still hold afterwards. The key file changes, no record does."""
    from sendobserve.storage import vault

    return Done(vault.change_passphrase(data_dir, unlocked, new_passphrase), NOTHING)


def rotate_data_key(data_dir: Path, unlocked: UnlockedKeys, cache: KeyCache | None
                    ) -> Done[Rotated]:
    """Re-encrypt the database and every backup under a new data key."""
    from sendobserve.storage import vault

    return Done(vault.rotate_data_key(data_dir, unlocked, cache), NOTHING)


def new_recovery_key(data_dir: Path, unlocked: UnlockedKeys) -> Done[str]:
    """Replace the recovery key; the value is the new one, to be shown once."""
    from sendobserve.storage import vault

    return Done(vault.new_recovery_key(data_dir, unlocked), NOTHING)


__all__ = ["BACKUPS_KEPT", "Created", "KeyCache", "RestoreResult", "Rotated", "Store",
           "StoreStatus", "UnlockedKeys", "change_passphrase", "create_store", "init_blocker",
           "key_cache", "make_backup", "new_recovery_key", "open_store", "open_without_asking",
           "passphrase_problem", "passphrase_strength", "restore_backup", "rotate_data_key",
           "status", "unlock"]

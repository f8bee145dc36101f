"""Rolling backups and restore."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sendobserve.storage import backup, db, vault
from sendobserve.storage.errors import DamagedStoreError, StoreBusyError, WrongKeyError
from sendobserve.storage.meta import META_LAST_BACKUP_AT, get_meta, set_meta
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, snapshot


def _set(store: db.Store, key: str, value: str) -> None:
    with store.session() as session:
        set_meta(session, key, value)


def _get(store: db.Store, key: str) -> str | None:
    with store.session() as session:
        return get_meta(session, key)


def test_first_open_of_the_day_backs_up_once(initialised: vault.Initialised) -> None:
    store = initialised.store
    data_dir = store.data_dir
    assert backup.list_backups(data_dir) == []  # nothing to back up at creation
    store.close()
    for _ in range(3):
        db.open_store(data_dir, initialised.data_key).close()
    backups = backup.list_backups(data_dir)
    assert len(backups) == 1
    assert db.inspect_database(backups[0], initialised.data_key) in db.head_revisions()
    reopened = db.open_store(data_dir, initialised.data_key)
    try:
        assert _get(reopened, META_LAST_BACKUP_AT) is not None
    finally:
        reopened.close()


def test_backup_is_due_on_a_new_day() -> None:
    assert backup.backup_due(Path("/nonexistent"))


def test_backup_due_follows_the_newest_backup_date(store: db.Store) -> None:
    made = backup.make_backup(store)
    stamp = backup.last_backup_time(store.data_dir)
    assert stamp is not None and made == backup.list_backups(store.data_dir)[0]
    assert not backup.backup_due(store.data_dir, now=stamp + timedelta(hours=1))
    assert backup.backup_due(store.data_dir, now=stamp + timedelta(days=1))


def test_only_the_newest_seven_are_kept(store: db.Store) -> None:
    made = [backup.make_backup(store) for _ in range(10)]
    kept = backup.list_backups(store.data_dir)
    assert len(kept) == backup.KEEP_DEFAULT
    assert kept == list(reversed(made))[: backup.KEEP_DEFAULT]
    assert not list(backup.backup_dir(store.data_dir).glob(".tmp-*"))


def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(
    initialised: vault.Initialised,
) -> None:
    store = initialised.store
    data_dir = store.data_dir
    _set(store, "tick", "before backup")
    snap = backup.make_backup(store)
    _set(store, "tick", "after backup")
    store.close()
    result = backup.restore(data_dir, snap, initialised.data_key)
    assert result.replaced_copy is not None and result.replaced_copy.exists()
    restored = db.open_store(data_dir, initialised.data_key)
    try:
        assert _get(restored, "tick") == "before backup"
    finally:
        restored.close()
    # The replaced database is intact and opens with the key.
    aside = db.inspect_database(result.replaced_copy, initialised.data_key)
    assert aside in db.head_revisions()


def test_restore_repairs_a_damaged_store(initialised: vault.Initialised) -> None:
    store = initialised.store
    data_dir = store.data_dir
    _set(store, "tick", "good")
    snap = backup.make_backup(store)
    store.close()
    path = data_dir / db.DB_NAME
    data = bytearray(path.read_bytes())
    data[5000] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedStoreError) as info:
        vault.open_with_secret(data_dir, TEST_PASSPHRASE)
    assert str(snap) in info.value.message
    unlocked = vault.unlock(data_dir, TEST_PASSPHRASE)
    vault.restore_backup(data_dir, unlocked, snap)
    reopened = vault.open_with_secret(data_dir, TEST_PASSPHRASE).store
    try:
        assert _get(reopened, "tick") == "good"
    finally:
        reopened.close()


def test_restore_refuses_a_backup_of_another_store(
    initialised: vault.Initialised, tmp_path: Path
) -> None:
    other = vault.initialise(tmp_path / "other", TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    foreign = backup.make_backup(other.store)
    other.store.close()
    data_dir = initialised.store.data_dir
    initialised.store.close()
    before = snapshot(data_dir)
    with pytest.raises(WrongKeyError, match="does not open with this store's key"):
        backup.restore(data_dir, foreign, initialised.data_key)
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("damage", ["flip", "truncate", "plaintext", "missing"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(
    initialised: vault.Initialised, tmp_path: Path, damage: str
) -> None:
    store = initialised.store
    snap = backup.make_backup(store)
    data_dir = store.data_dir
    store.close()
    bad = tmp_path / "bad.db"
    shutil.copyfile(snap, bad)
    data = bad.read_bytes()
    if damage == "flip":
        bad.write_bytes(data[:6000] + bytes([data[6000] ^ 1]) + data[6001:])
    elif damage == "truncate":
        bad.write_bytes(data[:500])
    elif damage == "plaintext":
        bad.write_bytes(b"SQLite format 3\x00" + data[16:])
    else:
        bad.unlink()
    before = snapshot(data_dir)
    with pytest.raises(Exception) as info:
        backup.restore(data_dir, bad, initialised.data_key)
    assert info.type.__module__ == "sendobserve.storage.errors"
    assert snapshot(data_dir) == before


def test_restore_while_the_store_is_open_is_refused(initialised: vault.Initialised) -> None:
    store = initialised.store
    snap = backup.make_backup(store)
    before = (store.path.read_bytes(), snap.read_bytes())
    with pytest.raises(StoreBusyError):
        backup.restore(store.data_dir, snap, initialised.data_key)
    assert (store.path.read_bytes(), snap.read_bytes()) == before


def test_restore_command_names_the_data_folder(tmp_path: Path) -> None:
    cmd = backup.restore_command(tmp_path, tmp_path / "backups" / "b.db")
    assert cmd == f'sendobserve --data-dir "{tmp_path}" restore "{tmp_path}/backups/b.db"'


def test_backup_names_sort_by_time() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    name = f"sendobserve-{now.strftime('%Y%m%dT%H%M%S.%fZ')}.db"
    assert backup._stamp_of(Path(name)) == now


def test_a_failed_daily_backup_is_reported_but_does_not_block_opening(
    initialised: vault.Initialised,
) -> None:
    store = initialised.store
    data_dir = store.data_dir
    store.close()
    backup.backup_dir(data_dir).write_bytes(b"a file where the backups folder should be")
    reopened = db.open_store(data_dir, initialised.data_key)
    try:
        assert any("backup could not be made" in w for w in reopened.warnings)
        _set(reopened, "tick", "still saved")
        assert _get(reopened, "tick") == "still saved"
    finally:
        reopened.close()

"""Nothing readable on disk; wrong secrets change nothing."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from sendobserve.storage import backup, vault
from sendobserve.storage.errors import WrongKeyError
from sendobserve.storage.meta import set_meta
from tests.helpers import TEST_PASSPHRASE, snapshot

CANARIES = [f"CANARY-{i:03d}-{secrets.token_hex(8)}" for i in range(100)]


def _assert_no_canary(folder: Path) -> int:
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes()
        for canary in CANARIES:
            for encoded in (canary.encode("utf-8"), canary.encode("utf-16-le")):
                assert encoded not in data, f"{canary} readable in {path.name}"
            assert canary[:14].encode() not in data, f"canary prefix readable in {path.name}"
    return len(files)


def test_canaries_written_through_the_store_are_in_no_file(
    initialised: vault.Initialised,
) -> None:
    store = initialised.store
    data_dir = store.data_dir
    for i, canary in enumerate(CANARIES):  # one transaction each: every one reaches the WAL
        with store.session() as session:
            set_meta(session, f"canary-{i}", canary)
    # While open: the database, its -wal and -shm are all there.
    names = {p.name for p in data_dir.iterdir()}
    assert {"sendobserve.db", "sendobserve.db-wal", "sendobserve.db-shm"} <= names
    assert (data_dir / "sendobserve.db-wal").stat().st_size > 0
    _assert_no_canary(data_dir)
    backup.make_backup(store)
    store.close()
    # Closed: WAL checkpointed into the database; the backup and key file beside it.
    checked = _assert_no_canary(data_dir)
    assert checked >= 3  # database, key file, backups (and the lock file)
    # The canaries really are in there: readable through the store with the key.
    reopened = vault.open_with_secret(data_dir, TEST_PASSPHRASE).store
    try:
        counts = reopened.table_counts()
        assert counts["store_meta"] >= 100
    finally:
        reopened.close()


def test_wrong_passphrase_repeatedly_leaves_every_file_byte_identical(
    initialised: vault.Initialised,
) -> None:
    store = initialised.store
    data_dir = store.data_dir
    backup.make_backup(store)
    store.close()
    before = snapshot(data_dir)
    assert len(before) >= 3
    for attempt in range(6):
        with pytest.raises(WrongKeyError):
            vault.open_with_secret(data_dir, f"wrong passphrase {attempt}")
    with pytest.raises(WrongKeyError):
        vault.open_with_secret(data_dir, "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH")
    assert snapshot(data_dir) == before

"""Whole-file checks after the store opens (the app's way): damage found later stops
writes and says what to do; a migration or a backup never runs on an unchecked file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from sendobserve.storage import backup, db, engine, integrity, vault
from sendobserve.storage.errors import DamagedStoreError
from sendobserve.storage.meta import set_meta
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, snapshot


@pytest.fixture
def deferring() -> Iterator[None]:
    integrity.defer_whole_file_checks()
    try:
        yield
    finally:
        integrity.defer_whole_file_checks(False)


@pytest.fixture
def closed_store(tmp_path: Path) -> tuple[Path, bytes]:
    """A closed store with many rows over many pages, and one good backup."""
    data_dir = tmp_path / "data"
    made = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    with made.store.session() as session:
        for i in range(400):
            set_meta(session, f"row-{i}", "some observation text " * 8)
    backup.make_backup(made.store)
    made.store.close()
    return data_dir, made.data_key


def _damage_a_late_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    offset = len(data) - 4096 + 200  # inside the last page: the first page still decrypts
    data[offset] ^= 0x10
    path.write_bytes(bytes(data))


def test_without_deferral_open_refuses_a_damaged_file(closed_store: tuple[Path, bytes]) -> None:
    data_dir, key = closed_store
    _damage_a_late_page(data_dir / db.DB_NAME)
    with pytest.raises(DamagedStoreError):
        db.open_store(data_dir, key)


def test_damage_found_after_opening_stops_writes_and_says_what_to_do(
        deferring: None, closed_store: tuple[Path, bytes]) -> None:
    data_dir, key = closed_store
    _damage_a_late_page(data_dir / db.DB_NAME)
    store = db.open_store(data_dir, key)  # opens: only the first page is read
    try:
        assert integrity.damage(store) is None
        steps: list[tuple[int, int, str]] = []
        outcome = integrity.run_deferred_checks(
            store, progress=lambda n, total, what: steps.append((n, total, what)))
        assert not outcome.ok
        assert "damaged" in outcome.message and "newest good backup" in outcome.message
        assert "restore" in outcome.message and "Nothing more will be written" in outcome.message
        assert integrity.damage(store) == outcome.message
        assert outcome.message in store.warnings
        assert steps[0][:2] == (0, 3)
        before = snapshot(data_dir)
        with pytest.raises(DamagedStoreError) as info, store.session() as session:
            set_meta(session, "after-damage", "must not be written")
        assert info.value.message == outcome.message
        assert snapshot(data_dir) == before  # nothing written, no backup over a bad file
        with store.session() as session:  # what can still be read, is
            assert session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        store.close()


def test_a_sound_file_is_checked_then_backed_up_in_the_background(
        deferring: None, closed_store: tuple[Path, bytes]) -> None:
    data_dir, key = closed_store
    for old in backup.list_backups(data_dir):
        old.unlink()
    store = db.open_store(data_dir, key)
    try:
        assert backup.list_backups(data_dir) == []  # the open did not back up
        steps: list[int] = []
        outcome = integrity.run_deferred_checks(store, progress=lambda n, t, w: steps.append(n))
        assert outcome.ok and outcome.backup is not None and outcome.backup.exists()
        assert steps == [0, 1, 2, 3]
        assert "no damage" in outcome.message
        with store.session() as session:  # writes go on
            set_meta(session, "after-check", "written")
        again = integrity.run_deferred_checks(store)  # backed up today: no second backup
        assert again.ok and again.backup is None
    finally:
        store.close()


def test_a_migration_still_checks_the_whole_file_first(
        deferring: None, closed_store: tuple[Path, bytes]) -> None:
    data_dir, key = closed_store
    store = db.open_store(data_dir, key)
    with store.engine.begin() as conn:  # as if written by an older version
        from alembic import command

        command.downgrade(engine.alembic_config(conn), "0005_certificate_drawings")
    store.close()
    copy = data_dir.parent / "copy"
    shutil.copytree(data_dir, copy)
    _damage_a_late_page(data_dir / db.DB_NAME)
    before = snapshot(data_dir)
    with pytest.raises(DamagedStoreError):
        db.open_store(data_dir, key)
    assert snapshot(data_dir) == before  # no backup, no migration
    migrated = db.open_store(copy, key)  # the sound copy migrates as before
    try:
        assert migrated.schema_revision() in db.head_revisions()
        with migrated.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM panel_verdicts")).scalar() == 0
    finally:
        migrated.close()

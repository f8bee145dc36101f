"""Opening, creating and checking the encrypted database."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from sendobserve.storage import backup, db, engine, keys, vault
from sendobserve.storage.db import create_store, open_store
from sendobserve.storage.errors import (
    DamagedStoreError,
    DataDirError,
    NewerSchemaError,
    NoStoreError,
    StoreBusyError,
    StoreExistsError,
    WrongKeyError,
)
from sendobserve.storage.meta import StoreMetaRecord, get_meta
from tests.helpers import snapshot


def test_new_store_is_encrypted_migrated_and_has_its_pragmas(
    store: db.Store, initialised: vault.Initialised
) -> None:
    assert store.path.read_bytes()[:16] != db.PLAINTEXT_HEADER
    assert store.schema_revision() in db.head_revisions()
    assert store.store_id() == initialised.store_id
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        if sys.platform == "darwin":
            assert conn.exec_driver_sql("PRAGMA fullfsync").scalar() == 1
    # The stdlib's plain SQLite cannot read it.
    plain = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()


def test_session_commits_on_success_and_rolls_back_on_error(store: db.Store) -> None:
    with store.session() as session:
        session.add(StoreMetaRecord(key="kept", value="1"))
    with pytest.raises(RuntimeError), store.session() as session:
        session.add(StoreMetaRecord(key="dropped", value="1"))
        session.flush()
        raise RuntimeError("boom")
    with store.session() as session:
        assert get_meta(session, "kept") == "1"
        assert get_meta(session, "dropped") is None
    # Objects stay usable after commit (expire_on_commit=False).
    with store.session() as session:
        row = session.get(StoreMetaRecord, "kept")
    assert row is not None and row.value == "1"


def test_create_refuses_when_any_database_file_exists(data_dir: Path) -> None:
    data_dir.mkdir()
    for name in ("sendobserve.db", "sendobserve.db-wal"):
        (data_dir / name).write_bytes(b"something precious")
        before = snapshot(data_dir)
        with pytest.raises(StoreExistsError):
            create_store(data_dir, keys.new_key())
        assert snapshot(data_dir) == before
        (data_dir / name).unlink()


def test_opening_where_there_is_no_store_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(NoStoreError, match="sendobserve init"):
        open_store(tmp_path, keys.new_key())
    assert list(tmp_path.iterdir()) == []


def test_wrong_data_key_is_reported_and_changes_nothing(initialised: vault.Initialised) -> None:
    store = initialised.store
    data_dir = store.data_dir
    store.close()
    before = snapshot(data_dir)
    for _ in range(3):
        with pytest.raises(WrongKeyError):
            open_store(data_dir, keys.new_key())
    assert snapshot(data_dir) == before


def test_second_open_of_the_same_folder_is_refused(store: db.Store) -> None:
    key = vault.unlock(store.data_dir, "correct horse battery staple").current
    with pytest.raises(StoreBusyError):
        open_store(store.data_dir, key)


def test_plaintext_database_is_refused(tmp_path: Path) -> None:
    plain = sqlite3.connect(tmp_path / "sendobserve.db")
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    before = snapshot(tmp_path)
    with pytest.raises(DamagedStoreError, match="not encrypted"):
        open_store(tmp_path, keys.new_key())
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("content", [b"", b"\x01" * 100])
def test_empty_or_truncated_database_is_damage(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "sendobserve.db").write_bytes(content)
    with pytest.raises(DamagedStoreError):
        open_store(tmp_path, keys.new_key())
    assert (tmp_path / "sendobserve.db").read_bytes() == content


def test_newer_schema_is_refused_and_nothing_is_touched(initialised: vault.Initialised) -> None:
    store = initialised.store
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    data_dir = store.data_dir
    store.close()
    before = snapshot(data_dir)
    with pytest.raises(NewerSchemaError, match="newer version of sendobserve") as info:
        open_store(data_dir, initialised.data_key)
    assert "\n" not in info.value.message
    assert snapshot(data_dir) == before


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """Make ``folder`` refuse new files, also for root (for whom chmod is no barrier)."""
    import os
    import shutil
    import subprocess

    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        assert chattr, "root needs chattr (e2fsprogs) to make a folder unwritable"
        subprocess.run([chattr, "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)


def test_unwritable_data_folder_is_reported(initialised: vault.Initialised) -> None:
    store = initialised.store
    data_dir = store.data_dir
    store.close()
    before = snapshot(data_dir)
    with unwritable(data_dir), pytest.raises(DataDirError, match="cannot be written"):
        open_store(data_dir, initialised.data_key)
    assert snapshot(data_dir) == before


def test_migration_takes_a_backup_first(
    initialised: vault.Initialised, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = initialised.store
    data_dir = store.data_dir
    old_revision = store.schema_revision()
    store.close()
    # A copy of the migrations with one more revision, as a future release would ship.
    migrations = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS_DIR, migrations)
    heads = db.head_revisions()
    (migrations / "versions" / "9000_test_extra.py").write_text(
        f'''
import sqlalchemy as sa
from alembic import op

revision = "9000_test_extra"
down_revision = {heads[0]!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("extra")
'''
    )
    monkeypatch.setattr(engine, "MIGRATIONS_DIR", migrations)
    before = set(backup.list_backups(data_dir))
    migrated = open_store(data_dir, initialised.data_key)
    try:
        assert migrated.schema_revision() == "9000_test_extra"
        assert "extra" in migrated.table_counts()
    finally:
        migrated.close()
    new = [p for p in backup.list_backups(data_dir) if p not in before]
    pre = [p for p in new if "before-9000" in p.name]
    assert len(pre) == 1
    assert db.inspect_database(pre[0], initialised.data_key) == old_revision


def test_unknown_revision_without_the_migration_is_refused(
    initialised: vault.Initialised, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store migrated by a newer release, opened again by this one: refused, untouched."""
    test_migration_takes_a_backup_first(initialised, tmp_path, monkeypatch)
    monkeypatch.undo()
    data_dir = initialised.store.data_dir
    before = snapshot(data_dir)
    with pytest.raises(NewerSchemaError):
        open_store(data_dir, initialised.data_key)
    assert snapshot(data_dir) == before

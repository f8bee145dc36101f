"""Flipped bytes anywhere in the database: reported as damage, never a crash, never accepted."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.storage import backup, db, vault
from sendobserve.storage.errors import DamagedStoreError
from sendobserve.storage.meta import set_meta
from tests.helpers import (
    FAST_SCRYPT,
    TEST_PASSPHRASE,
    durable_snapshot,
    snapshot,
    subprocess_env,
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A closed store with some rows and one good backup; returns its folder and key."""
    data_dir = tmp_path_factory.mktemp("pristine") / "data"
    created = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    with created.store.session() as session:
        for i in range(300):
            set_meta(session, f"row-{i}", "some observation text " * 8)
    backup.make_backup(created.store)
    created.store.close()
    return data_dir, created.data_key


def _flip(path: Path, offset: int, bit: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 1 << bit
    path.write_bytes(bytes(data))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(offset=st.integers(min_value=0), bit=st.integers(0, 7))
def test_any_flipped_bit_is_reported_as_damage_naming_the_backup(
    pristine: tuple[Path, bytes], tmp_path: Path, offset: int, bit: int
) -> None:
    source, key = pristine
    data_dir = tmp_path / f"flip-{offset}-{bit}"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(source, data_dir)
    _flip(data_dir / db.DB_NAME, offset, bit)
    before = snapshot(data_dir)
    with pytest.raises(DamagedStoreError) as info:
        db.open_store(data_dir, key).close()
    message = info.value.message
    assert "damaged" in message
    assert "newest good backup" in message and "restore" in message
    assert "\n" not in message
    assert snapshot(data_dir) == before
    shutil.rmtree(data_dir)


@pytest.mark.parametrize("offset", [0, 7, 15, 16, 20, 100, 4095, 4096, 5000])
def test_flips_at_the_file_header_and_first_pages(
    pristine: tuple[Path, bytes], tmp_path: Path, offset: int
) -> None:
    """Through the passphrase path too: the key is right, so the file must be the problem."""
    source, _key = pristine
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir)
    _flip(data_dir / db.DB_NAME, offset, 3)
    before = snapshot(data_dir)
    with pytest.raises(DamagedStoreError, match="damaged"):
        vault.open_with_secret(data_dir, TEST_PASSPHRASE)
    assert snapshot(data_dir) == before


def test_damage_found_after_a_crash_leaves_the_database_and_its_wal_untouched(
    pristine: tuple[Path, bytes], tmp_path: Path
) -> None:
    """A writer killed mid-work leaves a -wal; damage in the main file is still reported
    and neither file is changed (the -shm is only SQLite's rebuildable index)."""
    source, key = pristine
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir)
    code = f"""
import os
from pathlib import Path
from sendobserve.storage.db import open_store
from sendobserve.storage.meta import set_meta
store = open_store(Path({str(data_dir)!r}), bytes.fromhex({key.hex()!r}), daily_backup=False)
with store.session() as session:
    set_meta(session, "after-crash", "x" * 500)
os._exit(9)
"""
    result = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), timeout=60)
    assert result.returncode == 9
    wal = data_dir / (db.DB_NAME + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    _flip(data_dir / db.DB_NAME, 9000, 1)
    before = snapshot(data_dir)
    durable_before = durable_snapshot(data_dir)
    for _ in range(3):
        with pytest.raises(DamagedStoreError):
            db.open_store(data_dir, key)
    assert snapshot(data_dir).keys() == before.keys()
    assert durable_snapshot(data_dir) == durable_before

"""A full disk at open, at a tick, at a backup or a key rotation: "the disk is full",
nothing changed, nothing shown as saved that is not, and all is well once space returns.

The disk is a real small filesystem (tmpfs, mounted for the test: needs root, as in CI).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sendobserve.storage import backup, db, keys, vault
from sendobserve.storage.errors import DiskFullError
from sendobserve.storage.meta import get_meta, set_meta
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, durable_snapshot, subprocess_env

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0, reason="mounts a small tmpfs (root, Linux)"
)
FILLER = "filler.bin"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", str(mount)], check=True
    )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> None:
    """Take every free byte of ``disk``."""
    fd = os.open(disk / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, bytes(size))
    finally:
        os.close(fd)
    assert shutil.disk_usage(disk).free < 4096


def _free(disk: Path) -> None:
    (disk / FILLER).unlink()


def _store(disk: Path, rows: int = 20) -> Path:
    data_dir = disk / "data"
    created = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    try:
        with created.store.session() as session:
            for i in range(rows):
                set_meta(session, f"row-{i}", "x" * 300)
        backup.make_backup(created.store)
    finally:
        created.store.close()
    return data_dir


def _store_files(data_dir: Path) -> dict[str, bytes]:
    return durable_snapshot(data_dir)


def test_a_full_disk_at_open_says_so_changes_nothing_and_recovers(disk: Path) -> None:
    data_dir = _store(disk)
    _fill(disk)
    before = _store_files(data_dir)
    for attempt in range(2):  # the second try must not read a first failure as damage
        with pytest.raises(DiskFullError) as info:
            vault.open_with_secret(data_dir, TEST_PASSPHRASE)
        assert info.value.message.startswith("the disk is full"), attempt
        assert "nothing was changed" in info.value.message
        assert "restore" not in info.value.message
        assert _store_files(data_dir) == before
    result = subprocess.run(
        [sys.executable, "-m", "sendobserve", "--data-dir", str(data_dir), "status"],
        capture_output=True,
        text=True,
        env=subprocess_env(SENDOBSERVE_PASSPHRASE=TEST_PASSPHRASE),
        timeout=120,
    )
    assert result.returncode != 0
    assert "the disk is full" in result.stderr and "Traceback" not in result.stderr
    assert "damaged" not in result.stderr
    _free(disk)
    with vault.open_with_secret(data_dir, TEST_PASSPHRASE).store as store, store.session() as s:
        assert get_meta(s, "row-19") == "x" * 300


def test_a_full_disk_at_open_with_a_live_log(disk: Path) -> None:
    """After a crash the log is still there: reading it needs its index, which a full disk
    cannot hold. That is a full disk, never "damaged"."""
    live = _store(disk)
    opened = vault.open_with_secret(live, TEST_PASSPHRASE)
    try:
        with opened.store.session() as session:
            set_meta(session, "late", "in the log only")
        data_dir = disk / "copy"
        shutil.copytree(live, data_dir, ignore=shutil.ignore_patterns("*-shm", "*.lock"))
    finally:
        opened.store.close()
    shutil.rmtree(live)
    assert (data_dir / (db.DB_NAME + "-wal")).stat().st_size > 0
    _fill(disk)
    before = _store_files(data_dir)
    for _ in range(2):
        with pytest.raises(DiskFullError):
            vault.open_with_secret(data_dir, TEST_PASSPHRASE)
        assert _store_files(data_dir) == before
    _free(disk)
    with vault.open_with_secret(data_dir, TEST_PASSPHRASE).store as store, store.session() as s:
        assert get_meta(s, "late") == "in the log only"


def test_a_tick_on_a_full_disk_is_not_saved_and_says_so(disk: Path) -> None:
    data_dir = _store(disk)
    store = vault.open_with_secret(data_dir, TEST_PASSPHRASE).store
    try:
        _fill(disk)
        with pytest.raises(DiskFullError, match=r"^the disk is full"), store.session() as s:
            set_meta(s, "big", "y" * 400_000)
        with store.session() as s:  # the earlier commits are all there, the failed one not
            assert get_meta(s, "row-19") == "x" * 300
            assert get_meta(s, "big") is None
        _free(disk)
        with store.session() as s:  # space is back: the same write now works
            set_meta(s, "big", "y" * 400_000)
    finally:
        store.close()
    with vault.open_with_secret(data_dir, TEST_PASSPHRASE).store as again, again.session() as s:
        assert get_meta(s, "big") == "y" * 400_000


def test_a_backup_on_a_full_disk_says_so_and_leaves_no_partial_file(disk: Path) -> None:
    data_dir = _store(disk, rows=200)
    store = vault.open_with_secret(data_dir, TEST_PASSPHRASE).store
    try:
        before = sorted(p.name for p in backup.backup_dir(data_dir).iterdir())
        _fill(disk)
        with pytest.raises(DiskFullError, match=r"^the disk is full"):
            backup.make_backup(store)
        assert sorted(p.name for p in backup.backup_dir(data_dir).iterdir()) == before
        _free(disk)
        made = backup.make_backup(store)
        assert made.exists() and made.name not in before
    finally:
        store.close()


def test_a_key_rotation_on_a_full_disk_changes_nothing(disk: Path) -> None:
    data_dir = _store(disk, rows=200)
    key_file = keys.key_file_path(data_dir).read_bytes()
    _fill(disk)
    before = _store_files(data_dir)
    with pytest.raises(DiskFullError):
        vault.rotate_data_key(data_dir, vault.unlock(data_dir, TEST_PASSPHRASE), None)
    assert _store_files(data_dir) == before
    assert keys.key_file_path(data_dir).read_bytes() == key_file
    _free(disk)
    rotated = vault.rotate_data_key(data_dir, vault.unlock(data_dir, TEST_PASSPHRASE), None)
    assert rotated.skipped == ()
    with vault.open_with_secret(data_dir, TEST_PASSPHRASE).store as store, store.session() as s:
        assert get_meta(s, "row-199") == "x" * 300


def test_a_full_disk_during_an_import_says_so_changes_nothing_and_recovers(
        disk: Path, tmp_path: Path) -> None:
    """An import is one transaction: on a full disk nothing of it lands, the message is the
    plain sentence, and the same file imports once space returns."""
    from sendobserve.exchange.apply import apply_import
    from sendobserve.exchange.bundle import open_bundle
    from tests.exchange.storekit import (
        PASS,
        TempStore,
        add_finalised_observation,
        add_people,
    )

    source = TempStore.create(tmp_path / "source")
    trainee, ppc = add_people(source)
    for n in range(6):  # enough pages that the import cannot fit in what is left
        add_finalised_observation(source, trainee, ppc, f"LA-{n}", seed=n)
    opened = open_bundle(source.export(trainee.id), passphrase=PASS)

    target = TempStore.create(disk / "data")
    before = target.dump()
    with target.open() as store:
        _fill(disk)
        with pytest.raises(DiskFullError, match="the disk is full"), \
                store.session() as session:
            apply_import(session, opened)
        _free(disk)
    assert target.dump() == before  # nothing of the import landed
    assert target.import_opened(opened).written  # and it goes through once there is room
    assert target.dump() != before

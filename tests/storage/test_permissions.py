"""The data folder is 0700 and every file holding records or keys 0600 (POSIX)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from sendobserve.storage import backup, fsutil, keys, vault
from sendobserve.storage.meta import set_meta
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def _modes(folder: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for p in folder.rglob("*"):
        found[str(p.relative_to(folder))] = stat.S_IMODE(p.stat().st_mode)
    return found


@pytest.fixture
def open_umask():  # type: ignore[no-untyped-def]
    """The usual desktop umask, under which a plain create would give 0755 / 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_store_is_private_to_its_user(tmp_path: Path, open_umask: None) -> None:
    data_dir = tmp_path / "nested" / "data"
    created = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    try:
        for i in range(20):  # a live write-ahead log and its index
            with created.store.session() as session:
                set_meta(session, f"row-{i}", "x" * 500)
        backup.make_backup(created.store)
        modes = _modes(data_dir)
        assert "sendobserve.db-wal" in modes and "sendobserve.key" in modes
        assert any(name.startswith("backups/") for name in modes)
        for name, mode in modes.items():
            want = 0o700 if (data_dir / name).is_dir() else 0o600
            assert mode == want, f"{name}: {oct(mode)}"
        assert stat.S_IMODE((tmp_path / "nested").stat().st_mode) == 0o700
    finally:
        created.store.close()


def test_a_store_left_readable_by_others_is_made_private_when_opened(
    tmp_path: Path, open_umask: None
) -> None:
    data_dir = tmp_path / "data"
    vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT).store.close()
    for p in [data_dir, *data_dir.rglob("*")]:  # as an earlier version left it
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    vault.open_with_secret(data_dir, TEST_PASSPHRASE).store.close()
    for name, mode in _modes(data_dir).items():
        assert not mode & 0o077, f"{name}: {oct(mode)}"


def test_the_one_atomic_write_is_private_and_leaves_nothing_on_failure(
    tmp_path: Path, open_umask: None
) -> None:
    target = tmp_path / "file.bin"
    fsutil.atomic_write_bytes(target, b"secret")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    fsutil.atomic_write_bytes(target, b"shared", private=False)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    with pytest.raises(TypeError):
        fsutil.atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"shared"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.bin"]


def test_the_key_file_and_copies_are_private(tmp_path: Path, open_umask: None) -> None:
    data_dir = tmp_path / "data"
    vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT).store.close()
    assert stat.S_IMODE(keys.key_file_path(data_dir).stat().st_mode) == 0o600
    copy = tmp_path / "copy.db"
    fsutil.copy_file_durably(data_dir / "sendobserve.db", copy)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600

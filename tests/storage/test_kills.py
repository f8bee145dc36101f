"""Passphrase change, key rotation, restore and init each survive a kill at any moment.

A child process runs the operation and is killed (SIGKILL) at a named crash point or at
a random moment; afterwards the old or the new secret must open the store, with every
record intact and the integrity checks clean.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sendobserve.storage import backup, db, keys, vault
from sendobserve.storage.errors import WrongKeyError
from sendobserve.storage.meta import get_meta, set_meta
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, snapshot, subprocess_env

NEW_PASSPHRASE = "a brand new passphrase"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _make(data_dir: Path, rows: int = 50) -> str:
    created = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    with created.store.session() as session:
        for i in range(rows):
            set_meta(session, f"row-{i}", f"value {i} " * 20)
    backup.make_backup(created.store)
    created.store.close()
    return created.recovery_key


def _run(data_dir: Path, operation: str, crash_at: str | None) -> subprocess.Popen[bytes]:
    code = f"""
from pathlib import Path
from sendobserve.storage import vault
data_dir = Path({str(data_dir)!r})
unlocked = vault.unlock(data_dir, {TEST_PASSPHRASE!r})
if {operation!r} == "passphrase":
    vault.change_passphrase(data_dir, unlocked, {NEW_PASSPHRASE!r})
else:
    vault.rotate_data_key(data_dir, unlocked, None)
"""
    env = subprocess_env(**({"SENDOBSERVE_CRASH_AT": crash_at} if crash_at else {}))
    return subprocess.Popen([sys.executable, "-c", code], env=env)


def _opens_with_all_rows(data_dir: Path, secret: str, rows: int = 50) -> bool:
    try:
        opened = vault.open_with_secret(data_dir, secret)
    except WrongKeyError:
        return False
    try:
        with opened.store.session() as session:
            for i in range(rows):
                assert get_meta(session, f"row-{i}") == f"value {i} " * 20
    finally:
        opened.store.close()
    return True


@pytest.mark.parametrize(
    "point", ["keyfile:before-rename", "keyfile:after-rename", None]
)
def test_passphrase_change_killed_at_each_step(tmp_path: Path, point: str | None) -> None:
    data_dir = tmp_path / "data"
    recovery = _make(data_dir)
    proc = _run(data_dir, "passphrase", point)
    code = proc.wait(timeout=120)
    assert code == (-signal.SIGKILL if point else 0)
    old_ok = _opens_with_all_rows(data_dir, TEST_PASSPHRASE)
    new_ok = _opens_with_all_rows(data_dir, NEW_PASSPHRASE)
    assert old_ok != new_ok  # exactly one of them, never neither
    assert new_ok == (point != "keyfile:before-rename")
    assert _opens_with_all_rows(data_dir, recovery)  # the recovery key always works


ROTATION_POINTS = [
    "keyfile:before-rename",  # writing the pending key
    "rotate:after-pending",
    "rotate:before-swap",
    "rotate:after-rekey",
    "rotate:after-backup-rekey",
    "rotate:after-finalise",
    None,
]


@pytest.mark.parametrize("point", ROTATION_POINTS)
def test_key_rotation_killed_at_each_step(tmp_path: Path, point: str | None) -> None:
    data_dir = tmp_path / "data"
    recovery = _make(data_dir)
    old_id = keys.read_key_file(data_dir).current.key_id
    proc = _run(data_dir, "rotate", point)
    code = proc.wait(timeout=120)
    assert code == (-signal.SIGKILL if point else 0)
    assert _opens_with_all_rows(data_dir, TEST_PASSPHRASE)
    assert _opens_with_all_rows(data_dir, recovery)
    final = keys.read_key_file(data_dir)
    assert final.pending is None  # the half-done rotation was finished or abandoned
    rotated = point not in ("keyfile:before-rename", "rotate:after-pending", "rotate:before-swap")
    assert (final.current.key_id != old_id) == rotated
    key = vault.unlock(data_dir, TEST_PASSPHRASE).current
    for copy in backup.all_encrypted_copies(data_dir):  # every backup under the final key
        assert db.database_accepts_key(copy, key), copy.name


def test_key_rotation_killed_at_random_moments(tmp_path: Path) -> None:
    rng = random.Random(20261122)
    data_dir = tmp_path / "data"
    recovery = _make(data_dir, rows=2000)  # a few MB, so the rekey takes a while
    outcomes = {"rotated": 0, "not rotated": 0}
    for _ in range(8):
        before = keys.read_key_file(data_dir).current.key_id
        proc = _run(data_dir, "rotate", None)
        time.sleep(rng.uniform(0.3, 1.2))  # past interpreter start, into the work
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert _opens_with_all_rows(data_dir, TEST_PASSPHRASE, rows=2000)
        after = keys.read_key_file(data_dir).current.key_id
        outcomes["rotated" if after != before else "not rotated"] += 1
    assert _opens_with_all_rows(data_dir, recovery, rows=2000)


def test_restore_killed_before_the_rename_leaves_the_old_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _make(data_dir)
    snap = backup.list_backups(data_dir)[0]
    before = (data_dir / db.DB_NAME).read_bytes()
    code = f"""
from pathlib import Path
from sendobserve.storage import vault
d = Path({str(data_dir)!r})
vault.restore_backup(d, vault.unlock(d, {TEST_PASSPHRASE!r}), Path({str(snap)!r}))
"""
    env = subprocess_env(SENDOBSERVE_CRASH_AT="restore:before-rename")
    result = subprocess.run([sys.executable, "-c", code], env=env, timeout=120)
    assert result.returncode == -signal.SIGKILL
    assert (data_dir / db.DB_NAME).read_bytes() == before
    assert _opens_with_all_rows(data_dir, TEST_PASSPHRASE)


def test_init_killed_after_the_key_file_can_be_run_again(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    code = f"""
from pathlib import Path
from sendobserve.storage import vault
vault.initialise(Path({str(data_dir)!r}), {TEST_PASSPHRASE!r})
"""
    env = subprocess_env(SENDOBSERVE_CRASH_AT="init:after-keyfile")
    result = subprocess.run([sys.executable, "-c", code], env=env, timeout=120)
    assert result.returncode == -signal.SIGKILL
    assert not (data_dir / db.DB_NAME).exists()
    created = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    created.store.close()
    assert _opens_with_all_rows(data_dir, TEST_PASSPHRASE, rows=0)


def test_a_stray_key_file_without_init_marker_is_never_overwritten(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _make(data_dir)
    (data_dir / db.DB_NAME).unlink()  # someone moved the database away
    before = snapshot(data_dir)
    with pytest.raises(Exception, match="no database beside it"):
        vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    assert snapshot(data_dir) == before

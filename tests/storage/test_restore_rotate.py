"""Damaged backups never block opening or rotating keys; restore keeps every acknowledged
write of the database it replaces, folded into one file that later rotations re-encrypt."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.storage import backup, db, engine, keys, vault
from sendobserve.storage.meta import get_meta, set_meta
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, subprocess_env

ROWS = 30
LATE = 20


def _make(data_dir: Path, backups: int = 2) -> None:
    created = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    try:
        with created.store.session() as session:
            for i in range(ROWS):
                set_meta(session, f"row-{i}", f"value {i} " * 20)
        for _ in range(backups):
            backup.make_backup(created.store)
    finally:
        created.store.close()


def _make_with_live_log(root: Path) -> Path:
    """A store whose database has acknowledged commits only in its log (``late-*``), as a
    crash leaves it: the files are copied while the store is still open."""
    live = root / "live"
    _make(live, backups=1)
    opened = vault.open_with_secret(live, TEST_PASSPHRASE)
    try:
        for i in range(LATE):
            with opened.store.session() as session:
                set_meta(session, f"late-{i}", f"acknowledged {i}")
        data_dir = root / "data"
        shutil.copytree(live, data_dir, ignore=shutil.ignore_patterns("*-shm", "*.lock"))
    finally:
        opened.store.close()
    assert (data_dir / (db.DB_NAME + "-wal")).stat().st_size > 0
    return data_dir


def _rows_in(path: Path, key: bytes) -> set[str]:
    conn = engine.raw_connect(path, key, mode="ro")
    try:
        return {r[0] for r in conn.execute("SELECT key FROM store_meta").fetchall()}
    finally:
        conn.close()


def _damage(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= 0x5A
    path.write_bytes(bytes(data))


# --- damaged backups ------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["flipped", "truncated", "not a database"])
def test_a_damaged_backup_is_skipped_by_key_rotation_and_reported(
    tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    _make(data_dir)
    bad, good = backup.list_backups(data_dir)
    if how == "flipped":
        _damage(bad)
    elif how == "truncated":
        bad.write_bytes(bad.read_bytes()[:3000])
    else:
        bad.write_bytes(b"these bytes were never a database" * 100)
    bad_bytes = bad.read_bytes()
    old_id = keys.read_key_file(data_dir).current.key_id

    secret = tmp_path / "pass.txt"
    secret.write_text(TEST_PASSPHRASE + "\n")
    argv = ["--data-dir", str(data_dir), "--passphrase-file", str(secret)]
    assert main([*argv, "key", "rotate"]) == 0
    out = capsys.readouterr().out
    if how == "flipped":  # the others no key opens at all: not a copy of this store
        assert f"Not re-encrypted (damaged, left as it was): {bad}" in out
    assert bad.read_bytes() == bad_bytes  # left exactly as it was
    final = keys.read_key_file(data_dir)
    assert final.pending is None and final.current.key_id != old_id
    new_key = vault.unlock(data_dir, TEST_PASSPHRASE).current
    assert db.database_accepts_key(good, new_key)
    assert db.database_accepts_key(db.db_path(data_dir), new_key)
    assert main([*argv, "status"]) == 0  # and the store opens


def test_an_interrupted_rotation_finishes_at_the_next_open_despite_a_damaged_backup(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    _make(data_dir)
    bad = backup.list_backups(data_dir)[0]
    _damage(bad)
    code = f"""
from pathlib import Path
from sendobserve.storage import vault
d = Path({str(data_dir)!r})
vault.rotate_data_key(d, vault.unlock(d, {TEST_PASSPHRASE!r}), None)
"""
    env = subprocess_env(SENDOBSERVE_CRASH_AT="rotate:after-rekey")
    result = subprocess.run([sys.executable, "-c", code], env=env, timeout=120)
    assert result.returncode == -signal.SIGKILL
    assert keys.read_key_file(data_dir).pending is not None
    opened = vault.open_with_secret(data_dir, TEST_PASSPHRASE)  # finishes the rotation
    try:
        with opened.store.session() as session:
            assert get_meta(session, f"row-{ROWS - 1}") is not None
    finally:
        opened.store.close()
    assert keys.read_key_file(data_dir).pending is None


def test_a_failed_rotation_leaves_no_pending_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _make(data_dir)
    before = keys.key_file_path(data_dir).read_bytes()
    (data_dir / vault.REKEY_NAME).mkdir()  # the work file cannot be made
    (data_dir / vault.REKEY_NAME / "x").write_text("in the way")
    with pytest.raises(OSError):
        vault.rotate_data_key(data_dir, vault.unlock(data_dir, TEST_PASSPHRASE), None)
    assert keys.read_key_file(data_dir).pending is None
    assert keys.key_file_path(data_dir).read_bytes() == before
    vault.open_with_secret(data_dir, TEST_PASSPHRASE).store.close()


# --- restore --------------------------------------------------------------------------------


def test_restore_folds_the_replaced_log_into_its_copy_and_rotation_reencrypts_it(
    tmp_path: Path,
) -> None:
    data_dir = _make_with_live_log(tmp_path)
    unlocked = vault.unlock(data_dir, TEST_PASSPHRASE)
    source = backup.list_backups(data_dir)[0]
    result = vault.restore_backup(data_dir, unlocked, source)

    replaced = result.replaced_copy
    assert replaced is not None and result.kept_log is None
    assert not list(backup.backup_dir(data_dir).glob("*-wal*"))  # no log left under a key
    assert not list(backup.backup_dir(data_dir).glob("*-shm"))
    kept = _rows_in(replaced, unlocked.current)
    assert {f"late-{i}" for i in range(LATE)} <= kept  # every acknowledged write is kept
    wal = data_dir / (db.DB_NAME + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with vault.open_with_secret(data_dir, TEST_PASSPHRASE).store as store, store.session() as s:
        assert get_meta(s, "late-0") is None and get_meta(s, "row-0") is not None

    rotated = vault.rotate_data_key(data_dir, vault.unlock(data_dir, TEST_PASSPHRASE), None)
    assert rotated.skipped == ()
    new_key = vault.unlock(data_dir, TEST_PASSPHRASE).current
    assert {f"late-{i}" for i in range(LATE)} <= _rows_in(replaced, new_key)
    assert not db.database_accepts_key(replaced, unlocked.current)


def test_a_kept_copy_with_a_log_beside_it_is_folded_by_rotation(tmp_path: Path) -> None:
    """Copies kept by earlier versions had their ``-wal`` beside them: a rotation folds it in
    before re-encrypting, so nothing is left under the old key."""
    data_dir = _make_with_live_log(tmp_path)
    folder = backup.backup_dir(data_dir)
    shutil.copyfile(data_dir / db.DB_NAME, folder / "replaced-old.db")
    shutil.copyfile(data_dir / (db.DB_NAME + "-wal"), folder / "replaced-old.db-wal")
    old = vault.unlock(data_dir, TEST_PASSPHRASE).current
    vault.rotate_data_key(data_dir, vault.unlock(data_dir, TEST_PASSPHRASE), None)
    new = vault.unlock(data_dir, TEST_PASSPHRASE).current
    assert not (folder / "replaced-old.db-wal").exists()
    assert {f"late-{i}" for i in range(LATE)} <= _rows_in(folder / "replaced-old.db", new)
    assert not db.database_accepts_key(folder / "replaced-old.db", old)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize(
    "point", ["restore:after-fold", "restore:before-rename", "restore:after-rename", None]
)
def test_restore_killed_at_each_step_keeps_every_acknowledged_write(
    tmp_path: Path, point: str | None
) -> None:
    data_dir = _make_with_live_log(tmp_path)
    source = backup.list_backups(data_dir)[0]
    code = f"""
from pathlib import Path
from sendobserve.storage import vault
d = Path({str(data_dir)!r})
vault.restore_backup(d, vault.unlock(d, {TEST_PASSPHRASE!r}), Path({str(source)!r}))
"""
    env = subprocess_env(**({"SENDOBSERVE_CRASH_AT": point} if point else {}))
    result = subprocess.run([sys.executable, "-c", code], env=env, timeout=120)
    assert result.returncode == (-signal.SIGKILL if point else 0)

    key = vault.unlock(data_dir, TEST_PASSPHRASE).current
    with vault.open_with_secret(data_dir, TEST_PASSPHRASE).store as store, store.session() as s:
        live_has_late = get_meta(s, f"late-{LATE - 1}") is not None
        assert get_meta(s, f"row-{ROWS - 1}") is not None
    restored = point in ("restore:after-rename", None)
    assert live_has_late is not restored
    late = {f"late-{i}" for i in range(LATE)}
    kept = [p for p in backup.backup_dir(data_dir).glob("replaced-*.db")]
    assert live_has_late or any(late <= _rows_in(p, key) for p in kept)

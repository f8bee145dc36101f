"""The store commands, called as a user would: exit codes, one-line errors, files untouched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from sendobserve.cli import main
from sendobserve.storage import backup, db, keys, vault
from tests.helpers import TEST_PASSPHRASE, snapshot, subprocess_env

RECOVERY_RE = re.compile(r"\b([A-Z2-7]{5}(?:-[A-Z2-7]{5}){7})\b")


@pytest.fixture
def cli_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """A store made by ``sendobserve init``; yields (data dir, recovery key)."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.delenv("SENDOBSERVE_DATA_DIR", raising=False)
    assert main(["--data-dir", str(data_dir), "init"]) == 0
    out = capsys.readouterr().out
    found = RECOVERY_RE.findall(out)
    assert len(found) == 1
    return data_dir, found[0]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("sendobserve: ")
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["init"],
        ["status"],
        ["backup"],
        ["restore"],
        ["passphrase"],
        ["passphrase", "change"],
        ["key"],
        ["key", "rotate"],
    ],
)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*argv, "--help"])
    assert info.value.code == 0
    assert "usage: sendobserve" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert re.match(r"sendobserve \d+\.\d+", capsys.readouterr().out)


def test_init_prints_the_recovery_key_once_and_status_reports(
    cli_dir: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, recovery = cli_dir
    assert recovery not in keys.key_file_path(data_dir).read_text()
    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "status")
    assert code == 0
    assert f"data folder:  {data_dir}" in out
    (head,) = db.head_revisions()
    assert f"schema:       {head} (up to date)" in out
    assert re.search(r"store_meta\s+\d+", out)
    assert "no trusted OS keyring: keyring.backends.fail.Keyring" in out
    assert "last backup:" in out
    assert recovery not in out


def test_init_refuses_an_existing_store(
    cli_dir: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, _ = cli_dir
    before = snapshot(data_dir)
    code, _, err = _run(capsys, "--data-dir", str(data_dir), "init")
    assert code != 0 and "already exists" in _one_line_error(err)
    assert snapshot(data_dir) == before


def test_init_with_a_short_passphrase_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", "short")
    code, _, err = _run(capsys, "--data-dir", str(tmp_path / "d"), "init")
    assert code != 0 and "at least" in _one_line_error(err)
    assert not (tmp_path / "d").exists() or not any((tmp_path / "d").iterdir())


def test_passphrase_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SENDOBSERVE_PASSPHRASE", raising=False)
    secret = tmp_path / "pass.txt"
    secret.write_text(TEST_PASSPHRASE + "\n")
    d = str(tmp_path / "d")
    assert _run(capsys, "--data-dir", d, "--passphrase-file", str(secret), "init")[0] == 0
    assert _run(capsys, "--data-dir", d, "--passphrase-file", str(secret), "status")[0] == 0


def test_no_passphrase_and_no_terminal_fails_clearly(
    cli_dir: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, _ = cli_dir
    monkeypatch.delenv("SENDOBSERVE_PASSPHRASE")
    code, _, err = _run(capsys, "--data-dir", str(data_dir), "status")
    assert code != 0 and "SENDOBSERVE_PASSPHRASE" in _one_line_error(err)


BAD_INPUTS = ["wrong passphrase", "wrong recovery key", "recovery key typo", "missing key file",
              "damaged key file", "damaged database", "newer database", "no store"]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_gives_one_line_and_changes_nothing(
    case: str,
    cli_dir: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir, recovery = cli_dir
    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "backup")
    assert code == 0
    backup_file = Path(out.strip().split(": ", 1)[1])
    key_path = keys.key_file_path(data_dir)
    expected = {
        "wrong passphrase": "wrong passphrase",
        "wrong recovery key": "does not belong",
        "recovery key typo": "typo",
        "missing key file": "key file",
        "damaged key file": "damaged",
        "damaged database": "newest good backup",
        "newer database": "newer version",
        "no store": "no sendobserve store",
    }[case]
    if case == "wrong passphrase":
        monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", "not the passphrase")
    elif case == "wrong recovery key":
        monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", keys.new_recovery_key())
    elif case == "recovery key typo":
        flat = recovery.replace("-", "")
        monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", flat[:-1] + ("A" if flat[-1] != "A" else "B"))
    elif case == "missing key file":
        key_path.unlink()
    elif case == "damaged key file":
        key_path.write_bytes(key_path.read_bytes()[:-40])
    elif case == "damaged database":
        path = data_dir / db.DB_NAME
        raw = bytearray(path.read_bytes())
        raw[7000] ^= 0x10
        path.write_bytes(bytes(raw))
    elif case == "newer database":
        store = vault.open_with_secret(data_dir, TEST_PASSPHRASE).store
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '7777_future'"))
        store.close()
    elif case == "no store":
        data_dir = data_dir.parent / "empty"
        data_dir.mkdir()
    before = snapshot(data_dir)
    commands = [["status"], ["backup"], ["key", "rotate"]]
    if case not in ("damaged database", "newer database"):
        # With the database itself at fault, restoring a backup is the remedy, and changing
        # the passphrase (which touches only the key file) stays allowed.
        commands += [["restore", str(backup_file)], ["passphrase", "change"]]
    monkeypatch.setenv("SENDOBSERVE_NEW_PASSPHRASE", "another fine passphrase")
    for command in commands:
        code, out, err = _run(capsys, "--data-dir", str(data_dir), *command)
        assert code != 0, (command, out)
        assert expected in _one_line_error(err), (command, err)
    assert snapshot(data_dir) == before


def test_unwritable_data_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"not a folder")
    code, _, err = _run(capsys, "--data-dir", str(blocker / "data"), "init")
    assert code != 0 and "data folder" in _one_line_error(err)
    assert blocker.read_bytes() == b"not a folder"


def test_backup_restore_passphrase_change_and_rotation(
    cli_dir: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, recovery = cli_dir
    d = ["--data-dir", str(data_dir)]
    code, out, _ = _run(capsys, *d, "backup")
    assert code == 0
    made = Path(out.strip().split(": ", 1)[1])
    assert made.exists()

    monkeypatch.setenv("SENDOBSERVE_NEW_PASSPHRASE", "another fine passphrase")
    assert _run(capsys, *d, "passphrase", "change")[0] == 0
    code, _, err = _run(capsys, *d, "status")
    assert code != 0 and "wrong passphrase" in err
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", "another fine passphrase")
    assert _run(capsys, *d, "status")[0] == 0

    old_id = keys.read_key_file(data_dir).current.key_id
    code, out, _ = _run(capsys, *d, "key", "rotate")
    assert code == 0 and "rotated" in out
    assert keys.read_key_file(data_dir).current.key_id != old_id

    # The backup made before rotation was re-encrypted and restores; recovery key works too.
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", recovery)
    code, out, _ = _run(capsys, *d, "restore", str(made))
    assert code == 0 and "replaced-" in out
    assert _run(capsys, *d, "status")[0] == 0
    assert len(backup.list_backups(data_dir)) >= 1


def test_headless_init_then_status_in_a_fresh_interpreter(tmp_path: Path) -> None:
    data_dir = tmp_path / "D"
    env = subprocess_env(SENDOBSERVE_PASSPHRASE=TEST_PASSPHRASE)
    run = [sys.executable, "-m", "sendobserve", "--data-dir", str(data_dir)]
    init = subprocess.run([*run, "init"], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert init.returncode == 0, init.stderr
    assert len(RECOVERY_RE.findall(init.stdout)) == 1
    status = subprocess.run([*run, "status"], env=env, capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL)
    assert status.returncode == 0, status.stderr
    assert "(up to date)" in status.stdout
    assert str(data_dir) in status.stdout


def test_init_after_an_init_killed_half_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    env = subprocess_env(SENDOBSERVE_PASSPHRASE=TEST_PASSPHRASE,
                         SENDOBSERVE_CRASH_AT="init:after-keyfile")
    killed = subprocess.run([sys.executable, "-m", "sendobserve", "--data-dir", str(data_dir),
                             "init"], env=env, capture_output=True, timeout=120)
    assert killed.returncode < 0
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "init")
    assert code == 0 and RECOVERY_RE.search(out)


def test_with_a_trusted_keyring_status_needs_no_passphrase(
    memory_keyring,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    d = ["--data-dir", str(tmp_path / "data")]
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    assert _run(capsys, *d, "init")[0] == 0
    assert len(memory_keyring.entries) == 1
    monkeypatch.delenv("SENDOBSERVE_PASSPHRASE")
    code, out, err = _run(capsys, *d, "status")
    assert code == 0, err
    assert "keyring:      OS keyring in use: tests.conftest.MemoryKeyring" in out


def test_init_says_why_the_passphrase_will_be_asked_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No keyring here (the tests' fail backend): init says so plainly, without the keyring
    library's class path."""
    monkeypatch.setenv("SENDOBSERVE_PASSPHRASE", TEST_PASSPHRASE)
    assert main(["--data-dir", str(tmp_path / "data"), "init"]) == 0
    out = capsys.readouterr().out
    assert ("The passphrase will be asked for each time: there is no OS keyring on this "
            "computer.") in out
    assert "keyring.backends" not in out

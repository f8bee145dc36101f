"""The key file checks itself: sane scrypt bounds before any work, a check per slot at each
unlock, plain warnings, and no traceback for any damage."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sendobserve.cli import main
from sendobserve.storage import keys, vault
from sendobserve.storage.errors import KeyFileError, StoreError, WrongKeyError
from tests.helpers import FAST_SCRYPT, REPO_ROOT, TEST_PASSPHRASE, snapshot, subprocess_env


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, str]:
    """A closed store; its folder and recovery key."""
    created = vault.initialise(tmp_path / "data", TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    created.store.close()
    return tmp_path / "data", created.recovery_key


def _edit(data_dir: Path, change: object) -> None:
    path = keys.key_file_path(data_dir)
    doc = json.loads(path.read_text())
    change(doc)  # type: ignore[operator]
    path.write_text(json.dumps(doc, indent=2))


def _no_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> bytes:
        raise AssertionError("scrypt was run on parameters that should have been refused")

    monkeypatch.setattr(keys, "_derive", refuse)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("p", 1_048_576, "p = 1048576"),
        ("n", 2**31, "n = 2147483648"),
        ("n", 2**14 + 1, "not a power of two"),
        ("r", 4096, "r = 4096"),
        ("n", 2**20, "would need 1152 MiB"),  # with r = 9 (set below): over 1 GiB
    ],
)
def test_kdf_parameters_outside_sane_bounds_are_refused_before_any_work(
    made: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, field: str, value: int, says: str
) -> None:
    data_dir, recovery = made
    if field == "n" and value == 2**20:
        _edit(data_dir, lambda d: d["slots"]["passphrase"].update(r=9))
    _edit(data_dir, lambda d: d["slots"]["passphrase"].update({field: value}))
    before = snapshot(data_dir)
    _no_scrypt(monkeypatch)
    for secret in (TEST_PASSPHRASE, recovery):
        with pytest.raises(KeyFileError) as info:
            vault.unlock(data_dir, secret)
        assert "not safe to use" in info.value.message and "nothing was tried" in info.value.message
        assert says in info.value.message
    assert snapshot(data_dir) == before


def test_bounds_hold_for_parameters_given_in_code(monkeypatch: pytest.MonkeyPatch) -> None:
    material = keys.create_key_file_material(TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    slot = material.key_file.slots[keys.SLOT_PASSPHRASE]
    from dataclasses import replace

    bad = replace(
        material.key_file,
        slots={keys.SLOT_PASSPHRASE: replace(slot, scrypt=keys.ScryptParams(2**14, 8, 1 << 20))},
    )
    _no_scrypt(monkeypatch)
    with pytest.raises(KeyFileError, match="p = 1048576"):
        keys.unlock_key_file(bad, TEST_PASSPHRASE)
    assert keys.scrypt_params_problem(2**17, 8, 1) is None  # the default is well inside


def _other_salt(doc: dict[str, object], slot: str) -> None:
    slots = doc["slots"]
    assert isinstance(slots, dict)
    slots[slot]["salt"] = base64.b64encode(b"\x07" * 16).decode()


def test_a_damaged_recovery_slot_is_reported_at_each_unlock(made: tuple[Path, str]) -> None:
    data_dir, recovery = made
    _edit(data_dir, lambda d: _other_salt(d, "recovery"))
    unlocked = vault.unlock(data_dir, TEST_PASSPHRASE)
    assert unlocked.warnings == (keys.SLOT_DAMAGE_WARNINGS[keys.SLOT_RECOVERY],)
    assert "recovery key would no longer open this store" in unlocked.warnings[0]
    with pytest.raises(WrongKeyError):  # indeed: the recovery key no longer opens it
        vault.unlock(data_dir, recovery)
    opened = vault.open_with_secret(data_dir, TEST_PASSPHRASE)
    try:
        assert opened.store.warnings[0] == unlocked.warnings[0]  # the app's status line
    finally:
        opened.store.close()


def test_a_passphrase_change_does_not_carry_the_damage_forward_silently(
    made: tuple[Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data_dir, recovery = made
    _edit(data_dir, lambda d: _other_salt(d, "recovery"))
    new_file = tmp_path / "new.txt"
    new_file.write_text("kettle on the windowsill\n")
    secret_file = tmp_path / "old.txt"
    secret_file.write_text(TEST_PASSPHRASE + "\n")
    argv = ["--data-dir", str(data_dir), "--passphrase-file", str(secret_file)]
    assert main([*argv, "passphrase", "change", "--new-passphrase-file", str(new_file)]) == 0
    err = capsys.readouterr().err
    assert "WARNING: the recovery slot of the key file is damaged" in err
    # After the change the damage is still found: the new file did not vouch for it.
    again = vault.unlock(data_dir, "kettle on the windowsill")
    assert again.warnings == (keys.SLOT_DAMAGE_WARNINGS[keys.SLOT_RECOVERY],)

    # The cure: a new recovery key, which works, and the warning is gone.
    secret_file.write_text("kettle on the windowsill\n")
    assert main([*argv, "key", "recovery"]) == 0
    out = capsys.readouterr().out
    new_recovery = out.split("once; the old one no longer works):")[1].split()[0]
    assert vault.unlock(data_dir, "kettle on the windowsill").warnings == ()
    assert vault.unlock(data_dir, new_recovery).slot == keys.SLOT_RECOVERY
    with pytest.raises(WrongKeyError):
        vault.unlock(data_dir, recovery)


def test_a_damaged_passphrase_slot_is_reported_when_the_recovery_key_opens(
    made: tuple[Path, str],
) -> None:
    data_dir, recovery = made
    _edit(data_dir, lambda d: d["slots"]["passphrase"].update(n=2**15))
    unlocked = vault.unlock(data_dir, recovery)
    assert unlocked.warnings == (keys.SLOT_DAMAGE_WARNINGS[keys.SLOT_PASSPHRASE],)
    vault.change_passphrase(data_dir, unlocked, "kettle on the windowsill")
    assert vault.unlock(data_dir, "kettle on the windowsill").warnings == ()


def test_a_key_file_from_before_the_checks_gains_them_at_unlock(made: tuple[Path, str]) -> None:
    data_dir, recovery = made
    _edit(data_dir, lambda d: d.pop("slot_macs"))
    assert keys.read_key_file(data_dir).slot_macs == {}
    with pytest.raises(WrongKeyError):  # a wrong passphrase adds nothing
        vault.unlock(data_dir, "not the passphrase at all")
    assert keys.read_key_file(data_dir).slot_macs == {}
    assert vault.unlock(data_dir, TEST_PASSPHRASE).warnings == ()
    assert set(keys.read_key_file(data_dir).slot_macs) == {"passphrase", "recovery"}
    assert vault.unlock(data_dir, recovery).warnings == ()


def test_a_damaged_check_is_a_warning_not_a_lockout(made: tuple[Path, str]) -> None:
    data_dir, _ = made
    _edit(data_dir, lambda d: d["slot_macs"].update(recovery="not base64!"))
    unlocked = vault.unlock(data_dir, TEST_PASSPHRASE)
    assert unlocked.warnings == (keys.SLOT_DAMAGE_WARNINGS[keys.SLOT_RECOVERY],)


@pytest.mark.slow
def test_two_hundred_random_damages_give_no_traceback_and_no_hang() -> None:
    """``tools/fuzz_keyfile.py --tries 200``: every unlock either opens or refuses with one
    clear line; the timeout here is the hang check (the slowest unlock is reported)."""
    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "tools" / "fuzz_keyfile.py"),
            "--tries",
            "200",
            "--seed",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=240,
    )
    assert result.stdout.strip(), result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["tracebacks"] == 0, data["failures"]
    assert data["failures"] == []
    assert data["unlocks"] == 400
    assert data["refused"] > 200 and data["opened_with_warning"] > 0


def test_store_errors_stay_one_line(made: tuple[Path, str]) -> None:
    data_dir, _ = made
    keys.key_file_path(data_dir).write_bytes(b"{" * 100_000)
    with pytest.raises(StoreError) as info:
        vault.unlock(data_dir, TEST_PASSPHRASE)
    assert "\n" not in info.value.message

"""Key file, slots and recovery keys."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.storage import keys
from sendobserve.storage.errors import KeyFileError, WrongKeyError
from tests.helpers import FAST_SCRYPT

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def test_recovery_key_is_printable_groups_and_round_trips() -> None:
    key = keys.new_recovery_key()
    groups = key.split("-")
    assert len(groups) == 8 and all(len(g) == 5 for g in groups)
    assert all(c in ALPHABET for c in key.replace("-", ""))
    raw = keys.parse_recovery_key(key)
    assert raw is not None and len(raw) == 20
    # Typed back sloppily: lower case, spaces instead of dashes, still the same secret.
    assert keys.parse_recovery_key(key.lower().replace("-", " ")) == raw


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, 39), replacement=st.sampled_from(ALPHABET))
def test_a_single_typo_in_a_recovery_key_is_caught(position: int, replacement: str) -> None:
    key = keys.new_recovery_key().replace("-", "")
    if key[position] == replacement:
        return
    typo = key[:position] + replacement + key[position + 1 :]
    assert keys.looks_like_recovery_key(typo)
    assert keys.parse_recovery_key(typo) is None


def test_swapped_neighbours_in_a_recovery_key_are_caught() -> None:
    key = keys.new_recovery_key().replace("-", "")
    caught = 0
    for i in range(len(key) - 1):
        if key[i] == key[i + 1]:
            continue
        swapped = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
        assert keys.parse_recovery_key(swapped) is None
        caught += 1
    assert caught > 0


def test_ambiguous_characters_are_read_as_their_base32_twins() -> None:
    key = keys.new_recovery_key()
    raw = keys.parse_recovery_key(key)
    assert keys.parse_recovery_key(key.replace("O", "0").replace("I", "1").replace("B", "8")) == raw


@pytest.mark.parametrize(
    ("passphrase", "problem"),
    [
        ("short", True),
        ("seven77", True),
        (" leading space here", True),
        ("trailing space here ", True),
        ("eight888", True),
        ("password", True),
        ("12345678", True),
        ("Password1!", True),
        ("qwertyuiop", True),
        ("sendobserve2024", True),
        ("kettle on the windowsill", False),
        ("correct horse battery staple", False),
    ],
)
def test_passphrase_rules(passphrase: str, problem: bool) -> None:
    assert (keys.passphrase_problem(passphrase) is not None) is problem


def test_a_guessable_passphrase_is_refused_with_the_reason_in_plain_words() -> None:
    reason = keys.passphrase_problem("password")
    assert reason is not None
    assert reason.startswith("this passphrase is too easy to guess: this is a top-10 common")
    assert "Add another word or two." in reason and "random words" in reason
    with pytest.raises(WrongKeyError, match="too easy to guess"):
        keys.create_key_file_material("12345678", scrypt=FAST_SCRYPT)
    material = _material()
    with pytest.raises(WrongKeyError, match="too easy to guess"):
        keys.with_new_passphrase(material.key_file, material.master_key, "password")


@pytest.mark.parametrize(
    ("passphrase", "score"),
    [
        ("abc", 0),
        ("password", 0),
        ("abcdefgh", 0),
        ("Password1!", 1),
        ("Tr0ub4dor", 3),
        ("kettle on the windowsill", 4),
        ("correct horse battery staple", 4),
    ],
)
def test_strength_hint_follows_the_estimator(passphrase: str, score: int) -> None:
    assert keys.passphrase_strength(passphrase)[0] == score


def _material() -> keys.NewKeys:
    return keys.create_key_file_material("a good passphrase", scrypt=FAST_SCRYPT)


def test_key_file_round_trips_and_unlocks_with_either_secret() -> None:
    m = _material()
    data = keys.key_file_to_bytes(m.key_file)
    parsed = keys.key_file_from_bytes(data, where=Path("k"))
    assert parsed == m.key_file
    by_pass = keys.unlock_key_file(parsed, "a good passphrase")
    by_recovery = keys.unlock_key_file(parsed, m.recovery_key)
    assert by_pass.current == by_recovery.current == m.data_key
    assert (by_pass.slot, by_recovery.slot) == ("passphrase", "recovery")
    assert m.data_key.hex() not in data.decode()
    assert m.recovery_key.replace("-", "") not in data.decode()


def test_wrong_secrets_are_refused_with_distinct_messages() -> None:
    m = _material()
    with pytest.raises(WrongKeyError, match="wrong passphrase"):
        keys.unlock_key_file(m.key_file, "not the passphrase")
    other = keys.new_recovery_key()
    with pytest.raises(WrongKeyError, match="does not belong"):
        keys.unlock_key_file(m.key_file, other)
    flat = m.recovery_key.replace("-", "")
    typo = flat[:3] + ("A" if flat[3] != "A" else "B") + flat[4:]
    with pytest.raises(WrongKeyError, match="typo"):
        keys.unlock_key_file(m.key_file, typo)


def test_slots_are_bound_to_their_name_and_store() -> None:
    """Associated data stops a slot from being moved to another name or another file."""
    m = _material()
    kf = m.key_file
    swapped = replace(
        kf,
        slots={
            "passphrase": replace(kf.slots["recovery"], name="passphrase"),
            "recovery": replace(kf.slots["passphrase"], name="recovery"),
        },
    )
    with pytest.raises(WrongKeyError):
        keys.unlock_key_file(swapped, "a good passphrase")
    other = _material().key_file
    transplanted = replace(other, slots=kf.slots)
    with pytest.raises(WrongKeyError):
        keys.unlock_key_file(transplanted, "a good passphrase")


def test_data_key_tampering_is_detected() -> None:
    m = _material()
    bad = replace(m.key_file, current=replace(m.key_file.current, wrapped=bytes(48)))
    with pytest.raises(KeyFileError, match="damaged"):
        keys.unlock_key_file(bad, "a good passphrase")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: b"{not json", "not readable JSON"),
        (lambda d: json.dumps({"format": "other"}).encode(), "not a sendobserve key file"),
        (lambda d: d.replace(b'"version": 1', b'"version": 9'), "newer version"),
        (lambda d: d.replace(b'"salt"', b'"sault"'), "damaged"),
        (lambda d: d.replace(b'"current"', b'"curent"'), "damaged"),
        (lambda d: b"\xff\xfe" + d, "not readable JSON"),
    ],
)
def test_damaged_key_files_give_one_clear_line(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = mutate(keys.key_file_to_bytes(_material().key_file))
    with pytest.raises(KeyFileError, match=message) as info:
        keys.key_file_from_bytes(data, where=Path("sendobserve.key"))
    assert "\n" not in info.value.message


def test_production_scrypt_cost_is_the_recommended_one() -> None:
    assert keys.ScryptParams(n=2**17, r=8, p=1) == keys.DEFAULT_SCRYPT
    m = keys.create_key_file_material("a good passphrase")
    assert m.key_file.slots["passphrase"].scrypt.n == 2**17
    assert keys.unlock_key_file(m.key_file, "a good passphrase").current == m.data_key

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendobserve.pki.identity import (
    Identity,
    fingerprint,
    load_or_create_identity,
    normalise_fingerprint,
    parse_recipient_key,
    recipient_key_text,
    verify,
)

GROUPS = re.compile(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}")


class MemoryKeyStore:
    def __init__(self) -> None:
        self.saved: list[bytes] = []

    def load_signing_key(self) -> bytes | None:
        return self.saved[-1] if self.saved else None

    def save_signing_key(self, private_key: bytes) -> None:
        self.saved.append(private_key)


def test_identity_is_created_once_and_then_reloaded() -> None:
    store = MemoryKeyStore()
    first = load_or_create_identity(store)
    again = load_or_create_identity(store)
    assert len(store.saved) == 1
    assert again.public_key == first.public_key
    assert again.fingerprint == first.fingerprint


@given(st.binary(min_size=32, max_size=32))
def test_fingerprint_is_eight_groups_of_four_unambiguous_characters(key: bytes) -> None:
    text = fingerprint(key)
    assert GROUPS.fullmatch(text), text
    assert not set(text) & set("01890")


def test_fingerprints_differ_for_different_keys_and_normalise_from_typing() -> None:
    a, b = Identity.generate(), Identity.generate()
    assert a.fingerprint != b.fingerprint
    typed = a.fingerprint.lower().replace(" ", "-")
    assert normalise_fingerprint(typed) == a.fingerprint


def test_signature_verifies_only_for_the_signed_message_and_key() -> None:
    a, b = Identity.generate(), Identity.generate()
    sig = a.sign(b"payload")
    assert verify(a.public_key, sig, b"payload")
    assert not verify(a.public_key, sig, b"payloaD")
    assert not verify(b.public_key, sig, b"payload")
    assert not verify(a.public_key[:31], sig, b"payload")
    assert not verify(b"\x00" * 32, sig, b"payload")


@given(st.binary(min_size=32, max_size=32), st.data())
def test_recipient_key_text_round_trips_and_catches_typos(key: bytes, data: st.DataObject
                                                          ) -> None:
    text = recipient_key_text(key)
    assert len(text.replace(" ", "")) == 56
    assert parse_recipient_key(text.lower().replace(" ", "-")) == key
    compact = text.replace(" ", "")
    pos = data.draw(st.integers(0, 55))
    other = data.draw(st.sampled_from([c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
                                       if c != compact[pos]]))
    typo = compact[:pos] + other + compact[pos + 1:]
    with pytest.raises(ValueError):
        parse_recipient_key(typo)
    with pytest.raises(ValueError):
        parse_recipient_key(compact[:-4])

"""Only OS keyrings that encrypt secrets are trusted to cache the data key."""

from __future__ import annotations

from typing import Any

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import pytest

from sendobserve.storage import keys, vault
from sendobserve.storage.keyring_cache import KeyCache, _judge
from tests.conftest import MemoryKeyring
from tests.helpers import TEST_PASSPHRASE


def _fake(module: str, name: str) -> Any:
    cls = type(name, (), {})
    cls.__module__ = module
    cls.__qualname__ = name
    return cls()


class _Chain:
    def __init__(self, *backends: Any) -> None:
        self.backends = list(backends)


_Chain.__module__ = "keyring.backends.chainer"
_Chain.__qualname__ = "ChainerBackend"


@pytest.mark.parametrize(
    ("backend", "trusted", "reason"),
    [
        (_fake("keyring.backends.macOS", "Keyring"), True, None),
        (_fake("keyring.backends.Windows", "WinVaultKeyring"), True, None),
        (_fake("keyring.backends.SecretService", "Keyring"), True, None),
        (_fake("keyring.backends.kwallet", "DBusKeyring"), True, None),
        (keyring.backends.fail.Keyring(), False, "no OS keyring is available"),
        (keyring.backends.null.Keyring(), False, "switched off"),
        (_fake("keyrings.alt.file", "PlaintextKeyring"), False, "stores secrets in plain text"),
        (_fake("keyrings.alt.file", "EncryptedKeyring"), False, "not the OS keyring"),
        (_fake("somewhere.else", "HomeMadeKeyring"), False, "not one of the trusted"),
        (_Chain(_fake("keyring.backends.SecretService", "Keyring")), True, None),
        (
            _Chain(
                _fake("keyring.backends.SecretService", "Keyring"),
                _fake("keyrings.alt.file", "PlaintextKeyring"),
            ),
            False,
            "stores secrets in plain text",
        ),
        (_Chain(), False, "chains no backends"),
    ],
)
def test_backends_are_judged(backend: Any, trusted: bool, reason: str | None) -> None:
    status = _judge(backend)
    assert status.trusted is trusted
    if reason:
        assert status.reason is not None and reason in status.reason
        assert status.describe().startswith("no trusted OS keyring: ")


def test_the_memory_keyring_is_not_trusted_without_the_test_opt_in() -> None:
    keyring.set_keyring(MemoryKeyring())
    status = KeyCache().status()
    assert not status.trusted
    assert "MemoryKeyring" in status.backend


def test_headless_default_backend_is_refused_with_a_reason() -> None:
    cache = KeyCache()
    assert not cache.status().trusted
    assert cache.load("any") is None
    assert cache.save("any", keys.new_key()) == cache.status().reason


def test_a_cached_key_opens_without_the_passphrase(
    memory_keyring: MemoryKeyring, initialised: vault.Initialised
) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    cache = KeyCache()
    assert vault.open_from_cache(data_dir, cache) is None  # nothing cached yet
    opened = vault.open_with_secret(data_dir, TEST_PASSPHRASE, cache)
    assert opened.keyring_note is None
    opened.store.close()
    assert len(memory_keyring.entries) == 1
    assert initialised.data_key.hex() in memory_keyring.entries.values()
    again = vault.open_from_cache(data_dir, cache)
    assert again is not None and again.how == "keyring"
    again.store.close()


def test_rotation_replaces_the_cached_key_and_a_stale_one_is_ignored(
    memory_keyring: MemoryKeyring, initialised: vault.Initialised
) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    cache = KeyCache()
    vault.open_with_secret(data_dir, TEST_PASSPHRASE, cache).store.close()
    kid = vault.rotate_data_key(data_dir, vault.unlock(data_dir, TEST_PASSPHRASE), cache).key_id
    (cached,) = memory_keyring.entries.values()
    assert keys.key_id(bytes.fromhex(cached)) == kid
    opened = vault.open_from_cache(data_dir, cache)
    assert opened is not None
    opened.store.close()
    # A stale cached key (e.g. from before a rotation elsewhere) is not used.
    (entry,) = memory_keyring.entries
    memory_keyring.entries[entry] = initialised.data_key.hex()
    assert vault.open_from_cache(data_dir, cache) is None


def test_a_garbled_cache_entry_is_ignored(
    memory_keyring: MemoryKeyring, initialised: vault.Initialised
) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    memory_keyring.set_password("sendobserve", f"data-key:{initialised.store_id}", "zz-not-hex")
    assert vault.open_from_cache(data_dir, KeyCache()) is None

"""Shared fixtures: a real encrypted store in a temporary folder, and a keyring stand-in.

The OS keyring is the only thing replaced: every test runs with keyring's *fail*
backend (so no test can touch the developer's real keychain) unless it asks for
``memory_keyring``, an in-memory backend that is trusted only through the explicit
test opt-in in ``sendobserve.storage.keyring_cache``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from sendobserve.storage import keyring_cache, vault
from sendobserve.storage.db import Store
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring: the one stand-in the tests are allowed."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise PasswordDeleteError(username)
        del self.entries[(service, username)]


@pytest.fixture(autouse=True)
def _no_real_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    keyring_cache.trust_backend_for_tests(MemoryKeyring)
    try:
        yield backend
    finally:
        keyring_cache.untrust_backend_for_tests(MemoryKeyring)
        keyring.set_keyring(keyring.backends.fail.Keyring())


@pytest.fixture(autouse=True)
def _idle_lock_off(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workspace a test builds has the idle lock off unless its settings say
    otherwise: a workspace a test leaves alive would otherwise lock five minutes later
    and hide a later test's windows. A test of the shipped default asks for
    ``idle_lock_as_shipped``; one that sets the minutes (or the watcher's interval) gets
    what it set. Ctrl+L locks as ever."""
    if "idle_lock_as_shipped" in request.fixturenames:
        return
    from sendobserve.ui.common import settings  # Qt: imported only for this default

    monkeypatch.setattr(settings, "DEFAULT_IDLE_MINUTES", 0)


@pytest.fixture
def idle_lock_as_shipped() -> None:
    """The idle lock's shipped default (five minutes) for this test's settings."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder that does not exist yet (``init`` creates it)."""
    return tmp_path / "data"


@pytest.fixture
def initialised(data_dir: Path) -> Iterator[vault.Initialised]:
    """A new store with ``TEST_PASSPHRASE``; gives the recovery key and data key too."""
    created = vault.initialise(data_dir, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    try:
        yield created
    finally:
        created.store.close()


@pytest.fixture
def store(initialised: vault.Initialised) -> Store:
    """A freshly created, open store (passphrase ``TEST_PASSPHRASE``), closed after the test."""
    return initialised.store


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two stores, as two laptops: the first filled with the demo practice period, the
    second empty."""
    from datetime import date

    from sendobserve.demo import fill_store

    a = vault.initialise(tmp_path / "a", TEST_PASSPHRASE, scrypt=FAST_SCRYPT).store
    b = vault.initialise(tmp_path / "b", TEST_PASSPHRASE, scrypt=FAST_SCRYPT).store
    fill_store(a, today=date.today())
    try:
        yield a, b
    finally:
        a.close()
        b.close()

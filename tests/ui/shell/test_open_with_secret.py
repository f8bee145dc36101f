"""Start-up with a passphrase: the key is derived (scrypt, 128 MiB for a moment) before the
store stack is imported, then the store opens and the key goes to the OS keyring."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sendobserve.storage import vault
from sendobserve.storage.errors import NoStoreError, WrongKeyError
from sendobserve.storage.keyring_cache import KeyCache
from sendobserve.ui.shell.app import open_with_secret
from tests.helpers import TEST_PASSPHRASE, snapshot, subprocess_env


def test_opens_and_caches_the_key_like_the_vault(initialised: vault.Initialised,
                                                  memory_keyring: object) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    cache = KeyCache()
    store = open_with_secret(data_dir, TEST_PASSPHRASE, cache)
    try:
        assert store.key_id == initialised.store.key_id
        with store.session():
            pass
    finally:
        store.close()
    # The key is now in the keyring: the next start needs no passphrase.
    cached = vault.open_from_cache(data_dir, cache)
    assert cached is not None and cached.how == "keyring"
    cached.store.close()


def test_the_recovery_key_opens_it_too(initialised: vault.Initialised) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    open_with_secret(data_dir, initialised.recovery_key, KeyCache()).close()


def test_a_wrong_passphrase_or_no_store_is_refused_and_changes_nothing(
    initialised: vault.Initialised, tmp_path: Path
) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    before = snapshot(data_dir)
    with pytest.raises(WrongKeyError):
        open_with_secret(data_dir, "not the passphrase", KeyCache())
    assert snapshot(data_dir) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NoStoreError):
        open_with_secret(empty, TEST_PASSPHRASE, KeyCache())
    assert list(empty.iterdir()) == []


def test_the_key_is_derived_before_the_store_stack_is_imported(
    initialised: vault.Initialised,
) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sendobserve.storage import keys\n"
        "from sendobserve.storage.keyring_cache import KeyCache\n"
        "from sendobserve.ui.shell import app\n"
        "unlock = keys.unlock_key_file\n"
        "def watched(*args, **kwargs):\n"
        "    print('loaded at derivation:', sorted(m for m in ('sqlalchemy', 'sqlcipher3',"
        " 'yaml', 'sendobserve.storage.db') if m in sys.modules))\n"
        "    return unlock(*args, **kwargs)\n"
        "keys.unlock_key_file = watched\n"
        f"kind, store = app.find_store(Path({str(data_dir)!r}), KeyCache(), "
        f"{TEST_PASSPHRASE!r})\n"
        "print(kind, 'sqlalchemy' in sys.modules)\n"
        "store.close()\n"
    )
    env = subprocess_env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["loaded at derivation: []", "open True"]

"""Helpers shared by tests (fixtures are in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

from sendobserve.storage import keys

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_PASSPHRASE = "correct horse battery staple"
FILE_PASSPHRASE = "kettle on the windowsill"  # an exchange file's, agreed between two people
# Cheaper scrypt for fixtures (the cost is stored per slot, so the code path is the same);
# tests of the production cost use keys.DEFAULT_SCRYPT explicitly.
FAST_SCRYPT = keys.ScryptParams(n=2**14, r=8, p=1)


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a child ``python``: this source tree importable, no real keyring."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(REPO_ROOT), env.get("PYTHONPATH", "")] if p
    )
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.pop("SENDOBSERVE_PASSPHRASE", None)
    env.pop("SENDOBSERVE_CRASH_AT", None)
    env.update(extra)
    return env


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def durable_snapshot(folder: Path) -> dict[str, bytes]:
    """``snapshot`` without SQLite's ``-shm`` files: a reader may rewrite that index of the
    write-ahead log, which holds no record and is rebuilt from the log on open."""
    return {name: data for name, data in snapshot(folder).items() if not name.endswith("-shm")}

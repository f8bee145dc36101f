"""The kill -9 soak, at test-suite size: 50 kills, no acknowledged write lost."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT, subprocess_env

SOAK = REPO_ROOT / "tools" / "soak.py"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL"),
]


def _soak(*args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, str(SOAK), "--json", *args],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert result.stdout.strip(), result.stderr
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_fifty_kills_lose_no_acknowledged_write() -> None:
    result = _soak("--kills", "50", "--seed", "1")
    assert result["failures"] == [], result
    assert result["lost"] == 0
    assert result["integrity_failures"] == 0
    assert result["kills"] == 50
    assert isinstance(result["kills_during_writes"], int) and result["kills_during_writes"] >= 25
    assert isinstance(result["acknowledged_writes"], int) and result["acknowledged_writes"] >= 100


def test_the_soak_catches_writes_acknowledged_before_their_commit() -> None:
    """The harness is not blind: a writer that lies about durability is caught."""
    result = _soak("--kills", "15", "--seed", "2", "--ack-early")
    assert isinstance(result["lost"], int) and result["lost"] > 0

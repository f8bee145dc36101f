"""The app starts headless against a real store and quits after the first paint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sendobserve.storage import vault
from tests.helpers import TEST_PASSPHRASE, snapshot, subprocess_env


def _start(data_dir: Path, passphrase: str) -> subprocess.CompletedProcess[str]:
    env = subprocess_env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["SENDOBSERVE_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "sendobserve", "--data-dir", str(data_dir), "--exit-after-start"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_app_starts_paints_and_exits(initialised: vault.Initialised) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    result = _start(data_dir, TEST_PASSPHRASE)
    assert result.returncode == 0, result.stderr
    assert "main window painted after" in result.stdout


def test_a_wrong_passphrase_stops_the_app_with_one_line_and_changes_nothing(
    initialised: vault.Initialised,
) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    before = snapshot(data_dir)
    result = _start(data_dir, "not the passphrase")
    assert result.returncode != 0
    assert "painted" not in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("sendobserve:")]
    assert len(errors) == 1, result.stderr
    assert snapshot(data_dir) == before

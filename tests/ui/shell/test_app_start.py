"""The app starts headless against a real store: the main window paints first, then the
store is unlocked and opened off the GUI thread, then it quits."""

from __future__ import annotations

import re
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
    lines = result.stdout.splitlines()
    painted = [i for i, line in enumerate(lines) if line.startswith("main window painted after")]
    opened = [i for i, line in enumerate(lines) if line.startswith("records opened after")]
    assert len(painted) == 1 and len(opened) == 1, result.stdout
    assert painted[0] < opened[0]  # the window is up before the store is
    painted_ms = int(re.findall(r"\d+", lines[painted[0]])[0])
    opened_ms = int(re.findall(r"\d+", lines[opened[0]])[0])
    # Unlocking derives the key with scrypt (hundreds of ms) after the paint.
    assert painted_ms < opened_ms, result.stdout


def test_a_wrong_passphrase_stops_the_app_with_one_line_and_changes_nothing(
    initialised: vault.Initialised,
) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    before = snapshot(data_dir)
    result = _start(data_dir, "not the passphrase")
    assert result.returncode != 0
    # The window painted first (the unlock runs after it), and the records never opened.
    assert "main window painted after" in result.stdout
    assert "records opened" not in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("sendobserve:")]
    assert len(errors) == 1, result.stderr
    assert snapshot(data_dir) == before


def test_the_window_and_app_modules_import_without_the_storage_or_printing_stack() -> None:
    """What runs before the first paint stays light: SQLAlchemy, the store, printing and
    exchange are imported after it (on the worker)."""
    code = (
        "import sys; import sendobserve.ui.shell.app, sendobserve.ui.shell.main_window; "
        "print(sorted(m for m in ('sqlalchemy', 'sqlcipher3', 'sendobserve.storage.db', "
        "'sendobserve.ui.printing', 'sendobserve.ui.exchange.dialogs', "
        "'sendobserve.ui.shell.workspace', "
        "'reportlab', 'keyring') if m in sys.modules))"
    )
    env = subprocess_env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

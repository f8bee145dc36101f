"""The first-run dialog refuses a guessable passphrase with the reason, and saves the
recovery key readable by its user only."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from sendobserve.storage import keys, vault
from sendobserve.ui.shell.dialogs import FirstRunDialog
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE


@pytest.fixture
def dialog(qtbot, data_dir: Path):  # type: ignore[no-untyped-def]
    made: dict[str, vault.Initialised] = {}

    def create(passphrase: str) -> str:
        made["store"] = vault.initialise(data_dir, passphrase, scrypt=FAST_SCRYPT)
        return made["store"].recovery_key

    widget = FirstRunDialog(data_dir, create)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    if "store" in made:
        made["store"].store.close()


@pytest.mark.parametrize("guessable", ["password", "12345678", "Password1!", "qwertyuiop"])
def test_a_guessable_passphrase_is_refused_with_the_reason(
    qtbot,
    dialog,
    data_dir: Path,
    guessable: str,  # type: ignore[no-untyped-def]
) -> None:
    qtbot.keyClicks(dialog.passphrase, guessable)
    qtbot.keyClicks(dialog.confirm, guessable)
    shown = dialog.strength_hint.text()
    assert shown == keys.as_reason(keys.passphrase_problem(guessable) or "")
    assert shown.startswith("This passphrase is too easy to guess")
    assert "random words" in shown and not shown.endswith("..")
    assert not dialog.create_button.isEnabled()
    dialog.create_button.click()  # disabled: nothing happens, nothing is made
    assert not data_dir.exists() or not any(data_dir.iterdir())


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_the_saved_recovery_key_is_readable_by_its_user_only(
    qtbot,
    dialog,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    qtbot.keyClicks(dialog.passphrase, TEST_PASSPHRASE)
    qtbot.keyClicks(dialog.confirm, TEST_PASSPHRASE)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=20000)
    old = os.umask(0o022)
    try:
        sheet = tmp_path / "recovery.txt"
        dialog.save_to(sheet)
    finally:
        os.umask(old)
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    assert dialog.key_display.text() in sheet.read_text(encoding="utf-8")

"""First-run and unlock dialogs, driven from the keyboard against a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QWidget,
)

from sendobserve import __version__
from sendobserve.errors import UserError
from sendobserve.storage import keys, vault
from sendobserve.storage.db import Store
from sendobserve.storage.keyring_cache import KeyCache
from sendobserve.ui.shell.dialogs import FirstRunDialog, UnlockDialog
from sendobserve.ui.shell.main_window import MainWindow
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, snapshot


def _controls_without_names(root: QWidget) -> list[str]:
    kinds = (QAbstractButton, QLineEdit, QCheckBox, QProgressBar)
    missing = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, kinds) and not widget.accessibleName().strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


@pytest.fixture
def first_run(qtbot, data_dir: Path):  # type: ignore[no-untyped-def]
    made: dict[str, vault.Initialised] = {}

    def create(passphrase: str) -> str:
        made["store"] = vault.initialise(data_dir, passphrase, scrypt=FAST_SCRYPT)
        return made["store"].recovery_key

    dialog = FirstRunDialog(data_dir, create, KeyCache().status())
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog, made
    if "store" in made:
        made["store"].store.close()


def test_first_run_asks_twice_hints_strength_and_shows_the_recovery_key(
    qtbot, first_run, data_dir: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    dialog, made = first_run
    assert _controls_without_names(dialog) == []
    assert "there is no OS keyring on this computer" in " ".join(
        label.text() for label in dialog.findChildren(QLabel)
    )
    qtbot.keyClicks(dialog.passphrase, "short")
    assert "at least" in dialog.strength_hint.text()
    assert not dialog.create_button.isEnabled()
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, TEST_PASSPHRASE)
    assert dialog.strength.value() == 4
    qtbot.keyClicks(dialog.confirm, TEST_PASSPHRASE[:-1])
    assert "differ" in dialog.strength_hint.text()
    assert not dialog.create_button.isEnabled()
    qtbot.keyClicks(dialog.confirm, TEST_PASSPHRASE[-1])
    assert dialog.create_button.isEnabled()
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)  # the default button, from the keyboard
    assert dialog.busy_label.isVisible()  # the work runs off the GUI thread
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=20000)
    shown = dialog.key_display.text()
    assert keys.parse_recovery_key(shown) is not None
    assert shown == made["store"].recovery_key
    assert dialog.passphrase.text() == ""  # not kept in the widget
    # The key cannot be dismissed unseen: Continue waits for the tick, Escape does nothing.
    assert not dialog.continue_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    sheet = tmp_path / "sheet.txt"
    dialog.save_to(sheet)
    assert shown in sheet.read_text()
    assert sheet.stat().st_mode & 0o777 == 0o600  # the recovery key: its owner only
    nowhere = tmp_path / "no such folder" / "sheet.txt"
    with pytest.raises(UserError, match="does not exist"):  # one sentence, nothing written
        dialog.save_to(nowhere)
    assert not nowhere.parent.exists()
    dialog.kept.setChecked(True)
    assert dialog.continue_button.isEnabled()
    dialog.continue_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    # The recovery key really opens the store.
    made["store"].store.close()
    vault.open_with_secret(data_dir, shown).store.close()


def test_first_run_shows_a_refusal_inline(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")

    def create(passphrase: str) -> str:
        return vault.initialise(blocker / "data", passphrase, scrypt=FAST_SCRYPT).recovery_key

    dialog = FirstRunDialog(blocker / "data", create)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, TEST_PASSPHRASE)
    qtbot.keyClicks(dialog.confirm, TEST_PASSPHRASE)
    dialog.create_button.click()
    qtbot.waitUntil(dialog.create_error.isVisible, timeout=20000)
    assert dialog.create_error.text().startswith("Cannot create the data folder")
    assert dialog.pages.currentIndex() == 0


@pytest.fixture
def closed_store(initialised: vault.Initialised) -> Path:
    initialised.store.close()
    return initialised.store.data_dir


def test_unlock_says_why_the_keyring_is_not_used_and_refuses_a_wrong_passphrase(
    qtbot, closed_store: Path  # type: ignore[no-untyped-def]
) -> None:
    opened: list[Store] = []

    def unlock(secret: str) -> Store:
        store = vault.open_with_secret(closed_store, secret).store
        opened.append(store)
        return store

    dialog = UnlockDialog(closed_store, unlock, KeyCache().status())
    qtbot.addWidget(dialog)
    dialog.show()
    assert _controls_without_names(dialog) == []
    assert dialog.keyring_note.isVisible()
    # Said in a person's words: no backend class names on screen.
    assert "there is no OS keyring on this computer" in dialog.keyring_note.text()
    assert "keyring.backends" not in dialog.keyring_note.text()

    before = snapshot(closed_store)
    qtbot.keyClicks(dialog.secret, "not my passphrase")
    qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.error.isVisible, timeout=20000)
    assert dialog.isVisible()
    assert dialog.error.text() == "Wrong passphrase or recovery key."
    assert snapshot(closed_store) == before

    dialog.secret.clear()
    qtbot.keyClicks(dialog.secret, TEST_PASSPHRASE)
    qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=20000)
    assert dialog.result_value is opened[0]
    assert dialog.secret.text() == ""
    opened[0].close()


def test_unlock_with_a_trusted_keyring_shows_no_excuse(
    qtbot, memory_keyring, closed_store: Path  # type: ignore[no-untyped-def]
) -> None:
    dialog = UnlockDialog(closed_store, lambda s: None, KeyCache().status())
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.keyring_note.isVisible()


def test_main_window_shows_name_and_version_and_takes_a_central_widget(
    qtbot, store: Store  # type: ignore[no-untyped-def]
) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    assert __version__ in window.windowTitle()
    assert "sendobserve" in window.centralWidget().accessibleName()
    workspace = QLabel("workspace")
    window.set_central_widget(workspace)
    assert window.centralWidget() is workspace

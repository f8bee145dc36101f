"""``app.run`` in the test's own process: the main window is up, "Opening your records…",
before the unlock or first-run dialog, which appears over it; the store opens after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from sendobserve.storage import vault
from sendobserve.ui.shell import app as app_module
from sendobserve.ui.shell.dialogs import FirstRunDialog, UnlockDialog
from sendobserve.ui.shell.main_window import MainWindow, OpeningPage
from sendobserve.ui.shell.workspace import Workspace
from tests.helpers import TEST_PASSPHRASE, snapshot


def _when_modal(then: Any, seen: list[str], tries: int = 200) -> None:
    """Call ``then(dialog)`` once a modal dialog is up (polled from the event loop)."""
    dialog = QApplication.activeModalWidget()
    if dialog is None:
        if tries == 0:
            seen.append("no dialog appeared")
            QApplication.instance().quit()  # type: ignore[union-attr]
            return
        QTimer.singleShot(50, lambda: _when_modal(then, seen, tries - 1))
        return
    then(dialog)


def _main_window() -> MainWindow:
    windows = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, MainWindow) and w.isVisible()]
    assert len(windows) == 1
    return windows[0]


def test_the_unlock_dialog_appears_over_the_painted_window_then_the_records_open(
        qtbot: Any, initialised: vault.Initialised) -> None:
    data_dir = initialised.store.data_dir
    initialised.store.close()
    seen: list[str] = []

    def unlock(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        window = dialog.parent()
        if (isinstance(window, MainWindow) and window.isVisible() and not window.is_open
                and isinstance(window.centralWidget(), OpeningPage)
                and not any(a.isEnabled() for a in window.store_actions)):
            seen.append("unlock over the opening window")
        dialog.secret.setText(TEST_PASSPHRASE)
        dialog.unlock_button.click()
        QTimer.singleShot(50, opened)

    def opened(tries: int = 200) -> None:
        window = _main_window()
        if not window.is_open and tries:
            QTimer.singleShot(50, lambda: opened(tries - 1))
            return
        if (window.is_open and isinstance(window.centralWidget(), Workspace)
                and all(a.isEnabled() for a in window.store_actions[:2])):
            seen.append("records open")
        window.close()  # whatever was seen: the test ends rather than hangs

    QTimer.singleShot(0, lambda: _when_modal(unlock, seen))
    status = app_module.run(str(data_dir))
    assert seen == ["unlock over the opening window", "records open"]
    assert status == 0


def test_quitting_the_first_run_dialog_leaves_the_folder_empty(
        qtbot: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "new"
    seen: list[str] = []

    def quit_first_run(dialog: QWidget) -> None:
        window = dialog.parent()
        if (isinstance(dialog, FirstRunDialog) and isinstance(window, MainWindow)
                and window.isVisible() and not window.is_open):
            seen.append("first run over the window")
        dialog.reject()

    QTimer.singleShot(0, lambda: _when_modal(quit_first_run, seen))
    status = app_module.run(str(data_dir))
    assert seen == ["first run over the window"]
    assert status == 0
    assert not data_dir.exists() or snapshot(data_dir) == {}


def test_a_wrong_passphrase_is_one_message_over_the_window_and_changes_nothing(
        qtbot: Any, initialised: vault.Initialised) -> None:
    from PySide6.QtWidgets import QMessageBox

    data_dir = initialised.store.data_dir
    initialised.store.close()
    before = snapshot(data_dir)
    seen: list[str] = []

    def read_and_close(box: QWidget) -> None:
        if isinstance(box, QMessageBox) and isinstance(box.parent(), MainWindow):
            seen.append(box.text())
        box.close()

    QTimer.singleShot(0, lambda: _when_modal(read_and_close, seen))
    status = app_module.run(str(data_dir), secret="not the passphrase")
    assert status != 0
    assert len(seen) == 1 and "wrong passphrase" in seen[0]
    assert snapshot(data_dir) == before

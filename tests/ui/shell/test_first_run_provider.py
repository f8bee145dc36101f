"""The provider's name can be given once, at first run; it is optional, and what is typed
is what Form 4 and Form 5 will print (``services.documents.provider_name``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sendobserve.services.documents import provider_name
from sendobserve.storage.keyring_cache import KeyCache
from sendobserve.ui.shell import app as app_module
from sendobserve.ui.shell.dialogs import FirstRunDialog
from tests.helpers import TEST_PASSPHRASE


def _run_first_run(data_dir: Path, provider: str) -> list[str]:
    """Fill the first-run dialog by keys, create the store, continue; what was seen."""
    seen: list[str] = []

    def when_modal(tries: int = 200) -> None:
        shown = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, FirstRunDialog) and w.isVisible()]
        if not shown:
            if tries:
                QTimer.singleShot(50, lambda: when_modal(tries - 1))
            else:
                seen.append("no first-run dialog")
            return
        dialog = shown[0]
        QTest.keyClicks(dialog.passphrase, TEST_PASSPHRASE)
        QTest.keyClicks(dialog.confirm, TEST_PASSPHRASE)
        QTest.keyClicks(dialog.provider, provider)
        seen.append(dialog.provider.accessibleName())
        dialog.create_button.click()
        created(dialog)

    def created(dialog: FirstRunDialog, tries: int = 400) -> None:
        if dialog.pages.currentIndex() != 1:
            if tries:
                QTimer.singleShot(50, lambda: created(dialog, tries - 1))
            else:
                seen.append("never created")
                dialog.reject()
            return
        seen.append("recovery key shown")
        dialog.kept.setChecked(True)
        dialog.continue_button.click()

    QTimer.singleShot(0, when_modal)
    cache = KeyCache()
    store = app_module.ask_for_store(data_dir, cache, app_module.find_store(data_dir, cache))
    assert store is not None
    try:
        seen.append(provider_name(store) or "no provider name")
    finally:
        store.close()
    return seen


def test_the_provider_name_typed_at_first_run_is_kept_tidied(
        qtbot: Any, tmp_path: Path) -> None:
    seen = _run_first_run(tmp_path / "data", "  Northern   SEND Mediation ")
    assert seen == ["Provider organisation (optional)", "recovery key shown",
                    "Northern SEND Mediation"]


def test_left_empty_it_is_asked_later_and_nothing_is_invented(
        qtbot: Any, tmp_path: Path) -> None:
    seen = _run_first_run(tmp_path / "data", "")
    assert seen[-1] == "no provider name"


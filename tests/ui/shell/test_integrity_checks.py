"""The deferred whole-file checks in the window: progress in the status bar, the outcome
shown; closing the window while they run stops them before the store closes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sendobserve.storage import integrity
from sendobserve.storage.db import Store
from sendobserve.ui.shell.integrity_checks import start_integrity_checks
from sendobserve.ui.shell.main_window import MainWindow


@pytest.fixture
def deferring() -> Iterator[None]:
    integrity.defer_whole_file_checks()
    try:
        yield
    finally:
        integrity.defer_whole_file_checks(False)


def test_nothing_runs_when_the_checks_were_made_before_opening(qtbot: Any, store: Store) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    assert start_integrity_checks(window, store) is None


def test_the_checks_report_in_the_status_bar(qtbot: Any, store: Store, deferring: None) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    bar = start_integrity_checks(window, store)
    assert bar is not None and bar.accessibleName() == "Checking the store"
    qtbot.waitUntil(lambda: "no damage" in window.statusBar().currentMessage(), timeout=30_000)


def test_closing_the_window_while_checking_waits_for_the_checks(
        qtbot: Any, store: Store, deferring: None) -> None:
    window = MainWindow(store)
    window.show()
    start_integrity_checks(window, store)
    window.close()  # closes the store, after the checks have stopped or finished
    assert store.closed
    from PySide6.QtCore import QThreadPool

    assert QThreadPool.globalInstance().waitForDone(30_000)

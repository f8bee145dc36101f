"""A tiny offscreen app for the kill test: ticks items with real key presses and prints
"saved <item id>" only once the page shows "Saved". Run by test_kill.py, killed -9."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sendobserve.forms.registry import FormRegistry
from sendobserve.storage import vault
from sendobserve.ui.observation.page import ObservationPage
from sendobserve.ui.observation.session import ObservationSession
from tests.ui.conftest import make_service


def main() -> None:
    data_dir, observation_id = Path(sys.argv[1]), uuid.UUID(sys.argv[2])
    passphrase = sys.stdin.readline().rstrip("\n")
    app = QApplication([])
    store = vault.open_with_secret(data_dir, passphrase).store
    service = make_service(store, FormRegistry.standard())
    session = ObservationSession(service, service.observation(observation_id))
    page = ObservationPage(session, "kill test")
    page.view.advance_after_tick = False  # this app moves with J itself
    page.show()
    print("ready", flush=True)
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3]
    round_ = 0
    while True:  # until killed
        for _ in session.model.item_ids():
            item = page.view.current_item_id()
            QTest.keyClick(page.view, keys[round_ % 3])
            if page.save_state.text() == "<b>✓ Saved</b>":
                state = session.model.state_of(item).value
                print(f"saved {item} {state}", flush=True)
            QTest.keyClick(page.view, Qt.Key.Key_J)
        page.view.setCurrentIndex(page.view.moveToTick(page.view.model().index(0, 0), +1))
        round_ += 1
        app.processEvents()


if __name__ == "__main__":
    main()

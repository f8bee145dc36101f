"""File ▸ Sync with hub in the real main window, against a real hub: the status line says
when it last synced, and when the hub is gone it says so and the window goes on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QMessageBox

from sendobserve.hub.protocol import Role
from sendobserve.model.domain import ObserverRole
from sendobserve.ui.common.tasks import TaskRunner
from sendobserve.ui.shell.main_window import MainWindow

from .orgkit import Installation, make_admin, observer, roster, trainees
from .test_hub_faults import _observe


def test_the_sync_action_sends_receives_and_shows_when_it_last_synced(
        qtbot: Any, start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes],
        tmp_path: Path, monkeypatch: Any) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    (t1,) = trainees("Siobhán Ó Dálaigh")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    laptop = Installation.create(tmp_path, "Laptop")
    laptop.join(hub.url, root, admin.fingerprint)
    admin.approve(laptop, Role.PPC, (t1.id,))
    for member in (admin, laptop):
        roster(member.ts, [t1], observer(member.name, ObserverRole.PPC))
    made = _observe(laptop, t1, 2)
    unlinked = Installation.create(tmp_path, "Unlinked")

    with unlinked.ts.open() as store:  # no hub: the action is there, disabled, and says why
        window = MainWindow(store, runner=TaskRunner(synchronous=True))
        qtbot.addWidget(window)
        assert not window.sync_action.isEnabled()
        assert "Not linked" in window.sync_action.toolTip()
        assert window.hub_sync.label.isHidden()
        window.close()

    with laptop.ts.open() as store:
        window = MainWindow(store, runner=TaskRunner(synchronous=True))
        qtbot.addWidget(window)
        window.show()
        label = window.hub_sync.label
        assert window.sync_action.isEnabled() and label.text() == "Last synced: never"
        assert window.hub_sync.first.isActive() and window.hub_sync.timer.isActive()
        window.hub_sync.first.stop()  # this test starts every sync itself
        window.sync_action.trigger()
        assert label.text().startswith("Last synced: today ")
        assert label.accessibleName() == f"Hub sync: {label.text()}"
        # Two observations and Siobhán's record.
        assert "Synced: sent 3 bundle(s)" in window.statusBar().currentMessage()
        qtbot.wait(100)  # let the status bar lay out the new text
        window.grab().save(os.environ.get("HUB_UI_SHOT", str(tmp_path / "synced.png")))

        hub.stop()  # the office network is gone
        warnings: list[str] = []
        monkeypatch.setattr(QMessageBox, "warning",
                            lambda _parent, _title, text: warnings.append(text))
        window.sync_action.trigger()
        assert "cannot reach the hub" in warnings[0] and "nothing was lost" in warnings[0]
        assert "last attempt failed: cannot reach the hub" in label.text()
        assert window.sync_action.isEnabled()  # try again later
        window.hub_sync.sync_now(quiet=True)  # the timer's sync: no dialog when offline
        assert len(warnings) == 1
        window.close()
    admin.sync(start_hubs(1)[0].url)
    assert made <= admin.observation_ids()

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
from sendobserve.ui.common.tasks import Runner
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
        window = MainWindow(store, runner=Runner(synchronous=True))
        qtbot.addWidget(window)
        assert not window.sync_action.isEnabled()
        assert "Not linked" in window.sync_action.toolTip()
        assert window.hub_sync.label.isHidden()
        window.close()

    with laptop.ts.open() as store:
        window = MainWindow(store, runner=Runner(synchronous=True))
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


def test_a_sync_refreshes_the_open_page_of_the_trainee_it_brought_news_of(
        qtbot: Any, start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes],
        tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from sendobserve.services.changes import Changes
    from sendobserve.services.screens_trainee import TraineeRecord
    from sendobserve.storage.repositories import MediatorRepository
    from sendobserve.ui.common.settings import WorkspaceSettings
    from sendobserve.ui.shell.workspace import TraineePage, build_workspace

    (hub,) = start_hubs(1)
    root = org_pki[2]
    t1, t2 = trainees("Siobhán Ó Dálaigh", "Aoife O'Brien")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    laptop = Installation.create(tmp_path, "Laptop")
    laptop.join(hub.url, root, admin.fingerprint)
    admin.approve(laptop, Role.PPC, (t1.id, t2.id))
    for member in (admin, laptop):
        roster(member.ts, [t1, t2], observer(member.name, ObserverRole.PPC))
    made = _observe(laptop, t1, 2)
    # Two observations, and a record bundle for each trainee on the laptop's roster (every
    # trainee is shared, with or without a finalised observation).
    assert laptop.sync(hub.url).uploaded == 2 + 2

    with admin.ts.open() as store:
        runner = Runner(synchronous=True)
        window = MainWindow(store, runner=runner)
        qtbot.addWidget(window)
        window.hub_sync.first.stop()  # this test starts the sync itself
        settings = WorkspaceSettings(QSettings(str(tmp_path / "settings.ini"),
                                               QSettings.Format.IniFormat))
        workspace = build_workspace(store, settings, runner=runner)
        window.set_central_widget(workspace)
        window.show()
        workspace.show_trainee(MediatorRepository(store.session).get(t1.id))
        page = workspace.trainee_page
        assert page is not None
        beside = TraineePage(TraineeRecord.of(store), t2, runner)
        qtbot.addWidget(beside)
        beside.show()
        screen, other = page.trainee_screen, beside.trainee_screen
        assert screen.readiness.data is not None
        assert screen.readiness.data.record.observations == ()
        other_before = other.readiness.data
        heard: list[Changes] = []
        window.changed.connect(heard.append)

        window.sync_action.trigger()  # File ▸ Sync with hub

        assert [c.mediators for c in heard] == [frozenset({t1.id})]
        assert screen.readiness_follower.refreshes == 1
        assert {o.id for o in screen.readiness.data.record.observations} == made
        assert other.readiness_follower.refreshes == 0
        assert other.readiness.data is other_before
        window.close()

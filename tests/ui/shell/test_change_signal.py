"""The one change signal: an import, a hub sync and an edit in the record editor each
refresh an open trainee page that shows the trainee they touched, and leave a page that
shows another trainee as it was (real stores, real windows, offscreen)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from sendobserve.demo import GAPS, READY, fill_store
from sendobserve.model.domain import CaseKind, MarkState, ObserverRole, Signature, TraineeRole
from sendobserve.services.changes import Changes
from sendobserve.services.exchange import export_to_file
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.ui.common.settings import WorkspaceSettings
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.shell.main_window import MainWindow
from sendobserve.ui.shell.workspace import TraineePage, Workspace, build_workspace
from sendobserve.ui.trainee.screen import TraineeScreen
from tests.exchange.factories import tiny_png
from tests.helpers import FILE_PASSPHRASE
from tests.ui.conftest import make_service

SHOTS = os.environ.get("CHANGE_SIGNAL_SHOTS")  # a folder: keep the before/after pictures


@pytest.fixture
def pair(pair: tuple[Store, Store]) -> tuple[Store, Store]:
    """Both laptops with the demo practice period."""
    fill_store(pair[1], today=date.today())
    return pair


def _observe_elsewhere(store: Store, trainee: str, reference: str) -> None:
    """A new case and a finalised Form 3 on it, the way the app makes them."""
    from sendobserve.storage.repositories import load_registry

    service = make_service(store, load_registry(store.session))
    mediator = MediatorRepository(store.session).resolve(trainee)
    case = service.add_case(mediator.id, reference, date.today() - timedelta(days=2),
                            CaseKind.MEDIATION, TraineeRole.LEADING, Decimal("3"))
    observer = service.observer_named("Nkechi Adeyemi", ObserverRole.PPC)
    observation = service.start_observation(case.id, observer.id, "form3", 1,
                                            date.today() - timedelta(days=2))
    form = service.form(observation.form_id, observation.form_version)
    for item in list(form.tick_items())[:5]:
        service.set_mark(observation.id, item.id, MarkState.DEMONSTRATED, "")
    service.finalise(observation.id, Signature("Nkechi Adeyemi", ObserverRole.PPC,
                                               date.today(), tiny_png(3)))


def _cases_shown(page: TraineePage) -> set[str]:
    model = page.trainee_screen.record.page("cases").model
    return {model.item(row).reference for row in range(model.rowCount())}


def _shot(widget: Any, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def _window_with_pages(qtbot: QtBot, store: Store, runner: Runner, settings: WorkspaceSettings,
                       shown: str, other: str
                       ) -> tuple[MainWindow, Workspace, TraineePage, TraineePage]:
    window = MainWindow(store, runner=runner)
    qtbot.addWidget(window)
    workspace = build_workspace(store, settings, runner=runner)
    window.set_central_widget(workspace)
    window.resize(1280, 860)
    window.show()
    qtbot.waitExposed(window)
    people = MediatorRepository(store.session)
    workspace.show_trainee(people.resolve(shown))
    page = workspace.trainee_page
    assert page is not None and page.isVisible()
    # Another trainee's page, open beside it (as the panel's or a second window's would be).
    beside = TraineePage(TraineeRecord.of(store), people.resolve(other), runner)
    qtbot.addWidget(beside)
    beside.show()
    return window, workspace, page, beside


def test_an_import_refreshes_the_open_page_of_its_trainee_only(
        qtbot: QtBot, pair: tuple[Store, Store], tmp_path: Path,
        settings: WorkspaceSettings) -> None:
    a, b = pair
    _observe_elsewhere(a, READY, "DR-2026-501")
    file = tmp_path / "ready.sendobs"
    export_to_file(a, MediatorRepository(a.session).resolve(READY).id, file,
                   passphrase=FILE_PASSPHRASE, exported_by="Anjali Patel (PPC)")

    runner = Runner(synchronous=True)
    window, _workspace, page, beside = _window_with_pages(qtbot, b, runner, settings, READY,
                                                          GAPS)
    heard: list[Changes] = []
    window.changed.connect(heard.append)
    screen, other = page.trainee_screen, beside.trainee_screen
    before, other_before = screen.readiness.data, other.readiness.data
    assert before is not None and other_before is not None
    observations_before = len(before.record.observations)
    assert "DR-2026-501" not in _cases_shown(page)
    _shot(window, "trainee-page-before-import")

    window.exchange.check_file(str(file), FILE_PASSPHRASE)  # File ▸ Import…, previewed
    preview = window.exchange.preview_dialog
    assert preview is not None
    qtbot.addWidget(preview)
    preview.accept()  # Import

    ready = MediatorRepository(b.session).resolve(READY)
    assert [c.mediators for c in heard] == [frozenset({ready.id})]
    assert screen.readiness_follower.refreshes == 1
    after = screen.readiness.data
    assert after is not None and after is not before
    assert len(after.record.observations) == observations_before + 1
    _shot(window, "trainee-page-after-import")
    assert screen.record_follower.stale  # the record tab, hidden, catches up when shown
    screen.tabs.setCurrentWidget(screen.record)
    assert "DR-2026-501" in _cases_shown(page)
    assert screen.record_follower.refreshes == 1
    screen.record.tabs.setCurrentWidget(screen.record.page("cases").widget)
    _shot(window, "trainee-record-after-import")
    # The other trainee's page was not rebuilt.
    assert other.readiness_follower.refreshes == 0
    assert other.record_follower.refreshes == 0
    assert other.readiness.data is other_before


def test_an_edit_in_the_record_refreshes_every_page_of_that_trainee_only(
        qtbot: QtBot, store: Store) -> None:
    fill_store(store, today=date.today())
    runner = Runner(synchronous=True)
    door = TraineeRecord.of(store)
    people = MediatorRepository(store.session)
    ready, gaps = people.resolve(READY), people.resolve(GAPS)
    screens = {}
    for key, mediator in (("editing", ready), ("elsewhere", ready), ("other", gaps)):
        screens[key] = TraineeScreen(door, mediator.id, runner=runner)
        qtbot.addWidget(screens[key])
        screens[key].show()
    editing, elsewhere, other = screens["editing"], screens["elsewhere"], screens["other"]
    other_before = other.readiness.data
    editor = editing.record
    editing.tabs.setCurrentWidget(editor)
    case = editor.page("cases").model.item(0)

    dialog = editor.entry_dialog("cases", case)
    dialog.set_value("casework_hours", str(case.casework_hours + Decimal("1")))
    assert dialog.submit()

    assert elsewhere.readiness_follower.refreshes == 1  # the second page of the trainee
    data = elsewhere.readiness.data
    assert data is not None
    assert next(c for c in data.record.cases if c.id == case.id).casework_hours == \
        case.casework_hours + Decimal("1")
    assert editing.readiness_follower.stale  # its own readiness tab: when shown
    editing.tabs.setCurrentWidget(editing.readiness)
    assert editing.readiness_follower.refreshes == 1 and not editing.readiness_follower.stale
    assert other.readiness_follower.refreshes == 0
    assert other.record_follower.refreshes == 0
    assert other.readiness.data is other_before


def test_a_refused_edit_announces_nothing(qtbot: QtBot, store: Store) -> None:
    fill_store(store, today=date.today())
    runner = Runner(synchronous=True)
    heard: list[Changes] = []
    runner.changed.connect(heard.append)
    screen = TraineeScreen(TraineeRecord.of(store),
                           MediatorRepository(store.session).resolve(READY).id, runner=runner)
    qtbot.addWidget(screen)
    case = screen.record.page("cases").model.item(0)
    dialog = screen.record.entry_dialog("cases", case)
    dialog.set_value("casework_hours", "250")
    assert not dialog.submit()
    assert heard == []


def test_one_tick_is_announced_once_by_the_door(qtbot: QtBot, store: Store,
                                                 settings: WorkspaceSettings) -> None:
    """The workspace's door is wired to the runner (``changed=runner.announce``) and the
    observation session adds no announcement of its own: one tick, one change."""
    runner = Runner(synchronous=True)
    window = MainWindow(store, runner=runner)
    qtbot.addWidget(window)
    workspace = build_workspace(store, settings, runner=runner)
    window.set_central_widget(workspace)
    service = workspace.service
    mediator = service.add_mediator("Rhian Pryce")
    case = service.add_case(mediator.id, "SEN-2026-077", date.today(), CaseKind.MEDIATION,
                            TraineeRole.CO_MEDIATING, Decimal("2"))
    observer = service.observer_named("Nkechi Adeyemi", ObserverRole.PPC)
    draft = service.start_observation(case.id, observer.id, "form2", 1, date.today())
    workspace.open_observation(draft, mediator, case)
    session = workspace.session
    assert session is not None
    item = next(iter(session.form.tick_items())).id

    heard: list[Changes] = []
    forwarded: list[Changes] = []
    runner.changed.connect(heard.append)
    window.changed.connect(forwarded.append)
    assert session.set_state(item, MarkState.DEMONSTRATED) is not None
    assert heard == [Changes(marks=True, mediators=frozenset({mediator.id}))]
    assert forwarded == heard  # the window forwards it, once

    heard.clear()
    assert session.set_state(item, MarkState.DEMONSTRATED) is None  # no change, no write
    assert heard == []
    assert session.undo() is not None
    assert len(heard) == 1 and heard[0].marks and heard[0].touches(mediator.id)

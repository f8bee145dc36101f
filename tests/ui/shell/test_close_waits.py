"""Closing the window waits for every background job before the store closes."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from sendobserve.demo import GAPS, fill_store
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.shell.main_window import MainWindow
from sendobserve.ui.shell.workspace import build_workspace
from tests.ui.trainee.readiness.conftest import TODAY


def test_the_store_closes_only_after_the_readiness_load_finished(
    qtbot: QtBot, store: Store
) -> None:
    fill_store(store, today=TODAY)
    runner = Runner()  # a real worker thread, as in the app
    window = MainWindow(store, runner=runner)
    workspace = build_workspace(store, runner=runner)
    window.set_central_widget(workspace)
    window.show()
    busy_at_close: list[int] = []
    original_close = store.close

    def close() -> None:
        busy_at_close.append(runner._pool.activeThreadCount())
        original_close()

    store.close = close  # type: ignore[method-assign]
    mediator = MediatorRepository(store.session).resolve(GAPS)
    workspace.show_trainee(mediator)  # queues the readiness load on the worker
    window.close()  # at once, while it may still be running
    assert busy_at_close == [0]
    assert store.closed

"""UI test fixtures: a real encrypted store in a temp folder, real forms, real widgets.

Qt runs offscreen (``QT_QPA_PLATFORM=offscreen``); the task runner is synchronous so
a test reads each outcome on the next line.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

import sendobserve.storage.records  # noqa: F401  (registers the tables)
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import CaseKind, ObserverRole, TraineeRole
from sendobserve.storage.base import Base
from sendobserve.ui.settings import WorkspaceSettings
from sendobserve.ui.store_service import StoreWorkspaceService
from sendobserve.ui.tasks import TaskRunner

PASSPHRASE = "plum orchard lantern 42"
OBSERVER = "Dana Whitfield"


def make_engine(path: Path, key_hex: str) -> Engine:
    url = URL.create("sqlite+pysqlcipher", password=f"x'{key_hex}'", database=str(path))
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine


class UiStore:
    """An encrypted SQLCipher file with the app's tables; ``reopen`` is a restart."""

    def __init__(self, path: Path, key_hex: str | None = None, create: bool = True):
        self.path = path
        self.key_hex = key_hex or secrets.token_hex(32)
        self.engine = make_engine(path, self.key_hex)
        if create:
            Base.metadata.create_all(self.engine)

    @contextmanager
    def sessions(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def reopen(self) -> None:
        self.engine.dispose()
        self.engine = make_engine(self.path, self.key_hex)

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def ui_store(tmp_path: Path) -> Iterator[UiStore]:
    store = UiStore(tmp_path / "store.db")
    yield store
    store.close()


@pytest.fixture(scope="session")
def forms() -> FormRegistry:
    return FormRegistry.standard()


def make_service(store: UiStore, forms: FormRegistry) -> StoreWorkspaceService:
    return StoreWorkspaceService(store.sessions, forms,
                                 verify_passphrase=lambda p: p == PASSPHRASE,
                                 actor=lambda: OBSERVER)


@pytest.fixture
def service(ui_store: UiStore, forms: FormRegistry) -> StoreWorkspaceService:
    return make_service(ui_store, forms)


@pytest.fixture
def settings(tmp_path: Path, qapp: Any) -> WorkspaceSettings:
    return WorkspaceSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def runner(qapp: Any) -> TaskRunner:
    return TaskRunner(synchronous=True)


@pytest.fixture
def draft(service: StoreWorkspaceService) -> Any:
    """A trainee, a case and a draft Form 2 observation on it."""
    mediator = service.add_mediator("Siobhán Ó Dálaigh")
    case = service.add_case(mediator.id, "SEN-2026-014", date(2026, 3, 2), CaseKind.MEDIATION,
                            TraineeRole.CO_MEDIATING, Decimal("4.5"))
    observer = service.observer_named(OBSERVER, ObserverRole.PPC)
    return service.start_observation(case.id, observer.id, "form2", 1, date(2026, 3, 2))

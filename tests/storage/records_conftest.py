"""A real SQLCipher store for the records tests, independent of the foundation's ``Store``.

The records test modules import ``db`` from here. It gives an encrypted database file in
``tmp_path`` with the pragmas the app uses, the record tables created from
``Base.metadata``, a session factory that commits on success (like ``Store.session``),
and ``reopen()`` to drop every connection and open the file afresh, as after a restart.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session

import sendobserve.storage.records  # noqa: F401  (registers the tables)
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Mediator,
    Observation,
    Observer,
    ObserverRole,
    TraineeRole,
    new_id,
)
from sendobserve.storage.base import Base
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MediatorRepository,
    ObservationRepository,
    ObserverRepository,
    PracticeRepository,
)


def make_engine(path: Path, key_hex: str) -> Engine:
    url = URL.create("sqlite+pysqlcipher", password=f"x'{key_hex}'", database=str(path))
    engine = create_engine(url)

    # As the app's store: listeners on this engine only, and an explicit BEGIN so that a
    # unit of work's reads are inside its transaction too.
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


class RecordsDb:
    def __init__(self, path: Path):
        self.path = path
        self.key_hex = secrets.token_hex(32)
        self.engine = make_engine(path, self.key_hex)
        Base.metadata.create_all(self.engine)

    @contextmanager
    def sessions(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on an exception."""
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

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def file_bytes(self) -> dict[str, bytes]:
        """The database and its write-ahead log, as bytes (the -shm index is left out:
        readers touch it)."""
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return {f.name: f.read_bytes() for f in files if f.exists()}

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[RecordsDb]:
    store = RecordsDb(tmp_path / "records.db")
    yield store
    store.close()


# ---- small builders shared by the records tests ---------------------------------------

FORM2_YAML = "form_id: form2\nversion: test-1\ncriteria: [a, b, c]\n"


@dataclass
class Repos:
    mediators: MediatorRepository
    observers: ObserverRepository
    cases: CaseRepository
    observations: ObservationRepository
    practice: PracticeRepository
    forms: FormVersionRepository


def repos(db: RecordsDb) -> Repos:
    """Repositories on the store's CURRENT engine (call again after ``reopen``)."""
    return Repos(
        MediatorRepository(db.sessions),
        ObserverRepository(db.sessions),
        CaseRepository(db.sessions),
        ObservationRepository(db.sessions),
        PracticeRepository(db.sessions),
        FormVersionRepository(db.sessions),
    )


def add_mediator(r: Repos, name: str = "Siobhán Ó Dálaigh") -> Mediator:
    return r.mediators.add(Mediator(id=new_id(), name=name))


def add_observer(
    r: Repos, name: str = "Aisha Patel", role: ObserverRole = ObserverRole.PPC
) -> Observer:
    return r.observers.add(Observer(id=new_id(), name=name, role=role, experienced_send=True))


def add_case(
    r: Repos,
    mediator_id: uuid.UUID,
    on: date = date(2026, 3, 2),
    hours: str = "4.5",
    role: TraineeRole = TraineeRole.CO_MEDIATING,
    reference: str = "SEND-2026-014",
) -> Case:
    return r.cases.add(
        Case(
            id=new_id(),
            mediator_id=mediator_id,
            reference=reference,
            case_date=on,
            kind=CaseKind.MEDIATION,
            trainee_role=role,
            casework_hours=Decimal(hours),
        )
    )


def start_draft(r: Repos) -> Observation:
    """A mediator, an observer, a case and a DRAFT Form 2 observation of it."""
    mediator = add_mediator(r)
    observer = add_observer(r)
    case = add_case(r, mediator.id)
    r.forms.store("form2", "test-1", FORM2_YAML)
    return r.observations.start(case.id, observer.id, "form2", "test-1")

"""The records tests' store: the app's own encrypted ``Store``, migrated by Alembic.

The records test modules import ``db`` from here. It wraps the ``store`` fixture (a new
store in ``tmp_path``, created with the test passphrase and migrated to the head
revision, so ``0002_records`` ran) with what these tests need: the session factory
(``Store.session``), row counts, the files' bytes, and ``reopen()``, which closes the
store and opens it again with its data key, as after a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

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
from sendobserve.storage import db as store_db
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MediatorRepository,
    ObservationRepository,
    ObserverRepository,
    PracticeRepository,
    SessionFactory,
)


class RecordsDb:
    def __init__(self, store: Store, data_key: bytes):
        self.store = store
        self.data_dir: Path = store.data_dir
        self.path: Path = store.path
        self.data_key = data_key

    @property
    def engine(self) -> Engine:
        return self.store.engine

    @property
    def sessions(self) -> SessionFactory:
        return self.store.session

    def reopen(self) -> None:
        self.store.close()
        self.store = store_db.open_store(self.data_dir, self.data_key, daily_backup=False)

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())

    def file_bytes(self) -> dict[str, bytes]:
        """The database and its write-ahead log, as bytes (the -shm index is left out:
        readers touch it)."""
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return {f.name: f.read_bytes() for f in files if f.exists()}

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def db(initialised: vault.Initialised) -> Iterator[RecordsDb]:
    records = RecordsDb(initialised.store, initialised.data_key)
    yield records
    records.close()


# ---- small builders shared by the records tests ---------------------------------------

def form2_yaml(version: str, process_items: Iterable[str]) -> str:
    """A small valid Form 2 with these Process Management items (``f2.pm.<slug>``) and one
    Skills and Knowledge item, ``f2.sk.reality_test``: a tick must name one of a form's
    items (``set_mark`` refuses others)."""
    criteria = "".join(f"      - {{id: {item}, text: Item {item}, core: false}}\n"
                       for item in process_items)
    return (
        f"form_id: form2\nnumber: 2\ntitle: Mediation\nversion: {version}\n"
        "provider: null\nbased_on: null\n"
        "header: {mediator: Mediator, observer: Observer, date: Date, ordinal: Observation}\n"
        "sections:\n"
        "  - kind: process_management\n    title: Process Management\n    criteria:\n"
        f"{criteria}"
        "  - kind: skills_and_knowledge\n    title: Skills and Knowledge\n    criteria:\n"
        "      - {id: f2.sk.reality_test, text: Reality test, core: true}\n"
    )


FORM2_YAML = form2_yaml("test-1", ("f2.pm.intro", "f2.pm.arrive_punctually", "f2.pm.a", "f2.pm.b",
                                   "f2.pm.c"))
# Its items, as the records tests name them.
A, B, C = "f2.pm.a", "f2.pm.b", "f2.pm.c"


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

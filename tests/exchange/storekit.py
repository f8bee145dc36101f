"""Real encrypted stores in temp folders, filled through the app's own repositories."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from sendobserve.exchange.apply import ImportResult, apply_import
from sendobserve.exchange.bundle import OpenedBundle, open_bundle
from sendobserve.exchange.export import export_bundle
from sendobserve.model.domain import (
    Case,
    CaseKind,
    MarkState,
    Mediator,
    Observer,
    ObserverRole,
    ProfessionalBody,
    Signature,
    TraineeRole,
)
from sendobserve.pki.identity import Identity, load_or_create_identity
from sendobserve.storage import exchange as stored
from sendobserve.storage.db import Store, create_store, open_store
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MarkEdit,
    MediatorRepository,
    ObservationRepository,
    ObserverRepository,
)

from .factories import CRITERIA, DEBRIEF_TOPIC, FORM3_YAML, FORM_VERSION, tiny_png

PASS = "a long shared file passphrase"
FAST_KDF = 14

# Bookkeeping that legitimately differs between stores holding the same records: when
# something was stored or imported here, autoincrement row ids, and this store's own key.
IGNORED_TABLES = {"alembic_version", "store_meta", "installation_identity", "exchange_imports",
                  "record_sources"}
IGNORED_COLUMNS = {
    "mediators": {"updated_at"},
    "observers": {"updated_at"},
    "form_versions": {"stored_at"},
    "marks": {"id", "marked_by"},
    "exchange_signers": {"first_seen_at", "last_seen_at", "name"},  # as last seen
}


@dataclass
class TempStore:
    data_dir: Path
    key: bytes

    @classmethod
    def create(cls, folder: Path) -> TempStore:
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        create_store(folder, key).close()
        return cls(folder, key)

    @contextmanager
    def open(self) -> Iterator[Store]:
        store = open_store(self.data_dir, self.key, daily_backup=False)
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.open() as store, store.session() as session:
            yield session

    def identity(self) -> Identity:
        with self.session() as s:
            return load_or_create_identity(stored.StoredSigningKey(s))

    def file_digests(self) -> dict[str, str]:
        """SHA-256 of every file in the data folder: proof that nothing was touched."""
        return {
            str(p.relative_to(self.data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.data_dir.rglob("*")) if p.is_file()
        }

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every record table's rows (bookkeeping columns left out), sorted."""
        with self.open() as store, store.engine.connect() as conn:
            out: dict[str, list[tuple[Any, ...]]] = {}
            for table in sorted(inspect(conn).get_table_names()):
                if table in IGNORED_TABLES:
                    continue
                skip = IGNORED_COLUMNS.get(table, set())
                cols = [c["name"] for c in inspect(conn).get_columns(table)
                        if c["name"] not in skip]
                names = ", ".join(f'"{c}"' for c in cols)
                rows = conn.execute(text(f'SELECT {names} FROM "{table}"')).all()
                out[table] = sorted((tuple(r) for r in rows), key=repr)
            return out

    def export(self, mediator_id: uuid.UUID, exported_by: str = "Exporter") -> bytes:
        with self.session() as s:
            identity = load_or_create_identity(stored.StoredSigningKey(s))
            data, _ = export_bundle(s, mediator_id, passphrase=PASS, identity=identity,
                                    exported_by=exported_by, kdf_log2_n=FAST_KDF)
        return data

    def import_bytes(self, data: bytes) -> ImportResult:
        opened = open_bundle(data, passphrase=PASS)
        return self.import_opened(opened)

    def import_opened(self, opened: OpenedBundle) -> ImportResult:
        with self.session() as s:
            return apply_import(s, opened)


def _now_date() -> date:
    return datetime.now(UTC).date()


def add_people(ts: TempStore, *, mediator_name: str = "Siobhán Ó Dálaigh"
               ) -> tuple[Mediator, Observer]:
    m = Mediator(id=uuid.uuid4(), name=mediator_name, professional_body=ProfessionalBody.COM)
    o = Observer(id=uuid.uuid4(), name="Łucja Żak", role=ObserverRole.PPC,
                 experienced_send=True, ppc_register_entry="COM-PPC-7")
    with ts.session() as s:
        MediatorRepository(s).add(m)
        ObserverRepository(s).add(o)
        FormVersionRepository(s).store("form3", FORM_VERSION, FORM3_YAML)
    return m, o


def add_observer(ts: TempStore, name: str, role: ObserverRole = ObserverRole.CO_MEDIATOR
                 ) -> Observer:
    o = Observer(id=uuid.uuid4(), name=name, role=role)
    with ts.session() as s:
        ObserverRepository(s).add(o)
        FormVersionRepository(s).store("form3", FORM_VERSION, FORM3_YAML)
    return o


def add_finalised_observation(ts: TempStore, mediator: Mediator, observer: Observer,
                              reference: str, *, seed: int = 0) -> uuid.UUID:
    """A case and a Form 3 observation of it, ticked and signed, the way the app does it."""
    case = Case(id=uuid.uuid4(), mediator_id=mediator.id, reference=reference,
                case_date=date(2026, 3, 2), kind=CaseKind.MEDIATION,
                trainee_role=TraineeRole.CO_MEDIATING, casework_hours=Decimal("4.1"))
    states = [MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED, MarkState.DEMONSTRATED,
              MarkState.NOT_APPLICABLE]
    with ts.session() as s:
        CaseRepository(s).add(case)
        repo = ObservationRepository(s)
        obs = repo.start(case.id, observer.id, "form3", FORM_VERSION)
        for i, crit in enumerate(CRITERIA):
            repo.set_mark(obs.id, crit, states[(i + seed) % 4],
                          "Checked understanding." if i == 0 else None, by=observer.name)
        repo.set_debrief_note(obs.id, DEBRIEF_TOPIC, "Calm, well paced.")
        repo.finalise(obs.id, Signature(name=observer.name, role=observer.role,
                                        signed_on=_now_date(), drawing_png=tiny_png(seed)))
    return obs.id


def amend_observation(ts: TempStore, observation_id: uuid.UUID, criterion: str,
                      state: MarkState, by: str) -> None:
    with ts.session() as s:
        ObservationRepository(s).amend(
            observation_id, [MarkEdit(criterion, state)], f"Corrected by {by}", by=by)

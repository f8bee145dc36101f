"""An organisation of real installations (encrypted stores) around a real hub."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text, update

from sendobserve.hub import database, sync
from sendobserve.hub.protocol import Role
from sendobserve.hub.schema import objects, routes
from sendobserve.model.domain import Mediator, Observer, ObserverRole, ProfessionalBody
from sendobserve.pki.identity import load_or_create_identity
from sendobserve.storage import exchange as stored
from sendobserve.storage import hub_sync
from sendobserve.storage.repositories import (
    FormVersionRepository,
    MediatorRepository,
    ObserverRepository,
    in_session,
)
from tests.exchange.factories import FORM3_YAML, FORM_VERSION
from tests.exchange.storekit import TempStore

RECORD_TABLES = ("mediators", "cases", "observations", "marks", "amendments",
                 "amendment_changes", "debrief_notes", "observation_conflicts")


@dataclass
class Installation:
    name: str
    ts: TempStore
    fingerprint: str  # compact

    @classmethod
    def create(cls, folder: Path, name: str) -> Installation:
        ts = TempStore.create(folder / name.replace(" ", "-").lower())
        with ts.session() as s:
            identity = load_or_create_identity(stored.StoredSigningKey(s))
            stored.set_identity_name(s, name)
        return cls(name, ts, identity.fingerprint.replace(" ", ""))

    def join(self, url: str, root: bytes, admin: str) -> dict[str, Any]:
        with self.ts.open() as store:
            return sync.join(store, url, root, [admin], name=self.name)

    def sync(self, url: str | None = None) -> sync.SyncResult:
        with self.ts.open() as store:
            if url is not None:
                self.point_at(store, url)
            return sync.sync(store)

    @staticmethod
    def point_at(store: Any, url: str) -> None:
        """Talk to another process of the same hub (same database: the cursor holds)."""
        with store.session() as s:
            s.execute(update(hub_sync.HubLinkRecord).values(url=url))

    def approve(self, other: Installation, role: Role,
                trainees: tuple[uuid.UUID, ...] | None) -> None:
        with self.ts.open() as store:
            sync.approve(store, other.fingerprint, role,
                         None if trainees is None else tuple(t.hex for t in trainees))

    def records(self) -> dict[str, list[tuple[Any, ...]]]:
        dump = self.ts.dump()
        return {t: dump.get(t, []) for t in RECORD_TABLES}

    def observation_ids(self) -> set[uuid.UUID]:
        with self.ts.session() as s:
            return {uuid.UUID(hex=h) for h in s.scalars(text("SELECT id FROM observations"))}

    def mediator_ids(self) -> set[uuid.UUID]:
        with self.ts.session() as s:
            return {uuid.UUID(hex=h) for h in s.scalars(text("SELECT id FROM mediators"))}

    def received(self) -> list[tuple[str, str]]:
        with self.ts.session() as s:
            return [(r.sha256, r.outcome) for r in s.scalars(select(hub_sync.HubReceivedRecord))]

    def sent_shas(self) -> set[str]:
        """Every object this installation's hub_sent says reached the hub."""
        with self.ts.session() as s:
            return set(s.scalars(select(hub_sync.HubSentRecord.sha256)))

    def outbox(self) -> int:
        with self.ts.session() as s:
            return int(s.scalar(select(func.count()).select_from(hub_sync.HubOutboxRecord)) or 0)


def roster(ts: TempStore, mediators: list[Mediator], observer: Observer) -> None:
    """The trainees every laptop knows (same ids), this laptop's observer, the form."""
    with ts.session() as s:
        repo = MediatorRepository(in_session(s))
        for m in mediators:
            repo.add(m)
        ObserverRepository(in_session(s)).add(observer)
        FormVersionRepository(in_session(s)).store("form3", FORM_VERSION, FORM3_YAML)


def trainees(*names: str) -> list[Mediator]:
    return [Mediator(id=uuid.uuid4(), name=n, professional_body=ProfessionalBody.COM)
            for n in names]


def observer(name: str, role: ObserverRole = ObserverRole.PPC) -> Observer:
    return Observer(id=uuid.uuid4(), name=name, role=role, experienced_send=True,
                    ppc_register_entry="COM-PPC-1" if role is ObserverRole.PPC else None)


def hub_counts(db_url: str) -> tuple[int, int, int]:
    """Objects, routes and distinct (recipient, object) routes in the hub's database."""
    engine = create_engine(database.driver_url(db_url))
    try:
        with engine.connect() as conn:
            n_objects = conn.execute(select(func.count()).select_from(objects)).scalar_one()
            n_routes = conn.execute(select(func.count()).select_from(routes)).scalar_one()
            distinct = conn.execute(text(
                "SELECT count(*) FROM (SELECT DISTINCT recipient, sha256 FROM routes) d")
            ).scalar_one()
        return int(n_objects), int(n_routes), int(distinct)
    finally:
        engine.dispose()


def hub_object_shas(db_url: str) -> set[str]:
    engine = create_engine(database.driver_url(db_url))
    try:
        with engine.connect() as conn:
            return set(conn.execute(select(objects.c.sha256)).scalars())
    finally:
        engine.dispose()


def routed_to(db_url: str, fingerprint: str) -> int:
    engine = create_engine(database.driver_url(db_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(routes).where(
                routes.c.recipient == fingerprint)).scalar_one())
    finally:
        engine.dispose()


def make_admin(folder: Path, hub_url: str, db_url: str, root: bytes) -> Installation:
    admin = Installation.create(folder, "Admin Desk")
    admin.join(hub_url, root, admin.fingerprint)
    database.bootstrap_admin(db_url, admin.fingerprint)
    return admin

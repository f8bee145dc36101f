"""Erasure through the hub, with the real PostgreSQL and real hub processes.

The admin erases a trainee on its desk; one sync sends the signed erasure record, the hub
drops every bundle it holds about that trainee (keeping the record and the counts), and
refuses new ones; the PPC's and the observer's laptops apply the record on their next sync,
live store and backups. Canary proof: 100 strings planted in the trainee's observations
are found, before, in the decrypted pages of every laptop and in the decrypted bundles the
hub serves (each opened with a member's exchange key); afterwards in none of them, while
another trainee's records are untouched.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from sendobserve.exchange.bundle import open_bundle
from sendobserve.exchange.errors import ExchangeError
from sendobserve.hub import database
from sendobserve.hub.client import HubRefused
from sendobserve.hub.protocol import Role
from sendobserve.hub.schema import erasures, objects
from sendobserve.model.domain import (
    Case,
    CaseKind,
    MarkState,
    ObserverRole,
    Signature,
    TraineeRole,
)
from sendobserve.pki.identity import load_or_create_exchange_key
from sendobserve.storage import exchange as stored
from sendobserve.storage.backup import all_encrypted_copies, make_backup
from sendobserve.storage.erasure import erase_mediator
from sendobserve.storage.records import ObservationRecord
from sendobserve.storage.repositories import CaseRepository, ObservationRepository, in_session
from tests.exchange.factories import CRITERIA, DEBRIEF_TOPIC, FORM_VERSION, tiny_png
from tests.exchange.storekit import amend_observation
from tests.storage.pagedump import contains, plaintext_of

from .orgkit import Installation, make_admin, observer, roster, trainees


def _observer_of(laptop: Installation) -> Any:
    from sendobserve.storage.repositories import ObserverRepository

    with laptop.ts.session() as s:
        return next(o for o in ObserverRepository(in_session(s)).list()
                    if o.name == laptop.name)


def plant(laptop: Installation, trainee: Any, count: int, prefix: str) -> list[str]:
    """``count`` finalised Form 3 observations, each carrying five canaries (the case
    reference, three notes on marks, a de-brief note)."""
    canaries: list[str] = []

    def c() -> str:
        canaries.append(f"{prefix}{len(canaries):03d}x{uuid.uuid4().hex[:8]}")
        return canaries[-1]

    who = _observer_of(laptop)
    with laptop.ts.session() as s:
        repo = ObservationRepository(in_session(s))
        for n in range(count):
            case = Case(id=uuid.uuid4(), mediator_id=trainee.id, reference=c(),
                        case_date=date(2026, 3, 2), kind=CaseKind.MEDIATION,
                        trainee_role=TraineeRole.CO_MEDIATING, casework_hours=Decimal("2"))
            CaseRepository(in_session(s)).add(case)
            obs = repo.start(case.id, who.id, "form3", FORM_VERSION)
            for crit in CRITERIA[:3]:
                repo.set_mark(obs.id, crit, MarkState.DEMONSTRATED, c(), by=who.name)
            repo.set_mark(obs.id, CRITERIA[3], MarkState.NOT_APPLICABLE, None, by=who.name)
            repo.set_debrief_note(obs.id, DEBRIEF_TOPIC, c())
            repo.finalise(obs.id, Signature(name=who.name, role=who.role,
                                            signed_on=date(2026, 3, 2),
                                            drawing_png=tiny_png(n)))
    return canaries


def in_laptop(laptop: Installation, canaries: list[str]) -> dict[str, list[str]]:
    """The canaries in each database copy of a laptop: its decrypted pages, free pages and
    log included, and each backup's."""
    ts = laptop.ts
    out = {}
    for path in [ts.data_dir / "sendobserve.db", *all_encrypted_copies(ts.data_dir)]:
        plain = plaintext_of(path, ts.key)
        out[f"{laptop.name}/{path.name}"] = [c for c in canaries if contains(plain, c)]
    return out


def served_by_hub(db_url: str, members: list[Installation], canaries: list[str]
                  ) -> tuple[int, list[str]]:
    """How many bundles the hub serves, and the canaries found in them, each bundle opened
    with whichever member's exchange key it was sealed to."""
    keys = []
    for m in members:
        with m.ts.session() as s:
            keys.append(load_or_create_exchange_key(stored.StoredSigningKey(s)))
    engine = create_engine(database.driver_url(db_url))
    try:
        with engine.connect() as conn:
            blobs = [bytes(r.data) for r in conn.execute(select(objects.c.data))]
    finally:
        engine.dispose()
    found: set[str] = set()
    for blob in blobs:
        for key in keys:
            try:
                opened = open_bundle(blob, recipient_key=key)
            except ExchangeError:
                continue
            found |= {c for c in canaries if contains(opened.payload_bytes, c)}
            break
        else:
            raise AssertionError("a bundle the hub serves opens with no member's key")
    return len(blobs), sorted(found)


@pytest.fixture
def org(start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes],
        tmp_path: Path) -> dict[str, Any]:
    """The admin's desk, a PPC's laptop and an observer's; 100 canaries about the trainee
    to erase in 20 observations, and 2 observations of another trainee, everywhere."""
    return _organisation(start_hubs, hub_db, org_pki, tmp_path, (14, 6))


@pytest.fixture
def small_org(start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes],
              tmp_path: Path) -> dict[str, Any]:
    """The same organisation with one observation of each trainee's per laptop."""
    return _organisation(start_hubs, hub_db, org_pki, tmp_path, (1, 1))


def _organisation(start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes],
                  tmp_path: Path, counts: tuple[int, int]) -> dict[str, Any]:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    t1, t2 = trainees("Erased Trainee", "Kept Trainee")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    ppc = Installation.create(tmp_path, "PPC Laptop")
    obs_b = Installation.create(tmp_path, "Observer B")
    for laptop in (ppc, obs_b):
        laptop.join(hub.url, root, admin.fingerprint)
    admin.approve(ppc, Role.PPC, (t1.id, t2.id))
    admin.approve(obs_b, Role.OBSERVER, (t1.id, t2.id))
    everyone = [admin, ppc, obs_b]
    for laptop in everyone:
        roster(laptop.ts, [t1, t2], observer(
            laptop.name, ObserverRole.PPC if laptop is not obs_b else ObserverRole.CO_MEDIATOR))
    erased = plant(ppc, t1, counts[0], "E") + plant(obs_b, t1, counts[1], "F")
    kept = plant(ppc, t2, 2, "K")
    for _ in range(2):
        for laptop in everyone:
            assert laptop.sync().refused == []
    for laptop in everyone:
        with laptop.ts.open() as store:
            make_backup(store)
    return {"hub": hub, "db": hub_db, "t1": t1, "t2": t2, "admin": admin, "ppc": ppc,
            "obs_b": obs_b, "erased": erased, "kept": kept, "everyone": everyone}


@pytest.mark.slow
def test_an_erasure_reaches_the_hub_and_every_laptop(org: dict[str, Any]) -> None:
    admin, ppc, obs_b = org["admin"], org["ppc"], org["obs_b"]
    everyone, erased, kept = org["everyone"], org["erased"], org["kept"]
    assert len(erased) == 100
    # Before: every laptop and the hub's bundles hold the canaries (the proof can see).
    for laptop in everyone:
        for name, present in in_laptop(laptop, erased + kept).items():
            assert len(present) == 100 + len(kept), name
    bundles_before, served = served_by_hub(org["db"], everyone, erased + kept)
    assert served == sorted(erased + kept)

    with admin.ts.open() as store:
        erase_mediator(store, org["t1"].id)
    result = admin.sync()
    assert result.erasures_sent == 1 and result.refused == []

    # The hub dropped every bundle about the trainee, and kept the record with the counts.
    bundles_after, served = served_by_hub(org["db"], everyone, erased + kept)
    assert served == sorted(kept)
    assert bundles_after < bundles_before
    engine = create_engine(database.driver_url(org["db"]))
    try:
        with engine.connect() as conn:
            (row,) = conn.execute(select(erasures)).all()
            left = conn.execute(select(func.count()).select_from(objects).where(
                objects.c.trainee == org["t1"].id.hex)).scalar_one()
    finally:
        engine.dispose()
    assert row.trainee == org["t1"].id.hex and row.signer == admin.fingerprint
    assert row.objects_dropped == bundles_before - bundles_after and left == 0
    assert not any(c.encode() in bytes(row.statement) for c in erased)

    # The PPC amends an observation of the erased trainee before syncing: the hub refuses
    # the upload; the same sync then applies the erasure on the laptop.
    with ppc.ts.session() as s:
        oid = s.scalar(select(func.min(ObservationRecord.id)).where(
            ObservationRecord.mediator_id == org["t1"].id))
    amend_observation(ppc.ts, oid, CRITERIA[0], MarkState.NOT_APPLICABLE, by="PPC Laptop")
    result = ppc.sync()
    assert result.erasures_applied == 1
    assert any("erased" in line for line in result.refused)
    assert obs_b.sync().erasures_applied == 1
    assert served_by_hub(org["db"], everyone, erased + kept)[1] == sorted(kept)

    for laptop in everyone:
        assert org["t1"].id not in laptop.mediator_ids()
        for name, present in in_laptop(laptop, erased).items():
            assert present == [], f"{name} still holds {len(present)} erased canaries"
        for name, present in in_laptop(laptop, kept).items():
            assert present == kept, f"{name} lost another trainee's records"
    # A further round moves nothing and brings nobody back.
    for laptop in everyone:
        again = laptop.sync()
        assert (again.erasures_sent, again.erasures_applied, again.refused) == (0, 0, [])
        assert org["t1"].id not in laptop.mediator_ids()


def test_an_erasure_signed_by_an_observer_is_refused_by_the_hub(
        small_org: dict[str, Any]) -> None:
    org = small_org
    obs_b, everyone = org["obs_b"], org["everyone"]
    bundles_before, _ = served_by_hub(org["db"], everyone, [])
    with obs_b.ts.open() as store:
        erase_mediator(store, org["t1"].id)
    result = obs_b.sync()
    assert result.erasures_sent == 0
    assert any("not signed by an admin or PPC member" in line for line in result.refused)
    assert served_by_hub(org["db"], everyone, [])[0] == bundles_before
    for laptop in (org["admin"], org["ppc"]):
        assert laptop.sync().erasures_applied == 0
        assert org["t1"].id in laptop.mediator_ids()


def test_the_hub_refuses_a_forged_or_unsigned_erasure(small_org: dict[str, Any]) -> None:
    org = small_org
    from sendobserve.hub import sync
    from sendobserve.pki.control import ControlRecord, ErasureRecord
    from sendobserve.pki.identity import Identity

    admin = org["admin"]
    stranger = ErasureRecord.make(Identity.generate(), org["t1"].id,
                                  erased_at=datetime.now(UTC), certificates=False)
    forged = ControlRecord(stranger.record.statement, b"\0" * 64).to_json()
    with admin.ts.open() as store, sync.client_for(store) as client:
        with pytest.raises(HubRefused, match="not a signed erasure record"):
            client.send_erasure(forged)
        with pytest.raises(HubRefused, match="not signed by an admin or PPC"):
            client.send_erasure(stranger.to_json())
    assert _kept_erasures(org["db"]) == 0


def _kept_erasures(db_url: str) -> int:
    engine = create_engine(database.driver_url(db_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(erasures)).scalar_one())
    finally:
        engine.dispose()

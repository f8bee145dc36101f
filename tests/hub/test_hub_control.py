"""Control records through the hub, and the whole record: a revocation reaches every
member whatever their trainee scope (an observer of another trainee, a read-only
assessor), is applied through the import rules, and refuses what the revoked laptop
signs afterwards, by file too; a control bundle that smuggles a trainee's record, or is
signed by a key no admin approved, is refused; a trainee with no finalised observation
is shared (details and log records, with their evidence files); and pulls follow
commit order, never skipping a route that an older transaction commits late."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from sendobserve.exchange.bundle import MIN_LOG2_N, seal
from sendobserve.exchange.errors import ExchangeError
from sendobserve.hub import database, protocol, sync
from sendobserve.hub.client import HubClient, HubRefused
from sendobserve.hub.protocol import Role
from sendobserve.model.domain import Cpd, CpdKind, ObserverRole, utcnow
from sendobserve.pki.identity import Identity
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import PracticeRepository, in_session, load_practice_record

from .orgkit import Installation, make_admin, observer, roster, trainees
from .test_hub_faults import _observe


def _revocations(laptop: Installation) -> dict[str, Any]:
    with laptop.ts.session() as s:
        return stored.revocations(s)


def test_a_revocation_reaches_every_member_and_refuses_what_the_laptop_signs_later(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    hub1, hub2 = start_hubs(2)
    root = org_pki[2]
    t1, t2 = trainees("Siobhán Ó Dálaigh", "Rhys ap Dafydd")
    admin = make_admin(tmp_path, hub1.url, hub_db, root)
    lost = Installation.create(tmp_path, "Lost laptop")  # PPC of both
    watcher = Installation.create(tmp_path, "Observer B")  # sees Siobhán only
    assessor = Installation.create(tmp_path, "Assessor")  # read-only, Rhys only
    for laptop, role, scope in ((lost, Role.PPC, (t1.id, t2.id)),
                                (watcher, Role.OBSERVER, (t1.id,)),
                                (assessor, Role.ASSESSOR, (t2.id,))):
        laptop.join(hub2.url, root, admin.fingerprint)
        admin.approve(laptop, role, scope)
    roster(admin.ts, [t1, t2], observer("Admin Desk"))
    roster(lost.ts, [t1, t2], observer("Lost laptop", ObserverRole.PPC))
    roster(watcher.ts, [t1], observer("Observer B", ObserverRole.CO_MEDIATOR))
    roster(assessor.ts, [t2], observer("Assessor", ObserverRole.CO_MEDIATOR))
    before = _observe(lost, t1, 2)
    lost.sync()
    for laptop in (admin, watcher, assessor):
        laptop.sync()
    assert before <= watcher.observation_ids()

    with admin.ts.open() as store:
        sync.revoke(store, lost.fingerprint, "laptop lost on the train")
    assert list(_revocations(admin)) == [protocol.spaced(lost.fingerprint)]
    sent = admin.sync(hub2.url)
    assert sent.uploaded == 1  # one control bundle, for both members (the lost one is out)
    for laptop in (watcher, assessor):  # whatever their scope, read-only or not
        result = laptop.sync(hub1.url)
        assert (result.received, result.imported, result.refused) == (1, 1, [])
        (revocation,) = _revocations(laptop).values()
        assert revocation.reason == "laptop lost on the train"
        assert revocation.decided_by == "Admin Desk"
    assert all(laptop.sync().received == 0 for laptop in (admin, watcher, assessor))

    # Offline, the lost laptop goes on signing; its file, carried by hand, is refused.
    later = _observe(lost, t1, 1, prefix="LATE")
    data = lost.ts.export(t1.id, exported_by="Lost laptop")
    kept = watcher.records()
    with pytest.raises(ExchangeError, match="revoked"):
        watcher.ts.import_bytes(data)
    assert watcher.records() == kept and not later & watcher.observation_ids()
    assert before <= watcher.observation_ids()  # what it signed before stays
    with pytest.raises(HubRefused, match="revoked"):
        lost.sync()


def test_control_bundles_carry_control_records_only_and_only_from_members(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    t1, t2 = trainees("Siobhán Ó Dálaigh", "Rhys ap Dafydd")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    roster(admin.ts, [t1, t2], observer("Admin Desk"))
    watcher = Installation.create(tmp_path, "Observer B")  # sees Siobhán only
    watcher.join(hub.url, root, admin.fingerprint)
    admin.approve(watcher, Role.OBSERVER, (t1.id,))
    roster(watcher.ts, [t1], observer("Observer B", ObserverRole.CO_MEDIATOR))
    stranger = Installation.create(tmp_path, "Stranger")
    stranger.join(hub.url, root, admin.fingerprint)  # pending: not a member
    _observe(admin, t2, 1, prefix="ADM")

    with HubClient(hub.url, root, admin.ts.identity()) as client:
        members = {m.fingerprint: m for m in client.recipients(None)}
        assert set(members) == {admin.fingerprint, watcher.fingerprint}  # approved only
        with pytest.raises(HubRefused, match="not approved members"):
            client.push(b"c" * 64, None, [stranger.fingerprint])
        with admin.ts.session() as s:
            rhys = sync._hub_payloads(s, t2.id, "Admin Desk")[0]  # Rhys's whole record
        key = members[watcher.fingerprint].exchange_key
        smuggled = seal(rhys, passphrase=secrets.token_urlsafe(16),
                        signing_key=admin.ts.identity(), recipients=[key],
                        kdf_log2_n=MIN_LOG2_N)
        client.push(smuggled, None, [watcher.fingerprint])  # the hub cannot tell
        with admin.ts.session() as s:
            stored.record_revocation(s, _revocation_of(Identity.generate()),
                                     recorded_by="test", at=utcnow())
            control = sync.control_payload(s, "Admin Desk")
        assert control is not None and sync.carries_only_control_records(control)
        forged = seal(control, passphrase=secrets.token_urlsafe(16),
                      signing_key=Identity.generate(), recipients=[key], kdf_log2_n=MIN_LOG2_N)
        client.push(forged, None, [watcher.fingerprint])

    kept = watcher.records()
    result = watcher.sync()
    assert result.received == 2 and len(result.refused) == 2
    assert any("carries more than control records" in r for r in result.refused)
    assert any("no trusted admin has approved" in r for r in result.refused)
    assert watcher.records() == kept and t2.id not in watcher.mediator_ids()
    assert _revocations(watcher) == {}


def _revocation_of(identity: Identity) -> Any:
    from sendobserve.pki.identity import Revocation

    return Revocation(identity.public_key, utcnow() - timedelta(days=1), "old laptop",
                      "Admin Desk")


def test_a_trainee_with_no_finalised_observation_is_shared(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    t1, t2 = trainees("Amara Okafor", "Dewi Pritchard")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    mentor = Installation.create(tmp_path, "Mentor")
    mentor.join(hub.url, root, admin.fingerprint)
    admin.approve(mentor, Role.PPC, (t1.id, t2.id))
    roster(mentor.ts, [t1, t2], observer("Mentor", ObserverRole.PPC))  # admin has nobody
    cpd = Cpd(uuid.uuid4(), t1.id, utcnow().date() - timedelta(days=3), Decimal("2"),
              CpdKind.READING, "SEND Code of Practice, chapter 11")
    with mentor.ts.session() as s:
        PracticeRepository(in_session(s)).add(cpd)

    assert mentor.sync().uploaded == 2  # two records: Amara's with her CPD, Dewi's details
    result = admin.sync()
    assert (result.received, result.imported, result.refused) == (2, 2, [])
    assert admin.mediator_ids() == {t1.id, t2.id}
    with admin.ts.session() as s:
        amara = load_practice_record(s, t1.id)
        dewi = load_practice_record(s, t2.id)
    assert amara.cpd == (cpd,) and amara.observations == ()
    assert dewi.mediator == t2 and dewi.cpd == ()
    assert all(laptop.sync().uploaded == 0 for laptop in (mentor, admin))  # nothing echoes


def test_a_pull_never_passes_a_route_an_older_transaction_commits_late(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    (t1,) = trainees("Siobhán Ó Dálaigh")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    laptop = Installation.create(tmp_path, "Laptop")
    laptop.join(hub.url, root, admin.fingerprint)
    admin.approve(laptop, Role.PPC, (t1.id,))
    engine = create_engine(database.driver_url(hub_db))
    try:
        with HubClient(hub.url, root, laptop.ts.identity()) as client, \
                HubClient(hub.url, root, admin.ts.identity()) as reader:
            slow = engine.connect()
            early = slow.begin()  # a push that started first and commits last
            slow.execute(text(
                "INSERT INTO objects (sha256, size, data, uploaded_by, trainee, created_at) "
                "VALUES (:s, 3, 'abc', :by, :t, now())"),
                {"s": "a" * 64, "by": laptop.fingerprint, "t": t1.id.hex})
            slow.execute(text(
                "INSERT INTO routes (sha256, recipient, trainee, created_at) "
                "VALUES (:s, :r, :t, now())"),
                {"s": "a" * 64, "r": admin.fingerprint, "t": t1.id.hex})
            late = secrets.token_bytes(300)
            client.push(late, t1.id.hex, [admin.fingerprint])  # commits while it runs
            page = reader.pull("0")
            assert page["items"] == [] and page["next"] == "0"  # held back, not skipped
            early.commit()
            slow.close()
            page = reader.pull(page["next"])
            assert [i["sha256"] for i in page["items"]] == ["a" * 64,
                                                             protocol.body_digest(late)]
            again = reader.pull(page["items"][0]["cursor"])
            assert [i["sha256"] for i in again["items"]] == [protocol.body_digest(late)]
            assert reader.pull(page["next"])["items"] == []
            with pytest.raises(HubRefused, match="cursor"):
                reader.pull("17")  # an older version's integer cursor: a clear refusal
    finally:
        engine.dispose()


def test_the_pull_order_moves_forwards_after_a_restore_into_a_new_cluster(
        hub_db: str) -> None:
    """A pg_dump restored elsewhere starts from low transaction ids: ``align_clock``
    raises the offset so new routes still sort after the restored ones."""
    engine = database.connect(hub_db, pool_size=1)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO installations (fingerprint, public_key, exchange_key, "
                "exchange_key_signature, name, status, requested_at) VALUES "
                "(:f, :k, :k, :k, 'X', 'pending', now())"),
                {"f": "A" * 32, "k": secrets.token_bytes(32)})
            conn.execute(text(
                "INSERT INTO objects (sha256, size, data, uploaded_by, trainee, created_at) "
                "VALUES (:s, 1, 'x', :f, NULL, now())"), {"s": "b" * 64, "f": "A" * 32})
            current = conn.execute(text("SELECT hub_commit_order()")).scalar_one()
            # As if restored from a cluster whose transaction ids ran far ahead.
            conn.execute(text(
                "INSERT INTO routes (sha256, recipient, trainee, created_at, commit_order) "
                "VALUES (:s, :f, NULL, now(), :o)"),
                {"s": "b" * 64, "f": "A" * 32, "o": current + 1_000_000})
        with engine.begin() as conn:
            offset = database.align_clock(conn)
        assert offset > 0
        with engine.begin() as conn:
            assert conn.execute(text("SELECT hub_commit_order()")).scalar_one() \
                > current + 1_000_000
            assert database.align_clock(conn) == offset  # nothing to do the second time
    finally:
        engine.dispose()


def test_evidence_files_travel_in_the_record_bundle_and_do_not_echo(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    from sendobserve.model.evidence import EntryKind, EvidenceKind
    from sendobserve.services import evidence
    from tests.model.test_evidence import make_image

    (hub,) = start_hubs(1)
    root = org_pki[2]
    (t1,) = trainees("Amara Okafor")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    mentor = Installation.create(tmp_path, "Mentor")
    mentor.join(hub.url, root, admin.fingerprint)
    admin.approve(mentor, Role.PPC, (t1.id,))
    roster(mentor.ts, [t1], observer("Mentor", ObserverRole.PPC))
    cpd = Cpd(uuid.uuid4(), t1.id, utcnow().date() - timedelta(days=3), Decimal("2"),
              CpdKind.READING, "SEND Code of Practice, chapter 11")
    with mentor.ts.session() as s:
        PracticeRepository(in_session(s)).add(cpd)
    with mentor.ts.open() as store:
        evidence.attach(store, EntryKind.CPD, cpd.id, make_image("PNG"), name="notes.png",
                        kind=EvidenceKind.CPD_CERTIFICATE, added_by="Mentor")

    def files(laptop: Installation) -> dict[uuid.UUID, Any]:
        with laptop.ts.open() as store:
            return {f.id: evidence.get(store, f.id) for f in evidence.list_files(store, t1.id)}

    assert mentor.sync().uploaded == 1  # the record bundle, the file inside it
    assert admin.sync().imported == 1
    assert len(files(admin)) == 1 and files(admin) == files(mentor)  # byte for byte
    assert all(laptop.sync().uploaded == 0 for laptop in (mentor, admin))  # nothing echoes

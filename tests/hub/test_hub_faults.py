"""Faults: the hub killed mid-upload and mid-download, PostgreSQL restarted during a sync,
the connection cut at random byte offsets, replayed and duplicate uploads, unknown and
revoked installations, a bundle for a trainee outside the installation's scope. Each ends
with nothing lost, nothing duplicated, and the laptop still usable offline."""

from __future__ import annotations

import contextlib
import hashlib
import random
import secrets
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from sendobserve.errors import UserError
from sendobserve.exchange.bundle import MIN_LOG2_N, seal
from sendobserve.hub import protocol, sync, tls
from sendobserve.hub.client import HubClient, HubRefused, HubUnreachable
from sendobserve.hub.protocol import Role
from sendobserve.model.domain import ObserverRole
from sendobserve.pki.identity import Identity
from tests.exchange.storekit import add_finalised_observation

from .cutproxy import CutProxy
from .orgkit import (
    Installation,
    hub_counts,
    hub_object_shas,
    make_admin,
    observer,
    roster,
    routed_to,
    trainees,
)


def _org(tmp_path: Path, hub: Any, hub_db: str, root: bytes, n_laptops: int = 1,
         scope: str = "both") -> tuple[Installation, list[Installation], list[Any]]:
    """An admin and laptops (PPCs of both trainees unless ``scope`` says otherwise)."""
    t = trainees("Siobhán Ó Dálaigh", "Rhys ap Dafydd")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    roster(admin.ts, t, observer("Admin Desk"))
    laptops = []
    for i in range(n_laptops):
        laptop = Installation.create(tmp_path, f"Laptop {i}")
        laptop.join(hub.url, root, admin.fingerprint)
        admin.approve(laptop, Role.PPC, (t[0].id,) if scope == "first" else (t[0].id, t[1].id))
        roster(laptop.ts, t if scope == "both" else t[:1],
               observer(laptop.name, ObserverRole.PPC))
        laptops.append(laptop)
    return admin, laptops, t


def _observe(laptop: Installation, trainee: Any, n: int, prefix: str = "LA") -> set[Any]:
    from sendobserve.storage.repositories import ObserverRepository, in_session

    with laptop.ts.session() as s:
        me = next(o for o in ObserverRepository(in_session(s)).list() if o.name == laptop.name)
    return {add_finalised_observation(laptop.ts, trainee, me, f"{prefix}-{i:04d}", seed=i)
            for i in range(n)}


def _client(laptop: Installation, url: str, root: bytes) -> HubClient:
    return HubClient(url, root, laptop.ts.identity())


def test_unknown_and_revoked_installations_are_refused_and_lose_nothing(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    admin, (laptop,), (t1, _) = _org(tmp_path, hub, hub_db, root)

    stranger = Identity.generate()  # never enrolled
    with HubClient(hub.url, root, stranger) as client:
        for call in (client.me, lambda: client.pull(0), lambda: client.recipients(t1.id.hex),
                     lambda: client.push(b"x" * 100, t1.id.hex, [admin.fingerprint])):
            with pytest.raises(HubRefused) as refused:
                call()
            assert refused.value.status == 403 and "not enrolled" in refused.value.reason

    waiting = Installation.create(tmp_path, "Waiting")
    waiting.join(hub.url, root, admin.fingerprint)
    with pytest.raises(UserError, match="waiting for the organisation's admin"):
        waiting.sync()

    mine = _observe(laptop, t1, 2)
    laptop.sync()
    admin.sync()
    assert mine <= admin.observation_ids()

    with admin.ts.open() as store, sync.client_for(store) as client:
        client.revoke(laptop.fingerprint)
    before = laptop.records()
    with pytest.raises(HubRefused, match="revoked"):
        laptop.sync()
    assert laptop.records() == before  # nothing deleted because the hub refused
    with laptop.ts.open() as store:
        assert sync.hub_link(store).last_error.endswith("revoked by the organisation")  # type: ignore[union-attr]
    more = _observe(laptop, t1, 1, prefix="OFF")  # still works offline, as before
    assert laptop.observation_ids() == mine | more
    # The admin keeps what the revoked laptop sent, and no longer encrypts to it.
    admin.sync()
    assert mine <= admin.observation_ids()
    with admin.ts.open() as store, sync.client_for(store) as client:
        assert laptop.fingerprint not in {m.fingerprint for m in client.recipients(t1.id.hex)}


def test_replayed_duplicate_and_tampered_uploads_are_refused_or_stored_once(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    admin, (laptop,), (t1, _) = _org(tmp_path, hub, hub_db, root)
    identity = laptop.ts.identity()
    data = secrets.token_bytes(5000)  # the hub stores opaque bytes
    sha = hashlib.sha256(data).hexdigest()
    path = f"/v1/objects/{sha}?trainee={t1.id.hex}&to={admin.fingerprint}"
    headers = protocol.sign_request(identity, "PUT", path, data)
    http = httpx.Client(verify=tls.pinned_context(root))
    first = http.put(hub.url + path, content=data, headers=headers)
    assert first.status_code == 200 and first.json()["new_object"] is True
    counts = hub_counts(hub_db)

    replay = http.put(hub.url + path, content=data, headers=headers)
    assert replay.status_code == 401 and "replayed" in replay.json()["error"]
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    fresh = protocol.sign_request(identity, "PUT", path, data)
    assert http.put(hub.url + path, content=tampered, headers=fresh).status_code == 401
    stale = protocol.sign_request(identity, "PUT", path, data,
                                  now=time.time() - protocol.MAX_CLOCK_SKEW - 60)
    stale_answer = http.put(hub.url + path, content=data, headers=stale)
    assert stale_answer.status_code == 401 and "clock" in stale_answer.json()["error"]
    other_key = protocol.sign_request(Identity.generate(), "PUT", path, data)
    other_key["sendobserve-key"] = protocol.b64(identity.public_key)  # claims to be laptop
    assert http.put(hub.url + path, content=data, headers=other_key).status_code == 401
    assert hub_counts(hub_db) == counts

    with _client(laptop, hub.url, root) as client:  # a real duplicate: stored once
        again = client.push(data, t1.id.hex, [admin.fingerprint])
    assert again == {"sha256": sha, "new_object": False, "new_routes": 0}
    assert hub_counts(hub_db) == counts
    wrong_hash = http.put(hub.url + path, content=tampered,
                          headers=protocol.sign_request(identity, "PUT", path, tampered))
    assert wrong_hash.status_code == 400 and "SHA-256" in wrong_hash.json()["error"]
    http.close()

    # The admin pulls the opaque object, refuses it (not a bundle), and says so once.
    result = admin.sync()
    assert (result.received, len(result.refused)) == (1, 1)
    assert admin.sync().received == 0


def test_a_trainee_outside_the_scope_is_refused_at_the_hub_and_on_the_laptop(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    admin, (laptop,), (t1, t2) = _org(tmp_path, hub, hub_db, root, scope="first")
    with _client(laptop, hub.url, root) as client:
        with pytest.raises(HubRefused, match="outside this installation's scope"):
            client.recipients(t2.id.hex)
        with pytest.raises(HubRefused, match="outside this installation's scope"):
            client.push(b"y" * 64, t2.id.hex, [admin.fingerprint])
    with _client(admin, hub.url, root) as client, \
            pytest.raises(HubRefused, match="outside the trainee's scope"):
        client.push(b"z" * 64, t2.id.hex, [laptop.fingerprint])  # nor may Rhys go to it
    before = hub_counts(hub_db)
    assert before[0] == 0

    # A member that misbehaves: Rhys's observation, labelled as Siobhán's, sealed to the
    # laptop; and one signed by a key no admin approved. The laptop imports neither.
    _observe(admin, t2, 1, prefix="ADM")
    member_exchange = _exchange_key_of(laptop, admin, hub.url, root, t1.id.hex)
    (rhys_observation,) = admin.observation_ids()
    admin_identity = admin.ts.identity()
    with admin.ts.session() as s:
        payload = sync._hub_payloads(s, t2.id, "Admin Desk", {rhys_observation})[1]
    mislabelled = seal(payload, passphrase=secrets.token_urlsafe(16),
                       signing_key=admin_identity, recipients=[member_exchange],
                       kdf_log2_n=MIN_LOG2_N)
    forged = seal(payload, passphrase=secrets.token_urlsafe(16),
                  signing_key=Identity.generate(), recipients=[member_exchange],
                  kdf_log2_n=MIN_LOG2_N)
    with _client(admin, hub.url, root) as client:
        client.push(mislabelled, t1.id.hex, [laptop.fingerprint])
        client.push(forged, t1.id.hex, [laptop.fingerprint])
    before_records = laptop.records()
    result = laptop.sync()
    assert result.received == 2 and len(result.refused) == 2
    assert any("another trainee" in r for r in result.refused)
    assert any("no trusted admin has approved" in r for r in result.refused)
    assert laptop.records() == before_records and t2.id not in laptop.mediator_ids()


def _exchange_key_of(member: Installation, admin: Installation, url: str, root: bytes,
                     trainee: str) -> bytes:
    with _client(admin, url, root) as client:
        return next(m.exchange_key for m in client.recipients(trainee)
                    if m.fingerprint == member.fingerprint)


def test_connection_cut_at_random_byte_offsets_loses_and_duplicates_nothing(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    admin, (sender, receiver), (t1, t2) = _org(tmp_path, hub, hub_db, root, n_laptops=2)
    sent = _observe(sender, t1, 4) | _observe(sender, t2, 2, prefix="RH")
    proxy = CutProxy(hub.port)
    rng = random.Random(20260301)
    cut = {sender.name: 0, receiver.name: 0}
    try:
        attempts = 0  # until each laptop had two syncs cut short (every sync needs > 4 KB)
        while min(cut.values()) < 2 and attempts < 40:
            laptop = (sender, receiver)[attempts % 2]
            proxy.cut_after = rng.randrange(200, 20_000)
            try:
                laptop.sync(proxy.url)
            except HubUnreachable:
                cut[laptop.name] += 1
            attempts += 1
        assert min(cut.values()) >= 2 and proxy.cuts >= 4  # the cable really was pulled
        proxy.cut_after = None
        for laptop in (sender, receiver, admin):
            laptop.sync(proxy.url)
    finally:
        proxy.close()
    assert sent <= receiver.observation_ids() and sent <= admin.observation_ids()
    assert receiver.records() == admin.records()
    _n_objects, n_routes, distinct = hub_counts(hub_db)
    # Each object once, whatever was retried: exactly what the laptops recorded as sent.
    assert hub_object_shas(hub_db) == set().union(*(x.sent_shas() for x in (sender, receiver,
                                                                             admin)))
    assert n_routes == distinct
    for laptop in (sender, receiver, admin):
        assert laptop.outbox() == 0
        assert [o for _, o in laptop.received() if o == "refused"] == []


def test_hub_killed_mid_upload_and_mid_download_then_another_process_resumes(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    hub1, hub2 = start_hubs(2)
    root = org_pki[2]
    admin, (laptop,), (t1, _) = _org(tmp_path, hub1, hub_db, root)
    made = _observe(laptop, t1, 8)

    def kill_at(hub: Any, text: str) -> Any:
        def progress(line: str) -> None:
            if line.startswith(text):
                hub.kill()
        return progress

    with laptop.ts.open() as store, pytest.raises(HubUnreachable):
        sync.sync(store, progress=kill_at(hub1, "Sent 3 "))
    assert hub_counts(hub_db)[0] == 3
    laptop.sync(hub2.url)  # the other process carries on from the same database
    # Eight observations and the two trainees' records, each once.
    assert hub_counts(hub_db)[0] == len(made) + 2 == len(laptop.sent_shas())

    hub3 = start_hubs(1)[0]
    with admin.ts.open() as store, pytest.raises(HubUnreachable):
        Installation.point_at(store, hub2.url)
        sync.sync(store, progress=kill_at(hub2, "Received 3 "))
    assert len(admin.received()) == 3 and admin.observation_ids() <= made
    assert all(outcome != "refused" for _, outcome in admin.received())
    with pytest.raises(HubUnreachable):  # no hub at all: a clear error, nothing changes
        admin.sync(hub2.url)
    admin.sync(hub3.url)
    assert made <= admin.observation_ids()
    # Each bundle routed to the admin received exactly once.
    assert len(admin.received()) == routed_to(hub_db, admin.fingerprint) == len(made) + 2
    assert hub_object_shas(hub_db) == laptop.sent_shas() | admin.sent_shas()


def test_postgresql_restarted_during_a_sync(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path,
        pg_server: Any
) -> None:
    if not pg_server.restartable:
        pytest.skip("HUB_TEST_DATABASE_URL names a server these tests cannot restart")
    hub1, hub2 = start_hubs(2)
    root = org_pki[2]
    admin, (laptop,), (t1, _) = _org(tmp_path, hub1, hub_db, root)
    made = _observe(laptop, t1, 6)

    restarted = []

    def restart_at(line: str) -> None:
        if line.startswith("Sent 2 "):
            pg_server.restart()
            restarted.append(line)

    # The pool notices the restart (pre-ping) and reconnects: the sync goes on, or at
    # worst one request meets the restart and the next sync resumes.
    with laptop.ts.open() as store, contextlib.suppress(HubUnreachable):
        sync.sync(store, progress=restart_at)
    assert restarted
    laptop.sync(hub2.url)
    admin.sync(hub1.url)
    assert made <= admin.observation_ids()
    assert hub_object_shas(hub_db) == laptop.sent_shas() | admin.sent_shas()
    assert len(laptop.sent_shas()) == len(made) + 2  # and the two trainees' records
    with httpx.Client(verify=tls.pinned_context(root)) as http:
        for hub in (hub1, hub2):
            assert http.get(hub.url + "/healthz").json()["status"] == "ok"


def test_an_exchange_key_swapped_in_the_hubs_database_is_caught(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    from sqlalchemy import create_engine, update

    from sendobserve.hub import database
    from sendobserve.hub.schema import installations

    (hub,) = start_hubs(1)
    root = org_pki[2]
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    admin.sync()  # the first admin signs its own approval
    laptop = Installation.create(tmp_path, "Laptop")
    laptop.join(hub.url, root, admin.fingerprint)
    engine = create_engine(database.driver_url(hub_db))

    def swap(key: bytes | None) -> bytes:
        with engine.begin() as conn:
            old = conn.execute(installations.select().where(
                installations.c.fingerprint == laptop.fingerprint)).one().exchange_key
            if key is not None:
                conn.execute(update(installations).where(
                    installations.c.fingerprint == laptop.fingerprint).values(exchange_key=key))
        return bytes(old)

    try:
        genuine = swap(secrets.token_bytes(32))  # whoever holds the database tries it
        with pytest.raises(UserError, match="not signed by it"):
            admin.approve(laptop, Role.PPC, None)
        swap(genuine)
        admin.approve(laptop, Role.PPC, None)
        swap(secrets.token_bytes(32))
        before = laptop.records()
        with pytest.raises(UserError, match="another exchange key"):
            laptop.sync()
        assert laptop.records() == before
    finally:
        engine.dispose()

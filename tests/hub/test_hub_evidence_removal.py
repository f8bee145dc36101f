"""Removing an evidence file travels through the hub: the remover's record bundle carries
the signed tombstone; every member gives the file up, and a member's record bundle sent
before it heard of the removal (still carrying the file) does not bring it back."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sendobserve.hub.protocol import Role
from sendobserve.model.domain import Cpd, CpdKind, ObserverRole, utcnow
from sendobserve.model.evidence import EntryKind, EvidenceKind
from sendobserve.services import evidence
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import PracticeRepository, in_session
from tests.model.test_evidence import make_image, make_pdf

from .orgkit import Installation, make_admin, observer, roster, trainees


def _files(laptop: Installation, trainee: uuid.UUID) -> dict[uuid.UUID, Any]:
    with laptop.ts.open() as store:
        return {f.id: evidence.get(store, f.id) for f in evidence.list_files(store, trainee)}


def test_a_removed_evidence_file_is_removed_everywhere_through_the_hub(
        start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
) -> None:
    hub1, hub2 = start_hubs(2)
    root = org_pki[2]
    (t1,) = trainees("Amara Okafor")
    admin = make_admin(tmp_path, hub1.url, hub_db, root)
    mentor = Installation.create(tmp_path, "Mentor")
    second = Installation.create(tmp_path, "Second PPC")
    for laptop in (mentor, second):
        laptop.join(hub2.url, root, admin.fingerprint)
        admin.approve(laptop, Role.PPC, (t1.id,))
    roster(mentor.ts, [t1], observer("Mentor", ObserverRole.PPC))
    roster(second.ts, [t1], observer("Second PPC", ObserverRole.PPC))
    cpd = Cpd(uuid.uuid4(), t1.id, utcnow().date() - timedelta(days=3), Decimal("2"),
              CpdKind.READING, "SEND Code of Practice, chapter 11")
    with mentor.ts.session() as s:
        PracticeRepository(in_session(s)).add(cpd)
    with mentor.ts.open() as store:
        kept, _ = evidence.attach(store, EntryKind.CPD, cpd.id, make_image("PNG"),
                                  name="notes.png", kind=EvidenceKind.CPD_CERTIFICATE,
                                  added_by="Mentor")
        gone, _ = evidence.attach(store, EntryKind.CPD, cpd.id, make_pdf("certificate"),
                                  name="certificate.pdf", kind=EvidenceKind.CPD_CERTIFICATE,
                                  added_by="Mentor")
    assert mentor.sync().uploaded == 1
    for laptop in (admin, second):
        assert laptop.sync().imported == 1
        assert set(_files(laptop, t1.id)) == {kept.id, gone.id}

    # The second PPC edits the CPD entry before hearing of the removal: its record bundle
    # goes out still carrying both files.
    with second.ts.session() as s:
        PracticeRepository(in_session(s)).update(replace(cpd, hours=Decimal("2.5")))
    assert second.sync().uploaded == 1
    with mentor.ts.open() as store:
        evidence.remove(store, gone.id)
    with mentor.ts.session() as s:
        assert ("evidence", gone.id) in controls_store.tombstones(s)
    mentor.sync(hub1.url)  # sends the removal, receives the second PPC's bundle
    assert set(_files(mentor, t1.id)) == {kept.id}  # the older bundle did not bring it back
    for laptop in (admin, second, mentor, admin, second):
        laptop.sync()
    for laptop in (admin, second, mentor):
        assert set(_files(laptop, t1.id)) == {kept.id}
        assert _files(laptop, t1.id) == _files(mentor, t1.id)
        with laptop.ts.session() as s:
            assert set(controls_store.tombstones(s)) == {("evidence", gone.id)}
    assert all(laptop.sync().uploaded == 0 for laptop in (mentor, admin, second))

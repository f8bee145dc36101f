"""The hub's side of erasure: a signed erasure record makes the hub drop every bundle it
holds for that trainee, and keeps the record (with the counts) for every member to fetch.

The hub cannot read bundles, so the record comes in clear, as the same signed control
record that travels in exchange files (``pki.control``): the trainee's id, when, and
the installation that signed it, never a name. The hub acts on it when the *signer* (not
whoever relays it) is an approved member with the **admin** or **PPC** role whose scope
includes that trainee; anything else is refused with nothing changed. Acting means, in
one transaction: delete the trainee's routes and objects, keep the record and how many of
each went, and from then on refuse any upload for that trainee (a laptop that has not yet
applied the erasure would otherwise put the person back).

Routes (``server``)::

    POST /v1/erasures                {statement, signature}: act on an erasure record
    GET  /v1/erasures?after=SEQ      the erasure records kept, for every approved member
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from sendobserve.hub.protocol import Role, Status, b64, compact_fingerprint
from sendobserve.hub.schema import erasures, installations, objects, routes
from sendobserve.pki.control import ControlRecord, ControlRecordError, ErasureRecord

if TYPE_CHECKING:
    from sendobserve.hub.server import Caller

MAX_LIST = 500
ERASERS = frozenset({Role.ADMIN, Role.PPC})


def _error(status: int, message: str) -> Exception:
    from sendobserve.hub.server import HubError

    return HubError(status, message)


def _lock_key(trainee: str) -> int:
    """A 64-bit advisory lock key for one trainee."""
    return int.from_bytes(hashlib.sha256(b"erasure:" + trainee.encode()).digest()[:8],
                          "big", signed=True)


def guard_push(conn: Connection, trainee: str | None) -> None:
    """Refuse an upload for an erased trainee. Takes the trainee's lock shared until the
    upload commits, so an erasure (which takes it exclusively) never runs between this
    check and the upload's commit: no bundle can slip in behind an erasure. (None: a
    control record for every member, about no trainee.)"""
    if trainee is None:
        return
    conn.execute(select(func.pg_advisory_xact_lock_shared(_lock_key(trainee))))
    if conn.execute(select(erasures.c.seq).where(
            erasures.c.trainee == trainee).limit(1)).first() is not None:
        raise _error(410, "this trainee's records were erased by the organisation; the hub "
                          "no longer takes files about them")


def act_on(conn: Connection, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    """Check a signed erasure record and drop the trainee's bundles (idempotent)."""
    from sendobserve.hub.server import _may_see

    if caller.row is None or caller.row.status != Status.APPROVED:
        raise _error(403, "only an approved member may send an erasure record")
    try:
        record = ErasureRecord.read(ControlRecord.from_json(dict(body)))
    except ControlRecordError as exc:
        raise _error(400, f"not a signed erasure record ({exc})") from None
    signer = compact_fingerprint(record.public_key)
    row = conn.execute(select(installations).where(
        installations.c.fingerprint == signer)).first()
    if row is None or row.status != Status.APPROVED or row.role is None \
            or Role(row.role) not in ERASERS or not _may_see(row, record.trainee):
        raise _error(403, "the erasure record is not signed by an admin or PPC member whose "
                          "scope includes this trainee; nothing was dropped")
    digest = hashlib.sha256(record.record.statement).hexdigest()
    held = conn.execute(select(erasures).where(erasures.c.digest == digest)).first()
    if held is not None:
        return _describe(held)
    conn.execute(select(func.pg_advisory_xact_lock(_lock_key(record.trainee))))
    held = conn.execute(select(erasures).where(erasures.c.digest == digest)).first()
    if held is not None:  # the same record, sent twice at once
        return _describe(held)
    dropped_routes = conn.execute(routes.delete().where(
        routes.c.trainee == record.trainee)).rowcount
    dropped_objects = conn.execute(objects.delete().where(
        objects.c.trainee == record.trainee)).rowcount
    kept = conn.execute(insert(erasures).values(
        digest=digest, trainee=record.trainee, signer=signer,
        statement=record.record.statement, signature=record.record.signature,
        erased_at=record.erased_at, received_at=datetime.now(UTC),
        objects_dropped=dropped_objects, routes_dropped=dropped_routes,
    ).returning(*erasures.c)).one()
    return _describe(kept)


def _describe(row: Any) -> dict[str, Any]:
    return {"seq": row.seq, "trainee": row.trainee, "signer": row.signer,
            "statement": b64(bytes(row.statement)), "signature": b64(bytes(row.signature)),
            "objects_dropped": row.objects_dropped, "routes_dropped": row.routes_dropped}


def listing(conn: Connection, caller: Caller, after: int) -> dict[str, Any]:
    """Every kept erasure record after ``after``: to every approved member, whatever its
    scope (a record names only an id; a laptop that holds the person applies it)."""
    if caller.row is None or caller.row.status != Status.APPROVED:
        raise _error(403, "only an approved member may read erasure records")
    rows = conn.execute(select(erasures).where(erasures.c.seq > after)
                        .order_by(erasures.c.seq).limit(MAX_LIST + 1)).all()
    more = len(rows) > MAX_LIST
    rows = rows[:MAX_LIST]
    return {"items": [_describe(r) for r in rows],
            "next": rows[-1].seq if rows else after, "more": more}

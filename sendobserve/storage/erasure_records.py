"""The signed erasure records a store holds, and who may erase here.

An erasure made here is signed by this installation (``pki.control.ErasureRecord``)
and kept by the mediator's id only, so that every export carries it, the hub relays it, and
a later file that still carries the person is refused. A record from elsewhere is applied
only when ``erasure_allowed`` says its signer may erase here:

- this installation itself;
- an installation the provider named here as allowed to erase (an admin or PPC laptop:
  ``sendobserve identity --allow-erasure FINGERPRINT``), the fingerprint compared aloud
  like any other;
- when the store is linked to the organisation's hub, one of the admins pinned when
  joining, or a member whose admin or PPC role an admin-signed approval vouches for
  (``vouched``: the hub client checks the approvals against the pinned admins).

A trainee's or an observer's own laptop is never enough: erasure is the provider's decision
as controller, and a lost laptop must not be able to erase a record everywhere. A revoked
installation may not erase from the moment it was revoked.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendobserve.model.domain import utcnow
from sendobserve.pki.control import ControlRecord, ErasureRecord
from sendobserve.pki.identity import Identity, normalise_fingerprint
from sendobserve.storage import exchange as stored
from sendobserve.storage.hub_sync import HubLinkRecord
from sendobserve.storage.privacy_log import TO_FINISH, ErasureAuthorityRecord, ErasureRecordRow


def record_digest(record: ErasureRecord) -> str:
    return hashlib.sha256(record.record.statement).hexdigest()


def own_identity(session: Session) -> Identity:
    from sendobserve.pki.identity import load_or_create_identity

    return load_or_create_identity(stored.StoredSigningKey(session))


def _row_to_record(row: ErasureRecordRow) -> ErasureRecord:
    return ErasureRecord.read(ControlRecord(bytes(row.statement), bytes(row.signature)))


def held_erasures(session: Session) -> tuple[ErasureRecord, ...]:
    """Every erasure record held here, oldest first (what an export carries)."""
    rows = session.scalars(select(ErasureRecordRow).order_by(
        ErasureRecordRow.erased_at, ErasureRecordRow.digest))
    return tuple(_row_to_record(r) for r in rows)


def erased_subjects(session: Session) -> dict[uuid.UUID, datetime]:
    """Mediator id -> the earliest erasure of them held here."""
    out: dict[uuid.UUID, datetime] = {}
    for row in session.scalars(select(ErasureRecordRow)):
        subject = uuid.UUID(hex=row.subject_id)
        if subject not in out or row.erased_at < out[subject]:
            out[subject] = row.erased_at
    return out


def is_held(session: Session, record: ErasureRecord) -> bool:
    return session.get(ErasureRecordRow, record_digest(record)) is not None


def hold(session: Session, record: ErasureRecord, *, received_from: str | None,
         completed: bool = False) -> bool:
    """Keep ``record`` (in the caller's transaction); False if it was already held."""
    if is_held(session, record):
        return False
    now = utcnow()
    session.add(ErasureRecordRow(
        digest=record_digest(record), subject_id=record.subject.hex,
        erased_at=record.erased_at, certificates=record.certificates,
        signer_fingerprint=record.fingerprint, statement=record.record.statement,
        signature=record.record.signature, received_from=received_from, recorded_at=now,
        completed_at=now if completed else None, sent_to_hub_at=None))
    session.flush()
    return True


def incomplete(session: Session) -> tuple[ErasureRecord, ...]:
    """Erasures held whose log truncation and backup rewrite are still to do."""
    rows = session.scalars(select(ErasureRecordRow).where(TO_FINISH)
                           .order_by(ErasureRecordRow.erased_at))
    return tuple(_row_to_record(r) for r in rows)


def mark_complete(session: Session, record: ErasureRecord) -> None:
    row = session.get(ErasureRecordRow, record_digest(record))
    if row is not None and row.completed_at is None:
        row.completed_at = utcnow()


def not_sent_to_hub(session: Session) -> tuple[ErasureRecord, ...]:
    rows = session.scalars(select(ErasureRecordRow).where(
        ErasureRecordRow.sent_to_hub_at.is_(None)).order_by(ErasureRecordRow.erased_at))
    return tuple(_row_to_record(r) for r in rows)


def received_from(session: Session, record: ErasureRecord) -> str | None:
    """The fingerprint of the file or hub member it came from; None: made here."""
    row = session.get(ErasureRecordRow, record_digest(record))
    return None if row is None else row.received_from


def mark_sent_to_hub(session: Session, record: ErasureRecord) -> None:
    row = session.get(ErasureRecordRow, record_digest(record))
    if row is not None:
        row.sent_to_hub_at = utcnow()


# --- who may erase here ---------------------------------------------------------------------


def authorities(session: Session) -> dict[str, tuple[str, datetime]]:
    """Fingerprint -> (who named it, when), for the installations allowed to erase here."""
    return {r.fingerprint: (r.named_by, r.named_at)
            for r in session.scalars(select(ErasureAuthorityRecord))}


def allow(session: Session, fingerprint_text: str, *, named_by: str) -> str:
    """Name an installation as allowed to erase here; the canonical fingerprint."""
    fp = normalise_fingerprint(fingerprint_text)
    if len(fp.replace(" ", "")) != 32:
        raise ValueError("a fingerprint has 32 letters and digits (eight groups of four)")
    if session.get(ErasureAuthorityRecord, fp) is None:
        session.add(ErasureAuthorityRecord(fingerprint=fp, named_by=named_by.strip(),
                                           named_at=utcnow()))
    return fp


def disallow(session: Session, fingerprint_text: str) -> bool:
    row = session.get(ErasureAuthorityRecord, normalise_fingerprint(fingerprint_text))
    if row is None:
        return False
    session.delete(row)
    return True


def _hub_admins(session: Session) -> set[str]:
    link = session.get(HubLinkRecord, 1)
    if link is None:
        return set()
    return {normalise_fingerprint(fp) for fp in json.loads(link.trusted_admins)}


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    reason: str  # why, in one sentence (shown in the import preview)


def erasure_allowed(session: Session, record: ErasureRecord, *,
                    vouched: Collection[str] = ()) -> Verdict:
    """Whether this store applies ``record`` (already verified as signed by its key).

    ``vouched``: fingerprints (any spacing) the hub directory shows as admin or PPC members,
    each approval checked against the admins pinned here.
    """
    fp = record.fingerprint
    revoked = stored.revocations(session).get(fp)
    if revoked is not None and record.erased_at >= revoked.revoked_from:
        return Verdict(False, f"installation {fp} was revoked from "
                              f"{revoked.revoked_from:%Y-%m-%d %H:%M} UTC")
    own = stored.StoredSigningKey(session).load_signing_key()
    if own is not None and Identity.from_private_bytes(own).public_key == record.public_key:
        return Verdict(True, "made by this installation")
    if fp in authorities(session):
        return Verdict(True, f"installation {fp} is allowed to erase here")
    if fp in _hub_admins(session):
        return Verdict(True, f"installation {fp} is an admin of the organisation's hub")
    if fp in {normalise_fingerprint(v) for v in vouched}:
        return Verdict(True, f"installation {fp} is an admin or PPC member of the hub")
    return Verdict(False, f"installation {fp} is not allowed to erase here")

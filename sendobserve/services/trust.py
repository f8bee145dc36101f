"""Trust between installations, for the app: the known signers (with revocations), the
records kept in conflict from imports, and a merged version written by a person (keeping
one version is ``services.exchange.decide_conflict``, which the Conflicts screen and
``sendobserve conflicts`` share). Qt-free; each write returns ``Changes``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sendobserve.errors import UserError
from sendobserve.services.changes import Changes

if TYPE_CHECKING:
    from sendobserve.exchange.conflicts import RecordConflict
    from sendobserve.services import Sessions


@dataclass(frozen=True, slots=True)
class SignerLine:
    name: str
    fingerprint: str  # eight groups of four, as read aloud
    first_seen_at: datetime
    last_import_at: datetime
    revoked_from: datetime | None = None
    revoked_reason: str = ""
    revoked_by: str = ""
    this_installation: bool = False


def signers(store: Sessions) -> list[SignerLine]:
    from sendobserve.pki.identity import load_or_create_identity
    from sendobserve.storage import exchange as stored

    with store.session() as session:
        own = load_or_create_identity(stored.StoredSigningKey(session)).fingerprint
        revoked = stored.revocations(session)
        out = []
        for s in stored.known_signers(session):
            r = revoked.get(s.fingerprint)
            out.append(SignerLine(s.name, s.fingerprint, s.first_seen_at, s.last_seen_at,
                                  r.revoked_from if r else None, r.reason if r else "",
                                  r.decided_by if r else "", s.fingerprint == own))
    return out


def revoke(store: Sessions, fingerprint: str, *, revoked_from: datetime, reason: str,
           decided_by: str) -> Changes:
    """Revoke a known signer's installation (a lost laptop) from ``revoked_from``."""
    from sendobserve.model.domain import utcnow
    from sendobserve.pki.identity import (
        Revocation,
        load_or_create_identity,
        normalise_fingerprint,
    )
    from sendobserve.storage import exchange as stored

    if not reason.strip():
        raise UserError("Say why the installation is revoked (a lost laptop, say).")
    if not decided_by.strip():
        raise UserError("Say who decides to revoke it.")
    if revoked_from.tzinfo is None:
        raise UserError("The time a revocation starts needs its time zone.")
    with store.session() as session:
        identity = load_or_create_identity(stored.StoredSigningKey(session))
        wanted = normalise_fingerprint(fingerprint)
        signer = stored.known_signer(session, wanted)
        if signer is None:
            raise UserError(f"No known signer has the fingerprint {wanted}; nothing was "
                            "revoked.")
        if signer.public_key == identity.public_key:
            raise UserError("This installation cannot revoke its own key.")
        stored.record_revocation(session, Revocation(
            signer.public_key, revoked_from, reason.strip(), decided_by.strip()),
            recorded_by=identity.fingerprint, at=utcnow())
    return Changes(trust=True)


def record_conflicts(store: Sessions) -> tuple[RecordConflict, ...]:
    from sendobserve.exchange.conflicts import list_record_conflicts

    with store.session() as session:
        return list_record_conflicts(session)


def decide_merged(store: Sessions, kind: str, record_id: uuid.UUID, *,
                  from_kept: frozenset[str], decided_by: str, reason: str) -> Changes:
    """Write a merged version of a record in conflict: the version held here with the
    fields named in ``from_kept`` taken from the one kept from a file. It becomes current,
    checked by the same rules as an entry typed here, and both earlier versions join its
    history; the decision (who, in a role that may decide, and why) is signed by this
    installation and travels (``exchange.decide``), so every store settles the conflict
    the same way."""
    import json

    from sendobserve.exchange.conflicts import _decode_kept
    from sendobserve.exchange.decide import decide_record
    from sendobserve.exchange.logs import record_json
    from sendobserve.model.validation import validate_record, validate_required_text
    from sendobserve.storage import exchange as stored

    validate_required_text(decided_by, label="Who decides", field="decided_by")
    validate_required_text(reason, label="The reason for the decision", field="reason")
    if not from_kept:
        raise UserError("Choose at least one field from the other version, or keep one "
                        "version as it is.")
    with store.session() as session:
        current = stored.versioned_by_id(session, kind, [record_id]).get(record_id)
        kept = [r for r in stored.kept_record_versions(session)
                if r.kind == kind and r.record_id == record_id]
        if current is None or len(kept) != 1:
            raise UserError("A merged version can be written when exactly two versions are "
                            "kept; keep one of them instead.")
        ours, theirs = record_json(current), json.loads(kept[0].version)
        unknown = sorted(from_kept - (set(theirs) - {"id", "mediator_id"}))
        if unknown:
            raise UserError(f"{unknown[0]!r} cannot be taken from the other version.")
        merged = _decode_kept(kind, {**ours, **{f: theirs[f] for f in from_kept}}, current)
        validate_record(merged)
        decide_record(session, kind, record_id, keep="merged", merged=record_json(merged),
                      decided_by=decided_by, reason=reason)
    owner = getattr(merged, "mediator_id", None) or getattr(merged, "id", None)
    return Changes(trust=True, record=True, people=kind == "mediator",
                   mediators=frozenset({owner}) if isinstance(owner, uuid.UUID)
                   else frozenset())

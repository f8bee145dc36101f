"""What the store keeps of the exchange's control records (migration 0014_exchange_controls):
signed tombstones of deleted records, people's signed decisions on conflicts, a
certificate issued elsewhere that differs from the one held (kept, never overwritten),
and what was sent to whom (the "changed since the last export to" scope).

Deleting a record that has travelled (its versions are in ``record_versions``) leaves a
tombstone signed by this installation (``note_deletion``, called by the repositories in
the same transaction as the delete), so the deletion travels too. Removing an evidence
file that has travelled does the same (``note_evidence_removal``): its tombstone names the
file's id and content (an evidence file is never edited, so nothing can conflict with it).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    delete,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from sendobserve.model.domain import ObserverRole, Versioned, utcnow
from sendobserve.pki.controls import Decision, IssuedCertificate, Tombstone
from sendobserve.storage.base import GUID, Base, ISODate, UTCDateTime


class RecordTombstoneRecord(Base):
    """A record deleted here or elsewhere, signed by the installation that deleted it."""

    __tablename__ = "record_tombstones"
    __table_args__ = (
        CheckConstraint("length(public_key) = 32", name="public_key_length"),
        CheckConstraint("length(signature) = 64", name="signature_length"),
    )

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"))
    base: Mapped[str] = mapped_column(String(64))
    history: Mapped[str] = mapped_column(String())  # space-separated digests
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_by: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary())
    signature: Mapped[bytes] = mapped_column(LargeBinary())
    # Whether it has travelled (received, or carried by a file written here): until then,
    # putting the record back (an undo) simply withdraws it.
    sent: Mapped[bool] = mapped_column(Boolean())


class ExchangeDecisionRecord(Base):
    """A person's decision on a conflict, signed by the installation where it was taken."""

    __tablename__ = "exchange_decisions"
    __table_args__ = (
        CheckConstraint("length(public_key) = 32", name="public_key_length"),
        CheckConstraint("length(signature) = 64", name="signature_length"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID] = mapped_column(GUID())
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"))
    chosen: Mapped[str] = mapped_column(String(64))
    version: Mapped[bytes | None] = mapped_column(LargeBinary(), nullable=True)
    retired: Mapped[str] = mapped_column(String())  # space-separated digests
    reason: Mapped[str] = mapped_column(String())
    decided_by: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    experienced: Mapped[bool] = mapped_column(Boolean())
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    public_key: Mapped[bytes] = mapped_column(LargeBinary())
    signature: Mapped[bytes] = mapped_column(LargeBinary())


class CertificateConflictRecord(Base):
    """A certificate issued elsewhere for a mediator and form that already has another
    here: kept beside it, never overwritten, listed as a conflict."""

    __tablename__ = "certificate_conflicts"

    serial: Mapped[str] = mapped_column(String(32), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(39), primary_key=True)  # as ``certificates``
    form_number: Mapped[int] = mapped_column(Integer())
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"))
    signer_id: Mapped[uuid.UUID | None] = mapped_column(GUID(), nullable=True)
    signer_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(ISODate())
    verification_code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    edition: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signer_drawing: Mapped[bytes | None] = mapped_column(LargeBinary(), nullable=True)
    mediator_drawing: Mapped[bytes | None] = mapped_column(LargeBinary(), nullable=True)
    # A person's signed decision chose another certificate for this mediator and form:
    # this one is settled, kept as superseded by it (migration 0021_certificate_decisions).
    superseded_by: Mapped[uuid.UUID | None] = mapped_column(GUID(), nullable=True)


class ExchangeSentRecord(Base):
    """A version of a record sent to a person (by the name given at export)."""

    __tablename__ = "exchange_sent"

    recipient: Mapped[str] = mapped_column(String(200), primary_key=True)  # folded name
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


CONTROL_TABLES: tuple[str, ...] = ("record_tombstones", "exchange_decisions",
                                   "certificate_conflicts", "exchange_sent")


# ---------------------------------------------------------------------------------------
# Tombstones


def _tombstone(r: RecordTombstoneRecord) -> Tombstone:
    return Tombstone(r.kind, r.record_id, r.mediator_id, r.base,
                     tuple(r.history.split()), r.deleted_at, r.deleted_by,
                     bytes(r.public_key), bytes(r.signature))


def tombstones(session: Session, *, mediator_id: uuid.UUID | None = None,
               keys: Collection[tuple[str, uuid.UUID]] | None = None
               ) -> dict[tuple[str, uuid.UUID], Tombstone]:
    stmt = select(RecordTombstoneRecord)
    if mediator_id is not None:
        stmt = stmt.where(RecordTombstoneRecord.mediator_id == mediator_id)
    if keys is not None:
        stmt = stmt.where(RecordTombstoneRecord.record_id.in_([rid for _k, rid in keys]))
    out = {(r.kind, r.record_id): _tombstone(r) for r in session.scalars(stmt)}
    return out if keys is None else {k: v for k, v in out.items() if k in set(keys)}


def keep_tombstone(session: Session, t: Tombstone, *, sent: bool = True) -> bool:
    """Keep ``t``; for one record the earliest tombstone wins (order-independent). True if
    this changed what is kept."""
    row = session.get(RecordTombstoneRecord, (t.kind, t.record_id))
    if row is not None and _tombstone(row).order_key() <= t.order_key():
        return False
    if row is not None:
        session.delete(row)
        session.flush()
    session.add(RecordTombstoneRecord(
        kind=t.kind, record_id=t.record_id, mediator_id=t.mediator_id, base=t.base,
        history=" ".join(t.history), deleted_at=t.deleted_at, deleted_by=t.deleted_by,
        public_key=t.public_key, signature=t.signature, sent=sent))
    session.flush()
    return True


def mark_tombstones_sent(session: Session, keys: Iterable[tuple[str, uuid.UUID]]) -> None:
    for kind, rid in keys:
        row = session.get(RecordTombstoneRecord, (kind, rid))
        if row is not None and not row.sent:
            row.sent = True
    session.flush()


def note_restored(session: Session, kind: str, record_id: uuid.UUID) -> None:
    """A record put back here with the id of one deleted here (an undo): the tombstone this
    installation signed is withdrawn while no file has carried it. Once one has, it stays:
    the record and its tombstone are then a visible conflict for a person to decide."""
    row = session.get(RecordTombstoneRecord, (kind, record_id))
    if row is not None and not row.sent:
        session.delete(row)
        session.flush()


def tombstone_sent(session: Session, kind: str, record_id: uuid.UUID) -> bool:
    """Whether the tombstone held for the record has travelled (None held: False)."""
    row = session.get(RecordTombstoneRecord, (kind, record_id))
    return row is not None and bool(row.sent)


def drop_tombstone(session: Session, kind: str, record_id: uuid.UUID) -> None:
    session.execute(delete(RecordTombstoneRecord).where(
        RecordTombstoneRecord.kind == kind, RecordTombstoneRecord.record_id == record_id))
    session.flush()


def note_deletion(session: Session, kind: str, record: object) -> None:
    """Called with a record just deleted here: if it has travelled, sign a tombstone."""
    from sendobserve.pki.identity import load_or_create_identity
    from sendobserve.pki.versions import record_digest
    from sendobserve.storage import exchange as stored

    rid = getattr(record, "id")  # noqa: B009 - any versioned record
    versions = stored.record_histories(session, [(kind, rid)]).get((kind, rid))
    if not versions:
        return  # never left or entered this store: nobody else holds it
    assert isinstance(record, Versioned)
    digest = record_digest(record)
    identity = load_or_create_identity(stored.StoredSigningKey(session))
    mediator_id = getattr(record, "mediator_id")  # noqa: B009
    t = Tombstone(kind, rid, mediator_id, digest, tuple(sorted(versions - {digest})),
                  utcnow(), stored.identity_name(session) or "this installation"
                  ).signed(identity)
    drop_tombstone(session, kind, rid)
    keep_tombstone(session, t, sent=False)
    stored.drop_record_conflicts(session, kind, rid)


def evidence_travelled(session: Session, evidence_id: uuid.UUID, entry_kind: str,
                       entry_id: uuid.UUID) -> bool:
    """Whether an evidence file may be held elsewhere: it left or entered this store
    (``record_versions`` kind ``evidence``), or its entry did (a file travels only with its
    entry, and files that travelled before they were remembered are covered by it)."""
    from sendobserve.pki.controls import EVIDENCE
    from sendobserve.storage import exchange as stored

    return bool(stored.record_histories(session, [(EVIDENCE, evidence_id),
                                                  (entry_kind, entry_id)]))


def note_evidence_removal(session: Session, *, evidence_id: uuid.UUID,
                          mediator_id: uuid.UUID, sha256: str, entry_kind: str,
                          entry_id: uuid.UUID) -> Tombstone | None:
    """Called with an evidence file just removed here: if it may be held elsewhere, sign a
    tombstone (base: the content's SHA-256), in the removal's transaction, so the removal
    travels and no file still carrying it brings it back. The tombstone, or None."""
    from sendobserve.pki.controls import EVIDENCE
    from sendobserve.pki.identity import load_or_create_identity
    from sendobserve.storage import exchange as stored

    if not evidence_travelled(session, evidence_id, entry_kind, entry_id):
        return None
    identity = load_or_create_identity(stored.StoredSigningKey(session))
    t = Tombstone(EVIDENCE, evidence_id, mediator_id, sha256, (), utcnow(),
                  stored.identity_name(session) or "this installation").signed(identity)
    drop_tombstone(session, EVIDENCE, evidence_id)
    keep_tombstone(session, t, sent=False)
    return t


# ---------------------------------------------------------------------------------------
# Decisions


def _decision(r: ExchangeDecisionRecord) -> Decision:
    return Decision(r.id, r.kind, r.record_id, r.mediator_id, r.chosen,
                    None if r.version is None else json.loads(r.version),
                    tuple(r.retired.split()), r.reason, r.decided_by, ObserverRole(r.role),
                    r.experienced, r.decided_at, bytes(r.public_key), bytes(r.signature))


def decisions(session: Session, *, mediator_id: uuid.UUID | None = None
              ) -> tuple[Decision, ...]:
    """Kept decisions, oldest first (ties by id: the same order on every store)."""
    stmt = select(ExchangeDecisionRecord)
    if mediator_id is not None:
        stmt = stmt.where(ExchangeDecisionRecord.mediator_id == mediator_id)
    return tuple(sorted((_decision(r) for r in session.scalars(stmt)),
                        key=lambda d: (d.decided_at, d.id.hex)))


def keep_decision(session: Session, d: Decision) -> bool:
    from sendobserve.pki.canonical import canonical_json

    if session.get(ExchangeDecisionRecord, d.id) is not None:
        return False
    session.add(ExchangeDecisionRecord(
        id=d.id, kind=d.kind, record_id=d.record_id, mediator_id=d.mediator_id,
        chosen=d.chosen, version=None if d.version is None else canonical_json(d.version),
        retired=" ".join(d.retired), reason=d.reason, decided_by=d.decided_by,
        role=d.role.value, experienced=d.experienced, decided_at=d.decided_at,
        public_key=d.public_key, signature=d.signature))
    session.flush()
    return True


# ---------------------------------------------------------------------------------------
# Certificates


def _certificate(r: Any) -> IssuedCertificate:
    """A ``certificates`` or ``certificate_conflicts`` row as it travels."""
    return IssuedCertificate(
        r.serial, r.form_number, r.mediator_id, r.signer_id, r.signer_name, r.issued_on,
        r.verification_code, r.created_at, r.edition, r.signer_drawing, r.mediator_drawing,
        r.issuer)


def certificates_of(session: Session, mediator_id: uuid.UUID) -> tuple[IssuedCertificate, ...]:
    """Every certificate held for ``mediator_id``: the issued ones, by serial and issuer."""
    from sendobserve.storage.certificates import CertificateRecord

    rows = session.scalars(select(CertificateRecord).where(
        CertificateRecord.mediator_id == mediator_id).order_by(CertificateRecord.serial,
                                                               CertificateRecord.issuer))
    return tuple(_certificate(r) for r in rows)


def kept_certificates(session: Session, mediator_id: uuid.UUID | None = None
                      ) -> tuple[IssuedCertificate, ...]:
    stmt = select(CertificateConflictRecord).order_by(CertificateConflictRecord.serial,
                                                      CertificateConflictRecord.issuer)
    if mediator_id is not None:
        stmt = stmt.where(CertificateConflictRecord.mediator_id == mediator_id)
    return tuple(_certificate(r) for r in session.scalars(stmt))


def certificate_action(session: Session, c: IssuedCertificate) -> str:
    """What ``store_certificate`` would do, reading only: "added" (none held for that
    mediator and form), "already_here" (this certificate is held, current or kept: the
    same serial, mediator, form and code, from the same issuer or one not known),
    "issuer" (held, its issuer not recorded here: the file says who issued it), "conflict"
    (another is held for them: this one is kept beside it), or "clash" (its serial and
    issuer name another certificate here: it cannot be kept, and is reported).
    Another installation's certificate with a serial also used here is simply another
    certificate: serials are counted per issuer."""
    from sendobserve.storage.certificates import CertificateRecord

    for table in (CertificateRecord, CertificateConflictRecord):
        rows = session.scalars(select(table).where(table.serial == c.serial))
        held = [_certificate(r) for r in rows]
        same = [h for h in held if h.same_certificate(c)]
        if same:
            return "issuer" if c.issuer and not same[0].issuer else "already_here"
        if any(h.issuer == c.issuer for h in held):
            return "clash"
    held_one = session.scalars(select(CertificateRecord.serial).where(
        CertificateRecord.mediator_id == c.mediator_id,
        CertificateRecord.form_number == c.form_number).limit(1)).first()
    return "added" if held_one is None else "conflict"


def store_certificate(session: Session, c: IssuedCertificate) -> str:
    """Take a certificate issued elsewhere (see ``certificate_action``); never overwrites."""
    from sendobserve.storage.certificates import CertificateRecord

    action = certificate_action(session, c)
    values = dict(serial=c.serial, issuer=c.issuer, form_number=c.form_number,
                  mediator_id=c.mediator_id, signer_id=c.signer_id,
                  signer_name=c.signer_name, issued_on=c.issued_on,
                  verification_code=c.verification_code, created_at=c.created_at,
                  edition=c.edition, signer_drawing=c.signer_drawing,
                  mediator_drawing=c.mediator_drawing)
    if action == "added":
        session.add(CertificateRecord(**values))
    elif action == "conflict":
        session.add(CertificateConflictRecord(**values))
    elif action == "issuer":
        _record_issuer(session, c)
    session.flush()
    return action


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    """A certificate held here for a mediator and form: the one that stands (in
    ``certificates``, not superseded), one kept beside it from a file (``kept``), or one
    a person's decision superseded (``superseded_by``, the decision's id)."""

    certificate: IssuedCertificate
    kept: bool  # held in ``certificate_conflicts`` (arrived while another was held)
    superseded_by: uuid.UUID | None

    @property
    def stands(self) -> bool:
        return not self.kept and self.superseded_by is None


def _held(r: Any, kept: bool) -> HeldCertificate:
    return HeldCertificate(_certificate(r), kept, r.superseded_by)


def held_certificates(session: Session, mediator_id: uuid.UUID,
                      form_number: int | None = None) -> tuple[HeldCertificate, ...]:
    """Every certificate held for the mediator (and form): the ones in ``certificates``
    first (the one that stands before those superseded, then by issue), then those kept."""
    from sendobserve.storage.certificates import CertificateRecord

    out = []
    for table, kept in ((CertificateRecord, False), (CertificateConflictRecord, True)):
        stmt = select(table).where(table.mediator_id == mediator_id)
        if form_number is not None:
            stmt = stmt.where(table.form_number == form_number)
        out += [_held(r, kept) for r in session.scalars(stmt)]
    return tuple(sorted(out, key=lambda h: (h.kept, h.superseded_by is not None,
                                            h.certificate.form_number,
                                            h.certificate.created_at, h.certificate.serial,
                                            h.certificate.issuer)))


def set_certificate_standing(session: Session, serial: str, issuer: str, *, stands: bool,
                             superseded_by: uuid.UUID | None) -> None:
    """Mark a held certificate: the one that stands (a kept one moves into
    ``certificates``, where a re-print finds it), or superseded by a decision, or (a kept
    one, ``superseded_by=None``) still in conflict. Nothing is ever deleted."""
    from sendobserve.storage.certificates import CertificateRecord
    from sendobserve.storage.records import ObserverRecord

    row = session.get(CertificateRecord, (serial, issuer))
    kept = session.get(CertificateConflictRecord, (serial, issuer))
    if stands and row is None and kept is not None:
        signer = kept.signer_id
        if signer is not None and session.get(ObserverRecord, signer) is None:
            signer = None  # its signer is not held here: the name on it still says who
        row = CertificateRecord(
            serial=kept.serial, issuer=kept.issuer, form_number=kept.form_number,
            mediator_id=kept.mediator_id,
            signer_id=signer, signer_name=kept.signer_name, issued_on=kept.issued_on,
            verification_code=kept.verification_code, created_at=kept.created_at,
            edition=kept.edition, signer_drawing=kept.signer_drawing,
            mediator_drawing=kept.mediator_drawing)
        session.delete(kept)
        session.flush()
        session.add(row)
        kept = None
    target = row if row is not None else kept
    if target is not None:
        target.superseded_by = None if stands else superseded_by
    session.flush()


def _record_issuer(session: Session, c: IssuedCertificate) -> None:
    """A certificate held with its issuer not recorded (received before issuers
    travelled) learns it from a file, so every store ends up naming it alike. The key
    changes: the row is copied under the new key, its prints follow, the old row goes
    (nothing else about it changes)."""
    from sendobserve.storage.certificates import CertificatePrintRecord, CertificateRecord

    for table in (CertificateRecord, CertificateConflictRecord):
        old = session.get(table, (c.serial, ""))
        if old is None or not _certificate(old).same_certificate(c):
            continue
        columns = {col.key: getattr(old, col.key) for col in table.__table__.columns}
        session.add(table(**{**columns, "issuer": c.issuer}))
        session.flush()
        if table is CertificateRecord:
            for p in session.scalars(select(CertificatePrintRecord).where(
                    CertificatePrintRecord.serial == c.serial,
                    CertificatePrintRecord.issuer == "")):
                p.issuer = c.issuer
            session.flush()
        session.delete(old)
        session.flush()
        return


# ---------------------------------------------------------------------------------------
# What was sent to whom


def sent_to(session: Session, recipient: str, mediator_id: uuid.UUID
            ) -> frozenset[tuple[str, uuid.UUID, str]]:
    rows = session.scalars(select(ExchangeSentRecord).where(
        ExchangeSentRecord.recipient == recipient,
        ExchangeSentRecord.mediator_id == mediator_id))
    return frozenset((r.kind, r.record_id, r.digest) for r in rows)


def remember_sent(session: Session, recipient: str, mediator_id: uuid.UUID,
                  items: Iterable[tuple[str, uuid.UUID, str]], at: datetime) -> None:
    held = sent_to(session, recipient, mediator_id)
    for kind, rid, digest in sorted(set(items) - held, key=lambda t: (t[0], t[1].hex, t[2])):
        session.add(ExchangeSentRecord(recipient=recipient, kind=kind, record_id=rid,
                                       digest=digest, mediator_id=mediator_id, sent_at=at))
    session.flush()

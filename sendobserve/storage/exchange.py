"""What the exchange layer keeps in the store: this installation's signing key, the
signers it has seen, kept conflicting observation versions, and a log of imports.

Also the low-level reads and writes an import needs (a whole observation version at
once, with its given ids), which the everyday repositories deliberately do not offer.
Every function takes the caller's ``Session``: an import is one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sendobserve.model.domain import (
    Amendment,
    Case,
    DebriefNote,
    LogRecord,
    Mark,
    Mediator,
    Observation,
    Observer,
    Versioned,
    utcnow,
)
from sendobserve.pki.identity import Revocation, load_or_create_identity
from sendobserve.pki.provenance import Provenance, sign_origin
from sendobserve.storage.base import GUID, Base, UTCDateTime
from sendobserve.storage.records import (
    LOG_ROWS,
    AmendmentChangeRecord,
    AmendmentRecord,
    CaseRecord,
    DebriefNoteRecord,
    FormVersionRecord,
    MarkRecord,
    MediatorRecord,
    ObservationRecord,
    ObserverRecord,
)
from sendobserve.storage.repositories import _convert
from sendobserve.storage.repositories._common import fold_name
from sendobserve.storage.repositories._convert import set_columns, to_row

# ---------------------------------------------------------------------------------------
# Tables (migration 0004_exchange)


class InstallationIdentityRecord(Base):
    """This installation's Ed25519 signing key: one row, encrypted with the store."""

    __tablename__ = "installation_identity"
    __table_args__ = (
        CheckConstraint("slot = 1", name="single_row"),
        CheckConstraint("length(private_key) = 32", name="private_key_length"),
        CheckConstraint(
            "exchange_key IS NULL OR length(exchange_key) = 32", name="exchange_key_length"
        ),
    )

    slot: Mapped[int] = mapped_column(Integer(), primary_key=True)
    private_key: Mapped[bytes] = mapped_column(LargeBinary())
    # X25519: lets others encrypt a file to this installation instead of to a passphrase.
    exchange_key: Mapped[bytes | None] = mapped_column(LargeBinary())
    # How this installation's user signs their exports ("Łucja Żak, PPC").
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExchangeSignerRecord(Base):
    """A signer whose file this store has imported: how the preview says "known"."""

    __tablename__ = "exchange_signers"
    __table_args__ = (CheckConstraint("length(public_key) = 32", name="public_key_length"),)

    fingerprint: Mapped[str] = mapped_column(String(39), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary())
    name: Mapped[str] = mapped_column(String(200))  # as they named themselves, latest
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ObservationConflictRecord(Base):
    """A whole version of an observation that lost to the current one (amended
    differently on two machines). Kept verbatim so nothing is ever dropped."""

    __tablename__ = "observation_conflicts"

    observation_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of version
    version: Mapped[bytes] = mapped_column(LargeBinary())  # canonical JSON (codec)


class ExchangeImportRecord(Base):
    """One imported file (by the SHA-256 of its payload): the import history."""

    __tablename__ = "exchange_imports"

    payload_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    signer_fingerprint: Mapped[str] = mapped_column(
        String(39), ForeignKey("exchange_signers.fingerprint")
    )
    exported_by: Mapped[str] = mapped_column(String(200))
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added: Mapped[int] = mapped_column(Integer())
    updated: Mapped[int] = mapped_column(Integer())
    conflicts: Mapped[int] = mapped_column(Integer())


class ObservationProvenanceRecord(Base):
    """The finalising installation's Ed25519 signature on an observation's origin
    (``sendobserve.pki.provenance``), made when it was finalised here or received
    with it (migration 0008_exchange_provenance)."""

    __tablename__ = "observation_provenance"
    __table_args__ = (
        CheckConstraint("length(public_key) = 32", name="public_key_length"),
        CheckConstraint("length(signature) = 64", name="signature_length"),
    )

    observation_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True
    )
    public_key: Mapped[bytes] = mapped_column(LargeBinary())
    signature: Mapped[bytes] = mapped_column(LargeBinary())


class RecordVersionRecord(Base):
    """A version (SHA-256 digest) of a training, reflection, CPD, contact, discretion or
    mediator record that this store has held and that has travelled (exported or
    imported): the history that tells an edit from a conflict (``exchange.logs``)."""

    __tablename__ = "record_versions"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)


class RecordConflictRecord(Base):
    """A version of such a record edited independently elsewhere: kept verbatim beside
    the current one, never applied, until a person decides."""

    __tablename__ = "record_conflicts"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"))
    version: Mapped[bytes] = mapped_column(LargeBinary())  # canonical JSON (logs)
    signer_fingerprint: Mapped[str] = mapped_column(String(39))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConflictDecisionRecord(Base):
    """A person's decision on a record kept in conflict: which version stays, who, why."""

    __tablename__ = "conflict_decisions"

    id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID] = mapped_column(GUID())
    chosen_digest: Mapped[str] = mapped_column(String(64))
    retired_digests: Mapped[str] = mapped_column(String())  # space-separated
    decided_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String())
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignerRevocationRecord(Base):
    """An installation's key revoked (a lost laptop): files it signed from ``revoked_from``
    on are refused; what it signed before stays, marked."""

    __tablename__ = "signer_revocations"
    __table_args__ = (CheckConstraint("length(public_key) = 32", name="public_key_length"),)

    fingerprint: Mapped[str] = mapped_column(String(39), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary())
    revoked_from: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String())
    decided_by: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(39))  # the fingerprint that signed it
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


EXCHANGE_TABLES: tuple[str, ...] = (
    "installation_identity",
    "exchange_signers",
    "observation_conflicts",
    "exchange_imports",
    "observation_provenance",
    "record_versions",
    "record_conflicts",
    "conflict_decisions",
    "signer_revocations",
)


# ---------------------------------------------------------------------------------------
# Identity


class StoredSigningKey:
    """``IdentityKeyStore`` and ``ExchangeKeyStore`` on a session: the key row is written in
    the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def load_signing_key(self) -> bytes | None:
        row = self._session.get(InstallationIdentityRecord, 1)
        return None if row is None else bytes(row.private_key)

    def save_signing_key(self, private_key: bytes) -> None:
        self._session.add(
            InstallationIdentityRecord(slot=1, private_key=private_key, created_at=utcnow())
        )
        self._session.flush()

    def load_exchange_key(self) -> bytes | None:
        row = self._session.get(InstallationIdentityRecord, 1)
        return None if row is None or row.exchange_key is None else bytes(row.exchange_key)

    def save_exchange_key(self, private_key: bytes) -> None:
        """Needs the signing identity's row (``load_or_create_identity`` first)."""
        row = self._session.get(InstallationIdentityRecord, 1)
        if row is None:
            raise LookupError("create the signing identity before the exchange key")
        row.exchange_key = private_key
        self._session.flush()


def identity_name(session: Session) -> str | None:
    row = session.get(InstallationIdentityRecord, 1)
    return None if row is None else row.name


def set_identity_name(session: Session, name: str) -> None:
    """Name the installation's signer; the identity must exist (``load_or_create``)."""
    row = session.get(InstallationIdentityRecord, 1)
    if row is None:
        raise LookupError("no identity yet")
    row.name = name
    session.flush()


# ---------------------------------------------------------------------------------------
# Signers and the import log


@dataclass(frozen=True, slots=True)
class KnownSigner:
    fingerprint: str
    public_key: bytes
    name: str
    first_seen_at: datetime
    last_seen_at: datetime


def known_signer(session: Session, fingerprint: str) -> KnownSigner | None:
    row = session.get(ExchangeSignerRecord, fingerprint)
    if row is None:
        return None
    return KnownSigner(row.fingerprint, bytes(row.public_key), row.name, row.first_seen_at,
                       row.last_seen_at)


def known_signers(session: Session) -> tuple[KnownSigner, ...]:
    rows = session.scalars(select(ExchangeSignerRecord).order_by(ExchangeSignerRecord.name))
    return tuple(KnownSigner(r.fingerprint, bytes(r.public_key), r.name, r.first_seen_at,
                             r.last_seen_at) for r in rows)


def remember_signer(session: Session, fingerprint: str, public_key: bytes, name: str,
                    at: datetime) -> None:
    row = session.get(ExchangeSignerRecord, fingerprint)
    if row is None:
        session.add(ExchangeSignerRecord(fingerprint=fingerprint, public_key=public_key,
                                         name=name, first_seen_at=at, last_seen_at=at))
    else:
        row.name = name
        row.last_seen_at = at
    session.flush()


def imported_at(session: Session, payload_sha256: str) -> datetime | None:
    row = session.get(ExchangeImportRecord, payload_sha256)
    return None if row is None else row.imported_at


def log_import(session: Session, *, payload_sha256: str, signer_fingerprint: str,
               exported_by: str, exported_at: datetime, at: datetime, added: int,
               updated: int, conflicts: int) -> None:
    row = session.get(ExchangeImportRecord, payload_sha256)
    if row is None:
        session.add(ExchangeImportRecord(
            payload_sha256=payload_sha256, signer_fingerprint=signer_fingerprint,
            exported_by=exported_by, exported_at=exported_at, imported_at=at, added=added,
            updated=updated, conflicts=conflicts))
    else:
        row.imported_at = at
        row.added, row.updated, row.conflicts = added, updated, conflicts
    session.flush()


# ---------------------------------------------------------------------------------------
# Reading what an import meets


def mediators_by_id(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Mediator]:
    rows = session.scalars(select(MediatorRecord).where(MediatorRecord.id.in_(list(ids))))
    return {r.id: _convert.mediator(r) for r in rows}


def observers_by_id(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Observer]:
    rows = session.scalars(select(ObserverRecord).where(ObserverRecord.id.in_(list(ids))))
    return {r.id: _convert.observer(r) for r in rows}


def cases_by_id(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Case]:
    rows = session.scalars(select(CaseRecord).where(CaseRecord.id.in_(list(ids))))
    return {r.id: _convert.case(r) for r in rows}


def form_digests(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    result = {}
    for form_id, version in keys:
        row = session.get(FormVersionRecord, (form_id, version))
        if row is not None:
            result[(form_id, version)] = row.sha256
    return result


@dataclass(frozen=True, slots=True)
class StoredObservation:
    """An observation as this store holds it now, with its kept conflicting versions."""

    observation: Observation
    marks: tuple[Mark, ...]
    debrief_notes: tuple[DebriefNote, ...]
    amendments: tuple[Amendment, ...]
    conflicts: tuple[bytes, ...]  # canonical JSON of each kept version


def stored_observations(
    session: Session, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, StoredObservation]:
    id_list = list(ids)
    rows = session.scalars(select(ObservationRecord).where(ObservationRecord.id.in_(id_list)))
    observations = {r.id: _convert.observation(r) for r in rows}
    if not observations:
        return {}
    found = list(observations)
    marks: dict[uuid.UUID, list[Mark]] = {}
    for m in session.scalars(select(MarkRecord).where(MarkRecord.observation_id.in_(found))):
        marks.setdefault(m.observation_id, []).append(_convert.mark(m))
    notes: dict[uuid.UUID, list[DebriefNote]] = {}
    for n in session.scalars(
        select(DebriefNoteRecord).where(DebriefNoteRecord.observation_id.in_(found))
    ):
        notes.setdefault(n.observation_id, []).append(_convert.debrief_note(n))
    changes: dict[uuid.UUID, list[AmendmentChangeRecord]] = {}
    amendment_rows = list(
        session.scalars(select(AmendmentRecord).where(AmendmentRecord.observation_id.in_(found)))
    )
    if amendment_rows:
        for c in session.scalars(select(AmendmentChangeRecord).where(
            AmendmentChangeRecord.amendment_id.in_([a.id for a in amendment_rows])
        )):
            changes.setdefault(c.amendment_id, []).append(c)
    amendments: dict[uuid.UUID, list[Amendment]] = {}
    for a in amendment_rows:
        amendments.setdefault(a.observation_id, []).append(
            _convert.amendment(a, changes.get(a.id, []))
        )
    conflicts: dict[uuid.UUID, list[bytes]] = {}
    for kept in session.scalars(select(ObservationConflictRecord).where(
        ObservationConflictRecord.observation_id.in_(found)
    ).order_by(ObservationConflictRecord.digest)):
        conflicts.setdefault(kept.observation_id, []).append(bytes(kept.version))
    return {
        oid: StoredObservation(
            observation=o,
            marks=tuple(marks.get(oid, ())),
            debrief_notes=tuple(notes.get(oid, ())),
            amendments=tuple(amendments.get(oid, ())),
            conflicts=tuple(conflicts.get(oid, ())),
        )
        for oid, o in observations.items()
    }


def amendment_owners(session: Session, ids: Collection[uuid.UUID]
                     ) -> dict[uuid.UUID, uuid.UUID]:
    """Amendment id -> the observation it belongs to here, for the ids held."""
    rows = session.execute(select(AmendmentRecord.id, AmendmentRecord.observation_id)
                           .where(AmendmentRecord.id.in_(list(ids))))
    return {aid: oid for aid, oid in rows}


def conflict_versions(session: Session, observation_id: uuid.UUID) -> tuple[bytes, ...]:
    rows = session.scalars(
        select(ObservationConflictRecord.version)
        .where(ObservationConflictRecord.observation_id == observation_id)
        .order_by(ObservationConflictRecord.digest)
    )
    return tuple(bytes(v) for v in rows)


def observations_with_conflicts(session: Session) -> tuple[uuid.UUID, ...]:
    rows = session.scalars(select(ObservationConflictRecord.observation_id).distinct())
    return tuple(rows)


# ---------------------------------------------------------------------------------------
# Writing an observation version


def _rows_as(session: Session, row_cls: Any, observation_id: uuid.UUID,
             records: Iterable[Any]) -> list[Any]:
    """Make the observation's rows of ``row_cls`` (one per item, by ``criterion_id``)
    exactly ``records``: each held row updated, a missing one added, the rest deleted.
    Returns the rows written, in the order of ``records``."""
    held = {r.criterion_id: r for r in session.scalars(
        select(row_cls).where(row_cls.observation_id == observation_id))}
    written = []
    for record in records:
        row = held.pop(record.criterion_id, None)
        if row is None:
            row = row_cls()
            session.add(row)
        set_columns(row, record)
        written.append(row)
    for stale in held.values():
        session.delete(stale)
    return written


def write_observation(
    session: Session,
    observation: Observation,
    marks: Sequence[Mark],
    debrief_notes: Sequence[DebriefNote],
    amendments: Sequence[Amendment],
) -> None:
    """Make the store's current version of ``observation`` exactly this one.

    Rows are updated in place where they exist, so a re-import rewrites nothing; an
    amendment that is not part of this version is removed here (its version is kept
    whole as a conflict by the caller before this is called).
    """
    sig = observation.signature
    row = session.get(ObservationRecord, observation.id)
    if row is None:
        row = ObservationRecord(id=observation.id)
        session.add(row)
    set_columns(row, observation, skip=("id",))
    session.flush()

    by = sig.name if sig else ""
    for mrow in _rows_as(session, MarkRecord, observation.id, marks):
        mrow.marked_by = by
    _rows_as(session, DebriefNoteRecord, observation.id, debrief_notes)

    wanted = {a.id: a for a in amendments}
    held_ids = set(session.scalars(
        select(AmendmentRecord.id).where(AmendmentRecord.observation_id == observation.id)))
    gone = held_ids - set(wanted)
    if gone:
        session.execute(delete(AmendmentChangeRecord).where(
            AmendmentChangeRecord.amendment_id.in_(list(gone))))
        session.execute(delete(AmendmentRecord).where(AmendmentRecord.id.in_(list(gone))))
    for amendment in amendments:
        if amendment.id in held_ids:
            continue  # amendments never change once made
        session.add(to_row(AmendmentRecord, replace(amendment,
                                                    observation_id=observation.id)))
        session.flush()
        for position, change in enumerate(amendment.changes):
            session.add(to_row(AmendmentChangeRecord, change, amendment_id=amendment.id,
                               position=position))
    session.flush()


def replace_conflicts(session: Session, observation_id: uuid.UUID,
                      versions: Mapping[str, bytes]) -> None:
    """Keep exactly ``versions`` (digest -> canonical JSON) as this observation's
    conflicting versions."""
    held = {r.digest: r for r in session.scalars(select(ObservationConflictRecord).where(
        ObservationConflictRecord.observation_id == observation_id))}
    for digest, row in held.items():
        if digest not in versions:
            session.delete(row)
    for digest, data in versions.items():
        if digest not in held:
            session.add(ObservationConflictRecord(observation_id=observation_id, digest=digest,
                                                  version=data))
    session.flush()


# ---------------------------------------------------------------------------------------
# Provenance: who finalised each observation


def provenance_of(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Provenance]:
    rows = session.scalars(select(ObservationProvenanceRecord).where(
        ObservationProvenanceRecord.observation_id.in_(list(ids))))
    return {r.observation_id: Provenance(r.observation_id, bytes(r.public_key),
                                         bytes(r.signature)) for r in rows}


def keep_provenance(session: Session, provenance: Provenance) -> None:
    """Record an observation's author signature; one that is already recorded never
    changes (the caller refuses a file that claims another author)."""
    if session.get(ObservationProvenanceRecord, provenance.observation_id) is None:
        session.add(ObservationProvenanceRecord(
            observation_id=provenance.observation_id, public_key=provenance.public_key,
            signature=provenance.signature))
        session.flush()


def sign_finalised(session: Session, observation_id: uuid.UUID) -> Provenance:
    """Sign a just-finalised observation's origin with this installation's key (created on
    first use), in the caller's transaction: from this moment its author travels with it."""
    held = stored_observations(session, [observation_id])[observation_id]
    identity = load_or_create_identity(StoredSigningKey(session))
    provenance = sign_origin(identity, held.observation, held.marks, held.debrief_notes,
                             held.amendments)
    keep_provenance(session, provenance)
    return provenance


# ---------------------------------------------------------------------------------------
# The rest of the record: training, reflection, CPD, contacts, discretions, mediator


_LOG_TABLES: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    **{kind: (row, _convert.LOG_READERS[kind]) for kind, row in LOG_ROWS.items()},
    "mediator": (MediatorRecord, _convert.mediator),
    "case": (CaseRecord, _convert.case),
    "observer": (ObserverRecord, _convert.observer),
}


def versioned_by_id(session: Session, kind: str, ids: Collection[uuid.UUID]
                    ) -> dict[uuid.UUID, Versioned]:
    table, convert = _LOG_TABLES[kind]
    rows = session.scalars(select(table).where(table.id.in_(list(ids))))
    return {r.id: convert(r) for r in rows}


def log_records_of(session: Session, kind: str, mediator_id: uuid.UUID
                   ) -> tuple[LogRecord, ...]:
    table, convert = _LOG_TABLES[kind]
    rows = session.scalars(select(table).where(table.mediator_id == mediator_id)
                           .order_by(table.id))
    return tuple(convert(r) for r in rows)


def record_histories(session: Session, keys: Collection[tuple[str, uuid.UUID]]
                     ) -> dict[tuple[str, uuid.UUID], frozenset[str]]:
    out: dict[tuple[str, uuid.UUID], set[str]] = {}
    by_kind: dict[str, list[uuid.UUID]] = {}
    for kind, rid in keys:
        by_kind.setdefault(kind, []).append(rid)
    for kind, ids in by_kind.items():
        for row in session.scalars(select(RecordVersionRecord).where(
                RecordVersionRecord.kind == kind, RecordVersionRecord.record_id.in_(ids))):
            out.setdefault((kind, row.record_id), set()).add(row.digest)
    return {k: frozenset(v) for k, v in out.items()}


def remember_versions(session: Session, kind: str, record_id: uuid.UUID,
                      digests: Iterable[str]) -> None:
    held = set(session.scalars(select(RecordVersionRecord.digest).where(
        RecordVersionRecord.kind == kind, RecordVersionRecord.record_id == record_id)))
    for digest in sorted(set(digests) - held):
        session.add(RecordVersionRecord(kind=kind, record_id=record_id, digest=digest))
    session.flush()


def record_conflict_digests(session: Session, keys: Collection[tuple[str, uuid.UUID]]
                            ) -> dict[tuple[str, uuid.UUID], frozenset[str]]:
    out: dict[tuple[str, uuid.UUID], set[str]] = {}
    ids = [rid for _k, rid in keys]
    for row in session.scalars(select(RecordConflictRecord).where(
            RecordConflictRecord.record_id.in_(ids))):
        if (row.kind, row.record_id) in keys:
            out.setdefault((row.kind, row.record_id), set()).add(row.digest)
    return {k: frozenset(v) for k, v in out.items()}


def keep_record_conflict(session: Session, kind: str, record: Versioned, digest: str,
                         data: bytes, signer_fingerprint: str, at: datetime, *,
                         mediator_id: uuid.UUID | None = None) -> None:
    """Keep a conflicting version; ``mediator_id`` names whose record it was found in
    (needed for an observer, who belongs to no one mediator)."""
    if session.get(RecordConflictRecord, (kind, record.id, digest)) is None:
        if mediator_id is None:
            if isinstance(record, Observer):
                raise ValueError("an observer's kept version needs the mediator_id")
            mediator_id = record.id if isinstance(record, Mediator) else record.mediator_id
        session.add(RecordConflictRecord(
            kind=kind, record_id=record.id, digest=digest, mediator_id=mediator_id,
            version=data, signer_fingerprint=signer_fingerprint, received_at=at))
        session.flush()


@dataclass(frozen=True, slots=True)
class KeptRecordVersion:
    kind: str
    record_id: uuid.UUID
    mediator_id: uuid.UUID
    digest: str
    version: bytes
    signer_fingerprint: str
    received_at: datetime


def kept_record_versions(session: Session) -> tuple[KeptRecordVersion, ...]:
    rows = session.scalars(select(RecordConflictRecord).order_by(
        RecordConflictRecord.kind, RecordConflictRecord.record_id, RecordConflictRecord.digest))
    return tuple(KeptRecordVersion(r.kind, r.record_id, r.mediator_id, r.digest,
                                   bytes(r.version), r.signer_fingerprint, r.received_at)
                 for r in rows)


def write_versioned(session: Session, kind: str, record: Versioned) -> None:
    """Make the stored row of ``record`` (of ``kind``) exactly this version (insert or
    update)."""
    table, _convert_row = _LOG_TABLES[kind]
    row = session.get(table, record.id)
    if row is None:  # a new row takes every field; an existing one keeps id and creation
        row = table(id=record.id)
        session.add(row)
        set_columns(row, record, skip=("id",))
    else:
        set_columns(row, record, skip=("id", "created_at"))
    # The columns a row has beyond its record (``_convert``): the writer's to fill.
    if hasattr(row, "name_folded"):
        row.name_folded = fold_name(record.name)  # type: ignore[union-attr]
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    session.flush()


def drop_record_conflicts(session: Session, kind: str, record_id: uuid.UUID,
                          digests: Collection[str] | None = None) -> None:
    """Forget kept versions of one record (all, or those in ``digests``)."""
    stmt = delete(RecordConflictRecord).where(RecordConflictRecord.kind == kind,
                                              RecordConflictRecord.record_id == record_id)
    if digests is not None:
        stmt = stmt.where(RecordConflictRecord.digest.in_(list(digests)))
    session.execute(stmt)
    session.flush()


def log_decision(session: Session, *, kind: str, record_id: uuid.UUID, chosen: str,
                 retired: Iterable[str], decided_by: str, reason: str, at: datetime) -> None:
    session.add(ConflictDecisionRecord(kind=kind, record_id=record_id, chosen_digest=chosen,
                                       retired_digests=" ".join(sorted(retired)),
                                       decided_by=decided_by, reason=reason, decided_at=at))
    session.flush()


# ---------------------------------------------------------------------------------------
# Revoked installations


def revocations(session: Session) -> dict[str, Revocation]:
    """Fingerprint -> revocation, for every installation revoked here."""
    rows = session.scalars(select(SignerRevocationRecord))
    return {r.fingerprint: Revocation(bytes(r.public_key), r.revoked_from, r.reason,
                                      r.decided_by) for r in rows}


def record_revocation(session: Session, revocation: Revocation, *, recorded_by: str,
                      at: datetime) -> bool:
    """Keep a revocation; an earlier ``revoked_from`` for the same key wins (the stricter
    one), so the order in which revocations arrive does not matter. True if it changed."""
    row = session.get(SignerRevocationRecord, revocation.fingerprint)
    if row is None:
        session.add(SignerRevocationRecord(
            fingerprint=revocation.fingerprint, public_key=revocation.public_key,
            revoked_from=revocation.revoked_from, reason=revocation.reason,
            decided_by=revocation.decided_by, recorded_by=recorded_by, recorded_at=at))
    elif revocation.revoked_from < row.revoked_from:
        row.revoked_from = revocation.revoked_from
        row.reason, row.decided_by, row.recorded_by = (revocation.reason,
                                                       revocation.decided_by, recorded_by)
    else:
        return False
    session.flush()
    return True

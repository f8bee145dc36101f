"""Evidence files in the store (migration ``0015_evidence_files``): one row per attached
file, its content inside the encrypted store like every other record.

A row points at exactly one training, CPD or case entry by a foreign key with ``ON DELETE
CASCADE``: the file goes with its entry, whoever deletes it (retention, erasure, a
discarded entry), and the erasure walk (``storage.erasure``) reaches it from the mediator
through that entry. It names no mediator itself: the entry says whose it is, so the two
can never disagree. The rules never read evidence files, so no panel verdict depends on
them (no stale-flag triggers). What a file may be is ``model.evidence``.

Every function takes the caller's ``Session``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    delete,
    func,
    select,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, undefer

from sendobserve.model.evidence import (
    MAX_FILE_BYTES,
    MEDIA_TYPES,
    EntryKind,
    EvidenceFile,
    EvidenceKind,
)
from sendobserve.storage.base import GUID, Base, UTCDateTime
from sendobserve.storage.records import CaseRecord, CpdRecord, TrainingRecord, enum_check, one_of


class EvidenceRecord(Base):
    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint(
            "(training_id IS NOT NULL) + (cpd_id IS NOT NULL) + (case_id IS NOT NULL) = 1",
            name="one_entry"),
        enum_check("kind", EvidenceKind),
        CheckConstraint(one_of("media_type", MEDIA_TYPES), name="media_type"),
        CheckConstraint(f"size >= 1 AND size <= {MAX_FILE_BYTES}", name="size_limit"),
        CheckConstraint("length(content) = size", name="size_matches"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        # The files of one entry (the record editor, the portfolio, an export).
        Index("ix_evidence_files_training_id", "training_id"),
        Index("ix_evidence_files_cpd_id", "cpd_id"),
        Index("ix_evidence_files_case_id", "case_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    training_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID(), ForeignKey("training.id", ondelete="CASCADE"))
    cpd_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID(), ForeignKey("cpd.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID(), ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer())
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary(), deferred=True)  # read when asked
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(200))


_ENTRY_TABLES: dict[EntryKind, Any] = {EntryKind.TRAINING: TrainingRecord, EntryKind.CPD: CpdRecord,
                 EntryKind.CASE: CaseRecord}
_COLUMN = {EntryKind.TRAINING: "training_id", EntryKind.CPD: "cpd_id",
           EntryKind.CASE: "case_id"}


def entry_owner(session: Session, entry_kind: EntryKind, entry_id: uuid.UUID
                ) -> uuid.UUID | None:
    """The mediator whose training, CPD or case entry ``entry_id`` is; None if not held."""
    table = _ENTRY_TABLES[entry_kind]
    owner: uuid.UUID | None = session.scalar(
        select(table.mediator_id).where(table.id == entry_id))
    return owner


def _entry_of(row: EvidenceRecord) -> tuple[EntryKind, uuid.UUID]:
    for kind, column in _COLUMN.items():
        value = getattr(row, column)
        if value is not None:
            return kind, value
    raise AssertionError("the one_entry constraint holds")  # pragma: no cover


def _owners(mediator_id: uuid.UUID | None = None) -> Any:
    """(evidence id, mediator id) for every file, through its entry (optionally one
    mediator's)."""
    parts = []
    for kind, table in _ENTRY_TABLES.items():
        column = getattr(EvidenceRecord, _COLUMN[kind])
        q = select(EvidenceRecord.id.label("evidence_id"),
                   table.mediator_id.label("mediator_id")).join(table, table.id == column)
        if mediator_id is not None:
            q = q.where(table.mediator_id == mediator_id)
        parts.append(q)
    return union_all(*parts).subquery()


def _domain(row: EvidenceRecord, mediator_id: uuid.UUID) -> EvidenceFile:
    entry_kind, entry_id = _entry_of(row)
    return EvidenceFile(
        id=row.id, mediator_id=mediator_id, entry_kind=entry_kind, entry_id=entry_id,
        kind=EvidenceKind(row.kind), name=row.name, media_type=row.media_type, size=row.size,
        sha256=row.sha256, added_at=row.added_at, added_by=row.added_by,
    )


def list_evidence(session: Session, mediator_id: uuid.UUID) -> list[EvidenceFile]:
    """One mediator's evidence files (without content), oldest first."""
    owners = _owners(mediator_id)
    rows = session.scalars(
        select(EvidenceRecord).join(owners, owners.c.evidence_id == EvidenceRecord.id)
        .order_by(EvidenceRecord.added_at, EvidenceRecord.id)).all()
    return [_domain(r, mediator_id) for r in rows]


def files_of_entries(session: Session, entries: Collection[tuple[EntryKind, uuid.UUID]]
                     ) -> list[tuple[EvidenceFile, bytes]]:
    """The files attached to ``entries`` with their content (an export)."""
    out: list[tuple[EvidenceFile, bytes]] = []
    for kind, table in _ENTRY_TABLES.items():
        ids = [entry_id for k, entry_id in entries if k is kind]
        column = getattr(EvidenceRecord, _COLUMN[kind])
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(EvidenceRecord, table.mediator_id).join(table, table.id == column)
                .options(undefer(EvidenceRecord.content))
                .where(column.in_(ids[start:start + 500]))).all()
            out.extend((_domain(row, owner), row.content) for row, owner in rows)
    return sorted(out, key=lambda pair: (pair[0].added_at, pair[0].id.hex))


def list_for_entry(session: Session, kind: EntryKind, entry_id: uuid.UUID
                   ) -> list[EvidenceFile]:
    """The files attached to one entry (without content), oldest first."""
    table = _ENTRY_TABLES[kind]
    column = getattr(EvidenceRecord, _COLUMN[kind])
    rows = session.execute(
        select(EvidenceRecord, table.mediator_id).join(table, table.id == column)
        .where(column == entry_id).order_by(EvidenceRecord.added_at, EvidenceRecord.id)).all()
    return [_domain(row, owner) for row, owner in rows]


def get_evidence(session: Session, evidence_id: uuid.UUID) -> EvidenceFile | None:
    row = session.get(EvidenceRecord, evidence_id)
    if row is None:
        return None
    entry_kind, entry_id = _entry_of(row)
    owner = entry_owner(session, entry_kind, entry_id)
    assert owner is not None  # the foreign key
    return _domain(row, owner)


def evidence_content(session: Session, evidence_id: uuid.UUID) -> bytes | None:
    content: bytes | None = session.scalar(
        select(EvidenceRecord.content).where(EvidenceRecord.id == evidence_id))
    return content


def find_evidence(session: Session, prefix: str) -> list[EvidenceFile]:
    """Files whose id starts with ``prefix`` (hex, as the CLI shows it)."""
    if not prefix or not all(c in "0123456789abcdef" for c in prefix.lower()):
        return []
    ids = session.scalars(select(EvidenceRecord.id).where(
        EvidenceRecord.id.cast(String()).like(f"{prefix.lower()}%"))).all()
    return [f for i in ids if (f := get_evidence(session, i)) is not None]


def total_size(session: Session, mediator_id: uuid.UUID) -> int:
    owners = _owners(mediator_id)
    total: int | None = session.scalar(
        select(func.sum(EvidenceRecord.size))
        .join(owners, owners.c.evidence_id == EvidenceRecord.id))
    return int(total or 0)


def held_ids(session: Session, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    listed = list(ids)
    for start in range(0, len(listed), 500):
        found.update(session.scalars(select(EvidenceRecord.id).where(
            EvidenceRecord.id.in_(listed[start:start + 500]))))
    return found


def add_evidence(session: Session, file: EvidenceFile, content: bytes) -> None:
    """Store one file (checked by the caller: ``model.evidence``)."""
    session.add(EvidenceRecord(
        id=file.id,
        training_id=file.entry_id if file.entry_kind is EntryKind.TRAINING else None,
        cpd_id=file.entry_id if file.entry_kind is EntryKind.CPD else None,
        case_id=file.entry_id if file.entry_kind is EntryKind.CASE else None,
        kind=file.kind.value, name=file.name, media_type=file.media_type, size=file.size,
        sha256=file.sha256, content=content, added_at=file.added_at, added_by=file.added_by,
    ))
    session.flush()


def remove_evidence(session: Session, evidence_id: uuid.UUID) -> bool:
    result = session.execute(delete(EvidenceRecord).where(EvidenceRecord.id == evidence_id))
    return bool(getattr(result, "rowcount", 0))


def count_for_entries(session: Session, kind: EntryKind, ids: Collection[uuid.UUID]) -> int:
    column = getattr(EvidenceRecord, _COLUMN[kind])
    listed = list(ids)
    total = 0
    for start in range(0, len(listed), 500):
        total += session.scalar(select(func.count()).select_from(EvidenceRecord)
                                .where(column.in_(listed[start:start + 500]))) or 0
    return total

"""ORM rows for every domain record. They never leave ``sendobserve.storage``.

Enums are stored as their string values under a CHECK constraint (not SQLAlchemy's
``Enum`` type) so that the hand-written migration, the metadata and the data agree
on exactly one spelling. Hours are exact decimals stored as text; a CHECK keeps
them non-negative. Every query the repositories run has an index that serves it;
the comment beside each index names that query.

Marks are current state; ``mark_events`` is their append-only history (every tick,
undo, redo and amendment, old → new), which makes undo/redo survive a restart and
keeps what a finalised observation said before it was amended.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Connection,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sendobserve.model.domain import (
    CaseKind,
    ContactKind,
    CpdKind,
    MarkState,
    ObservationState,
    ObserverRole,
    ProfessionalBody,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.storage.base import GUID, Base, DecimalText, ISODate, UTCDateTime


class MarkEventKind(StrEnum):
    """Why a mark changed: a tick in the room, an undo or redo of one, or an amendment."""

    TICK = "tick"
    UNDO = "undo"
    REDO = "redo"
    AMENDMENT = "amendment"


def one_of(column: str, values: Iterable[str], *, nullable: bool = False) -> str:
    """SQL for a CHECK that ``column`` holds one of an enum's values."""
    allowed = ", ".join(f"'{v}'" for v in values)
    clause = f"{column} IN ({allowed})"
    return f"{column} IS NULL OR {clause}" if nullable else clause


def enum_check(column: str, enum: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    return CheckConstraint(
        one_of(column, (m.value for m in enum), nullable=nullable), name=column
    )


def hours_check(column: str = "hours") -> CheckConstraint:
    return CheckConstraint(f"CAST({column} AS REAL) >= 0", name=f"{column}_not_negative")


def not_blank(column: str) -> CheckConstraint:
    return CheckConstraint(f"length(trim({column})) > 0", name=f"{column}_not_blank")


class MediatorRecord(Base):
    __tablename__ = "mediators"
    __table_args__ = (
        enum_check("professional_body", ProfessionalBody),
        not_blank("name"),
        # Type-ahead: name_folded LIKE 'q%' (and the listing's ORDER BY).
        Index("ix_mediators_name_folded", "name_folded"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower case, accents and apostrophes removed: what type-ahead matches against.
    name_folded: Mapped[str] = mapped_column(String(200))
    professional_body: Mapped[str] = mapped_column(String(16))
    passported: Mapped[bool] = mapped_column(Boolean())
    send_practice_since: Mapped[date | None] = mapped_column(ISODate())
    lead_since: Mapped[date | None] = mapped_column(ISODate())
    accredited_on: Mapped[date | None] = mapped_column(ISODate())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 0006: the edition of the Standards for the practice period (None: the one in force
    # when it began); the passporting route (§1.6 "a" or "b") and, for (A), the provider's
    # confirmation that the mediator is on its panel.
    rules_edition: Mapped[str | None] = mapped_column(String(64))
    passport_route: Mapped[str | None] = mapped_column(String(8))
    panel_confirmed_by: Mapped[str | None] = mapped_column(String(200))
    panel_confirmed_on: Mapped[date | None] = mapped_column(ISODate())


class ObserverRecord(Base):
    __tablename__ = "observers"
    __table_args__ = (
        enum_check("role", ObserverRole),
        not_blank("name"),
        Index("ix_observers_name_folded", "name_folded"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    experienced_send: Mapped[bool] = mapped_column(Boolean())
    ppc_register_entry: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseRecord(Base):
    __tablename__ = "cases"
    __table_args__ = (
        enum_check("kind", CaseKind),
        enum_check("trainee_role", TraineeRole),
        hours_check("casework_hours"),
        not_blank("reference"),
        # A mediator's cases in date order.
        Index("ix_cases_mediator_id_case_date", "mediator_id", "case_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE")
    )
    reference: Mapped[str] = mapped_column(String(100))
    case_date: Mapped[date] = mapped_column(ISODate())
    kind: Mapped[str] = mapped_column(String(32))
    trainee_role: Mapped[str] = mapped_column(String(16))
    casework_hours: Mapped[Decimal] = mapped_column(DecimalText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 0019: the local authority area (None: not recorded).
    local_authority: Mapped[str | None] = mapped_column(String(100))


class FormVersionRecord(Base):
    """The exact YAML an observation was made on, so it can always be reopened as it was."""

    __tablename__ = "form_versions"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        not_blank("form_id"),
        not_blank("version"),
    )

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text())
    sha256: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ObservationRecord(Base):
    __tablename__ = "observations"
    __table_args__ = (
        enum_check("state", ObservationState),
        enum_check("signature_role", ObserverRole, nullable=True),
        CheckConstraint("ordinal >= 1", name="ordinal_positive"),
        # A finalised or amended observation is always signed.
        CheckConstraint(
            "state = 'draft' OR (signature_name IS NOT NULL AND signature_role IS NOT NULL"
            " AND signature_signed_on IS NOT NULL AND finalised_at IS NOT NULL)",
            name="signed_when_final",
        ),
        ForeignKeyConstraint(
            ["form_id", "form_version"],
            ["form_versions.form_id", "form_versions.version"],
            name="fk_observations_form_id_form_versions",
        ),
        # A mediator's observations (practice record, ordinal suggestion).
        Index("ix_observations_mediator_id_form_id", "mediator_id", "form_id"),
        Index("ix_observations_case_id", "case_id"),
        Index("ix_observations_observer_id", "observer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("cases.id", ondelete="CASCADE"))
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE")
    )
    observer_id: Mapped[uuid.UUID] = mapped_column(GUID(), ForeignKey("observers.id"))
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(64))
    ordinal: Mapped[int] = mapped_column(Integer())
    observed_on: Mapped[date] = mapped_column(ISODate())
    state: Mapped[str] = mapped_column(String(16))
    signature_name: Mapped[str | None] = mapped_column(String(200))
    signature_role: Mapped[str | None] = mapped_column(String(24))
    signature_signed_on: Mapped[date | None] = mapped_column(ISODate())
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MarkRecord(Base):
    """The current mark of one tick item. No row means "not yet seen" with no note."""

    __tablename__ = "marks"
    __table_args__ = (
        UniqueConstraint("observation_id", "criterion_id"),
        enum_check("state", MarkState),
    )

    id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=True)
    observation_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("observations.id", ondelete="CASCADE")
    )
    criterion_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text())
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    marked_by: Mapped[str] = mapped_column(String(200))


class MarkEventRecord(Base):
    """Append-only: one row per change of a mark, in the order it happened (``id``)."""

    __tablename__ = "mark_events"
    __table_args__ = (
        enum_check("kind", MarkEventKind),
        enum_check("old_state", MarkState),
        enum_check("new_state", MarkState),
        # An observation's history in order (undo/redo replay, history view).
        Index("ix_mark_events_observation_id_id", "observation_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=True)
    observation_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("observations.id", ondelete="CASCADE")
    )
    criterion_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    old_state: Mapped[str] = mapped_column(String(24))
    new_state: Mapped[str] = mapped_column(String(24))
    old_note: Mapped[str] = mapped_column(Text())
    new_note: Mapped[str] = mapped_column(Text())
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(200))
    # The tick an undo or redo reverses / re-applies.
    target_event_id: Mapped[int | None] = mapped_column(
        Integer(), ForeignKey("mark_events.id", ondelete="CASCADE")
    )
    amendment_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID(), ForeignKey("amendments.id", ondelete="CASCADE")
    )


class DebriefNoteRecord(Base):
    __tablename__ = "debrief_notes"

    observation_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    text: Mapped[str] = mapped_column(Text())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AmendmentRecord(Base):
    __tablename__ = "amendments"
    __table_args__ = (
        not_blank("reason"),
        not_blank("amended_by"),
        Index("ix_amendments_observation_id", "observation_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    observation_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("observations.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(Text())
    amended_by: Mapped[str] = mapped_column(String(200))
    amended_at: Mapped[datetime] = mapped_column(UTCDateTime())

    changes: Mapped[list[AmendmentChangeRecord]] = relationship(
        lazy="raise", order_by="AmendmentChangeRecord.position"
    )


class AmendmentChangeRecord(Base):
    __tablename__ = "amendment_changes"
    __table_args__ = (
        UniqueConstraint("amendment_id", "criterion_id"),
        enum_check("old_state", MarkState),
        enum_check("new_state", MarkState),
    )

    amendment_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("amendments.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    criterion_id: Mapped[str] = mapped_column(String(128))
    old_state: Mapped[str] = mapped_column(String(24))
    new_state: Mapped[str] = mapped_column(String(24))
    old_note: Mapped[str] = mapped_column(Text())
    new_note: Mapped[str] = mapped_column(Text())


class TrainingRecord(Base):
    __tablename__ = "training"
    __table_args__ = (
        enum_check("kind", TrainingKind),
        enum_check("recognising_body", RecognisingBody),
        hours_check(),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        Index("ix_training_mediator_id", "mediator_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    recognising_body: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(ISODate())
    end_date: Mapped[date] = mapped_column(ISODate())
    hours: Mapped[Decimal] = mapped_column(DecimalText())


class ReflectionRecord(Base):
    __tablename__ = "reflections"
    __table_args__ = (
        hours_check(),
        Index("ix_reflections_mediator_id", "mediator_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE")
    )
    reflected_on: Mapped[date] = mapped_column(ISODate())
    hours: Mapped[Decimal] = mapped_column(DecimalText())
    with_whom: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text())


class CpdRecord(Base):
    __tablename__ = "cpd"
    __table_args__ = (
        enum_check("kind", CpdKind),
        hours_check(),
        # The renewal check sums one mediator's CPD over the last 12 months.
        Index("ix_cpd_mediator_id_done_on", "mediator_id", "done_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE")
    )
    done_on: Mapped[date] = mapped_column(ISODate())
    hours: Mapped[Decimal] = mapped_column(DecimalText())
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text())


class ContactRecord(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        enum_check("kind", ContactKind),
        hours_check(),
        Index("ix_contacts_mediator_id", "mediator_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    met_on: Mapped[date] = mapped_column(ISODate())
    with_whom: Mapped[str] = mapped_column(String(200))
    observer_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID(), ForeignKey("observers.id", ondelete="SET NULL")
    )
    hours: Mapped[Decimal] = mapped_column(DecimalText())
    notes: Mapped[str] = mapped_column(Text())


class DiscretionRecord(Base):
    __tablename__ = "discretions"
    __table_args__ = (
        enum_check("role", ObserverRole),
        not_blank("reason"),
        Index("ix_discretions_mediator_id", "mediator_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE")
    )
    requirement_id: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text())
    decided_on: Mapped[date] = mapped_column(ISODate())
    # 0006: the other parties who must agree (§1.3: the provider and the mediator);
    # discretions recorded before have neither, and are not applied until completed.
    provider_agreed_by: Mapped[str] = mapped_column(String(200), server_default="")
    mediator_agreed: Mapped[bool] = mapped_column(Boolean(), server_default=text("0"))


# History is never rewritten: the database itself refuses an UPDATE of a mark event or
# an amendment (deleting a discarded draft's rows by cascade stays possible).
APPEND_ONLY_TABLES = ("mark_events", "amendments", "amendment_changes")


def append_only_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    )


def _create_append_only_trigger(target: Table, connection: Connection, **_: Any) -> None:
    connection.exec_driver_sql(append_only_trigger(target.name))


for _name in APPEND_ONLY_TABLES:
    event.listen(Base.metadata.tables[_name], "after_create", _create_append_only_trigger)


LOG_ROWS: dict[str, type[Base]] = {
    row.__tablename__: row
    for row in (TrainingRecord, ReflectionRecord, CpdRecord, ContactRecord, DiscretionRecord)
}
"""The practice-period log's rows, by table name: the name of its list on
``PracticeRecord`` and in the exchange file too (``model.shapes.LOG_SHAPES``)."""


RECORD_TABLES: tuple[str, ...] = (
    "mediators",
    "observers",
    "cases",
    "form_versions",
    "observations",
    "marks",
    "amendments",
    "amendment_changes",
    "mark_events",
    "debrief_notes",
    "training",
    "reflections",
    "cpd",
    "contacts",
    "discretions",
)
"""The tables migration ``0002_records`` creates, in dependency order."""

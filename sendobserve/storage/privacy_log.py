"""The privacy tables: what each data-protection action did (erasure, retention), as counts,
never the content it removed (migration ``0013_privacy_log``); and (``0016_privacy_reach``)
the signed erasure records this store made or received, the installations the provider
allows to erase here, each mediator's leaving date from the panel, and which imported file
brought each record (for subject access)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sendobserve.storage.base import GUID, Base, ISODate, UTCDateTime


class PrivacyLogRecord(Base):
    """What a data-protection action did, never what it removed (migration 0013)."""

    __tablename__ = "privacy_log"

    id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601, UTC
    action: Mapped[str] = mapped_column(String(16))  # erasure | retention | access
    subject_id: Mapped[str | None] = mapped_column(String(36))
    summary: Mapped[str] = mapped_column(Text())  # JSON: counts per table, no content


class ErasureRecordRow(Base):
    """A signed erasure record (``pki.control.ErasureRecord``), made here or received.

    Kept after the erasure, by id only (no name), so that every export and the hub relay
    it, and a file that still carries the person is refused here.
    """

    __tablename__ = "erasure_records"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of statement
    subject_id: Mapped[str] = mapped_column(String(32))  # the mediator id, hex
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime())
    certificates: Mapped[bool] = mapped_column(Boolean())
    signer_fingerprint: Mapped[str] = mapped_column(String(39))
    statement: Mapped[bytes] = mapped_column(LargeBinary())
    signature: Mapped[bytes] = mapped_column(LargeBinary())
    received_from: Mapped[str | None] = mapped_column(String(39))  # None: made here
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set once the log is truncated and every backup rewritten (None: still to finish).
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_to_hub_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ErasureAuthorityRecord(Base):
    """An installation the provider allows to erase here (an admin or PPC laptop)."""

    __tablename__ = "erasure_authorities"

    fingerprint: Mapped[str] = mapped_column(String(39), primary_key=True)
    named_by: Mapped[str] = mapped_column(String(200))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecordSourceRecord(Base):
    """Which imported file brought (or last changed) one record: its signer and when it was
    imported (the file's exporter and date are in ``exchange_imports``). Written by
    ``apply_import``; a record entered here has none. Goes with the mediator (erasure)."""

    __tablename__ = "record_sources"

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    payload_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"), index=True)
    signer_fingerprint: Mapped[str] = mapped_column(String(39))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PanelLeavingRecord(Base):
    """The day a mediator left the provider's panel (a retention event), kept here."""

    __tablename__ = "panel_leaving"

    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"), primary_key=True)
    left_on: Mapped[date] = mapped_column(ISODate())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


__all__ = ["ErasureAuthorityRecord", "ErasureRecordRow", "PanelLeavingRecord",
           "PrivacyLogRecord", "RecordSourceRecord"]


# An erasure held here whose log truncation and backup rewrite are still to do.
TO_FINISH = ErasureRecordRow.completed_at.is_(None)


def erasures_to_finish(session: Session) -> bool:
    """Whether an erasure is still to finish (a crash cut it short): asked at every
    opening, so it reads one row of one table and loads nothing else."""
    return session.scalar(select(ErasureRecordRow.digest).where(TO_FINISH).limit(1)) \
        is not None

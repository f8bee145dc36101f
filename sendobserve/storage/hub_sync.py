"""What the store keeps about its organisation hub (migrations 0009_hub_sync and
0017_hub_control): the link (URL, pinned root, the admin fingerprints compared when
joining, the hub's pull cursor, when it last synced), which content went to which
member, sealed uploads not yet confirmed, and every bundle received with its outcome.
A NULL trainee marks a control record (revocations, …), which goes to every member.

Nothing here is a record of the Standards: losing these tables loses no observation, and
the hub can never make the store delete one.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sendobserve.storage.base import GUID, Base, UTCDateTime


class HubLinkRecord(Base):
    """The hub this installation syncs with (one at most)."""

    __tablename__ = "hub_link"
    __table_args__ = (CheckConstraint("slot = 1", name="single_row"),)

    slot: Mapped[int] = mapped_column(Integer(), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    root_pem: Mapped[str] = mapped_column(Text())
    trusted_admins: Mapped[str] = mapped_column(Text())  # JSON list of compact fingerprints
    pull_cursor: Mapped[str] = mapped_column(String(64), server_default="0")  # the hub's
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text(), nullable=True)


class HubSentRecord(Base):
    """This content (digest of one bundle's content: an observation, a trainee's record,
    or the control records) reached this member."""

    __tablename__ = "hub_sent"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HubOutboxRecord(Base):
    """A sealed upload kept until the hub confirms it, so a retry sends the same bytes
    (same SHA-256: the hub stores it once)."""

    __tablename__ = "hub_outbox"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    trainee: Mapped[uuid.UUID | None] = mapped_column(GUID(), nullable=True)
    recipients: Mapped[str] = mapped_column(Text())  # JSON list of compact fingerprints
    data: Mapped[bytes] = mapped_column(LargeBinary())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HubReceivedRecord(Base):
    """One bundle pulled from the hub and what became of it."""

    __tablename__ = "hub_received"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer())
    trainee: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))  # imported | unchanged | refused
    reason: Mapped[str | None] = mapped_column(Text(), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


HUB_SYNC_TABLES: tuple[str, ...] = ("hub_link", "hub_sent", "hub_outbox", "hub_received")

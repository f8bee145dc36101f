"""The privacy log: what each data-protection action did (erasure, retention), as counts,
never the content it removed (migration ``0013_privacy_log``)."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sendobserve.storage.base import Base


class PrivacyLogRecord(Base):
    """What a data-protection action did, never what it removed (migration 0013)."""

    __tablename__ = "privacy_log"

    id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601, UTC
    action: Mapped[str] = mapped_column(String(16))  # erasure | retention | access
    subject_id: Mapped[str | None] = mapped_column(String(36))
    summary: Mapped[str] = mapped_column(Text())  # JSON: counts per table, no content


__all__ = ["PrivacyLogRecord"]

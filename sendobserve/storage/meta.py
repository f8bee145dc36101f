"""``store_meta``: a small key/value table about the store itself, and the one name this
installation remembers (its observer's, kept here, encrypted, rather than in the settings file)."""

from __future__ import annotations

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sendobserve.storage.base import Base

META_STORE_ID = "store_id"
META_CREATED_AT = "created_at"
META_LAST_BACKUP_AT = "last_backup_at"
# The provider organisation (or sole provider) named on Form 4 and Form 5: set once.
META_PROVIDER_NAME = "provider_name"


class StoreMetaRecord(Base):
    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


def get_meta(session: Session, key: str) -> str | None:
    return session.scalar(select(StoreMetaRecord.value).where(StoreMetaRecord.key == key))


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(StoreMetaRecord, key)
    if row is None:
        session.add(StoreMetaRecord(key=key, value=value))
    else:
        row.value = value


def delete_meta(session: Session, key: str) -> bool:
    """Remove ``key``; whether it was there."""
    row = session.get(StoreMetaRecord, key)
    if row is None:
        return False
    session.delete(row)
    return True

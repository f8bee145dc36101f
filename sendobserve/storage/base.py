"""The ORM's foundations: one declarative base, a constraint naming convention, column types.

ORM row classes are named ``…Record`` and never leave ``sendobserve.storage``:
repositories turn them into the frozen dataclasses of ``sendobserve.model.domain``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_new = object.__new__
_set = object.__setattr__
_UNKNOWN = uuid.SafeUUID.unknown


def uuid_from_hex(value: str) -> uuid.UUID:
    """``uuid.UUID(hex=value)`` at half the cost, for the stored form (32 ASCII hex
    digits): every id read goes through here, hundreds per practice record. Anything
    else goes through ``uuid.UUID`` itself, which says what is wrong with it."""
    if len(value) == 32 and value.isascii() and value.isalnum():
        made = _new(uuid.UUID)
        _set(made, "int", int(value, 16))  # a non-hex letter raises ValueError, as UUID does
        _set(made, "is_safe", _UNKNOWN)
        return made
    return uuid.UUID(hex=value)


class GUID(TypeDecorator[uuid.UUID]):
    """UUIDs stored as 32 lowercase hex characters: app-generated, stable across machines."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        as_uuid = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        return as_uuid.hex

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        return None if value is None else uuid_from_hex(value)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps, stored as ISO 8601 text that sorts correctly.

    A naive datetime is refused rather than guessed at.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware, got {value!r}")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


class ISODate(TypeDecorator[date]):
    """Calendar dates as ISO text (YYYY-MM-DD)."""

    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"expected a date, got {value!r}")
        return value.isoformat()

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        return None if value is None else date.fromisoformat(value)


class DecimalText(TypeDecorator[Decimal]):
    """Exact decimals (hours) as text: SQLite has no decimal type and floats lose 0.1s."""

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise ValueError("hours must be Decimal, not float")
        return str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

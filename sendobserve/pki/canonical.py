"""The one byte form of what is signed: canonical JSON and timestamps as they travel.

Signatures (an author's provenance) and digests (record versions) are taken of these
bytes, so there is exactly one definition, here below the store and the exchange.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: what is signed and what digests are taken of."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def timestamp_text(value: datetime) -> str:
    """A timestamp as it travels: ISO 8601 in UTC, to the microsecond."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def b64(data: bytes) -> str:
    """Bytes as they travel in JSON: standard base64."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, *, size: int | None = None) -> bytes:
    """Strict base64 back to bytes (of exactly ``size`` when given); ``ValueError`` if not."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ValueError("not base64") from None
    if size is not None and len(raw) != size:
        raise ValueError(f"expected {size} bytes")
    return raw

"""A record version's JSON and digest, walked from ``model.shapes``' tables: the bytes a
version is known by on every store (below the store, so that a deletion can sign a
tombstone naming the version it deleted).

How each kind of value is written: ids as 32 lowercase hex digits, calendar dates as
YYYY-MM-DD, timestamps as ISO 8601 UTC to the microsecond, hours as decimal strings
(never floats, never "1E+1"), enums by their value, a signature drawing as base64 PNG,
a nested record as an object (or null). A field added later (``InFile.WHEN_SET``) is
written only when it holds a value, so files and digests of records that leave it empty
are unchanged. ``exchange.shaped`` reads them back; ``exchange.logs`` re-exports the
digests.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from datetime import date
from operator import attrgetter
from typing import Any

from sendobserve.model.domain import Case, Mediator, Observer, Versioned
from sendobserve.model.shapes import (
    CASE,
    LOG_SHAPES,
    MEDIATOR,
    OBSERVER,
    SHAPE_OF,
    Field,
    FieldType,
    InFile,
    Shape,
)
from sendobserve.pki.canonical import canonical_json, timestamp_text


def _encoder(f: Field) -> Callable[[Any], Any]:
    """How one field's (non-None) value is written."""
    kind = f.kind
    if kind is FieldType.UUID:
        return attrgetter("hex")
    if kind is FieldType.DAY:
        return date.isoformat
    if kind is FieldType.MOMENT:
        return timestamp_text
    if kind is FieldType.HOURS:
        return lambda v: format(v, "f")
    if kind is FieldType.ENUM:
        return attrgetter("value")
    if kind is FieldType.PNG:
        return lambda v: base64.b64encode(v).decode("ascii")
    if kind is FieldType.RECORD:
        nested = f.record
        assert nested is not None
        return lambda v: to_json(v, shape=nested)
    if kind is FieldType.ROWS:
        rows = f.record
        assert rows is not None
        return lambda v: [to_json(item, shape=rows) for item in v]
    return lambda v: v  # text, bool, int


_UNSET = object()


@functools.cache
def _plan(shape: Shape, digest: bool) -> tuple[tuple[str, Callable[[Any], Any], Any], ...]:
    """(name, encoder, the value that is left out) per field written."""
    return tuple(
        (f.name, _encoder(f),
         shape.default(f.name) if f.in_file is InFile.WHEN_SET else _UNSET)
        for f in shape.fields if f.digest or not digest
    )


def value_json(f: Field, value: Any) -> Any:
    """One field's value as JSON."""
    return None if value is None else _encoder(f)(value)


def to_json(record: Any, *, shape: Shape | None = None, digest: bool = False
            ) -> dict[str, Any]:
    """The record as a JSON object; ``digest``: only the fields of its identity."""
    out: dict[str, Any] = {}
    for name, encode, left_out in _plan(shape or SHAPE_OF[type(record)], digest):
        value = getattr(record, name)
        if value is None:
            if left_out is None:
                continue
            out[name] = None
        elif value is not left_out:
            out[name] = encode(value)
    return out


# Every kind that travels with a version history (its name in the file), and its table.
VERSIONED_SHAPES: dict[str, Shape] = {**LOG_SHAPES, MEDIATOR.kind: MEDIATOR, CASE.kind: CASE,
                                      OBSERVER.kind: OBSERVER}
KIND_OF: dict[type[Any], str] = {shape.cls: kind for kind, shape in LOG_SHAPES.items()}
KIND_OF[Mediator] = MEDIATOR.kind
KIND_OF[Case] = CASE.kind
KIND_OF[Observer] = OBSERVER.kind


def record_json(record: Versioned) -> dict[str, Any]:
    """The record's identity as JSON values: every field its table marks ``digest`` (all
    but a creation time)."""
    return to_json(record, digest=True)


def record_digest(record: Versioned) -> str:
    kind = KIND_OF[type(record)]
    return hashlib.sha256(kind.encode() + b"\x00" + canonical_json(record_json(record))
                          ).hexdigest()

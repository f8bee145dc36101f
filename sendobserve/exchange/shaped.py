"""Records to the exchange file's JSON and back, walked from ``model.shapes``' tables.

How each kind of value travels: ids as 32 lowercase hex digits, calendar dates as
YYYY-MM-DD, timestamps as ISO 8601 UTC to the microsecond, hours as decimal strings
(never floats, never "1E+1"), enums by their value, a signature drawing as base64 PNG,
a nested record as an object (or null), rows of them as a list. Reading checks every
value against its field: type, enum, text limit, lines, emptiness, range (``codec._Obj``
does the checking and names the field in its message).

Writing (``to_json``, ``value_json``) is ``pki.versions``, re-exported here: a version's
digest is taken below the store. Which fields a file must carry follows
``Field.in_file``: a field added later is read when present and, if ``WHEN_SET``,
written only when it holds a value, so files (and version digests) of records that leave
it empty are unchanged.
"""

from __future__ import annotations

from typing import Any

from sendobserve.model.shapes import Field, FieldType, InFile, Shape
from sendobserve.pki.versions import to_json as to_json
from sendobserve.pki.versions import value_json as value_json


def expected_fields(shape: Shape, value: Any, *, digest: bool = False) -> tuple[str, ...]:
    """The fields an object of ``shape`` must have: every field written always, and those
    read when present that are."""
    present = value if isinstance(value, dict) else {}
    return tuple(
        f.name for f in shape.fields
        if (not digest or f.digest) and (f.in_file is InFile.ALWAYS or f.name in present)
    )


def from_json(shape: Shape, obj: Any) -> Any:
    """Build a record from a ``codec._Obj`` reader (its fields already checked present:
    ``expected_fields``). A field the object lacks takes the dataclass's default."""
    values: dict[str, Any] = {}
    for f in shape.fields:
        if f.name not in obj.value:
            values[f.name] = shape.default(f.name)
        else:
            values[f.name] = _read(f, obj)
    return shape.cls(**values)


def _read(f: Field, obj: Any) -> Any:
    name, kind = f.name, f.kind
    if kind is FieldType.PNG:
        return obj.png(name)  # None or a PNG
    if f.optional and obj.raw(name) is None:
        return None
    if kind is FieldType.UUID:
        return obj.uuid(name)
    if kind is FieldType.TEXT:
        return obj.text(name, f.limit, multiline=f.multiline, empty=f.blank)
    if kind is FieldType.DAY:
        return obj.day(name)
    if kind is FieldType.MOMENT:
        return obj.moment(name)
    if kind is FieldType.HOURS:
        return obj.hours(name)
    if kind is FieldType.BOOL:
        return obj.boolean(name)
    if kind is FieldType.INT:
        return obj.integer(name, f.low, f.high)
    if kind is FieldType.ENUM:
        return obj.enum(name, f.enum)
    assert f.record is not None
    if kind is FieldType.ROWS:
        nested_shape = f.record
        return tuple(
            from_json(nested_shape, type(obj)(item, f"{obj.at(name)}[{i}]",
                                              expected_fields(nested_shape, item)))
            for i, item in enumerate(obj.items(name)))
    assert kind is FieldType.RECORD
    raw = obj.raw(name)
    nested = type(obj)(raw, obj.at(name), expected_fields(f.record, raw))
    return from_json(f.record, nested)

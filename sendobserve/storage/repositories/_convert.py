"""ORM row ↔ frozen domain dataclass, walked from the field tables of ``model.shapes``.

A row has one column per field, named as the field (or ``Field.column``); enums are
stored as their values; a nested record (the observation's signature) has columns
``<field>_<column>`` and is absent when its required columns are NULL; rows of nested
records (an amendment's changes) live in a child table the caller reads and writes. Columns a row
has beyond its record (``name_folded``, ``updated_at``, ``marked_by``) are the writer's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from operator import attrgetter
from typing import Any, TypeVar

from sendobserve.model.domain import (
    Amendment,
    Case,
    Contact,
    Cpd,
    DebriefNote,
    Discretion,
    Mark,
    MarkChange,
    Mediator,
    Observation,
    Observer,
    Reflection,
    Training,
)
from sendobserve.model.shapes import (
    AMENDMENT,
    CASE,
    CONTACT,
    CPD,
    DEBRIEF_NOTE,
    DISCRETION,
    LOG_SHAPES,
    MARK,
    MARK_CHANGE,
    MEDIATOR,
    OBSERVATION,
    OBSERVER,
    REFLECTION,
    SHAPE_OF,
    TRAINING,
    Field,
    FieldType,
    Shape,
)
from sendobserve.storage.records import (
    AmendmentChangeRecord,
    AmendmentRecord,
)

R = TypeVar("R")


def column_of(f: Field, prefix: str = "") -> str:
    return prefix + (f.column or f.name)


def _from_column(f: Field) -> Callable[[Any], Any] | None:
    """How a column's value becomes the field's (None: as it is)."""
    if f.kind is FieldType.ENUM:
        enum = f.enum
        assert enum is not None
        if f.optional:
            return lambda v: None if v is None else enum(v)
        return enum
    if f.kind is FieldType.BOOL:
        return bool
    return None


def _getter(f: Field, prefix: str = "") -> Callable[[Any], Any]:
    if f.kind is FieldType.ROWS:
        return lambda row: ()  # a child table's rows: the reader's caller adds them
    if f.kind is FieldType.RECORD:
        assert f.record is not None
        return _reader(f.record, prefix=f"{prefix}{f.name}_", absent_when_null=True)
    get = attrgetter(column_of(f, prefix))
    convert = _from_column(f)
    if convert is None:
        return get
    return lambda row: convert(get(row))


def _reader(shape: Shape, *, prefix: str = "",
            absent_when_null: bool = False) -> Callable[[Any], Any]:
    """A function from a row (an ORM instance or a plain ``Row``) to the record."""
    getters = [_getter(f, prefix) for f in shape.fields]
    cls = shape.cls
    if not absent_when_null:
        return lambda row: cls(*[get(row) for get in getters])
    # Checked on the raw columns first: an absent record's enum columns are NULL too.
    required = [attrgetter(column_of(f, prefix)) for f in shape.fields if not f.optional]

    def read_nested(row: Any) -> Any:
        if any(get(row) is None for get in required):
            return None
        return cls(*[get(row) for get in getters])

    return read_nested


def columns(record: object, *, skip: Collection[str] = (), prefix: str = "",
            shape: Shape | None = None) -> dict[str, Any]:
    """The record's fields as column values (enums by their stored string)."""
    shape = shape or SHAPE_OF[type(record)]
    values: dict[str, Any] = {}
    for f in shape.fields:
        if f.name in skip:
            continue
        if f.kind is FieldType.ROWS:
            continue  # rows of a child table, written by the caller
        value = None if record is None else getattr(record, f.name)
        if f.kind is FieldType.RECORD:
            assert f.record is not None
            values.update(columns(value, prefix=f"{prefix}{f.name}_", shape=f.record))
        else:
            values[column_of(f, prefix)] = value.value if f.kind is FieldType.ENUM \
                and value is not None else value
    return values


def fixed_fields(shape: Shape) -> frozenset[str]:
    """Fields an edit leaves as they were made (ids, the owner, the creation time)."""
    return frozenset(f.name for f in shape.fields if f.fixed)


def set_columns(row: Any, record: object, *, skip: Collection[str] = ()) -> None:
    """Write every field of ``record`` (but ``skip``) into ``row``."""
    for name, value in columns(record, skip=skip).items():
        setattr(row, name, value)


def to_row(record_cls: Callable[..., R], record: object, **extra: Any) -> R:
    """A new row of ``record_cls`` holding ``record`` (plus the writer's ``extra``)."""
    return record_cls(**columns(record), **extra)


mediator: Callable[[Any], Mediator] = _reader(MEDIATOR)
observer: Callable[[Any], Observer] = _reader(OBSERVER)
case: Callable[[Any], Case] = _reader(CASE)
observation: Callable[[Any], Observation] = _reader(OBSERVATION)
training: Callable[[Any], Training] = _reader(TRAINING)
reflection: Callable[[Any], Reflection] = _reader(REFLECTION)
cpd: Callable[[Any], Cpd] = _reader(CPD)
contact: Callable[[Any], Contact] = _reader(CONTACT)
discretion: Callable[[Any], Discretion] = _reader(DISCRETION)
LOG_READERS: dict[str, Callable[[Any], Any]] = {
    kind: _reader(shape) for kind, shape in LOG_SHAPES.items()}  # by table (``LOG_ROWS``)


mark: Callable[[Any], Mark] = _reader(MARK)
debrief_note: Callable[[Any], DebriefNote] = _reader(DEBRIEF_NOTE)
mark_change: Callable[[Any], MarkChange] = _reader(MARK_CHANGE)


_amendment_header: Callable[[Any], Amendment] = _reader(AMENDMENT)


def amendment(r: AmendmentRecord, changes: list[AmendmentChangeRecord]) -> Amendment:
    """The amendment's row with its changes' rows, in the order they were made."""
    return replace(_amendment_header(r), changes=tuple(
        mark_change(c) for c in sorted(changes, key=lambda c: c.position)))

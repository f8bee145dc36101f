"""Hypothesis strategies drawn from the field tables: any record a table allows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from sendobserve.model.shapes import Field, FieldType, Shape

_PNG = b"\x89PNG\r\n\x1a\n"
# Letters, digits, punctuation and spaces: what a person types (no control characters).
_TYPED = st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S"),
                       exclude_characters="\u2028\u2029")


def _text(f: Field) -> st.SearchStrategy[str]:
    alphabet = st.one_of(_TYPED, st.just("\n")) if f.multiline else _TYPED
    size = min(f.limit, 40)
    text = st.text(alphabet, min_size=0 if f.blank else 1, max_size=size)
    if f.trim:  # stored as typed after trimming: no surrounding spaces, not blank
        text = text.map(str.strip).filter(lambda t: bool(t) or f.blank)
    elif not f.blank:
        text = text.filter(lambda t: bool(t.strip()))
    return text


def value(f: Field) -> st.SearchStrategy[Any]:
    kind = f.kind
    base: st.SearchStrategy[Any]
    if kind is FieldType.UUID:
        base = st.uuids()
    elif kind is FieldType.TEXT:
        base = _text(f)
    elif kind is FieldType.DAY:
        base = st.dates(date(1990, 1, 1), date(2030, 12, 31))
    elif kind is FieldType.MOMENT:
        base = st.datetimes(datetime(1990, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC))
    elif kind is FieldType.HOURS:
        base = st.decimals(Decimal(0), Decimal(24), places=2)
    elif kind is FieldType.BOOL:
        base = st.booleans()
    elif kind is FieldType.INT:
        base = st.integers(f.low, f.high)
    elif kind is FieldType.ENUM:
        assert f.enum is not None
        base = st.sampled_from(list(f.enum))
    elif kind is FieldType.PNG:
        base = st.binary(max_size=32).map(lambda b: _PNG + b)
    elif kind is FieldType.ROWS:
        assert f.record is not None
        base = st.lists(records(f.record), max_size=3).map(tuple)
    else:
        assert f.record is not None
        base = records(f.record)
    return st.one_of(st.none(), base) if f.optional else base


def records(shape: Shape) -> st.SearchStrategy[Any]:
    return st.builds(shape.cls, **{f.name: value(f) for f in shape.fields})

"""Rows walked from the field tables: every table matches its row, and any record a table
allows comes back from its row unchanged (in memory and through the real store)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import String

from sendobserve.model.shapes import (
    AMENDMENT,
    CASE,
    CONTACT,
    CPD,
    DEBRIEF_NOTE,
    DISCRETION,
    MARK,
    MARK_CHANGE,
    MEDIATOR,
    OBSERVATION,
    OBSERVER,
    REFLECTION,
    SHAPES,
    TRAINING,
    FieldType,
    Shape,
)
from sendobserve.storage.base import Base
from sendobserve.storage.records import (
    AmendmentChangeRecord,
    AmendmentRecord,
    CaseRecord,
    ContactRecord,
    CpdRecord,
    DebriefNoteRecord,
    DiscretionRecord,
    MarkRecord,
    MediatorRecord,
    ObservationRecord,
    ObserverRecord,
    ReflectionRecord,
    TrainingRecord,
)
from sendobserve.storage.repositories import _convert
from tests.model.shape_strategies import records

ROWS: dict[str, tuple[type[Base], Any]] = {
    MEDIATOR.kind: (MediatorRecord, _convert.mediator),
    OBSERVER.kind: (ObserverRecord, _convert.observer),
    CASE.kind: (CaseRecord, _convert.case),
    OBSERVATION.kind: (ObservationRecord, _convert.observation),
    TRAINING.kind: (TrainingRecord, _convert.training),
    REFLECTION.kind: (ReflectionRecord, _convert.reflection),
    CPD.kind: (CpdRecord, _convert.cpd),
    CONTACT.kind: (ContactRecord, _convert.contact),
    DISCRETION.kind: (DiscretionRecord, _convert.discretion),
    MARK.kind: (MarkRecord, _convert.mark),
    DEBRIEF_NOTE.kind: (DebriefNoteRecord, _convert.debrief_note),
    MARK_CHANGE.kind: (AmendmentChangeRecord, _convert.mark_change),
    # The amendment's changes are rows of their child table, read with it.
    AMENDMENT.kind: (AmendmentRecord, _convert.amendment),
}
# A kind whose ROWS field lives in a child table: (the field, the child's row).
CHILDREN: dict[str, tuple[str, type[Base]]] = {
    AMENDMENT.kind: ("changes", AmendmentChangeRecord),
}


def test_every_table_has_its_row() -> None:
    assert set(ROWS) == {s.kind for s in SHAPES}


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.kind)
def test_a_row_has_one_column_per_field_of_the_same_size(shape: Shape) -> None:
    table = ROWS[shape.kind][0].__table__
    for f in shape.fields:
        if f.kind is FieldType.ROWS:
            assert CHILDREN[shape.kind][0] == f.name  # a child table, checked as its kind
            continue
        parts = f.record.fields if f.record is not None else (f,)
        prefix = f"{f.name}_" if f.record is not None else ""
        for part in parts:
            name = _convert.column_of(part, prefix)
            assert name in table.c, f"{table.name} has no column {name}"
            column = table.c[name]
            # A nested record's columns are all NULL when it is absent.
            assert column.nullable == (part.optional or f.optional), name
            if part.kind is FieldType.TEXT and isinstance(column.type, String) \
                    and column.type.length:
                assert column.type.length == part.limit, name


@settings(max_examples=25, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.kind)
def test_any_record_comes_back_from_its_row(shape: Shape, data: st.DataObject) -> None:
    record = data.draw(records(shape))
    row_cls, read = ROWS[shape.kind]
    row = _convert.to_row(row_cls, record)
    if shape.kind in CHILDREN:
        field, child_cls = CHILDREN[shape.kind]
        children = [_convert.to_row(child_cls, c, amendment_id=record.id, position=i)
                    for i, c in reversed(list(enumerate(getattr(record, field))))]
        assert read(row, children) == record  # in their order, whatever the rows' order
        assert read(row, []) == replace(record, **{field: ()})
    else:
        assert read(row) == record

"""The field tables: each matches its dataclass, and is complete enough to walk."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import date
from decimal import Decimal

import pytest

from sendobserve.model.domain import (
    Case,
    CaseKind,
    Discretion,
    Observer,
    ObserverRole,
    TraineeRole,
)
from sendobserve.model.shapes import (
    SHAPE_OF,
    SHAPES,
    FieldType,
    InFile,
    Shape,
    clean,
    prepared,
)
from sendobserve.model.validation import ValidationError

ALL = sorted(SHAPE_OF.values(), key=lambda s: s.kind)


@pytest.mark.parametrize("shape", ALL, ids=lambda s: s.kind)
def test_a_table_lists_its_dataclass_fields_in_order(shape: Shape) -> None:
    assert [f.name for f in shape.fields] == [f.name for f in fields(shape.cls)]


@pytest.mark.parametrize("shape", ALL, ids=lambda s: s.kind)
def test_every_field_says_enough_to_be_walked(shape: Shape) -> None:
    for f in shape.fields:
        if f.kind is FieldType.TEXT:
            assert f.limit > 0, f.name
        assert (f.kind is FieldType.ENUM) == (f.enum is not None), f.name
        assert (f.kind in (FieldType.RECORD, FieldType.ROWS)) == (f.record is not None), \
            f.name
        if f.kind is FieldType.INT:
            assert 0 <= f.low <= f.high, f.name
        if f.in_file is not InFile.ALWAYS:
            # A file without the field means its default.
            assert shape.default(f.name) is None or f.name == "created_at", f.name
        if f.trim:
            assert f.kind is FieldType.TEXT, f.name


def test_every_stored_kind_has_a_table() -> None:
    kinds = [s.kind for s in SHAPES]
    assert len(set(kinds)) == len(kinds)
    assert {"mediator", "observer", "case", "observation", "training", "reflections", "cpd",
            "contacts", "discretions", "mark", "debrief_note", "mark_change",
            "amendment"} == set(kinds)


def test_clean_trims_what_a_person_typed() -> None:
    c = Case(uuid.uuid4(), uuid.uuid4(), "  LA-1 ", date(2026, 1, 5), CaseKind.MEDIATION,
             TraineeRole.LEADING, Decimal("2"), local_authority="   ")
    assert (clean(c).reference, clean(c).local_authority) == ("LA-1", None)
    o = Observer(uuid.uuid4(), " Ann Lee ", ObserverRole.PPC, ppc_register_entry=" P-1 ")
    assert (clean(o).name, clean(o).ppc_register_entry) == ("Ann Lee", "P-1")
    d = Discretion(uuid.uuid4(), uuid.uuid4(), "observed_first", "Ann", ObserverRole.PPC,
                   "  Reason kept as typed\n", date(2026, 1, 5), provider_agreed_by=" Pat ")
    assert clean(d).reason == d.reason  # free text is not trimmed
    assert clean(d).provider_agreed_by == "Pat"
    unchanged = clean(clean(c))
    assert clean(unchanged) is unchanged


def test_text_longer_than_its_field_is_refused_naming_it() -> None:
    c = Case(uuid.uuid4(), uuid.uuid4(), "LA-1", date(2026, 1, 5), CaseKind.MEDIATION,
             TraineeRole.LEADING, Decimal("2"), local_authority="x" * 101)
    with pytest.raises(ValidationError) as caught:
        prepared(c)
    assert caught.value.field == "local_authority"
    assert "longer than 100 characters (101)" in caught.value.message
    assert prepared(c.__class__(**{**{f.name: getattr(c, f.name) for f in fields(c)},
                                   "local_authority": "x" * 100})).local_authority == "x" * 100

"""The exchange file's JSON walked from the field tables: any record a table allows
travels and comes back unchanged; a field added later travels only when it holds a value."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.exchange.codec import _reader, canonical_json
from sendobserve.exchange.logs import record_json
from sendobserve.exchange.shaped import to_json
from sendobserve.model.domain import Amendment, Case
from sendobserve.model.shapes import AMENDMENT, CASE, SHAPES, Shape
from sendobserve.pki.canonical import timestamp_text
from tests.model.shape_strategies import records


@settings(max_examples=25, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.kind)
def test_any_record_travels_and_comes_back(shape: Shape, data: st.DataObject) -> None:
    record = data.draw(records(shape))
    sent = json.loads(canonical_json(to_json(record)))
    assert _reader(shape)(sent, "x") == record


@given(case=records(CASE))
def test_a_case_without_a_local_authority_travels_as_before(case: Case) -> None:
    without = replace(case, local_authority=None)
    # The file and the digest hold exactly the fields they held before the field existed.
    before = {"id", "mediator_id", "reference", "case_date", "kind", "trainee_role",
              "casework_hours", "created_at"}
    assert set(to_json(without)) == before
    assert set(record_json(without)) == before - {"created_at"}
    with_one = replace(case, local_authority="Leeds")
    assert to_json(with_one)["local_authority"] == "Leeds"


@given(amendment=records(AMENDMENT))
def test_an_amendment_travels_as_files_have_always_carried_it(amendment: Amendment) -> None:
    # The amendment's header was written by hand before its table existed: the walk
    # must write the same object (files already sent, and their signatures, depend on it).
    sent = to_json(amendment)
    assert list(sent) == ["id", "observation_id", "reason", "amended_by", "amended_at",
                          "changes"]
    assert sent["id"] == amendment.id.hex
    assert sent["amended_at"] == timestamp_text(amendment.amended_at)
    assert sent["changes"] == [
        {"criterion_id": c.criterion_id, "old_state": c.old_state.value,
         "new_state": c.new_state.value, "old_note": c.old_note, "new_note": c.new_note}
        for c in amendment.changes]

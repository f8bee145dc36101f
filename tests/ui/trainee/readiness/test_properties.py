"""Property tests: typed hours, and the matrix's search against a plain reading of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.demo import GAPS
from sendobserve.model.validation import MAX_CASE_HOURS, ValidationError
from sendobserve.model.vocabulary import fold_name
from sendobserve.services.screens_trainee import load_readiness, standard_forms
from sendobserve.storage.db import Store
from sendobserve.ui.trainee.readiness.matrix import ReadinessFilterProxy, ReadinessTableModel
from sendobserve.ui.trainee.record.specs import CASES, parse_hours
from tests.ui.trainee.readiness.conftest import TODAY, mediator_id

HOURS = next(f for f in CASES.fields if f.name == "casework_hours")


@given(st.decimals(min_value=0, max_value=MAX_CASE_HOURS, places=2, allow_nan=False))
def test_hours_in_range_are_read_exactly(value: Decimal) -> None:
    assert parse_hours(HOURS, f" {value} ") == value
    assert parse_hours(HOURS, str(value).replace(".", ",")) == value  # a decimal comma


@given(st.one_of(
    st.decimals(max_value=Decimal("-0.01"), places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=Decimal("24.01"), places=2, allow_nan=False, allow_infinity=False),
    st.text(alphabet="abcxyz!?", min_size=1),
))
def test_hours_out_of_range_or_not_numbers_are_refused_by_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_hours(HOURS, str(value))
    assert refused.value.field == "casework_hours"
    assert refused.value.message.startswith("Casework hours ")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(alphabet="aeioursmtlpcé ÉÁ", max_size=6), gaps=st.booleans())
def test_search_shows_exactly_the_items_whose_text_contains_it(
    qapp: object, demo_store: Store, query: str, gaps: bool
) -> None:
    report = load_readiness(demo_store.session, mediator_id(GAPS), standard_forms(),
                            TODAY).readiness
    model = ReadinessTableModel()
    model.set_report(report)
    proxy = ReadinessFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search(query)
    proxy.set_gaps_only(gaps)
    folded = fold_name(query)
    expected = [
        c.id for c in report.criteria
        if folded in fold_name(f"{c.text} {c.parent_text or ''}")
        and not (gaps and c.demonstrated)
    ]
    assert proxy.item_ids() == expected

"""The one readiness load: what the screen, the CLI and the print gates all read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sendobserve.demo import GAPS, PASSPORTED, READY, RENEWING
from sendobserve.errors import UserError
from sendobserve.model.readiness import assess_readiness
from sendobserve.model.renewal import assess_passport, assess_renewal
from sendobserve.model.vocabulary import fold_name
from sendobserve.services import documents, people, readiness
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import load_practice_record, load_registry
from tests.services.conftest import TODAY, mediator_id

NAMES = (READY, GAPS, PASSPORTED, RENEWING)


@pytest.mark.parametrize("name", NAMES)
def test_load_readiness_is_the_models_three_assessments_of_the_stored_record(
        demo_store: Store, name: str) -> None:
    data = readiness.load_readiness(demo_store, mediator_id(name), today=TODAY)
    with demo_store.session() as session:
        record = load_practice_record(session, mediator_id(name))
    forms = load_registry(demo_store.session)
    assert data.record == record
    assert data.readiness == assess_readiness(record, forms, today=TODAY)
    assert data.renewal == assess_renewal(record, today=TODAY)
    assert data.passport == assess_passport(record, today=TODAY)


def test_the_print_gate_reads_the_same_assessment(demo_store: Store) -> None:
    for name in NAMES:
        data = readiness.load_readiness(demo_store, mediator_id(name), today=TODAY)
        plan = documents.plan_certificate(demo_store, mediator_id(name), 4, today=TODAY)
        assert plan.report == data.readiness
        assert (plan.refusal is None) == data.readiness.ready


def test_the_day_matters(demo_store: Store) -> None:
    """``today`` is passed through, not taken from the clock inside."""
    now = readiness.load_readiness(demo_store, mediator_id(RENEWING), today=TODAY)
    later = readiness.load_readiness(demo_store, mediator_id(RENEWING),
                                     today=TODAY + timedelta(days=3 * 365))
    assert now.renewal != later.renewal


def test_the_overview_lists_everyone_by_name_with_the_form4_verdict(demo_store: Store) -> None:
    overview = readiness.mediator_overview(demo_store, today=TODAY)
    assert [o.mediator.name for o in overview] == sorted(NAMES, key=fold_name)
    verdicts = {o.mediator.name: o.ready_for_form4 for o in overview}
    assert verdicts[READY] is True and verdicts[GAPS] is False
    for o in overview:
        single = readiness.load_readiness(demo_store, o.mediator.id, today=TODAY)
        assert single.readiness.ready == o.ready_for_form4


def test_resolve_by_the_start_of_a_name_or_refuse_clearly(demo_store: Store) -> None:
    assert people.resolve_mediator(demo_store, READY[:8]).id == mediator_id(READY)
    with pytest.raises(UserError):
        people.resolve_mediator(demo_store, "Nobody Of That Name")


def test_an_empty_store_has_an_empty_overview(store: Store) -> None:
    assert readiness.mediator_overview(store, today=TODAY) == ()

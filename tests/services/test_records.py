"""Record edits as use cases: validated and committed by the repositories, each saying it
changed this trainee's record; a refused edit stores nothing and says nothing changed."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from sendobserve.demo import GAPS, READY
from sendobserve.errors import UserError
from sendobserve.model.domain import Case, CaseKind, Reflection, TraineeRole, new_id
from sendobserve.services import people, readiness, records
from sendobserve.services.changes import Changes
from sendobserve.storage.db import Store
from tests.helpers import durable_snapshot
from tests.services.conftest import TODAY, mediator_id


def test_a_case_added_changed_and_removed_says_so_for_its_trainee(demo_store: Store) -> None:
    trainee = mediator_id(GAPS)
    case = Case(new_id(), trainee, "REF-NEW", TODAY, CaseKind.MEDIATION, TraineeRole.LEADING,
                Decimal("2.5"))
    added = records.save_item(demo_store, case, new=True, today=TODAY)
    assert added.changes == Changes(cases=True, mediators=frozenset({trainee}))
    assert added.value in records.items(demo_store, Case, trainee)
    changed = records.save_item(demo_store, replace(added.value, casework_hours=Decimal("3")),
                                new=False, today=TODAY)
    assert changed.value.casework_hours == Decimal("3")
    removed = records.delete_item(demo_store, Case, case.id)
    assert removed.value.id == case.id and removed.changes == added.changes
    assert case.id not in {c.id for c in records.items(demo_store, Case, trainee)}


def test_a_log_record_changes_the_record_and_readiness_sees_it(demo_store: Store) -> None:
    trainee = mediator_id(GAPS)
    before = readiness.load_readiness(demo_store, trainee, today=TODAY)
    reflection = Reflection(new_id(), trainee, TODAY, Decimal("1.5"), "Mentor",
                            "What I learnt from the reality test.")
    done = records.save_item(demo_store, reflection, new=True, today=TODAY)
    assert done.changes == Changes(record=True, mediators=frozenset({trainee}))
    after = readiness.load_readiness(demo_store, trainee, today=TODAY)
    assert len(after.record.reflections) == len(before.record.reflections) + 1


def test_a_refused_edit_changes_nothing(demo_store: Store) -> None:
    trainee = mediator_id(GAPS)
    bad = Case(new_id(), trainee, "REF-BAD", TODAY, CaseKind.MEDIATION, TraineeRole.LEADING,
               Decimal("-1"))
    before = durable_snapshot(demo_store.data_dir)
    with pytest.raises(UserError):
        records.save_item(demo_store, bad, new=True, today=TODAY)
    assert durable_snapshot(demo_store.data_dir) == before


def test_the_rules_edition_is_recorded_or_refused_clearly(demo_store: Store) -> None:
    trainee = mediator_id(READY)
    with pytest.raises(UserError):
        records.set_rules_edition(demo_store, trainee, "no-such-edition")
    assert readiness.load_record(demo_store, trainee).mediator.rules_edition is None
    edition = readiness.load_readiness(demo_store, trainee, today=TODAY
                                       ).readiness.to_json()["edition"]["id"]
    done = records.set_rules_edition(demo_store, trainee, edition)
    assert done.value.rules_edition == edition
    assert done.changes == Changes(people=True, mediators=frozenset({trainee}))
    assert records.set_rules_edition(demo_store, trainee, None).value.rules_edition is None


def test_an_observer_by_id_by_exact_name_or_the_only_match(demo_store: Store) -> None:
    everyone = people.ppcs(demo_store)
    assert everyone, "the demo records PPCs"
    one = everyone[0]
    assert people.resolve_observer(demo_store, str(one.id)) == one
    assert people.resolve_observer(demo_store, one.name.upper()) == one
    with pytest.raises(UserError, match="No observer called"):
        people.resolve_observer(demo_store, "Nobody Of That Name")


def test_a_trainee_not_in_the_store_has_no_cases(store: Store) -> None:
    assert records.items(store, Case, new_id()) == ()

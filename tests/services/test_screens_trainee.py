"""The trainee page's door on a real store: reads give domain objects, every write says
what it changed (and whom), a refused write changes nothing."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from sendobserve.demo import GAPS, RENEWING, demo_id, fill_store
from sendobserve.model.domain import Case, CaseKind, Cpd, CpdKind, TraineeRole
from sendobserve.model.validation import ValidationError
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.storage.db import Store
from tests.helpers import durable_snapshot

TODAY = date(2026, 6, 1)


@pytest.fixture
def door(store: Store) -> TraineeRecord:
    fill_store(store, today=TODAY)
    return TraineeRecord.of(store)


def test_readiness_reads_the_record_and_its_three_reports(door: TraineeRecord) -> None:
    mediator = demo_id("mediator", GAPS)
    data = door.readiness(mediator, TODAY)
    assert data.record.mediator.id == mediator
    assert data.readiness.mediator_name == data.record.mediator.name
    assert data.renewal is not None and data.passport is not None


def test_each_write_names_what_it_changed_and_for_whom(door: TraineeRecord) -> None:
    mediator = demo_id("mediator", RENEWING)
    cpd = Cpd(id=uuid.uuid4(), mediator_id=mediator, done_on=TODAY - timedelta(days=3),
              hours=Decimal("2"), kind=CpdKind.TRAINING,
              description="Autism and conflict, a day course")
    added = door.add_entry(cpd, today=TODAY)
    assert added.value == cpd
    assert added.changes.record and not added.changes.cases
    assert added.changes.mediators == {mediator}
    assert cpd in door.entries(Cpd, mediator)

    gone = door.delete_entry(cpd)
    assert gone.value == cpd and gone.changes.record
    assert cpd not in door.entries(Cpd, mediator)

    case = Case(id=uuid.uuid4(), mediator_id=mediator, reference="DR-2026-901",
                case_date=TODAY - timedelta(days=1), kind=CaseKind.DISAGREEMENT_RESOLUTION,
                trainee_role=TraineeRole.LEADING, casework_hours=Decimal("3"))
    written = door.add_entry(case, today=TODAY)
    assert written.changes.cases and not written.changes.record
    assert written.changes.mediators == {mediator}

    person = door.mediator(mediator)
    renamed = door.save_mediator(person, today=TODAY)
    assert renamed.changes.people and renamed.changes.mediators == {mediator}


def test_a_refused_entry_changes_nothing_on_disk(door: TraineeRecord, store: Store) -> None:
    mediator = demo_id("mediator", GAPS)
    before = durable_snapshot(store.data_dir)
    future = Cpd(id=uuid.uuid4(), mediator_id=mediator, done_on=TODAY + timedelta(days=30),
                 hours=Decimal("2"), kind=CpdKind.READING, description="Not yet done")
    with pytest.raises(ValidationError):
        door.add_entry(future, today=TODAY)
    assert durable_snapshot(store.data_dir) == before
    assert future not in door.entries(Cpd, mediator)

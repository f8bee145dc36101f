"""The practice log: training, reflections, CPD, contacts and discretions."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from sendobserve.model.domain import (
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    Discretion,
    ObserverRole,
    RecognisingBody,
    Reflection,
    Training,
    TrainingKind,
    new_id,
)
from sendobserve.model.validation import ValidationError
from sendobserve.storage.repositories import PracticeItem, RecordNotFound
from tests.storage.records_conftest import RecordsDb, add_mediator, add_observer, db, repos

__all__ = ["db"]

TABLES = ("training", "reflections", "cpd", "contacts", "discretions")


def samples(mediator_id: uuid.UUID, observer_id: uuid.UUID | None) -> list[PracticeItem]:
    m = mediator_id
    return [
        Training(new_id(), m, TrainingKind.FOUNDATION, "Foundation in mediation",
                 "Mediation Works", RecognisingBody.COM, date(2025, 9, 1), date(2025, 9, 5),
                 Decimal("40.5")),
        Reflection(new_id(), m, date(2026, 2, 1), Decimal("0.75"), "Aisha Patel",
                   "Pacing in the joint session"),
        Cpd(new_id(), m, date(2026, 2, 3), Decimal(3), CpdKind.ROLE_PLAY,
            "Role-play: reframing"),
        Contact(new_id(), m, ContactKind.MENTORING, date(2026, 2, 4), "Aisha Patel",
                observer_id=observer_id, hours=Decimal("1.25"), notes="Next steps"),
        # §1.3: observing first is "at the discretion of the assessor, the provider and the
        # mediator"; the SEND training (§1.1) has no discretion, so it is not the example.
        Discretion(new_id(), m, "observed_first", "Aisha Patel", ObserverRole.PPC,
                   "Observed a comparable case with another service", date(2026, 2, 5),
                   "Jo Rees", True),
    ]


def test_every_kind_round_trips_updates_and_deletes(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    other = add_mediator(r, "Tom Hughes")
    o = add_observer(r)
    items = samples(m.id, o.id)
    for item in items:
        assert r.practice.add(item) == item
    for item in samples(other.id, None):
        r.practice.add(item)
    db.reopen()
    r = repos(db)
    for item in items:
        assert r.practice.get(type(item), item.id) == item
        assert r.practice.list(type(item), m.id) == (item,)
    # update
    changed_training = replace(items[0], hours=Decimal(42), title=" Foundation (revised) ")
    assert r.practice.update(changed_training) == replace(
        changed_training, title="Foundation (revised)"
    )
    assert r.practice.get(Training, items[0].id).hours == Decimal(42)
    changed_cpd = replace(items[2], kind=CpdKind.CONFERENCE)
    r.practice.update(changed_cpd)
    assert r.practice.list(Cpd, m.id) == (changed_cpd,)
    # delete returns what was removed; adding it back restores it exactly (undo)
    gone = r.practice.delete(Reflection, items[1].id)
    assert gone == items[1]
    assert r.practice.list(Reflection, m.id) == ()
    r.practice.add(gone)
    assert r.practice.list(Reflection, m.id) == (items[1],)
    with pytest.raises(RecordNotFound, match="No CPD entry"):
        r.practice.delete(Cpd, new_id())


def test_list_is_oldest_first(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    days = [date(2026, 3, 1), date(2025, 11, 2), date(2026, 1, 15)]
    for d in days:
        r.practice.add(Cpd(new_id(), m.id, d, Decimal(1), CpdKind.READING, "reading"))
    assert [c.done_on for c in r.practice.list(Cpd, m.id)] == sorted(days)


@pytest.mark.parametrize(
    ("index", "change", "message"),
    [
        (0, {"hours": Decimal(-3)}, "Training hours must be between 0 and 500; got -3"),
        (0, {"hours": Decimal(501)}, "Training hours must be between 0 and 500; got 501"),
        (0, {"end_date": date(2025, 8, 1)}, "The training's end date (2025-08-01) is before"),
        (1, {"hours": Decimal("1.333")}, "Reflection hours can have at most 2 decimal places"),
        (2, {"done_on": date(2099, 1, 1)}, "The CPD date (2099-01-01) is in the future"),
        (3, {"hours": Decimal(25)}, "Mentoring hours must be between 0 and 24; got 25"),
        (4, {"reason": ""}, "The reason for the discretion must not be empty"),
    ],
)
def test_invalid_entries_store_nothing(
    db: RecordsDb, index: int, change: dict[str, object], message: str
) -> None:
    r = repos(db)
    m = add_mediator(r)
    items = samples(m.id, None)
    for item in items:
        r.practice.add(item)
    before = {t: db.count(t) for t in TABLES}
    files_before = db.file_bytes()
    bad = replace(items[index], **change)  # type: ignore[type-var]
    with pytest.raises(ValidationError) as caught:
        r.practice.update(bad)
    assert str(caught.value).startswith(message)
    with pytest.raises(ValidationError):
        r.practice.add(replace(bad, id=new_id()))
    assert db.file_bytes() == files_before
    assert {t: db.count(t) for t in TABLES} == before
    assert r.practice.get(type(items[index]), items[index].id) == items[index]


def test_links_to_nothing_are_refused(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    with pytest.raises(RecordNotFound, match="No mediator"):
        r.practice.add(samples(new_id(), None)[2])
    with pytest.raises(RecordNotFound, match="No observer"):
        r.practice.add(samples(m.id, new_id())[3])
    item = r.practice.add(samples(m.id, None)[2])
    with pytest.raises(RecordNotFound, match="No CPD entry"):
        r.practice.update(replace(item, mediator_id=add_mediator(r, "Ann Lee").id))
    assert sum(db.count(t) for t in TABLES) == 1

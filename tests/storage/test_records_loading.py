"""Whole practice records: everything comes back, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from sendobserve.model.domain import (
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    Discretion,
    MarkState,
    Mediator,
    ObserverRole,
    RecognisingBody,
    Reflection,
    Signature,
    TraineeRole,
    Training,
    TrainingKind,
    new_id,
)
from sendobserve.storage.repositories import (
    MarkEdit,
    RecordNotFound,
    load_practice_record,
    load_practice_records,
    practice_summaries,
)
from tests.storage.records_conftest import (
    RecordsDb,
    Repos,
    add_case,
    add_mediator,
    add_observer,
    db,
    form2_yaml,
    repos,
)

__all__ = ["db"]


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not the BEGIN of a unit of work
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


MOST_CASES = 20
# One form for every fill: an item a/b/c per case number (a tick names an item of its form).
FORM = form2_yaml("v1", (f"f2.pm.{item}{i}" for i in range(MOST_CASES) for item in "abc"))


def fill(r: Repos, mediator: Mediator, n_cases: int, start: date = date(2025, 1, 6)) -> None:
    """n_cases cases, each with a finalised Form 2 (3 marks) and a de-brief note, one
    amendment, and one entry of every log kind per case."""
    assert n_cases <= MOST_CASES
    r.forms.store("form2", "v1", FORM)
    ppc = add_observer(r, f"Observer of {mediator.name}")
    mentor = add_observer(r, f"Mentor of {mediator.name}", ObserverRole.MENTOR)
    for i in range(n_cases):
        day = start + timedelta(days=7 * i)
        case = add_case(r, mediator.id, day, "3.5", TraineeRole.CO_MEDIATING, f"REF-{i}")
        obs = r.observations.start(case.id, ppc.id, "form2", "v1")
        for item in ("a", "b", "c"):
            r.observations.set_mark(obs.id, f"f2.pm.{item}{i}", MarkState.DEMONSTRATED, by="P")
        r.observations.set_debrief_note(obs.id, "debrief", f"note {i}")
        r.observations.finalise(obs.id, Signature(ppc.name, ObserverRole.PPC, day))
        if i == 0:
            r.observations.amend(obs.id, [MarkEdit("f2.pm.a0", MarkState.NOT_APPLICABLE)],
                                 "wrong row", by=ppc.name)
        r.practice.add(Training(new_id(), mediator.id, TrainingKind.SEND, f"T{i}", "Prov",
                                RecognisingBody.CMC, day, day, Decimal(6)))
        r.practice.add(Reflection(new_id(), mediator.id, day, Decimal("0.5"), mentor.name, "r"))
        r.practice.add(Cpd(new_id(), mediator.id, day, Decimal(2), CpdKind.READING, "reading"))
        r.practice.add(Contact(new_id(), mediator.id, ContactKind.MENTORING, day, mentor.name,
                               observer_id=mentor.id, hours=Decimal(1)))
        # Only the §1.3 places take a discretion, agreed by all three parties.
        r.practice.add(Discretion(new_id(), mediator.id,
                                  ("observed_first", "three_active_cases",
                                   "final_case_led")[i % 3], mentor.name,
                                  ObserverRole.MENTOR, "reason", day, "Jo Rees", True))


def test_practice_record_holds_everything_in_order(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    other = add_mediator(r, "Tom Hughes")
    fill(r, m, 3)
    fill(r, other, 2)
    with db.sessions() as s:
        rec = load_practice_record(s, m.id)
    assert rec.mediator == m
    assert rec.cases == r.cases.list_for_mediator(m.id)
    assert rec.observations == r.observations.list_for_mediator(m.id)
    assert rec.marks == tuple(
        mark for o in rec.observations for mark in r.observations.marks(o.id)
    )
    assert len(rec.marks) == 9
    assert rec.debrief_notes == tuple(
        n for o in rec.observations for n in r.observations.debrief_notes(o.id)
    )
    assert rec.amendments == r.observations.amendments(rec.observations[0].id)
    assert rec.training == r.practice.list(Training, m.id) and len(rec.training) == 3
    assert rec.reflections == r.practice.list(Reflection, m.id)
    assert rec.cpd == r.practice.list(Cpd, m.id)
    assert rec.contacts == r.practice.list(Contact, m.id)
    assert rec.discretions == r.practice.list(Discretion, m.id)
    # The observers are those who observed or mentor this mediator, and only them.
    assert sorted(o.name for o in rec.observers) == [
        "Mentor of Siobhán Ó Dálaigh", "Observer of Siobhán Ó Dálaigh"
    ]
    everyone = load_practice_records_all(db)
    assert set(everyone) == {m.id, other.id}
    assert everyone[m.id] == rec
    assert len(everyone[other.id].cases) == 2


def load_practice_records_all(db: RecordsDb) -> dict[Any, Any]:
    with db.sessions() as s:
        return load_practice_records(s)


def test_unknown_mediator(db: RecordsDb) -> None:
    with db.sessions() as s, pytest.raises(RecordNotFound):
        load_practice_record(s, new_id())


def test_query_count_is_constant_as_data_grows(db: RecordsDb) -> None:
    r = repos(db)
    small = add_mediator(r, "Ann Lee")
    big = add_mediator(r, "Siobhán Ó Dálaigh")
    empty = add_mediator(r, "Tom Hughes")
    fill(r, small, 1)
    fill(r, big, 12)
    counts = {}
    for who in (small, big, empty):
        with db.sessions() as s, counting(db.engine) as statements:
            rec = load_practice_record(s, who.id)
        counts[who.name] = len(statements)
        assert len(rec.observations) == {small.id: 1, big.id: 12, empty.id: 0}[who.id]
    assert set(counts.values()) == {13}, counts
    with db.sessions() as s, counting(db.engine) as statements:
        everyone = load_practice_records(s)
    assert len(everyone) == 3 and len(statements) == 13


def test_practice_summaries(db: RecordsDb) -> None:
    r = repos(db)
    a = add_mediator(r, "Ann Lee")
    b = add_mediator(r, "Łucja Żak")
    c = add_mediator(r, "Ben Ó Briain")
    fill(r, a, 2)
    fill(r, b, 3, start=date(2025, 12, 22))
    r.practice.add(Training(new_id(), a.id, TrainingKind.FOUNDATION, "F", "Prov",
                            RecognisingBody.COM, date(2024, 1, 1), date(2024, 1, 5),
                            Decimal("40.25")))
    with db.sessions() as s, counting(db.engine) as statements:
        summaries = practice_summaries(s)
    assert len(statements) == 7
    assert [x.mediator.name for x in summaries] == ["Ann Lee", "Ben Ó Briain", "Łucja Żak"]
    sa, sc, sb = summaries
    assert (sa.cases, sa.casework_hours, sa.observations, sa.finalised_observations) == (
        2, Decimal(7), 2, 2
    )
    assert sa.foundation_training_hours == Decimal("40.25")
    assert sa.send_training_hours == Decimal(12)
    assert sa.reflection_hours == Decimal(1) and sa.cpd_hours == Decimal(4)
    assert sa.last_activity == date(2025, 1, 13)
    assert sb.cpd_hours_by_year == {2025: Decimal(4), 2026: Decimal(2)}
    assert sb.casework_hours == Decimal("10.5")
    assert sc.mediator == c and sc.cases == 0 and sc.last_activity is None


def test_summaries_scale_to_hundreds_of_mediators(db: RecordsDb) -> None:
    """300 mediators with a case and a CPD entry each: still 7 queries."""
    with db.sessions() as s:
        from sendobserve.storage.records import CaseRecord, CpdRecord, MediatorRecord

        now = Mediator(id=new_id(), name="x").created_at
        for i in range(300):
            mid = new_id()
            s.add(MediatorRecord(id=mid, name=f"Mediator {i:03}", name_folded=f"mediator {i:03}",
                                 professional_body="none", passported=False, created_at=now,
                                 updated_at=now))
            s.flush()
            s.add(CaseRecord(id=new_id(), mediator_id=mid, reference=f"R{i}",
                             case_date=date(2026, 1, 1), kind="mediation",
                             trainee_role="leading", casework_hours=Decimal("1.1"),
                             created_at=now))
            s.add(CpdRecord(id=new_id(), mediator_id=mid, done_on=date(2026, 1, 2),
                            hours=Decimal("0.1"), kind="reading", description="d"))
    with Session(db.engine) as s, counting(db.engine) as statements:
        summaries = practice_summaries(s)
    assert len(summaries) == 300 and len(statements) == 7
    assert sum((x.casework_hours for x in summaries), Decimal(0)) == Decimal("330.0")
    assert sum((x.cpd_hours for x in summaries), Decimal(0)) == Decimal("30.0")


@given(st.uuids() | st.text(max_size=40)
       | st.from_regex(r"[0-9a-fA-Fg_ +-]{30,34}", fullmatch=True))
def test_stored_ids_read_back_as_uuid_would_read_them(value: Any) -> None:
    import uuid

    from sendobserve.storage.base import uuid_from_hex

    text = value.hex if isinstance(value, uuid.UUID) else value
    try:
        expected: Any = uuid.UUID(hex=text)
    except ValueError:
        expected = ValueError
    try:
        got: Any = uuid_from_hex(text)
    except ValueError:
        got = ValueError
    assert got == expected
    if got is not ValueError:
        assert hash(got) == hash(expected) and str(got) == str(expected)
        assert got.is_safe is expected.is_safe and got.version == expected.version

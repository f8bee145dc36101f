"""Whole practice records in a fixed number of queries, for one mediator or for all.

``load_practice_records`` issues one query per table (13 in all) whatever the number of
mediators, observations or marks, and groups the rows in Python: no N+1. The readiness
engine runs on what it returns; ``practice_summaries`` is the lighter figure-per-row
view for organisation-wide lists.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import Any, TypeVar, cast

from sqlalchemy import Select, bindparam, select, union
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.orm import Session

from sendobserve.model.domain import (
    Mark,
    MarkState,
    Mediator,
    ObservationState,
    Observer,
    PracticeRecord,
    TrainingKind,
)
from sendobserve.storage.base import UTCDateTime
from sendobserve.storage.records import (
    AmendmentChangeRecord,
    AmendmentRecord,
    CaseRecord,
    ContactRecord,
    CpdRecord,
    DebriefNoteRecord,
    DiscretionRecord,
    MediatorRecord,
    ObservationRecord,
    ObserverRecord,
    ReflectionRecord,
    TrainingRecord,
)
from sendobserve.storage.repositories import _convert
from sendobserve.storage.repositories._common import RecordNotFound, Sessions, unit_of_work
from sendobserve.storage.repositories.observations import OBSERVATION_ORDER

S = TypeVar("S", bound="Select[*tuple[Any, ...]]")

_MARK_STATES = {state.value: state for state in MarkState}
_MARKED_AT = UTCDateTime()  # the column's own conversion, applied once per distinct text
_DIALECT = SQLiteDialect()


def _marked_at(text: str) -> datetime:
    value = _MARKED_AT.process_result_value(text, _DIALECT)
    assert value is not None  # the column is NOT NULL
    return value


def load_practice_record(session: Sessions, mediator_id: uuid.UUID) -> PracticeRecord:
    """Everything the rules need about one mediator, in 13 queries."""
    records = load_practice_records(session, [mediator_id])
    if mediator_id not in records:
        raise RecordNotFound("mediator", mediator_id)
    return records[mediator_id]


def _columns(record: Any) -> Select[Any]:
    """Every column of a record's table as a plain row (attribute names as the record's):
    no ORM instance is built, tracked and thrown away."""
    return select(*record.__table__.columns)


@lru_cache(maxsize=2)
def _queries(scoped: bool) -> dict[str, Any]:
    """The statements of a load, built once (building them was a fifth of loading one
    record): scoped ones take the mediators' ids as the expanding parameter ``ids``."""
    def where(stmt: S, column: Any) -> S:
        return stmt.where(column.in_(bindparam("ids", expanding=True))) if scoped else stmt

    referenced = union(
        where(select(ObservationRecord.observer_id), ObservationRecord.mediator_id),
        where(
            select(ContactRecord.observer_id).where(ContactRecord.observer_id.is_not(None)),
            ContactRecord.mediator_id,
        ),
    ).subquery()
    return {
        "mediators": where(_columns(MediatorRecord), MediatorRecord.id),
        "cases": where(_columns(CaseRecord), CaseRecord.mediator_id).order_by(
            CaseRecord.case_date, CaseRecord.created_at, CaseRecord.id),
        "observations": where(_columns(ObservationRecord), ObservationRecord.mediator_id)
        .order_by(*OBSERVATION_ORDER),
        "debrief_notes": where(
            select(*DebriefNoteRecord.__table__.columns, ObservationRecord.mediator_id).join(
                ObservationRecord, DebriefNoteRecord.observation_id == ObservationRecord.id),
            ObservationRecord.mediator_id,
        ).order_by(*OBSERVATION_ORDER, DebriefNoteRecord.criterion_id),
        "amendment_changes": where(
            _columns(AmendmentChangeRecord)
            .join(AmendmentRecord, AmendmentChangeRecord.amendment_id == AmendmentRecord.id)
            .join(ObservationRecord, AmendmentRecord.observation_id == ObservationRecord.id),
            ObservationRecord.mediator_id,
        ).order_by(AmendmentChangeRecord.amendment_id, AmendmentChangeRecord.position),
        "amendments": where(
            select(*AmendmentRecord.__table__.columns, ObservationRecord.mediator_id).join(
                ObservationRecord, AmendmentRecord.observation_id == ObservationRecord.id),
            ObservationRecord.mediator_id,
        ).order_by(AmendmentRecord.amended_at, AmendmentRecord.id),
        "training": where(_columns(TrainingRecord), TrainingRecord.mediator_id).order_by(
            TrainingRecord.start_date, TrainingRecord.end_date, TrainingRecord.id),
        "reflections": where(_columns(ReflectionRecord), ReflectionRecord.mediator_id)
        .order_by(ReflectionRecord.reflected_on, ReflectionRecord.id),
        "cpd": where(_columns(CpdRecord), CpdRecord.mediator_id).order_by(
            CpdRecord.done_on, CpdRecord.id),
        "contacts": where(_columns(ContactRecord), ContactRecord.mediator_id).order_by(
            ContactRecord.met_on, ContactRecord.id),
        "discretions": where(_columns(DiscretionRecord), DiscretionRecord.mediator_id)
        .order_by(DiscretionRecord.decided_on, DiscretionRecord.id),
        # Observers who observed these mediators or are their mentors, in one query.
        "observers": _columns(ObserverRecord).where(
            ObserverRecord.id.in_(select(referenced))),
    }


def load_practice_records(
    sessions: Sessions, mediator_ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, PracticeRecord]:
    """Practice records of ``mediator_ids`` (all mediators when None), in 13 queries.

    Within each record: cases and observations in date order, marks and notes by
    observation then item, amendments oldest first, log entries oldest first. Every
    query but the marks' is built once and returns plain rows (``_queries``).
    """
    with unit_of_work(sessions) as session:
        return _load_practice_records(session, mediator_ids)


def _load_practice_records(
    session: Session, mediator_ids: Collection[uuid.UUID] | None
) -> dict[uuid.UUID, PracticeRecord]:
    ids = None if mediator_ids is None else list(mediator_ids)
    queries = _queries(ids is not None)
    params: dict[str, Any] = {} if ids is None else {"ids": ids}

    def rows(name: str) -> Any:
        return session.execute(queries[name], params)

    mediators = {r.id: _convert.mediator(cast(Any, r)) for r in rows("mediators")}
    parts: dict[uuid.UUID, dict[str, list[Any]]] = {
        m: defaultdict(list) for m in mediators
    }

    def put(mediator_id: uuid.UUID, key: str, value: Any) -> None:
        if mediator_id in parts:
            parts[mediator_id][key].append(value)

    for c in rows("cases"):
        put(c.mediator_id, "cases", _convert.case(cast(Any, c)))

    observer_ids: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    observation_owners: list[tuple[uuid.UUID, uuid.UUID]] = []
    for o in rows("observations"):
        put(o.mediator_id, "observations", _convert.observation(cast(Any, o)))
        observer_ids[o.mediator_id].add(o.observer_id)
        observation_owners.append((o.mediator_id, o.id))

    # Marks are the bulk (tens per observation, a million in a large organisation), so:
    # - fetched as the driver's plain tuples: SQLAlchemy's per-row result handling was
    #   most of the time;
    # - unsorted, then put in order here (observations as already read; items by id, as
    #   Python's string order is SQLite's BINARY order): sorting every mark by its
    #   observation's date in SQL was a temporary B-tree as large as the marks table, and
    #   reading them in index order jumped all over the (decrypted page by page) table;
    # - the observation's id as its stored text, mapped through the observations already
    #   read, and each timestamp parsed once per distinct text.
    buckets: dict[str, tuple[uuid.UUID, list[Mark]]] = {
        obs.hex: (obs, []) for owner, obs in observation_owners if owner in parts
    }
    parsed: dict[str, datetime] = {}
    states = _MARK_STATES
    if ids is None:
        sql = "SELECT observation_id, criterion_id, state, note, marked_at FROM marks"
    else:
        sql = ("SELECT m.observation_id, m.criterion_id, m.state, m.note, m.marked_at"
               " FROM marks AS m JOIN observations AS o ON m.observation_id = o.id"
               f" WHERE o.mediator_id IN ({', '.join('?' * len(ids))})")
    fetched = session.connection().exec_driver_sql(sql, tuple(i.hex for i in ids or ()))
    cursor = fetched.cursor  # its plain rows: SQLAlchemy's per-row handling is skipped
    try:
        while batch := cursor.fetchmany(4096):
            for obs_hex, criterion, state, mark_note, marked_at in batch:
                obs_id, marks = buckets[obs_hex]
                try:
                    when = parsed[marked_at]
                except KeyError:
                    when = parsed[marked_at] = _marked_at(marked_at)
                marks.append(Mark(obs_id, criterion, states[state], mark_note, when))
    finally:
        fetched.close()
    by_item = attrgetter("criterion_id")
    for owner, observation_id in observation_owners:  # already in the observations' order
        if owner in parts:
            marks = buckets[observation_id.hex][1]
            marks.sort(key=by_item)
            parts[owner]["marks"].extend(marks)

    for note in rows("debrief_notes"):
        put(note.mediator_id, "debrief_notes", _convert.debrief_note(cast(Any, note)))

    # Amendments and their changes: two queries always (a selectinload would skip the
    # second when there are no amendments, making the count depend on the data).
    changes: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for change in rows("amendment_changes"):
        changes[change.amendment_id].append(change)
    for amendment in rows("amendments"):
        put(amendment.mediator_id, "amendments",
            _convert.amendment(cast(Any, amendment), changes[amendment.id]))

    for t in rows("training"):
        put(t.mediator_id, "training", _convert.training(cast(Any, t)))
    for r in rows("reflections"):
        put(r.mediator_id, "reflections", _convert.reflection(cast(Any, r)))
    for cpd in rows("cpd"):
        put(cpd.mediator_id, "cpd", _convert.cpd(cast(Any, cpd)))
    for contact in rows("contacts"):
        put(contact.mediator_id, "contacts", _convert.contact(cast(Any, contact)))
        if contact.observer_id is not None:
            observer_ids[contact.mediator_id].add(contact.observer_id)
    for d in rows("discretions"):
        put(d.mediator_id, "discretions", _convert.discretion(cast(Any, d)))

    observers: dict[uuid.UUID, Observer] = {
        r.id: _convert.observer(cast(Any, r)) for r in rows("observers")
    }

    result: dict[uuid.UUID, PracticeRecord] = {}
    for mediator_id, mediator in mediators.items():
        p = parts[mediator_id]
        mine = sorted(
            (observers[i] for i in observer_ids[mediator_id] if i in observers),
            key=lambda o: (o.name.casefold(), o.id),
        )
        result[mediator_id] = PracticeRecord(
            mediator=mediator,
            observers=tuple(mine),
            cases=tuple(p["cases"]),
            observations=tuple(p["observations"]),
            marks=tuple(p["marks"]),
            debrief_notes=tuple(p["debrief_notes"]),
            amendments=tuple(p["amendments"]),
            training=tuple(p["training"]),
            reflections=tuple(p["reflections"]),
            cpd=tuple(p["cpd"]),
            contacts=tuple(p["contacts"]),
            discretions=tuple(p["discretions"]),
        )
    return result


@dataclass(frozen=True, slots=True)
class PracticeSummary:
    """One line per mediator for organisation-wide lists: counts and exact hour totals."""

    mediator: Mediator
    cases: int = 0
    casework_hours: Decimal = Decimal(0)
    observations: int = 0
    finalised_observations: int = 0  # finalised or amended
    foundation_training_hours: Decimal = Decimal(0)
    send_training_hours: Decimal = Decimal(0)
    reflection_hours: Decimal = Decimal(0)
    cpd_hours: Decimal = Decimal(0)
    cpd_hours_by_year: dict[int, Decimal] = field(default_factory=dict)
    last_activity: date | None = None  # latest case, observation, CPD or contact date


def practice_summaries(sessions: Sessions) -> tuple[PracticeSummary, ...]:
    with unit_of_work(sessions) as session:
        return _practice_summaries(session)


def _practice_summaries(session: Session) -> tuple[PracticeSummary, ...]:
    """Every mediator's figures in 7 narrow queries (columns only, no ORM rows but
    mediators), sorted by name. Hours are summed as Decimals in Python: SQLite would sum
    the stored text as floats."""
    mediators = {r.id: _convert.mediator(r) for r in session.scalars(select(MediatorRecord))}
    acc: dict[uuid.UUID, dict[str, Any]] = {
        m: {
            "cases": 0, "casework_hours": Decimal(0), "observations": 0,
            "finalised_observations": 0, "foundation_training_hours": Decimal(0),
            "send_training_hours": Decimal(0), "reflection_hours": Decimal(0),
            "cpd_hours": Decimal(0), "cpd_hours_by_year": defaultdict(Decimal),
            "last_activity": None,
        }
        for m in mediators
    }

    def seen(a: dict[str, Any], when: date) -> None:
        if a["last_activity"] is None or when > a["last_activity"]:
            a["last_activity"] = when

    for mid, hours, when in session.execute(
        select(CaseRecord.mediator_id, CaseRecord.casework_hours, CaseRecord.case_date)
    ):
        a = acc[mid]
        a["cases"] += 1
        a["casework_hours"] += hours
        seen(a, when)
    for mid, state, when in session.execute(
        select(ObservationRecord.mediator_id, ObservationRecord.state,
               ObservationRecord.observed_on)
    ):
        a = acc[mid]
        a["observations"] += 1
        if state != ObservationState.DRAFT.value:
            a["finalised_observations"] += 1
        seen(a, when)
    for mid, kind, hours in session.execute(
        select(TrainingRecord.mediator_id, TrainingRecord.kind, TrainingRecord.hours)
    ):
        if kind == TrainingKind.FOUNDATION.value:
            acc[mid]["foundation_training_hours"] += hours
        elif kind == TrainingKind.SEND.value:
            acc[mid]["send_training_hours"] += hours
    for mid, hours in session.execute(
        select(ReflectionRecord.mediator_id, ReflectionRecord.hours)
    ):
        acc[mid]["reflection_hours"] += hours
    for mid, hours, when in session.execute(
        select(CpdRecord.mediator_id, CpdRecord.hours, CpdRecord.done_on)
    ):
        a = acc[mid]
        a["cpd_hours"] += hours
        a["cpd_hours_by_year"][when.year] += hours
        seen(a, when)
    for mid, when in session.execute(select(ContactRecord.mediator_id, ContactRecord.met_on)):
        seen(acc[mid], when)

    summaries = [
        PracticeSummary(
            mediator=mediators[mid],
            **{**a, "cpd_hours_by_year": dict(sorted(a["cpd_hours_by_year"].items()))},
        )
        for mid, a in acc.items()
    ]
    summaries.sort(key=lambda s: (s.mediator.name.casefold(), s.mediator.id))
    return tuple(summaries)

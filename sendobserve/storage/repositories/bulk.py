"""Writing whole practice records at once: the demo, and imports from another installation.

``put_practice_record`` is insert-if-absent by id, so running it twice (or importing the
same file twice) changes nothing the second time. What is already stored is never
overwritten here: an observation that exists keeps its marks and notes; an amendment
with a new id is added to it (its marks are the importer's business, see the exchange).
Everything is validated, and every form version the observations name must already be
stored, before the first row is written. The caller's session is the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.model.domain import PracticeRecord, utcnow
from sendobserve.model.shapes import prepared
from sendobserve.model.validation import (
    Validated,
    ValidationError,
    validate_record,
    validate_signature,
)
from sendobserve.storage.records import (
    LOG_ROWS,
    AmendmentChangeRecord,
    AmendmentRecord,
    CaseRecord,
    DebriefNoteRecord,
    FormVersionRecord,
    MarkRecord,
    MediatorRecord,
    ObservationRecord,
    ObserverRecord,
)
from sendobserve.storage.repositories._common import Sessions, fold_name, unit_of_work
from sendobserve.storage.repositories._convert import to_row


@dataclass(frozen=True, slots=True)
class PutResult:
    added: dict[str, int] = field(default_factory=dict)  # table name -> rows inserted
    already_present: int = 0  # records whose id was stored before (left as they were)

    @property
    def changed(self) -> bool:
        return any(self.added.values())


def _existing(session: Session, record: Any, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    return set(session.scalars(select(record.id).where(record.id.in_(wanted))))


def _prepared(record: PracticeRecord) -> PracticeRecord:
    """Every record's text cleaned as a person typed it, and its lengths checked."""
    return replace(
        record,
        mediator=prepared(record.mediator),
        **{part: tuple(prepared(r) for r in getattr(record, part)) for part in _SHAPED},
    )


_SHAPED = ("observers", "cases", "observations", "training", "reflections", "cpd",
           "contacts", "discretions")


def _validate(record: PracticeRecord, today: date | None) -> None:
    people_and_cases: tuple[Validated, ...] = (record.mediator, *record.observers,
                                               *record.cases)
    for one in people_and_cases:
        validate_record(one, today=today)
    for obs in record.observations:
        if obs.signature is not None:
            validate_signature(obs.signature, today=today)
        elif obs.state.value != "draft":
            raise ValidationError(
                f"Observation {obs.id} is {obs.state.value} but has no signature",
                field="signature",
            )
    log: tuple[Validated, ...] = (*record.training, *record.reflections, *record.cpd,
                                  *record.contacts, *record.discretions)
    for log_entry in log:
        validate_record(log_entry, today=today)
    for items, what in (
        (record.cases, "case"), (record.observations, "observation"),
        (record.training, "training entry"), (record.reflections, "reflection"),
        (record.cpd, "CPD entry"), (record.contacts, "contact"),
        (record.discretions, "discretion"),
    ):
        for item in items:
            if item.mediator_id != record.mediator.id:
                raise ValidationError(
                    f"A {what} ({item.id}) belongs to another mediator", field="mediator_id"
                )


def put_practice_record(
    sessions: Sessions, record: PracticeRecord, *, today: date | None = None
) -> PutResult:
    """Store what of ``record`` is not stored yet (by id); return what was added."""
    with unit_of_work(sessions) as session:
        return _put(session, record, today)


def _put(session: Session, record: PracticeRecord, today: date | None) -> PutResult:
    record = _prepared(record)
    _validate(record, today)
    keys = {(o.form_id, o.form_version) for o in record.observations}
    if keys:
        stored = {
            (form_id, version)
            for form_id, version in session.execute(
                select(FormVersionRecord.form_id, FormVersionRecord.version).where(
                    tuple_(FormVersionRecord.form_id, FormVersionRecord.version).in_(
                        list(keys)
                    )
                )
            )
        }
        missing = sorted(keys - stored)
        if missing:
            names = ", ".join(f"{f} version {v}" for f, v in missing)
            raise UserError(
                f"These form versions are not stored: {names}",
                hint="Store each form's definition before its observations.",
            )

    added: dict[str, int] = {}
    present = 0
    now = utcnow()

    def insert(table: str, rows: list[Any]) -> None:
        if rows:
            session.add_all(rows)
            session.flush()
            added[table] = added.get(table, 0) + len(rows)

    m = record.mediator
    if session.get(MediatorRecord, m.id) is None:
        insert("mediators", [to_row(MediatorRecord, m, name_folded=fold_name(m.name),
                                    updated_at=now)])
    else:
        present += 1

    def fresh(record_cls: Any, items: tuple[Any, ...]) -> list[Any]:
        nonlocal present
        have = _existing(session, record_cls, (i.id for i in items))
        present += len(have)
        return [i for i in items if i.id not in have]

    insert("observers", [
        to_row(ObserverRecord, o, name_folded=fold_name(o.name), updated_at=now)
        for o in fresh(ObserverRecord, record.observers)
    ])
    insert("cases", [to_row(CaseRecord, c) for c in fresh(CaseRecord, record.cases)])
    new_observations = fresh(ObservationRecord, record.observations)
    new_ids = {o.id for o in new_observations}
    insert("observations", [to_row(ObservationRecord, o) for o in new_observations])
    # Marks and notes travel with their observation: only a new observation gets them.
    observer_names = {o.id: o.name for o in record.observers}
    marked_by = {o.id: observer_names.get(o.observer_id, "") for o in new_observations}
    insert("marks", [
        to_row(MarkRecord, k, marked_by=marked_by[k.observation_id])
        for k in record.marks
        if k.observation_id in new_ids
    ])
    insert("debrief_notes", [
        to_row(DebriefNoteRecord, n) for n in record.debrief_notes if n.observation_id in new_ids
    ])
    new_amendments = fresh(AmendmentRecord, record.amendments)
    insert("amendments", [to_row(AmendmentRecord, a) for a in new_amendments])
    insert("amendment_changes", [
        to_row(AmendmentChangeRecord, c, amendment_id=a.id, position=i)
        for a in new_amendments
        for i, c in enumerate(a.changes)
    ])
    for table, record_cls in LOG_ROWS.items():
        insert(table, [to_row(record_cls, item)
                       for item in fresh(record_cls, getattr(record, table))])
    return PutResult(added=added, already_present=present)

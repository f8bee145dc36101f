"""The practice-period log: training, reflections, CPD, mentoring/supervision contacts and
recorded discretions. One repository for the five, as each is a flat list per mediator.

Every write is validated first (``sendobserve.model.validation``) so a refused entry
stores nothing. ``delete`` returns what it removed, so a screen can offer undo by
adding it back unchanged (same id).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendobserve.model.domain import Contact, Cpd, Discretion, Reflection, Training
from sendobserve.model.shapes import prepared, shape_of
from sendobserve.model.validation import (
    validate_contact,
    validate_cpd,
    validate_discretion,
    validate_reflection,
    validate_training,
)
from sendobserve.storage.base import Base
from sendobserve.storage.records import (
    ContactRecord,
    CpdRecord,
    DiscretionRecord,
    MediatorRecord,
    ObserverRecord,
    ReflectionRecord,
    TrainingRecord,
)
from sendobserve.storage.repositories import _convert
from sendobserve.storage.repositories._common import RecordNotFound, Sessions, as_factory
from sendobserve.storage.repositories._convert import fixed_fields, set_columns, to_row

PracticeItem = Training | Reflection | Cpd | Contact | Discretion
P = TypeVar("P", Training, Reflection, Cpd, Contact, Discretion)


@dataclass(frozen=True, slots=True)
class _Kind:
    label: str  # for "No training entry with id …"
    record: type[Base]
    to_domain: Callable[[Any], PracticeItem]
    validate: Callable[[Any, date | None], None]
    order_by: tuple[str, ...]  # columns, oldest first


_KINDS: dict[type[Any], _Kind] = {
    Training: _Kind(
        "training entry", TrainingRecord, _convert.training,
        lambda t, today: validate_training(t, today=today),
        ("start_date", "end_date", "id"),
    ),
    Reflection: _Kind(
        "reflection", ReflectionRecord, _convert.reflection,
        lambda r, today: validate_reflection(r, today=today),
        ("reflected_on", "id"),
    ),
    Cpd: _Kind(
        "CPD entry", CpdRecord, _convert.cpd,
        lambda c, today: validate_cpd(c, today=today),
        ("done_on", "id"),
    ),
    Contact: _Kind(
        "mentoring or supervision contact", ContactRecord, _convert.contact,
        lambda c, today: validate_contact(c, today=today),
        ("met_on", "id"),
    ),
    Discretion: _Kind(
        "discretion", DiscretionRecord, _convert.discretion,
        lambda d, today: validate_discretion(d, today=today),
        ("decided_on", "id"),
    ),
}


class PracticeRepository:
    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    def add(self, item: P, *, today: date | None = None) -> P:
        kind = _KINDS[type(item)]
        item = prepared(item)  # text trimmed as the person meant it, lengths checked
        kind.validate(item, today)
        with self._sessions() as s:
            _check_links(s, item)
            row = to_row(kind.record, item)
            s.add(row)
            s.flush()
            _withdraws_tombstone(s, item)
            return cast(P, kind.to_domain(row))

    def update(self, item: P, *, today: date | None = None) -> P:
        """Replace every field of the stored entry with the same id (and mediator)."""
        kind = _KINDS[type(item)]
        item = prepared(item)
        kind.validate(item, today)
        with self._sessions() as s:
            row = s.get(kind.record, item.id)
            if row is None or getattr(row, "mediator_id") != item.mediator_id:  # noqa: B009
                raise RecordNotFound(kind.label, item.id)
            _check_links(s, item)
            set_columns(row, item, skip=fixed_fields(shape_of(item)))
            s.flush()
            return cast(P, kind.to_domain(row))

    def delete(self, kind_of: type[P], item_id: uuid.UUID) -> P:
        """Remove one entry and return it as it was (to add back for undo)."""
        kind = _KINDS[kind_of]
        with self._sessions() as s:
            row = s.get(kind.record, item_id)
            if row is None:
                raise RecordNotFound(kind.label, item_id)
            gone = cast(P, kind.to_domain(row))
            s.delete(row)
            s.flush()
            _travels_as_tombstone(s, gone)
            return gone

    def get(self, kind_of: type[P], item_id: uuid.UUID) -> P:
        kind = _KINDS[kind_of]
        with self._sessions() as s:
            row = s.get(kind.record, item_id)
            if row is None:
                raise RecordNotFound(kind.label, item_id)
            return cast(P, kind.to_domain(row))

    def list(self, kind_of: type[P], mediator_id: uuid.UUID) -> tuple[P, ...]:
        """One mediator's entries of one kind, oldest first."""
        kind = _KINDS[kind_of]
        record: Any = kind.record
        with self._sessions() as s:
            rows = s.scalars(
                select(record)
                .where(record.mediator_id == mediator_id)
                .order_by(*(getattr(record, c) for c in kind.order_by))
            )
            return tuple(cast(P, kind.to_domain(r)) for r in rows)


def _check_links(s: Session, item: PracticeItem) -> None:
    """Clear errors for ids that name nothing, before the foreign key would say so badly."""
    if s.get(MediatorRecord, item.mediator_id) is None:
        raise RecordNotFound("mediator", item.mediator_id)
    if (
        isinstance(item, Contact)
        and item.observer_id is not None
        and s.get(ObserverRecord, item.observer_id) is None
    ):
        raise RecordNotFound("observer", item.observer_id)


def _withdraws_tombstone(s: Session, item: PracticeItem) -> None:
    """An entry put back (an undo) withdraws the tombstone its deletion left, if unsent."""
    from sendobserve.pki.versions import KIND_OF
    from sendobserve.storage.exchange_controls import note_restored

    note_restored(s, KIND_OF[type(item)], item.id)


def _travels_as_tombstone(s: Session, gone: PracticeItem) -> None:
    """A deleted entry that has travelled leaves a signed tombstone (exchange)."""
    from sendobserve.pki.versions import KIND_OF
    from sendobserve.storage.exchange_controls import note_deletion

    note_deletion(s, KIND_OF[type(gone)], gone)

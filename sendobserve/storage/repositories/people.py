"""Mediators (trainees, accredited and passported) and observers: add, edit, type-ahead."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sendobserve.errors import UserError
from sendobserve.model.domain import Mediator, Observer, utcnow
from sendobserve.model.shapes import MEDIATOR, OBSERVER, prepared
from sendobserve.model.validation import validate_mediator, validate_observer
from sendobserve.storage.records import MediatorRecord, ObserverRecord
from sendobserve.storage.repositories import _convert
from sendobserve.storage.repositories._common import (
    RecordNotFound,
    Sessions,
    as_factory,
    fold_name,
    like_prefix,
    parse_uuid,
    query_words,
)
from sendobserve.storage.repositories._convert import fixed_fields, set_columns, to_row

DEFAULT_FIND_LIMIT = 20


def _name_matches(column: InstrumentedAttribute[str], query: str) -> ColumnElement[bool]:
    """``model.vocabulary.name_matches`` in SQL: every typed word begins a word of the
    folded name, in any order ("o dal" and "dalaigh o" → "Ó Dálaigh")."""
    return and_(*(
        or_(column.like(like_prefix(word), escape="\\"),
            column.like("% " + like_prefix(word), escape="\\"))
        for word in query_words(query)
    ))


def _whole_name_first(column: InstrumentedAttribute[str], query: str) -> ColumnElement[int]:
    """Sort key: names that start with the query before names with a later word that does."""
    return case((column.like(like_prefix(fold_name(query)), escape="\\"), 0), else_=1)


class MediatorRepository:
    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    def add(self, mediator: Mediator, *, today: date | None = None) -> Mediator:
        """Store a new mediator (the caller chose ``mediator.id``, e.g. ``new_id()``)."""
        mediator = prepared(mediator)
        validate_mediator(mediator, today=today)
        with self._sessions() as s:
            row = to_row(MediatorRecord, mediator, name_folded=fold_name(mediator.name),
                         updated_at=utcnow())
            s.add(row)
            s.flush()
            return _convert.mediator(row)

    def update(self, mediator: Mediator, *, today: date | None = None) -> Mediator:
        """Replace every editable field; ``created_at`` stays as first stored."""
        mediator = prepared(mediator)
        validate_mediator(mediator, today=today)
        with self._sessions() as s:
            row = _get_mediator_row(s, mediator.id)
            set_columns(row, mediator, skip=fixed_fields(MEDIATOR))
            row.name_folded = fold_name(mediator.name)
            row.updated_at = utcnow()
            s.flush()
            return _convert.mediator(row)

    def get(self, mediator_id: uuid.UUID) -> Mediator:
        with self._sessions() as s:
            return _convert.mediator(_get_mediator_row(s, mediator_id))

    def list(self) -> tuple[Mediator, ...]:
        """Everyone, alphabetically as a person reads it (accents ignored)."""
        with self._sessions() as s:
            rows = s.scalars(
                select(MediatorRecord).order_by(MediatorRecord.name_folded, MediatorRecord.id)
            )
            return tuple(_convert.mediator(r) for r in rows)

    def find(self, query: str, *, limit: int = DEFAULT_FIND_LIMIT) -> tuple[Mediator, ...]:
        """Type-ahead: names whose start, or any word's start, matches ``query``.

        Case, accents and apostrophes are ignored: "siob" and "o dal" both find
        "Siobhán Ó Dálaigh". Names that start with the query come first, then
        alphabetical. An empty query lists the first ``limit`` names.
        """
        with self._sessions() as s:
            stmt = select(MediatorRecord)
            if fold_name(query):
                stmt = stmt.where(_name_matches(MediatorRecord.name_folded, query)).order_by(
                    _whole_name_first(MediatorRecord.name_folded, query)
                )
            rows = s.scalars(
                stmt.order_by(MediatorRecord.name_folded, MediatorRecord.id).limit(limit)
            )
            return tuple(_convert.mediator(r) for r in rows)

    def resolve(self, name_or_id: str) -> Mediator:
        """One mediator from what a person typed on the command line: an id, or a name.

        An exact name (accents and case ignored) wins; otherwise the type-ahead match must
        be unique. Ambiguity is an error that lists the candidates, never a guess.
        """
        as_id = parse_uuid(name_or_id)
        if as_id is not None:
            return self.get(as_id)
        folded = fold_name(name_or_id)
        if not folded:
            raise UserError("Give a mediator's name or id")
        with self._sessions() as s:
            exact = [
                _convert.mediator(r)
                for r in s.scalars(
                    select(MediatorRecord).where(MediatorRecord.name_folded == folded)
                )
            ]
        if len(exact) == 1:
            return exact[0]
        candidates = exact or list(self.find(name_or_id, limit=11))
        if not candidates:
            raise UserError(
                f"No mediator called {name_or_id!r}", hint="`sendobserve mediators` lists them."
            )
        if len(candidates) > 1:
            names = ", ".join(c.name for c in candidates[:10])
            raise UserError(
                f"{name_or_id!r} matches more than one mediator: {names}",
                hint="Type more of the name, or give the id.",
            )
        return candidates[0]

    def count(self) -> int:
        with self._sessions() as s:
            return s.scalar(select(func.count()).select_from(MediatorRecord)) or 0


class ObserverRepository:
    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    def add(self, observer: Observer) -> Observer:
        observer = prepared(observer)
        validate_observer(observer)
        with self._sessions() as s:
            row = to_row(ObserverRecord, observer, name_folded=fold_name(observer.name),
                         updated_at=utcnow())
            s.add(row)
            s.flush()
            return _convert.observer(row)

    def update(self, observer: Observer) -> Observer:
        observer = prepared(observer)
        validate_observer(observer)
        with self._sessions() as s:
            row = _get_observer_row(s, observer.id)
            set_columns(row, observer, skip=fixed_fields(OBSERVER))
            row.name_folded = fold_name(observer.name)
            row.updated_at = utcnow()
            s.flush()
            return _convert.observer(row)

    def get(self, observer_id: uuid.UUID) -> Observer:
        with self._sessions() as s:
            return _convert.observer(_get_observer_row(s, observer_id))

    def list(self) -> tuple[Observer, ...]:
        with self._sessions() as s:
            rows = s.scalars(
                select(ObserverRecord).order_by(ObserverRecord.name_folded, ObserverRecord.id)
            )
            return tuple(_convert.observer(r) for r in rows)

    def find(self, query: str, *, limit: int = DEFAULT_FIND_LIMIT) -> tuple[Observer, ...]:
        """Type-ahead, as ``MediatorRepository.find``."""
        with self._sessions() as s:
            stmt = select(ObserverRecord)
            if fold_name(query):
                stmt = stmt.where(_name_matches(ObserverRecord.name_folded, query)).order_by(
                    _whole_name_first(ObserverRecord.name_folded, query)
                )
            rows = s.scalars(
                stmt.order_by(ObserverRecord.name_folded, ObserverRecord.id).limit(limit)
            )
            return tuple(_convert.observer(r) for r in rows)


def _get_mediator_row(s: Session, mediator_id: uuid.UUID) -> MediatorRecord:
    row = s.get(MediatorRecord, mediator_id)
    if row is None:
        raise RecordNotFound("mediator", mediator_id)
    return row


def _get_observer_row(s: Session, observer_id: uuid.UUID) -> ObserverRecord:
    row = s.get(ObserverRecord, observer_id)
    if row is None:
        raise RecordNotFound("observer", observer_id)
    return row

"""Mediators (trainees, accredited and passported) and observers: add, edit, type-ahead."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sendobserve.errors import UserError
from sendobserve.model.domain import Mediator, Observer, utcnow
from sendobserve.model.shapes import MEDIATOR, OBSERVER, Shape, prepared
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
P = TypeVar("P", Mediator, Observer)


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


class _People(Generic[P]):
    """A repository of people (mediators or observers): each row keeps its name folded
    (``name_folded``) for the one search rule, and when it was last changed."""

    _row: type[MediatorRecord] | type[ObserverRecord]
    _shape: Shape
    _noun: str

    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    def _read(self, row: Any) -> P:
        raise NotImplementedError

    def _check(self, person: P, today: date | None) -> None:
        raise NotImplementedError

    def _get_row(self, s: Session, person_id: uuid.UUID) -> Any:
        row = s.get(self._row, person_id)
        if row is None:
            raise RecordNotFound(self._noun, person_id)
        return row

    def add(self, person: P, *, today: date | None = None) -> P:
        """Store a new person (the caller chose ``person.id``, e.g. ``new_id()``)."""
        person = prepared(person)
        self._check(person, today)
        with self._sessions() as s:
            row = to_row(self._row, person, name_folded=fold_name(person.name),
                         updated_at=utcnow())
            s.add(row)
            s.flush()
            return self._read(row)

    def update(self, person: P, *, today: date | None = None) -> P:
        """Replace every editable field; ``created_at`` stays as first stored."""
        person = prepared(person)
        self._check(person, today)
        with self._sessions() as s:
            row = self._get_row(s, person.id)
            set_columns(row, person, skip=fixed_fields(self._shape))
            row.name_folded = fold_name(person.name)
            row.updated_at = utcnow()
            s.flush()
            return self._read(row)

    def get(self, person_id: uuid.UUID) -> P:
        with self._sessions() as s:
            return self._read(self._get_row(s, person_id))

    def list(self) -> tuple[P, ...]:
        """Everyone, alphabetically as a person reads it (accents ignored)."""
        with self._sessions() as s:
            rows = s.scalars(select(self._row).order_by(self._row.name_folded, self._row.id))
            return tuple(self._read(r) for r in rows)

    def find(self, query: str, *, limit: int = DEFAULT_FIND_LIMIT) -> tuple[P, ...]:
        """Type-ahead: names whose start, or any word's start, matches ``query``.

        Case, accents and apostrophes are ignored: "siob" and "o dal" both find
        "Siobhán Ó Dálaigh". Names that start with the query come first, then
        alphabetical. An empty query lists the first ``limit`` names.
        """
        folded = self._row.name_folded
        with self._sessions() as s:
            stmt = select(self._row)
            if fold_name(query):
                stmt = stmt.where(_name_matches(folded, query)).order_by(
                    _whole_name_first(folded, query))
            rows = s.scalars(stmt.order_by(folded, self._row.id).limit(limit))
            return tuple(self._read(r) for r in rows)


class MediatorRepository(_People[Mediator]):
    _row = MediatorRecord
    _shape = MEDIATOR
    _noun = "mediator"

    def _read(self, row: Any) -> Mediator:
        return _convert.mediator(row)

    def _check(self, person: Mediator, today: date | None) -> None:
        validate_mediator(person, today=today)

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


class ObserverRepository(_People[Observer]):
    _row = ObserverRecord
    _shape = OBSERVER
    _noun = "observer"

    def _read(self, row: Any) -> Observer:
        return _convert.observer(row)

    def _check(self, person: Observer, today: date | None) -> None:
        validate_observer(person)  # an observer has no date to bound

"""A mediator's cases: a reference (never a child's name), a date, a role, hours."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.model.domain import Case
from sendobserve.model.readiness import case_order_key
from sendobserve.model.shapes import CASE, prepared
from sendobserve.model.validation import validate_case
from sendobserve.model.vocabulary import plural
from sendobserve.storage.records import CaseRecord, MediatorRecord, ObservationRecord
from sendobserve.storage.repositories import _convert
from sendobserve.storage.repositories._common import RecordNotFound, Sessions, as_factory
from sendobserve.storage.repositories._convert import fixed_fields, set_columns, to_row

# Cases in the order they happened; same-day cases in the order they were entered.
_CASE_ORDER = (CaseRecord.case_date, CaseRecord.created_at, CaseRecord.id)


class CaseRepository:
    def __init__(self, sessions: Sessions):
        self._sessions = as_factory(sessions)

    def add(self, case: Case, *, today: date | None = None) -> Case:
        case = prepared(case)
        validate_case(case, today=today)
        with self._sessions() as s:
            if s.get(MediatorRecord, case.mediator_id) is None:
                raise RecordNotFound("mediator", case.mediator_id)
            row = to_row(CaseRecord, case)
            s.add(row)
            s.flush()
            from sendobserve.storage.exchange_controls import note_restored

            note_restored(s, "case", case.id)  # an undo withdraws an unsent tombstone
            return _convert.case(row)

    def update(self, case: Case, *, today: date | None = None) -> Case:
        """Edit every field but the id, the mediator and the creation time; a case never
        moves to another mediator."""
        case = prepared(case)
        validate_case(case, today=today)
        with self._sessions() as s:
            row = _get_case_row(s, case.id)
            set_columns(row, case, skip=fixed_fields(CASE))
            s.flush()
            return _convert.case(row)

    def get(self, case_id: uuid.UUID) -> Case:
        with self._sessions() as s:
            return _convert.case(_get_case_row(s, case_id))

    def list_for_mediator(self, mediator_id: uuid.UUID) -> tuple[Case, ...]:
        """Oldest first: the order the Standards count cases in (first case, final case)."""
        with self._sessions() as s:
            rows = s.scalars(
                select(CaseRecord).where(CaseRecord.mediator_id == mediator_id).order_by(
                    *_CASE_ORDER
                )
            )
            # The rules' one order (same-day cases: observed, co-worked, led).
            return tuple(sorted((_convert.case(r) for r in rows), key=case_order_key))

    def delete(self, case_id: uuid.UUID) -> Case:
        """Remove a case entered by mistake and return it (to add back for undo).

        Refused while any observation refers to it: deleting would take evidence with it.
        """
        with self._sessions() as s:
            row = _get_case_row(s, case_id)
            observed = s.scalar(
                select(func.count()).select_from(ObservationRecord).where(
                    ObservationRecord.case_id == case_id
                )
            )
            if observed:
                raise UserError(
                    f"Case {row.reference} has {plural(observed, 'observation')} and cannot "
                    "be deleted",
                    hint="Correct the case's details instead, or discard its draft observations.",
                )
            gone = _convert.case(row)
            s.delete(row)
            s.flush()
            from sendobserve.storage.exchange_controls import note_deletion

            note_deletion(s, "case", gone)  # a case that has travelled: a signed tombstone
            return gone

    def next_ordinal(self, mediator_id: uuid.UUID) -> int:
        """The number a new case would get: 1 for a mediator's first case."""
        with self._sessions() as s:
            count = s.scalar(
                select(func.count()).select_from(CaseRecord).where(
                    CaseRecord.mediator_id == mediator_id
                )
            )
            return (count or 0) + 1

    def ordinal_of(self, case_id: uuid.UUID) -> int:
        """A case's position (1-based) among its mediator's cases, in the rules' order
        (``model.readiness.case_order_key``: by date; on one day observed, co-worked, led)."""
        with self._sessions() as s:
            row = _get_case_row(s, case_id)
        cases = self.list_for_mediator(row.mediator_id)
        return [c.id for c in cases].index(case_id) + 1


def _get_case_row(s: Session, case_id: uuid.UUID) -> CaseRecord:
    row = s.get(CaseRecord, case_id)
    if row is None:
        raise RecordNotFound("case", case_id)
    return row

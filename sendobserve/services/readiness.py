"""A trainee's readiness, loaded and assessed in one place: the screen, the CLI and the
print gates all come here.

``load_readiness`` opens one unit of work, reads the mediator's practice record in a fixed
number of queries and runs the three pure assessments of ``sendobserve.model``
(readiness for Form 4, re-registration, passporting). ``assess`` is the part of it the
Form 4 gate needs. Reads only: nothing here returns a ``Changes``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sendobserve.model.domain import Mediator, PracticeRecord
from sendobserve.model.readiness import FormLookup, ReadinessReport, assess_readiness
from sendobserve.model.renewal import (
    PassportReport,
    RenewalReport,
    assess_passport,
    assess_renewal,
)
from sendobserve.model.vocabulary import fold_name

if TYPE_CHECKING:
    from sendobserve.forms.registry import FormRegistry
    from sendobserve.services import Sessions


@dataclass(frozen=True, slots=True)
class ReadinessData:
    """One trainee's record and the three assessments the readiness screens show."""

    record: PracticeRecord
    readiness: ReadinessReport
    renewal: RenewalReport
    passport: PassportReport


@dataclass(frozen=True, slots=True)
class MediatorOverview:
    """One line of the mediators list: who, and whether Form 4 could be issued today."""

    mediator: Mediator
    ready_for_form4: bool


def load_forms(store: Sessions) -> FormRegistry:
    """The Standards' forms plus every version stored with the records (providers' own)."""
    from sendobserve.storage.repositories import load_registry

    return load_registry(store.session)


def load_record(store: Sessions, mediator_id: uuid.UUID) -> PracticeRecord:
    from sendobserve.storage.repositories import load_practice_record

    with store.session() as session:
        return load_practice_record(session, mediator_id)


def assess(store: Sessions, mediator_id: uuid.UUID, *, today: date | None = None,
           forms: FormLookup | None = None) -> tuple[PracticeRecord, ReadinessReport]:
    """The record and its readiness for Form 4 (the assessment the Form 4 gate reads)."""
    record = load_record(store, mediator_id)
    forms = forms if forms is not None else load_forms(store)
    return record, assess_readiness(record, forms, today=today or date.today())


def assess_form5(store: Sessions, mediator_id: uuid.UUID, *, today: date | None = None
                 ) -> tuple[PracticeRecord, PassportReport]:
    """The passporting assessment the screen shows, which is also the Form 5 gate."""
    record = load_record(store, mediator_id)
    return record, assess_passport(record, today=today or date.today())


def load_readiness(store: Sessions, mediator_id: uuid.UUID, *, today: date,
                   forms: FormLookup | None = None) -> ReadinessData:
    """Everything the trainee's readiness page shows, in one go (worker-thread safe).

    ``forms`` may be given when the caller already holds the registry (the screens load
    it once); otherwise the store's own is read.
    """
    record = load_record(store, mediator_id)
    forms = forms if forms is not None else load_forms(store)
    return ReadinessData(
        record=record,
        readiness=assess_readiness(record, forms, today=today),
        renewal=assess_renewal(record, today=today),
        passport=assess_passport(record, today=today),
    )


def mediator_overview(store: Sessions, *, today: date) -> tuple[MediatorOverview, ...]:
    """Every mediator, sorted by name, with whether they are ready for Form 4 on ``today``."""
    from sendobserve.storage.repositories import in_session, load_practice_records, load_registry

    with store.session() as session:
        records = list(load_practice_records(session).values())
        forms = load_registry(in_session(session))
    return tuple(
        MediatorOverview(r.mediator, assess_readiness(r, forms, today=today).ready)
        for r in sorted(records, key=lambda r: (fold_name(r.mediator.name), r.mediator.id.hex)))

"""Repositories: one per aggregate, handing out frozen domain dataclasses, never ORM rows.

Transaction rule: one unit of work, one way to pass it. Every repository, the loaders,
the form registry and the bulk writer take ``sessions: Sessions``: either the open
``Session`` of the caller's unit of work (``with store.session() as s:
MediatorRepository(s).add(…)``), which the call joins (it flushes, so constraint errors
surface at the call) and the caller's block commits once at its end, all or nothing; or
``store.session`` itself, and then each call is its own unit of work, COMMITTED when it
returns, so a mark the screen shows as saved is on disk. A failed write (a ``UserError``
such as ``ValidationError`` or ``ObservationLocked``, or any other exception) rolls back
and stores nothing; all validation happens before the first row is written.
(``in_session(s)`` is the older spelling of passing ``s``.) The panel's functions are
the exception: ``panel_verdicts`` needs ``store.session`` (it stores each batch in a
transaction of its own) and the others run in the caller's ``Session``.
"""

from sendobserve.storage.records import MarkEventKind
from sendobserve.storage.repositories._common import (
    ObservationLocked,
    RecordNotFound,
    SessionFactory,
    Sessions,
    fold_name,
    in_session,
    unit_of_work,
)
from sendobserve.storage.repositories.bulk import PutResult, put_practice_record
from sendobserve.storage.repositories.cases import CaseRepository
from sendobserve.storage.repositories.forms import (
    FormVersionConflict,
    FormVersionRepository,
    StoredFormVersion,
    install_form,
    load_registry,
    source_sha256,
)
from sendobserve.storage.repositories.loading import (
    PracticeSummary,
    load_practice_record,
    load_practice_records,
    practice_summaries,
)
from sendobserve.storage.repositories.observations import (
    MarkEdit,
    MarkEvent,
    ObservationRepository,
)
from sendobserve.storage.repositories.panel import (
    CheckResult,
    StoredVerdict,
    check_verdicts,
    panel_verdicts,
    stored_verdicts,
    verdict_for,
)
from sendobserve.storage.repositories.people import MediatorRepository, ObserverRepository
from sendobserve.storage.repositories.practice import PracticeItem, PracticeRepository

__all__ = [
    "CaseRepository",
    "CheckResult",
    "FormVersionConflict",
    "FormVersionRepository",
    "MarkEdit",
    "MarkEvent",
    "MarkEventKind",
    "MediatorRepository",
    "ObservationLocked",
    "ObservationRepository",
    "ObserverRepository",
    "PracticeItem",
    "PracticeRepository",
    "PracticeSummary",
    "PutResult",
    "RecordNotFound",
    "SessionFactory",
    "Sessions",
    "StoredFormVersion",
    "StoredVerdict",
    "check_verdicts",
    "fold_name",
    "in_session",
    "install_form",
    "load_practice_record",
    "load_practice_records",
    "load_registry",
    "panel_verdicts",
    "practice_summaries",
    "put_practice_record",
    "source_sha256",
    "stored_verdicts",
    "unit_of_work",
    "verdict_for",
]

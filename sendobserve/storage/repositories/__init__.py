"""Repositories: one per aggregate, handing out frozen domain dataclasses, never ORM rows.

Transaction rule. Every repository is built with a *session factory*
(``SessionFactory``, e.g. ``store.session``): each public method opens one unit of work
with it, and a write has been COMMITTED when the method returns. So a mark the screen
shows as saved is on disk. A failed write (a ``UserError`` such as ``ValidationError``
or ``ObservationLocked``, or any other exception) rolls back and stores nothing; all
validation happens before the first row is written.

To make several calls one transaction (an import that applies everything or nothing),
build the repositories with ``in_session(session)`` inside your own
``with store.session() as session:`` block: they then join that transaction, flush after
each call, and the block commits once at its end.

``load_practice_record(session, …)``, ``load_practice_records``, ``practice_summaries``
and ``put_practice_record`` (the idempotent whole-record writer for the demo and imports)
take a session directly: their callers are already inside one unit of work, and
``put_practice_record`` is committed when that unit of work ends.
"""

from sendobserve.storage.records import MarkEventKind
from sendobserve.storage.repositories._common import (
    ObservationLocked,
    RecordNotFound,
    SessionFactory,
    fold_name,
    in_session,
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
    "verdict_for",
]

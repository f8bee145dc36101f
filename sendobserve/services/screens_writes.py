"""The app's writes outside the trainee page, each saying what it changed (Qt-free).

Every function takes an open store, does what the library function it wraps does (one
transaction each) and returns ``Written``: that function's result and the ``Changes``
the window emits so open screens refresh. An import names the trainees its file carries,
a sync the trainees its imported bundles carried, a certificate its mediator; removing
the demo, retention and an erasure take people out of every list (``EVERYTHING``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from sendobserve.services.changes import EVERYTHING, NOTHING, Changes, Written

if TYPE_CHECKING:
    from sendobserve.exchange.actions import PendingImport
    from sendobserve.exchange.apply import ImportResult
    from sendobserve.hub.sync import SyncResult
    from sendobserve.model.domain import Observer
    from sendobserve.model.retention import RetentionPlan
    from sendobserve.reports.jobs import CertificatePlan, IssuedDocument
    from sendobserve.storage.db import Store
    from sendobserve.storage.erasure import ErasureResult


def _evidence(mediators: frozenset[uuid.UUID]) -> Changes:
    """What an import may have changed about these trainees: anything in their record."""
    return Changes(people=True, cases=True, observations=True, marks=True, record=True,
                   trust=True, forms=True, mediators=mediators)


def import_file(store: Store, pending: PendingImport) -> Written[ImportResult]:
    """Apply a previewed exchange file in one transaction."""
    from sendobserve.exchange.actions import apply_pending

    result = apply_pending(store, pending)
    if not result.written:
        return Written(result, NOTHING)
    mediators = frozenset(m.id for m in pending.opened.payload.mediators)
    return Written(result, _evidence(mediators))


def sync_with_hub(store: Store, *, progress: Callable[[str], None] | None = None
                  ) -> Written[SyncResult]:
    """Send, then receive, through the organisation's hub."""
    from sendobserve.hub.sync import sync

    result = sync(store, progress=progress)
    if not result.imported:
        return Written(result, NOTHING)
    return Written(result, _evidence(frozenset(result.mediators)))


def issue_certificate(store: Store, plan: CertificatePlan, signer: Observer, *,
                      today: date | None = None, signer_drawing: bytes | None = None,
                      mediator_drawing: bytes | None = None) -> Written[IssuedDocument]:
    """Issue (or re-print) Form 4 or Form 5; the register and the accreditation date
    change with a first issue."""
    from sendobserve.reports import jobs

    issued = jobs.issue_certificate(store, plan, signer, today=today,
                                    signer_drawing=signer_drawing,
                                    mediator_drawing=mediator_drawing)
    changes = Changes(certificates=True, people=True,
                      mediators=frozenset({plan.record.mediator.id}))
    return Written(issued, NOTHING if issued.reprint else changes)


def remove_demo_data(store: Store, *, today: date) -> Written[dict[str, int]]:
    from sendobserve.demo import remove_demo

    removed = remove_demo(store, today=today)
    return Written(removed, EVERYTHING if removed else NOTHING)


def apply_retention(store: Store, plan: RetentionPlan) -> Written[dict[str, int]]:
    from sendobserve.storage import retention

    done = retention.apply_retention(store, plan)
    return Written(done, EVERYTHING if any(done.values()) else NOTHING)


def erase_mediator(store: Store, mediator_id: uuid.UUID) -> Written[ErasureResult]:
    from sendobserve.storage import erasure

    return Written(erasure.erase_mediator(store, mediator_id), EVERYTHING)


__all__ = ["apply_retention", "erase_mediator", "import_file", "issue_certificate",
           "remove_demo_data", "sync_with_hub"]

"""The app's writes outside the trainee page, each saying what it changed (Qt-free).

Every function takes an open store, does what the library function it wraps does (one
transaction each) and returns ``Done``: that function's result and the ``Changes``
the window emits so open screens refresh. An import names the trainees its file carries,
a sync the trainees its imported bundles carried, a certificate its mediator; removing
the demo, retention and an erasure take people out of every list (``EVERYTHING``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sendobserve.services import Done
from sendobserve.services.changes import EVERYTHING, NOTHING
from sendobserve.services.hub import sync_with_hub  # and 'sendobserve sync'
from sendobserve.services.privacy import apply_retention, erase_mediator  # and the CLI's

if TYPE_CHECKING:
    from sendobserve.exchange.apply import ImportResult
    from sendobserve.model.domain import Observer
    from sendobserve.services.documents import CertificatePlan, IssuedDocument
    from sendobserve.services.exchange import PendingImport
    from sendobserve.storage.db import Store


def import_file(store: Store, pending: PendingImport) -> Done[ImportResult]:
    """Apply a previewed exchange file in one transaction; its changes name the trainees
    in the file (``services.exchange.import_changes``), or nothing if nothing was
    written."""
    from sendobserve.services.exchange import apply_pending

    done = apply_pending(store, pending)
    return Done(done.result, done.changes)


def issue_certificate(store: Store, plan: CertificatePlan, signer: Observer, *,
                      today: date | None = None, signer_drawing: bytes | None = None,
                      mediator_drawing: bytes | None = None) -> Done[IssuedDocument]:
    """Issue (or re-print) Form 4 or Form 5 (``services.documents.issue_certificate``);
    its changes are that function's own (the register; the accreditation date with a
    first issue)."""
    from sendobserve.services import documents

    issued = documents.issue_certificate(store, plan, signer, today=today,
                                         signer_drawing=signer_drawing,
                                         mediator_drawing=mediator_drawing)
    return Done(issued, issued.changes)


def add_demo_data(store: Store, *, today: date) -> Done[dict[str, int]]:
    """The fictional practice period (``sendobserve demo``): what it added, per table."""
    from sendobserve.demo import fill_store

    added = fill_store(store, today=today)
    return Done(added, EVERYTHING if added else NOTHING)


def remove_demo_data(store: Store, *, today: date) -> Done[dict[str, int]]:
    from sendobserve.demo import remove_demo

    removed = remove_demo(store, today=today)
    return Done(removed, EVERYTHING if removed else NOTHING)


__all__ = ["add_demo_data", "apply_retention", "erase_mediator", "import_file", "issue_certificate",
           "remove_demo_data", "sync_with_hub"]

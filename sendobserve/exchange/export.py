"""Choosing what goes into an exchange file: a mediator's finalised observations with the
case, observer, mediator and form records they need, and nothing else; with each
observation goes its author's signature (``provenance``), whoever exports it."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.orm import Session

from sendobserve.exchange.bundle import DEFAULT_LOG2_N, seal
from sendobserve.exchange.codec import EXPORTABLE_STATES, ExportPayload, FormText
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.identity import Identity
from sendobserve.model.domain import utcnow
from sendobserve.storage.exchange import provenance_of as stored_provenance
from sendobserve.storage.repositories import (
    FormVersionRepository,
    in_session,
    load_practice_record,
)


def build_payload(
    session: Session,
    mediator_id: uuid.UUID,
    *,
    exported_by: str,
    observation_ids: Collection[uuid.UUID] | None = None,
) -> ExportPayload:
    """The finalised observations of ``mediator_id`` (or just ``observation_ids``)."""
    record = load_practice_record(session, mediator_id)
    chosen = tuple(
        o for o in record.observations
        if o.state in EXPORTABLE_STATES
        and (observation_ids is None or o.id in observation_ids)
    )
    if not chosen:
        raise ExchangeError(
            ExchangeProblem.BAD_INPUT,
            f"{record.mediator.name} has no finalised observations to export.",
            hint="Only finalised (signed) observations can be exchanged.",
        )
    ids = {o.id for o in chosen}
    case_ids = {o.case_id for o in chosen}
    observer_ids = {o.observer_id for o in chosen}
    authors = stored_provenance(session, ids)
    forms = FormVersionRepository(in_session(session))
    form_texts = []
    for form_id, version in sorted({(o.form_id, o.form_version) for o in chosen}):
        stored = forms.get(form_id, version)
        if stored is None:  # pragma: no cover - the observations table's foreign key
            raise ExchangeError(ExchangeProblem.BAD_INPUT,
                                f"Form {form_id} {version} is missing from this store.")
        form_texts.append(FormText(form_id, version, stored.source))
    return ExportPayload(
        created_at=utcnow(),
        exported_by=exported_by,
        mediators=(record.mediator,),
        observers=tuple(o for o in record.observers if o.id in observer_ids),
        cases=tuple(c for c in record.cases if c.id in case_ids),
        observations=chosen,
        marks=tuple(m for m in record.marks if m.observation_id in ids),
        debrief_notes=tuple(n for n in record.debrief_notes if n.observation_id in ids),
        amendments=tuple(a for a in record.amendments if a.observation_id in ids),
        forms=tuple(form_texts),
        provenance=tuple(p for o in chosen if (p := authors.get(o.id)) is not None),
    )


def export_bundle(
    session: Session,
    mediator_id: uuid.UUID,
    *,
    passphrase: str,
    identity: Identity,
    exported_by: str,
    recipients: tuple[bytes, ...] = (),
    observation_ids: Collection[uuid.UUID] | None = None,
    kdf_log2_n: int = DEFAULT_LOG2_N,
) -> tuple[bytes, ExportPayload]:
    """The sealed file's bytes, and what went into it (for the summary shown)."""
    payload = build_payload(session, mediator_id, exported_by=exported_by,
                            observation_ids=observation_ids)
    return seal(payload, passphrase=passphrase, signing_key=identity,
                recipients=recipients, kdf_log2_n=kdf_log2_n), payload

"""Choosing what goes into an exchange file, by scope:

- ``OBSERVATIONS``: a mediator's finalised observations with the case, observer, mediator
  and form records they need, and nothing else;
- ``RECORD``: the trainee's whole record: those, and every case (with role and hours),
  training, reflection, CPD, mentoring and supervision contact, discretion and the
  mediator's details (passporting facts), each with its version history, and the
  evidence files attached to those entries (``exchange.evidence``);
- ``OBSERVER``: everything one observer wrote (their finalised observations of every
  mediator they observed) — build one file per mediator with ``observer_id``.

With each observation goes its author's signature (``provenance``), whoever exports it,
and with every file the installations this store has revoked (lost laptops).
``payload_counts`` says what will travel, per kind, before anything is sealed. Exporting
a record records the digest of each version that leaves (``record_versions``): the
history that later tells an edit of it from a conflicting one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from sendobserve.exchange.bundle import DEFAULT_LOG2_N, seal
from sendobserve.exchange.codec import EXPORTABLE_STATES, ExportPayload, FormText, RecordHistory
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.evidence import EvidenceItem
from sendobserve.exchange.evidence import items_for as evidence_items_for
from sendobserve.exchange.logs import KIND_OF, LOG_KINDS, Versioned, record_digest
from sendobserve.model.domain import PracticeRecord, utcnow
from sendobserve.model.evidence import EntryKind
from sendobserve.pki.control import ErasureRecord
from sendobserve.pki.identity import Identity
from sendobserve.storage.exchange import provenance_of as stored_provenance
from sendobserve.storage.exchange import record_histories as stored_histories
from sendobserve.storage.exchange import remember_versions
from sendobserve.storage.exchange import revocations as stored_revocations
from sendobserve.storage.repositories import (
    FormVersionRepository,
    load_practice_record,
)


class ExportScope(StrEnum):
    OBSERVATIONS = "observations"
    RECORD = "record"
    OBSERVER = "observer"


def payload_counts(payload: ExportPayload) -> dict[str, int]:
    """How many records of each kind the payload carries (the export preview)."""
    counts = {
        "observations": len(payload.observations),
        "amendments": len(payload.amendments),
        "cases": len(payload.cases),
        "observers": len(payload.observers),
    }
    counts.update({kind: len(payload.log_records(kind)) for kind in LOG_KINDS})
    counts["author signatures"] = len(payload.provenance)
    counts["evidence files"] = len(payload.evidence)
    return counts


def build_payload(
    session: Session,
    mediator_id: uuid.UUID,
    *,
    exported_by: str,
    observation_ids: Collection[uuid.UUID] | None = None,
    scope: ExportScope = ExportScope.OBSERVATIONS,
    observer_id: uuid.UUID | None = None,
    record_history: bool = True,
) -> ExportPayload:
    """The finalised observations of ``mediator_id`` (or just ``observation_ids``, or
    those of ``observer_id`` for the OBSERVER scope); with RECORD, the whole record."""
    if (scope is ExportScope.OBSERVER) != (observer_id is not None):
        raise ValueError("the OBSERVER scope, and only it, needs observer_id")
    record = load_practice_record(session, mediator_id)
    chosen = tuple(
        o for o in record.observations
        if o.state in EXPORTABLE_STATES
        and (observation_ids is None or o.id in observation_ids)
        and (observer_id is None or o.observer_id == observer_id)
    )
    whole = scope is ExportScope.RECORD
    has_logs = whole and any(getattr(record, f) for f in (
        "cases", "training", "reflections", "cpd", "contacts", "discretions"))
    if not chosen and not has_logs:
        raise ExchangeError(
            ExchangeProblem.BAD_INPUT,
            f"{record.mediator.name} has no finalised observations to export.",
            hint="Only finalised (signed) observations can be exchanged.",
        )
    ids = {o.id for o in chosen}
    case_ids = {o.case_id for o in chosen} | ({c.id for c in record.cases} if whole else set())
    observer_ids = {o.observer_id for o in chosen}
    if whole:
        observer_ids |= {c.observer_id for c in record.contacts if c.observer_id is not None}
    authors = stored_provenance(session, ids)
    forms = FormVersionRepository(session)
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
        **_record_parts(session, record, record_history, logs=whole),
        revocations=tuple(r for _fp, r in sorted(stored_revocations(session).items())),
        evidence=_evidence(session, record, case_ids) if whole else (),
        erasures=_held_erasures(session),
    )


def _held_erasures(session: Session) -> tuple[ErasureRecord, ...]:
    from sendobserve.storage.erasure_records import held_erasures

    return held_erasures(session)


def erasure_payload(session: Session, *, exported_by: str) -> ExportPayload:
    """A file with no records at all, only the erasure records this store holds (and its
    revocations): what ``sendobserve erase --record FILE`` writes for other laptops."""
    erasures = _held_erasures(session)
    if not erasures:
        raise ExchangeError(ExchangeProblem.BAD_INPUT,
                            "This store holds no erasure record to send.")
    return ExportPayload(
        created_at=utcnow(), exported_by=exported_by, mediators=(), observers=(), cases=(),
        observations=(),
        revocations=tuple(r for _fp, r in sorted(stored_revocations(session).items())),
        erasures=erasures,
    )


def _evidence(session: Session, record: PracticeRecord, case_ids: set[uuid.UUID]
              ) -> tuple[EvidenceItem, ...]:
    """The evidence files of the training, CPD and case entries that travel."""
    entries = [(EntryKind.TRAINING, t.id) for t in record.training]
    entries += [(EntryKind.CPD, c.id) for c in record.cpd]
    entries += [(EntryKind.CASE, c) for c in sorted(case_ids)]
    return evidence_items_for(session, entries)


def _record_parts(session: Session, record: PracticeRecord, remember: bool, *, logs: bool
                  ) -> dict[str, Any]:
    """The log records of the whole record (``logs``), and the history of each and of the
    mediator's details, in every scope (recorded as sent, unless this is a preview)."""
    parts: dict[str, Any] = {"training": record.training, "reflections": record.reflections,
                             "cpd": record.cpd, "contacts": record.contacts,
                             "discretions": record.discretions} if logs else {}
    versioned: list[Versioned] = [record.mediator]
    for kind in parts:
        versioned.extend(parts[kind])
    keys = [(KIND_OF[type(r)], r.id) for r in versioned]
    known = stored_histories(session, keys)
    history = []
    for r, key in zip(versioned, keys, strict=True):
        digest = record_digest(r)
        earlier = known.get(key, frozenset()) - {digest}
        if remember:
            remember_versions(session, key[0], r.id, [digest])
        if earlier:
            history.append(RecordHistory(key[0], r.id, tuple(sorted(earlier))))
    parts["history"] = tuple(history)
    return parts


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
    scope: ExportScope = ExportScope.OBSERVATIONS,
    observer_id: uuid.UUID | None = None,
) -> tuple[bytes, ExportPayload]:
    """The sealed file's bytes, and what went into it (for the summary shown)."""
    payload = build_payload(session, mediator_id, exported_by=exported_by,
                            observation_ids=observation_ids, scope=scope,
                            observer_id=observer_id)
    return seal(payload, passphrase=passphrase, signing_key=identity,
                recipients=recipients, kdf_log2_n=kdf_log2_n), payload

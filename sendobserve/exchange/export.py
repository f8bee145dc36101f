"""Choosing what goes into an exchange file, by scope:

- ``OBSERVATIONS``: a mediator's finalised observations with the case, observer, mediator
  and form records they need, and nothing else;
- ``RECORD``: the trainee's whole record: those, and every case (with role and hours),
  training, reflection, CPD, mentoring and supervision contact, discretion and the
  mediator's details (passporting facts), each with its version history, and the
  evidence files attached to those entries (``exchange.evidence``);
- ``OBSERVER``: everything one observer wrote (their finalised observations of every
  mediator they observed) — build one file per mediator with ``observer_id``;
- ``SINCE_LAST``: what changed since the last export to a given person
  (``since_last_to``): the whole record less every version already sent to them.

A whole record (and a since-last export) also carries the certificates issued to the
trainee, the signed tombstones of records deleted and people's signed decisions on
conflicts (``exchange.controls``). An export made for a named person (``sent_to``, and
every since-last export) records each version sent, per person (``exchange_sent``).

With each observation goes its author's signature (``provenance``), whoever exports it,
and with every file the installations this store has revoked (lost laptops).
``payload_counts`` says what will travel, per kind, before anything is sealed. Exporting
a record records the digest of each version that leaves (``record_versions``): the
history that later tells an edit of it from a conflicting one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from sendobserve.exchange.bundle import DEFAULT_LOG2_N, seal
from sendobserve.exchange.codec import (
    EXPORTABLE_STATES,
    ExportPayload,
    FormText,
    RecordHistory,
    versions_of,
)
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.evidence import EvidenceItem
from sendobserve.exchange.evidence import items_for as evidence_items_for
from sendobserve.exchange.logs import KIND_OF, LOG_KINDS, LogRecord, Versioned, record_digest
from sendobserve.model.domain import (
    Contact,
    Cpd,
    Discretion,
    PracticeRecord,
    Reflection,
    Training,
    utcnow,
)
from sendobserve.model.evidence import EntryKind
from sendobserve.pki.canonical import canonical_json
from sendobserve.pki.control import ErasureRecord
from sendobserve.pki.controls import EVIDENCE
from sendobserve.pki.identity import Identity
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.exchange import observers_by_id as stored_observers
from sendobserve.storage.exchange import provenance_of as stored_provenance
from sendobserve.storage.exchange import record_histories as stored_histories
from sendobserve.storage.exchange import remember_versions
from sendobserve.storage.exchange import revocations as stored_revocations
from sendobserve.storage.exchange_controls import remember_sent
from sendobserve.storage.repositories import (
    FormVersionRepository,
    load_practice_record,
)


class ExportScope(StrEnum):
    OBSERVATIONS = "observations"
    RECORD = "record"
    OBSERVER = "observer"
    SINCE_LAST = "since_last"


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
    counts["certificates"] = len(payload.certificates)
    counts["deletions"] = len(payload.tombstones)
    counts["decisions"] = len(payload.decisions)
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
    since_last_to: str | None = None,
    sent_to: str | None = None,
    record: PracticeRecord | None = None,
) -> ExportPayload:
    """The finalised observations of ``mediator_id`` (or just ``observation_ids``, or
    those of ``observer_id`` for the OBSERVER scope); with RECORD, the whole record; with
    SINCE_LAST, what ``since_last_to`` has not been sent yet. ``sent_to`` (implied by
    SINCE_LAST) records what goes to that person, unless this is a preview
    (``record_history=False``). ``record``: the mediator's record, when the caller
    already loaded it."""
    if (scope is ExportScope.OBSERVER) != (observer_id is not None):
        raise ValueError("the OBSERVER scope, and only it, needs observer_id")
    if (scope is ExportScope.SINCE_LAST) != (since_last_to is not None):
        raise ValueError("the SINCE_LAST scope, and only it, needs since_last_to")
    if since_last_to is not None:
        sent_to = since_last_to
    recipient = None if sent_to is None else recipient_key(sent_to)
    if recipient is not None and not recipient:
        raise ExchangeError(ExchangeProblem.BAD_INPUT, "Name the person the file is for.")
    record = record or load_practice_record(session, mediator_id)
    chosen = tuple(
        o for o in record.observations
        if o.state in EXPORTABLE_STATES
        and (observation_ids is None or o.id in observation_ids)
        and (observer_id is None or o.observer_id == observer_id)
    )
    whole = scope in (ExportScope.RECORD, ExportScope.SINCE_LAST)
    extras = _controls(session, record) if whole else {}
    has_logs = whole and (any(getattr(record, f) for f in (
        "cases", "training", "reflections", "cpd", "contacts", "discretions"))
        or any(extras.values()))
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
        observer_ids |= {c.signer_id for c in extras["certificates"] if c.signer_id}
    observers = {o.id: o for o in record.observers}
    missing = observer_ids - set(observers)
    if missing:  # a certificate's signer who neither observed nor mentored
        observers.update(stored_observers(session, missing))
    authors = stored_provenance(session, ids)
    forms = FormVersionRepository(session)
    form_texts = []
    for form_id, version in sorted({(o.form_id, o.form_version) for o in chosen}):
        stored = forms.get(form_id, version)
        if stored is None:  # pragma: no cover - the observations table's foreign key
            raise ExchangeError(ExchangeProblem.BAD_INPUT,
                                f"Form {form_id} {version} is missing from this store.")
        form_texts.append(FormText(form_id, version, stored.source))
    payload = ExportPayload(
        created_at=utcnow(),
        exported_by=exported_by,
        mediators=(record.mediator,),
        observers=tuple(observers[i] for i in sorted(observer_ids, key=lambda i: i.hex)),
        cases=tuple(c for c in record.cases if c.id in case_ids),
        observations=chosen,
        marks=tuple(m for m in record.marks if m.observation_id in ids),
        debrief_notes=tuple(n for n in record.debrief_notes if n.observation_id in ids),
        amendments=tuple(a for a in record.amendments if a.observation_id in ids),
        forms=tuple(form_texts),
        provenance=tuple(p for o in chosen if (p := authors.get(o.id)) is not None),
        **_record_parts(session, record, logs=whole, case_ids=case_ids,
                        observer_ids=observer_ids),
        **extras,
        revocations=tuple(r for _fp, r in sorted(stored_revocations(session).items())),
        evidence=_evidence(session, record, case_ids) if whole else (),
        erasures=_held_erasures(session),
    )

    if since_last_to is not None:
        payload = without_sent(payload, sent_items(session, recipient or "", record.mediator.id))
        if _nothing_new(payload):
            raise ExchangeError(
                ExchangeProblem.BAD_INPUT,
                f"Nothing of {record.mediator.name}'s record has changed since the last "
                f"export to {since_last_to}.", hint="There is nothing to send.")
    if record_history:
        _remember_history(session, payload)
        controls_store.mark_tombstones_sent(
            session, [(t.kind, t.record_id) for t in payload.tombstones])
        if recipient:
            remember_sent(session, recipient, record.mediator.id, items_of(payload), utcnow())
    return payload


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


@dataclass(frozen=True, slots=True)
class TraineePayloads:
    """A trainee's record cut for the hub: ``record`` carries the mediator's details,
    every case and every log record with their histories (no observation; just the
    details while there is nothing else), ``observations`` each finalised observation on
    its own. None carries revocations: those travel to every member on their own."""

    record: ExportPayload
    observations: dict[uuid.UUID, ExportPayload]


def trainee_payloads(session: Session, mediator_id: uuid.UUID, *, exported_by: str,
                     observation_ids: Collection[uuid.UUID] | None = None
                     ) -> TraineePayloads:
    """The record part and the finalised observations (all, or ``observation_ids``) of
    one trainee, from one load of the record: building each observation's payload with
    its own load made syncing an admin's store quadratic."""
    record = load_practice_record(session, mediator_id)
    observations = {
        o.id: replace(build_payload(session, mediator_id, exported_by=exported_by,
                                    observation_ids={o.id}, record=record), revocations=())
        for o in record.observations
        if o.state in EXPORTABLE_STATES and (observation_ids is None or o.id in observation_ids)
    }
    try:
        whole = build_payload(session, mediator_id, exported_by=exported_by,
                              observation_ids=(), scope=ExportScope.RECORD, record=record)
    except ExchangeError:  # nothing recorded yet: the trainee's details alone
        whole = ExportPayload(created_at=utcnow(), exported_by=exported_by,
                              mediators=(record.mediator,), observers=(), cases=(),
                              observations=(), **_record_parts(session, record, logs=False,
                                                               case_ids=set(),
                                                               observer_ids=set()))
    return TraineePayloads(replace(whole, revocations=()), observations)


def _record_parts(session: Session, record: PracticeRecord, *, logs: bool,
                  case_ids: set[uuid.UUID], observer_ids: set[uuid.UUID]) -> dict[str, Any]:
    """The log records of the whole record (``logs``), and the history of each and of the
    mediator's details and the cases and observers that travel, in every scope."""
    parts: dict[str, Any] = {"training": record.training, "reflections": record.reflections,
                             "cpd": record.cpd, "contacts": record.contacts,
                             "discretions": record.discretions} if logs else {}
    versioned: list[Versioned] = [record.mediator]
    versioned += [c for c in record.cases if c.id in case_ids]
    held = stored_observers(session, observer_ids)
    versioned += [held[i] for i in sorted(held, key=lambda i: i.hex)]
    for kind in parts:
        versioned.extend(parts[kind])
    keys = [(KIND_OF[type(r)], r.id) for r in versioned]
    known = stored_histories(session, keys)
    history = []
    for r, key in zip(versioned, keys, strict=True):
        earlier = known.get(key, frozenset()) - {record_digest(r)}
        if earlier:
            history.append(RecordHistory(key[0], r.id, tuple(sorted(earlier))))
    parts["history"] = tuple(history)
    return parts


def _versioned(payload: ExportPayload) -> list[Versioned]:
    out: list[Versioned] = [*payload.mediators, *payload.cases, *payload.observers]
    for kind in LOG_KINDS:
        out.extend(payload.log_records(kind))
    return out


def _remember_history(session: Session, payload: ExportPayload) -> None:
    """Each version that leaves joins its record's history (what tells an edit of it from
    a conflicting one later)."""
    for r in _versioned(payload):
        remember_versions(session, KIND_OF[type(r)], r.id, [record_digest(r)])
    for e in payload.evidence:  # so that removing it later signs a tombstone
        remember_versions(session, EVIDENCE, e.file.id, [e.file.sha256])


def _controls(session: Session, record: PracticeRecord) -> dict[str, Any]:
    """The certificates, tombstones and decisions of a whole record."""
    from sendobserve.model.rulebook import shipped_rulebook

    rulebook = shipped_rulebook()
    certificates = tuple(
        c if c.edition else replace(c, edition=record.mediator.rules_edition
                                    or rulebook.in_force_on(c.issued_on).id)
        for c in controls_store.certificates_of(session, record.mediator.id))
    return {
        "certificates": certificates,
        "tombstones": tuple(t for _k, t in sorted(
            controls_store.tombstones(session, mediator_id=record.mediator.id).items(),
            key=lambda kv: (kv[0][0], kv[0][1].hex))),
        "decisions": controls_store.decisions(session, mediator_id=record.mediator.id),
    }


def recipient_key(name: str) -> str:
    """How a recipient's name is compared: folded (case, accents, spacing)."""
    from sendobserve.storage.repositories._common import fold_name

    return fold_name(name)[:200]


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_R = TypeVar("_R", Training, Reflection, Cpd, Contact, Discretion)
_CERT_NS = uuid.UUID("5e0d0b5e-0000-4000-8000-000000000004")


def items_of(payload: ExportPayload) -> set[tuple[str, uuid.UUID, str]]:
    """(kind, id, digest) of every version the payload carries."""
    items = {(KIND_OF[type(r)], r.id, record_digest(r)) for r in _versioned(payload)}
    items |= {("observation", v.observation.id, v.digest) for v in versions_of(payload)}
    items |= {("tombstone", t.record_id, _sha(t.signature)) for t in payload.tombstones}
    items |= {("decision", d.id, _sha(d.signature)) for d in payload.decisions}
    items |= {("certificate", uuid.uuid5(_CERT_NS, c.key), _sha(canonical_json(c.json())))
              for c in payload.certificates}
    items |= {("evidence", e.file.id, e.file.sha256) for e in payload.evidence}
    return items


def sent_items(session: Session, recipient: str, mediator_id: uuid.UUID
               ) -> frozenset[tuple[str, uuid.UUID, str]]:
    return controls_store.sent_to(session, recipient, mediator_id)


def _nothing_new(payload: ExportPayload) -> bool:
    """What is left after ``without_sent`` is only context: the mediator's details, the
    revocations and erasure records every file carries (``is_empty`` counts those, as a
    hub bundle of a trainee's details alone is worth sending; a since-last file is not)."""
    return not (payload.observations or payload.cases
                or any(payload.log_records(k) for k in LOG_KINDS)
                or payload.certificates or payload.tombstones or payload.decisions
                or payload.evidence)


def without_sent(payload: ExportPayload, sent: frozenset[tuple[str, uuid.UUID, str]]
                 ) -> ExportPayload:
    """``payload`` less every version in ``sent``; kept: what the rest refers to."""
    def new(kind: str, rid: uuid.UUID, digest: str) -> bool:
        return (kind, rid, digest) not in sent

    versions = [v for v in versions_of(payload)
                if new("observation", v.observation.id, v.digest)]
    ids = {v.observation.id for v in versions}
    # An evidence file not sent yet goes with its entry (sent before or not).
    evidence = tuple(e for e in payload.evidence if new("evidence", e.file.id, e.file.sha256))
    entries = {(e.file.entry_kind.value, e.file.entry_id) for e in evidence}

    def fresh(kind: str, rows: tuple[_R, ...]) -> tuple[_R, ...]:
        return tuple(r for r in rows
                     if (kind, r.id) in entries or new(kind, r.id, record_digest(r)))

    training, reflections = fresh("training", payload.training), fresh(
        "reflections", payload.reflections)
    cpd, contacts = fresh("cpd", payload.cpd), fresh("contacts", payload.contacts)
    discretions = fresh("discretions", payload.discretions)
    logs: dict[str, tuple[LogRecord, ...]] = {
        "training": training, "reflections": reflections, "cpd": cpd, "contacts": contacts,
        "discretions": discretions}
    certificates = tuple(c for c in payload.certificates
                         if new("certificate", uuid.uuid5(_CERT_NS, c.key),
                                _sha(canonical_json(c.json()))))
    needed_cases = {v.observation.case_id for v in versions}
    needed_cases |= {rid for kind, rid in entries if kind == EntryKind.CASE.value}
    cases = tuple(c for c in payload.cases
                  if c.id in needed_cases or new("case", c.id, record_digest(c)))
    needed_observers = {v.observation.observer_id for v in versions}
    needed_observers |= {c.observer_id for c in contacts if c.observer_id}
    needed_observers |= {c.signer_id for c in certificates if c.signer_id}
    observers = tuple(o for o in payload.observers
                      if o.id in needed_observers or new("observer", o.id, record_digest(o)))
    kept = {("observer", o.id) for o in observers} | {("case", c.id) for c in cases} | {
        (kind, r.id) for kind in LOG_KINDS for r in logs[kind]} | {
        ("mediator", m.id) for m in payload.mediators}
    return replace(
        payload, observers=observers, cases=cases,
        observations=tuple(o for o in payload.observations if o.id in ids),
        marks=tuple(m for m in payload.marks if m.observation_id in ids),
        debrief_notes=tuple(n for n in payload.debrief_notes if n.observation_id in ids),
        amendments=tuple(a for a in payload.amendments if a.observation_id in ids),
        forms=tuple(f for f in payload.forms if any(
            (v.observation.form_id, v.observation.form_version) == (f.form_id, f.version)
            for v in versions)),
        provenance=tuple(p for p in payload.provenance if p.observation_id in ids),
        history=tuple(h for h in payload.history if (h.kind, h.id) in kept),
        certificates=certificates,
        tombstones=tuple(t for t in payload.tombstones
                         if new("tombstone", t.record_id, _sha(t.signature))),
        decisions=tuple(d for d in payload.decisions
                        if new("decision", d.id, _sha(d.signature))),
        training=training, reflections=reflections, cpd=cpd, contacts=contacts,
        discretions=discretions, evidence=evidence)


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
    since_last_to: str | None = None,
    sent_to: str | None = None,
) -> tuple[bytes, ExportPayload]:
    """The sealed file's bytes, and what went into it (for the summary shown)."""
    payload = build_payload(session, mediator_id, exported_by=exported_by,
                            observation_ids=observation_ids, scope=scope,
                            observer_id=observer_id, since_last_to=since_last_to,
                            sent_to=sent_to)
    return seal(payload, passphrase=passphrase, signing_key=identity,
                recipients=recipients, kdf_log2_n=kdf_log2_n), payload

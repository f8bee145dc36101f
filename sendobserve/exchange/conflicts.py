"""Observations amended differently on two machines: what is current, what is kept beside it.

Read-only. The current version is what the readiness view and the certificates use
(chosen by content, see ``merge``); each kept version is shown with its amendments and
the marks where it differs. A person decides with ``exchange.decide.decide_observation``.

Training, reflection, CPD, contact, discretion, mediator, case and observer records edited on two
machines are listed the same way (``list_record_conflicts``) and decided by a person
(``resolve_record_conflict``): the chosen version becomes current here and every other
version joins its history, so the next file this store sends carries the decision: a
store still holding another version sees it in that history and takes the chosen one.
The decision is itself a signed record that travels (``exchange.decide``); who decided
and why is also logged here (``conflict_decisions``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sendobserve.exchange.apply import observation_label
from sendobserve.exchange.codec import ObservationVersion, _Obj, decode_version
from sendobserve.exchange.logs import (
    Versioned,
    record_digest,
    record_json,
)
from sendobserve.exchange.shaped import expected_fields, from_json, value_json
from sendobserve.model.domain import Amendment, MarkState, Mediator
from sendobserve.model.shapes import shape_of
from sendobserve.model.vocabulary import day_text
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import load_practice_record


@dataclass(frozen=True, slots=True)
class MarkDifference:
    criterion_id: str
    current: MarkState | None  # None: no mark in that version
    kept: MarkState | None
    current_note: str = ""
    kept_note: str = ""


@dataclass(frozen=True, slots=True)
class KeptVersion:
    digest: str
    amendments: tuple[Amendment, ...]
    differences: tuple[MarkDifference, ...]


@dataclass(frozen=True, slots=True)
class ObservationConflict:
    observation_id: uuid.UUID
    mediator_name: str
    label: str
    current_amendments: tuple[Amendment, ...]
    kept: tuple[KeptVersion, ...]

    def lines(self) -> list[str]:
        out = [f"{self.mediator_name}: {self.label}"]
        out.append("  Current version, amended by: " + _amendments(self.current_amendments))
        for kept in self.kept:
            out.append(f"  Kept version {kept.digest[:12]}, amended by: "
                       + _amendments(kept.amendments))
            for d in kept.differences:
                out.append(f"    {d.criterion_id}: current {_state(d.current)}, "
                           f"kept {_state(d.kept)}"
                           + (" (notes differ)" if d.current_note != d.kept_note else ""))
        return out


def _state(state: MarkState | None) -> str:
    return "no mark" if state is None else state.value.replace("_", " ")


def _amendments(amendments: tuple[Amendment, ...]) -> str:
    if not amendments:
        return "(not amended)"
    return "; ".join(f"{a.amended_by} on {a.amended_at:%Y-%m-%d} ({a.reason})"
                     for a in amendments)


def _differences(current: ObservationVersion, kept: ObservationVersion
                 ) -> tuple[MarkDifference, ...]:
    ours = {m.criterion_id: m for m in current.marks}
    theirs = {m.criterion_id: m for m in kept.marks}
    out = []
    for criterion_id in sorted(set(ours) | set(theirs)):
        a, b = ours.get(criterion_id), theirs.get(criterion_id)
        if (a and (a.state, a.note)) != (b and (b.state, b.note)):
            out.append(MarkDifference(criterion_id, a.state if a else None,
                                      b.state if b else None, a.note if a else "",
                                      b.note if b else ""))
    return tuple(out)


def list_conflicts(session: Session) -> tuple[ObservationConflict, ...]:
    ids = stored.observations_with_conflicts(session)
    held = stored.stored_observations(session, ids)
    records = {}
    result = []
    for oid in sorted(held, key=lambda i: i.hex):
        obs = held[oid]
        current = ObservationVersion.of(obs.observation, obs.marks, obs.debrief_notes,
                                        obs.amendments)
        mediator_id = obs.observation.mediator_id
        if mediator_id not in records:
            records[mediator_id] = load_practice_record(session, mediator_id)
        record = records[mediator_id]
        case = next((c for c in record.cases if c.id == obs.observation.case_id), None)
        observer = next((o for o in record.observers if o.id == obs.observation.observer_id),
                        None)
        o = obs.observation
        label = (f"{observation_label(o.form_id, o.ordinal)}, "
                 f"case {case.reference if case else '?'}, "
                 f"{day_text(o.observed_on)} by {observer.name if observer else '?'}")
        kept = tuple(
            KeptVersion(v.digest, v.amendments, _differences(current, v))
            for v in (decode_version(data) for data in obs.conflicts)
        )
        result.append(ObservationConflict(oid, record.mediator.name, label,
                                          current.amendments, kept))
    return tuple(result)


# ---------------------------------------------------------------------------------------
# The rest of the record


@dataclass(frozen=True, slots=True)
class KeptRecord:
    digest: str
    fields: dict[str, Any]
    signer_fingerprint: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class RecordConflict:
    kind: str
    record_id: uuid.UUID
    mediator_name: str
    current: dict[str, Any]
    current_digest: str
    kept: tuple[KeptRecord, ...]

    def lines(self) -> list[str]:
        out = [f"{self.mediator_name}: {self.kind} {self.record_id.hex}"]
        out.append(f"  Current version {self.current_digest[:12]}")
        for k in self.kept:
            changed = sorted(f for f in k.fields if k.fields[f] != self.current.get(f))
            out.append(f"  Kept version {k.digest[:12]} from {k.signer_fingerprint}, received "
                       f"{k.received_at:%Y-%m-%d}; differs in: {', '.join(changed)}")
            for f in changed:
                out.append(f"    {f}: current {self.current.get(f)!r}, kept {k.fields[f]!r}")
        return out


def list_record_conflicts(session: Session) -> tuple[RecordConflict, ...]:
    kept_rows = stored.kept_record_versions(session)
    by_record: dict[tuple[str, uuid.UUID], list[stored.KeptRecordVersion]] = {}
    for row in kept_rows:
        by_record.setdefault((row.kind, row.record_id), []).append(row)
    out = []
    for (kind, rid), rows in sorted(by_record.items(), key=lambda kv: (kv[0][0], kv[0][1].hex)):
        current = stored.versioned_by_id(session, kind, [rid]).get(rid)
        if current is None:  # pragma: no cover - the record's row holds the conflict's key
            continue
        mediator_id = rows[0].mediator_id
        mediator = stored.versioned_by_id(session, "mediator", [mediator_id]).get(mediator_id)
        out.append(RecordConflict(
            kind, rid, mediator.name if isinstance(mediator, Mediator) else "?",
            record_json(current), record_digest(current),
            tuple(KeptRecord(r.digest, json.loads(r.version), r.signer_fingerprint,
                             r.received_at) for r in rows)))
    return tuple(out)


def _decode_kept(kind: str, fields: dict[str, Any], current: Versioned) -> Versioned:
    """A kept version (its identity's fields) as a record; what is not part of a version's
    identity (a creation time) is the current record's."""
    shape = shape_of(current)
    value = dict(fields, **{f.name: value_json(f, getattr(current, f.name))
                            for f in shape.fields if not f.digest})
    record: Versioned = from_json(shape, _Obj(value, "kept", expected_fields(shape, value)))
    return record


def resolve_record_conflict(
    session: Session, kind: str, record_id: uuid.UUID, *, keep: str, decided_by: str,
    reason: str,
) -> Versioned:
    """Decide a conflict: ``keep`` is "current" or (a prefix of) a kept version's digest.
    The decision is a signed record (``exchange.decide``): the chosen version becomes
    current, every other joins its history, and the decision travels."""
    from sendobserve.exchange.decide import decide_record

    decide_record(session, kind, record_id, keep=keep, decided_by=decided_by, reason=reason)
    chosen = stored.versioned_by_id(session, kind, [record_id]).get(record_id)
    assert chosen is not None
    return chosen

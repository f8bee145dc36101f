"""Observations amended differently on two machines: what is current, what is kept beside it.

Read-only. The current version is what the readiness view and the certificates use
(chosen by content, see ``merge``); each kept version is shown with its amendments and
the marks where it differs. Recording a decision that retires a kept version (so that
re-importing the old file does not bring it back) is not built yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sendobserve.exchange.apply import observation_label
from sendobserve.exchange.codec import ObservationVersion, decode_version
from sendobserve.model.domain import Amendment, MarkState
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
                 f"{o.observed_on:%-d %b %Y} by {observer.name if observer else '?'}")
        kept = tuple(
            KeptVersion(v.digest, v.amendments, _differences(current, v))
            for v in (decode_version(data) for data in obs.conflicts)
        )
        result.append(ObservationConflict(oid, record.mediator.name, label,
                                          current.amendments, kept))
    return tuple(result)

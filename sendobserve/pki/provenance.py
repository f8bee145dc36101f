"""Who finalised an observation, and what it said then: the author's signature on its origin.

When an observation is finalised, the installation that finalises it signs its *origin*
with its Ed25519 key: everything that never changes afterwards (ids of case, trainee and
observer, form and version, ordinal, date, the observer's signature with a digest of the
drawing, creation and finalising times, de-brief notes) and the marks as they were at
that moment. The signature travels with the observation in every exchange file, also
when a third installation re-exports it, so a receiver can tell who finalised it however
many hands it passed through.

Amendments change marks; the origin's marks are recovered from any later version by
undoing its amendments, newest first (each change records the state and note it
replaced). So one signature, made once, verifies every honest later version, and a
version whose marks were rewritten without an amendment that says so does not verify.

Also here: ``continues(newer, older)``, the rule an incoming amendment must meet to
replace a version this store holds (the same origin, the same earlier amendments, and the
new amendments replayed on the held marks giving exactly the incoming marks).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sendobserve.model.domain import (
    Amendment,
    DebriefNote,
    Mark,
    MarkState,
    Observation,
    ObservationState,
)
from sendobserve.pki.identity import Identity, fingerprint, verify

PROVENANCE_CONTEXT = b"sendobserve.exchange.v2.origin\x00"
_UNSEEN = (MarkState.NOT_YET_SEEN, "")


@dataclass(frozen=True, slots=True)
class Provenance:
    """The finalising installation's signature on an observation's origin."""

    observation_id: uuid.UUID
    public_key: bytes  # Ed25519, 32 bytes
    signature: bytes  # 64 bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def identity_fields(o: Observation) -> tuple[object, ...]:
    """What an observation is, as opposed to where it is in its life: fixed at finalising.

    An import may never change any of these for an observation this store holds.
    """
    sig = o.signature
    return (
        o.id, o.case_id, o.mediator_id, o.observer_id, o.form_id, o.form_version, o.ordinal,
        o.observed_on, o.created_at, o.finalised_at,
        None if sig is None else (sig.name, sig.role, sig.signed_on, sig.drawing_png),
    )


def _mark_map(marks: Iterable[Mark]) -> dict[str, tuple[MarkState, str]]:
    """Marks as the store means them: "not yet seen" without a note is no mark at all."""
    out = {m.criterion_id: (m.state, m.note) for m in marks}
    return {k: v for k, v in out.items() if v != _UNSEEN}


def _ordered(amendments: Iterable[Amendment]) -> list[Amendment]:
    return sorted(amendments, key=lambda a: (a.amended_at, a.id.hex))


def origin_marks(marks: Iterable[Mark], amendments: Iterable[Amendment]
                 ) -> dict[str, tuple[MarkState, str]]:
    """The marks as they were when finalised: every amendment undone, newest first."""
    state = _mark_map(marks)
    for amendment in reversed(_ordered(amendments)):
        for change in amendment.changes:
            state[change.criterion_id] = (change.old_state, change.old_note)
    return {k: v for k, v in state.items() if v != _UNSEEN}


def origin_bytes(observation: Observation, marks: Iterable[Mark],
                 debrief_notes: Iterable[DebriefNote], amendments: Iterable[Amendment]) -> bytes:
    """The exact bytes the author signs (and a receiver verifies)."""
    from sendobserve.pki.canonical import canonical_json, timestamp_text

    o = observation
    sig = o.signature
    if sig is None or o.finalised_at is None:
        raise ValueError("only a finalised observation has an origin")
    value = {
        "id": o.id.hex,
        "case_id": o.case_id.hex,
        "mediator_id": o.mediator_id.hex,
        "observer_id": o.observer_id.hex,
        "form_id": o.form_id,
        "form_version": o.form_version,
        "ordinal": o.ordinal,
        "observed_on": o.observed_on.isoformat(),
        "created_at": timestamp_text(o.created_at),
        "finalised_at": timestamp_text(o.finalised_at),
        "signature": {
            "name": sig.name,
            "role": sig.role.value,
            "signed_on": sig.signed_on.isoformat(),
            "drawing_sha256": None if sig.drawing_png is None
            else hashlib.sha256(sig.drawing_png).hexdigest(),
        },
        "marks": {k: [s.value, note] for k, (s, note) in
                  sorted(origin_marks(marks, amendments).items())},
        "debrief_notes": {n.criterion_id: n.text for n in
                          sorted(debrief_notes, key=lambda n: n.criterion_id)},
    }
    return PROVENANCE_CONTEXT + canonical_json(value)


def sign_origin(identity: Identity, observation: Observation, marks: Iterable[Mark],
                debrief_notes: Iterable[DebriefNote],
                amendments: Iterable[Amendment] = ()) -> Provenance:
    message = origin_bytes(observation, marks, debrief_notes, amendments)
    return Provenance(observation.id, identity.public_key, identity.sign(message))


def verify_origin(provenance: Provenance, observation: Observation, marks: Iterable[Mark],
                  debrief_notes: Iterable[DebriefNote],
                  amendments: Iterable[Amendment]) -> bool:
    if provenance.observation_id != observation.id:
        return False
    try:
        message = origin_bytes(observation, marks, debrief_notes, amendments)
    except ValueError:
        return False
    return verify(provenance.public_key, provenance.signature, message)


def continues(newer_observation: Observation, newer_marks: Iterable[Mark],
              newer_notes: Iterable[DebriefNote], newer_amendments: Iterable[Amendment],
              older_observation: Observation, older_marks: Iterable[Mark],
              older_notes: Iterable[DebriefNote], older_amendments: Iterable[Amendment]
              ) -> bool:
    """True when the newer version was made by amending exactly the older one.

    The same origin (identity fields and de-brief notes), every amendment of the older
    version unchanged, at least one more, and each new amendment, in order, starting from
    the marks it claims to change: replaying them on the older marks gives the newer marks.
    """
    if identity_fields(newer_observation) != identity_fields(older_observation):
        return False
    if newer_observation.state is not ObservationState.AMENDED:
        return False
    if ({(n.criterion_id, n.text) for n in newer_notes}
            != {(n.criterion_id, n.text) for n in older_notes}):
        return False
    newer_by_id = {a.id: a for a in newer_amendments}
    older_list = list(older_amendments)
    if len(newer_by_id) <= len(older_list):
        return False
    for a in older_list:
        if newer_by_id.get(a.id) != a:
            return False
    old_ids = {a.id for a in older_list}
    state = _mark_map(older_marks)
    for amendment in _ordered(a for a in newer_by_id.values() if a.id not in old_ids):
        if not amendment.changes:
            return False
        for change in amendment.changes:
            if state.get(change.criterion_id, _UNSEEN) != (change.old_state, change.old_note):
                return False
            state[change.criterion_id] = (change.new_state, change.new_note)
    state = {k: v for k, v in state.items() if v != _UNSEEN}
    return state == _mark_map(newer_marks)

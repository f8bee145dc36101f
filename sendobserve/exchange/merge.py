"""How an import meets what a store already holds: pure decisions, no I/O.

Observations are the evidence, so no version of one is ever dropped. Each finalised
observation has a set of *heads*: versions that no other known version supersedes.
Version B supersedes A only when B was made by amending exactly A
(``provenance.continues``): the same origin (case, trainee, observer, form, signature,
de-brief notes), every amendment of A unchanged, and B's further amendments, replayed
in order on A's marks, starting from the marks they say they change and giving exactly
B's marks. Carrying A's amendment ids plus one more is not enough: a file cannot rewrite
marks by inventing an amendment. A version that is already known, or older than one
that is, changes nothing.

When a version does not continue the one held here (two machines amended the same
observation independently, or a file claims an amendment that does not start from what
is held here), neither supersedes the other: both stay heads. The *current* head (what
the readiness view and reports use) is then the one this store already had: an
incoming version only becomes current by superseding it. The others are kept whole, as
conflicting versions, reported in the preview and listed until a person decides. With
no version held yet, the first one seen is current.

The heads are exactly the maximal elements of every version seen, so any order of
imports gives the same heads, and importing a file twice changes nothing; which head is
current in a conflict depends on what each store held first.

Mediator, observer and case details (a corrected name, say) are not versioned: the
store keeps its own and the preview reports each difference.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from sendobserve.exchange.codec import ExportPayload, FormText, ObservationVersion, versions_of
from sendobserve.model.domain import Case, Mediator, Observer
from sendobserve.pki.provenance import continues


def supersedes(newer: ObservationVersion, older: ObservationVersion) -> bool:
    """True when ``newer`` was made by amending exactly ``older`` (see the module text)."""
    return (
        newer.observation.id == older.observation.id
        and older.amendment_ids < newer.amendment_ids
        and continues(newer.observation, newer.marks, newer.debrief_notes, newer.amendments,
                      older.observation, older.marks, older.debrief_notes, older.amendments)
    )


def order_heads(heads: Iterable[ObservationVersion]) -> tuple[ObservationVersion, ...]:
    """The first head stays first (the current one); the others by digest."""
    unique: dict[str, ObservationVersion] = {}
    for v in heads:
        unique.setdefault(v.digest, v)
    if not unique:
        return ()
    current, *others = unique.values()
    return (current, *sorted(others, key=lambda v: v.digest))


def merge_heads(
    heads: Sequence[ObservationVersion], incoming: ObservationVersion
) -> tuple[ObservationVersion, ...]:
    """The heads after ``incoming`` is seen, current first (``heads`` is current first).

    ``incoming`` becomes current only by superseding the current head; otherwise it
    replaces the kept versions it supersedes, or is kept beside them.
    """
    known = {v.digest for v in heads}
    if incoming.digest in known or any(supersedes(h, incoming) for h in heads):
        return order_heads(heads)
    kept = [h for h in heads if not supersedes(incoming, h)]
    if not heads or heads[0] not in kept:
        return order_heads([incoming, *kept])
    return order_heads([*kept, incoming])


class ObservationAction(StrEnum):
    ADD = "add"  # new to this store
    UPDATE = "update"  # a later version (more amendments) of one held here
    CONFLICT = "conflict"  # amended differently here and there: both kept
    ALREADY_HERE = "already_here"  # this version, or a later one, is held here


@dataclass(frozen=True, slots=True)
class ObservationPlan:
    observation_id: uuid.UUID
    action: ObservationAction
    heads_before: tuple[ObservationVersion, ...]
    heads_after: tuple[ObservationVersion, ...]  # current first

    @property
    def incoming_current(self) -> bool:
        """Whether the store's current version changes."""
        before = self.heads_before[0].digest if self.heads_before else None
        return before != self.heads_after[0].digest

    @property
    def changes_store(self) -> bool:
        return [v.digest for v in self.heads_before] != [v.digest for v in self.heads_after]


@dataclass(frozen=True, slots=True)
class DetailDifference:
    """A mediator, observer or case whose details differ here: ours are kept."""

    kind: str  # "mediator" | "observer" | "case"
    id: uuid.UUID
    label: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    payload: ExportPayload
    new_mediators: tuple[Mediator, ...]
    new_observers: tuple[Observer, ...]
    new_cases: tuple[Case, ...]
    new_forms: tuple[FormText, ...]
    differing_forms: tuple[FormText, ...]  # same id and version, other text: ours kept
    differences: tuple[DetailDifference, ...]
    observations: tuple[ObservationPlan, ...]

    @property
    def changes_store(self) -> bool:
        return bool(
            self.new_mediators or self.new_observers or self.new_cases or self.new_forms
            or any(p.changes_store for p in self.observations)
        )

    def count(self, action: ObservationAction) -> int:
        return sum(1 for p in self.observations if p.action is action)


def form_sha256(yaml_text: str) -> str:
    return hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()


def differing_fields(ours: Any, theirs: Any) -> tuple[str, ...]:
    """Names of the dataclass fields that differ (``created_at`` aside: not a detail)."""
    return tuple(
        f.name
        for f in fields(ours)
        if f.name != "created_at" and getattr(ours, f.name) != getattr(theirs, f.name)
    )


def plan_import(
    payload: ExportPayload,
    *,
    mediators: Mapping[uuid.UUID, Mediator],
    observers: Mapping[uuid.UUID, Observer],
    cases: Mapping[uuid.UUID, Case],
    heads: Mapping[uuid.UUID, Sequence[ObservationVersion]],
    form_digests: Mapping[tuple[str, str], str],
) -> ImportPlan:
    """Decide what importing ``payload`` does, given what the store holds for its ids."""
    differences: list[DetailDifference] = []

    def split(kind: str, rows: Sequence[Any], held: Mapping[uuid.UUID, Any],
              label: Any) -> tuple[Any, ...]:
        new = []
        for row in rows:
            ours = held.get(row.id)
            if ours is None:
                new.append(row)
            elif changed := differing_fields(ours, row):
                differences.append(DetailDifference(kind, row.id, label(ours), changed))
        return tuple(new)

    new_mediators = split("mediator", payload.mediators, mediators, lambda m: m.name)
    new_observers = split("observer", payload.observers, observers, lambda o: o.name)
    new_cases = split("case", payload.cases, cases, lambda c: c.reference)

    new_forms, differing_forms = [], []
    for form in payload.forms:
        ours = form_digests.get((form.form_id, form.version))
        if ours is None:
            new_forms.append(form)
        elif ours != form_sha256(form.yaml_text):
            differing_forms.append(form)

    plans = []
    for incoming in versions_of(payload):
        before = order_heads(heads.get(incoming.observation.id, ()))
        after = merge_heads(before, incoming)
        if not before:
            action = ObservationAction.ADD
        elif [v.digest for v in before] == [v.digest for v in after]:
            action = ObservationAction.ALREADY_HERE
        elif len(after) > 1:
            action = ObservationAction.CONFLICT
        else:
            action = ObservationAction.UPDATE
        plans.append(ObservationPlan(incoming.observation.id, action, before, after))

    return ImportPlan(
        payload=payload,
        new_mediators=new_mediators,
        new_observers=new_observers,
        new_cases=new_cases,
        new_forms=tuple(new_forms),
        differing_forms=tuple(differing_forms),
        differences=tuple(differences),
        observations=tuple(plans),
    )

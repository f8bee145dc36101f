"""The rest of a trainee's record in the exchange: training, reflection, CPD, mentoring and
supervision contacts, discretions and the mediator's own details (passporting facts).

Each is a record with a stable id that can be edited after it is made, so each travels
with its *history*: the digests (SHA-256 of the canonical JSON) of every earlier version
the exporting store has held. An import decides per record, the same in any order:

- not held here: added;
- the incoming version is held here or in our history: nothing to do (ours is as new);
- our version is in the incoming history: the incoming one was edited from ours, it
  replaces ours;
- otherwise both were edited independently: ours stays, the incoming version is kept
  beside it as a conflict (never overwritten), listed until a person decides.

History is recorded when a version leaves or enters a store (export, import), which is
exactly when another store can have seen it. Which trainee a record belongs to never
changes through an import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sendobserve.model.domain import LogRecord, Versioned
from sendobserve.model.shapes import LOG_SHAPES
from sendobserve.pki.versions import KIND_OF as KIND_OF
from sendobserve.pki.versions import VERSIONED_SHAPES as VERSIONED_SHAPES
from sendobserve.pki.versions import record_digest as record_digest
from sendobserve.pki.versions import record_json as record_json

__all__ = ["LogRecord", "Versioned"]  # (defined with the domain; re-exported here)

# The kinds by the name of their list in the file; their fields: ``model.shapes``. A
# version's JSON and digest (``record_json``, ``record_digest``) are ``pki.versions``.
LOG_KINDS: tuple[str, ...] = tuple(LOG_SHAPES)


class RecordAction(StrEnum):
    ADD = "add"
    UPDATE = "update"
    CONFLICT = "conflict"
    ALREADY_HERE = "already_here"


@dataclass(frozen=True, slots=True)
class RecordPlan:
    kind: str
    record: Versioned  # the incoming version
    digest: str
    history: frozenset[str]  # the incoming version's earlier digests, and its own
    action: RecordAction
    # Versions kept here in conflict that the incoming one was made after (a person's
    # decision elsewhere, or a later edit): settled, no longer kept.
    settles: frozenset[str] = frozenset()
    # Whether the incoming history may join ours (it holds only versions ours follows).
    joins_history: bool = False


def decide(
    incoming: Versioned,
    history: frozenset[str],
    ours: Versioned | None,
    our_history: frozenset[str],
    kept_conflicts: frozenset[str] = frozenset(),
) -> RecordPlan:
    """What importing ``incoming`` does, given what this store holds (see the module)."""
    kind = KIND_OF[type(incoming)]
    digest = record_digest(incoming)
    theirs = frozenset(history | {digest})
    joins = False
    if ours is None:
        action, joins = RecordAction.ADD, True
    else:
        mine = record_digest(ours)
        if digest == mine:
            action, joins = RecordAction.ALREADY_HERE, True
        elif digest in our_history:
            action = RecordAction.ALREADY_HERE
        elif mine in theirs:
            action, joins = RecordAction.UPDATE, True
        elif digest in kept_conflicts:
            action = RecordAction.ALREADY_HERE
        else:
            action = RecordAction.CONFLICT
    settles = theirs & kept_conflicts if joins or digest in our_history else frozenset()
    return RecordPlan(kind, incoming, digest, theirs, action, settles, joins)

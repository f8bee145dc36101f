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

import hashlib
import uuid
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from sendobserve.model.domain import (
    Case,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    Discretion,
    Mediator,
    Observer,
    ObserverRole,
    RecognisingBody,
    Reflection,
    Training,
    TrainingKind,
)

LogRecord = Training | Reflection | Cpd | Contact | Discretion
Versioned = LogRecord | Mediator | Case | Observer  # what travels with a version history

# Field kinds: "uuid", "opt_uuid", "day", "opt_day", "hours", "bool", "moment",
# ("text", limit, multiline), or an enum class.
_LINE = 200
_LONG = 20_000
SPECS: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "training": (Training, {
        "id": "uuid", "mediator_id": "uuid", "kind": TrainingKind,
        "title": ("text", _LINE, False), "provider": ("text", _LINE, False),
        "recognising_body": RecognisingBody, "start_date": "day", "end_date": "day",
        "hours": "hours"}),
    "reflections": (Reflection, {
        "id": "uuid", "mediator_id": "uuid", "reflected_on": "day", "hours": "hours",
        "with_whom": ("text", _LINE, False), "summary": ("text", _LONG, True)}),
    "cpd": (Cpd, {
        "id": "uuid", "mediator_id": "uuid", "done_on": "day", "hours": "hours",
        "kind": CpdKind, "description": ("text", _LONG, True)}),
    "contacts": (Contact, {
        "id": "uuid", "mediator_id": "uuid", "kind": ContactKind, "met_on": "day",
        "with_whom": ("text", _LINE, False), "observer_id": "opt_uuid", "hours": "hours",
        "notes": ("text", _LONG, True)}),
    "discretions": (Discretion, {
        "id": "uuid", "mediator_id": "uuid", "requirement_id": ("text", 64, False),
        "decided_by": ("text", _LINE, False), "role": ObserverRole,
        "reason": ("text", _LONG, True), "decided_on": "day",
        # The parties the edition asks for (§1.3: assessor, provider and mediator).
        "provider_agreed_by": ("text", _LINE, True), "mediator_agreed": "bool"}),
}
LOG_KINDS: tuple[str, ...] = tuple(SPECS)
KIND_OF: dict[type[Any], str] = {cls: kind for kind, (cls, _spec) in SPECS.items()}
KIND_OF[Mediator] = "mediator"
KIND_OF[Case] = "case"
KIND_OF[Observer] = "observer"
# What a mediator's details are, for merging: every field but the creation time.
MEDIATOR_FIELDS = ("id", "name", "professional_body", "passported", "send_practice_since",
                   "lead_since", "accredited_on", "rules_edition", "passport_route",
                   "panel_confirmed_by", "panel_confirmed_on")
# A case's and an observer's details, for merging: every field but the creation time.
CASE_FIELDS = ("id", "mediator_id", "reference", "case_date", "kind", "trainee_role",
               "casework_hours")
OBSERVER_FIELDS = ("id", "name", "role", "experienced_send", "ppc_register_entry")
_DETAIL_FIELDS: dict[type[Any], tuple[str, ...]] = {
    Mediator: MEDIATOR_FIELDS, Case: CASE_FIELDS, Observer: OBSERVER_FIELDS}


def _value_json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_json(record: Versioned) -> dict[str, Any]:
    """The record's fields as JSON values (a mediator, case or observer: its details, no
    creation time)."""
    names = _DETAIL_FIELDS.get(type(record)) or [f.name for f in fields(record)]
    return {name: _value_json(getattr(record, name)) for name in names}


def record_digest(record: Versioned) -> str:
    from sendobserve.exchange.codec import canonical_json

    kind = KIND_OF[type(record)]
    return hashlib.sha256(kind.encode() + b"\x00" + canonical_json(record_json(record))
                          ).hexdigest()


def read_record(kind: str, obj: Any) -> LogRecord:
    """Build a log record from a codec ``_Obj`` reader (fields already checked present)."""
    cls, spec = SPECS[kind]
    values: dict[str, Any] = {}
    for name, how in spec.items():
        if how == "uuid":
            values[name] = obj.uuid(name)
        elif how == "opt_uuid":
            values[name] = None if obj.raw(name) is None else obj.uuid(name)
        elif how == "day":
            values[name] = obj.day(name)
        elif how == "hours":
            values[name] = obj.hours(name)
        elif how == "bool":
            values[name] = obj.boolean(name)
        elif isinstance(how, tuple):
            _text, limit, multiline = how
            values[name] = obj.text(name, limit, multiline=multiline, empty=multiline)
        elif isinstance(how, type) and issubclass(how, StrEnum):
            values[name] = obj.enum(name, how)
        else:  # pragma: no cover - the table above is all there is
            raise AssertionError(how)
    record: LogRecord = cls(**values)
    return record


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

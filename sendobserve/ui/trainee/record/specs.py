"""The six lists of a trainee's record, declared once: columns, fields, and how a form's
values become a domain object (and back).

Field names are the dataclass attribute names, which are also the ``field`` a
``ValidationError`` names, so a refusal lands next to the right box.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum, auto
from typing import Any

from sendobserve.model import requirements as R
from sendobserve.model import shapes
from sendobserve.model import validation as V
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    Discretion,
    ObserverRole,
    RecognisingBody,
    Reflection,
    TraineeRole,
    Training,
    TrainingKind,
)
from sendobserve.model.outcome import fmt_hours, role_label
from sendobserve.model.vocabulary import BODY_NAMES, CASE_KIND_LABELS, TRAINEE_ROLE_LABELS, day_text


class FieldKind(Enum):
    TEXT = auto()
    MULTILINE = auto()
    DATE = auto()
    HOURS = auto()
    CHOICE = auto()
    OBSERVER = auto()  # an optional link to a stored observer (a mentor who also observes)
    CHECK = auto()  # a yes / no box (the mediator's agreement to a discretion)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    kind: FieldKind
    choices: tuple[tuple[str, str], ...] = ()  # (value, what the person reads)
    maximum: Decimal = Decimal(0)  # HOURS: the validation's limit
    hours_label: str = ""  # HOURS: "Casework hours", as validation words it
    placeholder: str = ""
    hint: str = ""  # shown under the field, always
    max_length: int = 0  # TEXT: at most this many characters can be typed (0: no limit)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    header: str
    text: Callable[[Any], str]
    number: bool = False  # right-aligned
    stretch: bool = False  # takes the spare width (the free-text column)


@dataclass(frozen=True, slots=True)
class KindSpec:
    key: str
    tab: str  # "&Training"
    noun: str  # "training course"
    type_: type
    columns: tuple[ColumnSpec, ...]
    fields: tuple[FieldSpec, ...]
    build: Callable[[uuid.UUID, uuid.UUID, dict[str, Any]], Any]  # id, mediator, values
    values: Callable[[Any], dict[str, Any]]
    describe: Callable[[Any], str]  # "CPD entry of 3 Mar 2026 (3 h)"


def _d(day: date) -> str:
    return day_text(day)


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _choices(enum: type[Enum], labels: dict[Any, str] | None = None) -> tuple[
        tuple[str, str], ...]:
    return tuple((m.value, (labels or {}).get(m, _label(m.value))) for m in enum)


ROLE_CHOICES = tuple((r.value, role_label(r)) for r in ObserverRole)
TRAINING_KINDS = _choices(TrainingKind, {
    TrainingKind.FOUNDATION: "Foundation training in mediation",
    TrainingKind.SEND: "SEND-specific training",
    TrainingKind.OTHER: "Other training",
})
BODIES = _choices(RecognisingBody, {
    **BODY_NAMES,
    RecognisingBody.OTHER: "Another body",
    RecognisingBody.NONE: "Not recognised",
})
TRAINEE_ROLES = _choices(TraineeRole, TRAINEE_ROLE_LABELS)
CASE_KINDS = _choices(CaseKind, CASE_KIND_LABELS)
CPD_KINDS = _choices(CpdKind, {CpdKind.ACCESS_TO_PPC: "Access to a PPC"})
CONTACT_KINDS = _choices(ContactKind)
def _requirement_choices() -> tuple[tuple[str, str], ...]:
    """Where the edition in force allows a discretion first; then the rest, marked, so an
    old entry on one of them can still be opened (and is refused, naming its paragraph)."""
    from sendobserve.model.rulebook import default_edition

    ed = default_edition()
    allowed = [r for r in ed.requirements.values() if r.discretion]
    others = [r for r in ed.requirements.values() if not r.discretion]
    return (
        *((r.id, f"{r.title} (discretion: {ed.discretion[r.discretion].paragraph})")
          for r in allowed if r.discretion),
        *((r.id, f"{r.title} ({r.paragraph}: no discretion)") for r in others),
    )


REQUIREMENT_CHOICES = tuple(
    (info.id, f"{info.title} ({info.paragraph})") for info in R.REQUIREMENTS.values()
)
DISCRETION_CHOICES = _requirement_choices()


def choice_text(choices: tuple[tuple[str, str], ...], value: str) -> str:
    return dict(choices).get(value, value)


def parse_hours(field: FieldSpec, text: str) -> Decimal:
    """What was typed, as exact hours; a refusal names the field (nothing is stored)."""
    if not text.strip():
        raise V.ValidationError(f"{field.hours_label} must be given", field=field.name)
    return V.validate_hours(text.strip().replace(",", "."), label=field.hours_label,
                            maximum=field.maximum, field=field.name)


def _hours(name: str, label: str, maximum: Decimal) -> FieldSpec:
    return FieldSpec(name, "Hours", FieldKind.HOURS, maximum=maximum, hours_label=label,
                     placeholder="e.g. 2.5")


TRAINING = KindSpec(
    key="training", tab="&Training", noun="training course", type_=Training,
    columns=(
        ColumnSpec("Kind", lambda t: choice_text(TRAINING_KINDS, t.kind.value)),
        ColumnSpec("Title", lambda t: t.title, stretch=True),
        ColumnSpec("Provider", lambda t: t.provider),
        ColumnSpec("Recognised by", lambda t: choice_text(BODIES, t.recognising_body.value)),
        ColumnSpec("From", lambda t: _d(t.start_date)),
        ColumnSpec("To", lambda t: _d(t.end_date)),
        ColumnSpec("Hours", lambda t: fmt_hours(t.hours), number=True),
    ),
    fields=(
        FieldSpec("kind", "Kind", FieldKind.CHOICE, TRAINING_KINDS),
        FieldSpec("title", "Title", FieldKind.TEXT),
        FieldSpec("provider", "Provider", FieldKind.TEXT),
        FieldSpec("recognising_body", "Recognised by", FieldKind.CHOICE, BODIES,
                  hint="SEND training counts only from a CMC or College of Mediators"
                  " recognised provider."),
        FieldSpec("start_date", "Start date", FieldKind.DATE),
        FieldSpec("end_date", "End date", FieldKind.DATE),
        _hours("hours", "Training hours", V.MAX_TRAINING_HOURS),
    ),
    build=lambda i, m, v: Training(
        i, m, TrainingKind(v["kind"]), v["title"], v["provider"],
        RecognisingBody(v["recognising_body"]), v["start_date"], v["end_date"], v["hours"]),
    values=lambda t: {"kind": t.kind.value, "title": t.title, "provider": t.provider,
                      "recognising_body": t.recognising_body.value,
                      "start_date": t.start_date, "end_date": t.end_date, "hours": t.hours},
    describe=lambda t: f"training course “{t.title}” ({_d(t.end_date)}, {fmt_hours(t.hours)} h)",
)

CASES = KindSpec(
    key="cases", tab="&Cases", noun="case", type_=Case,
    columns=(
        ColumnSpec("Reference", lambda c: c.reference, stretch=True),
        ColumnSpec("Date", lambda c: _d(c.case_date)),
        ColumnSpec("Kind", lambda c: choice_text(CASE_KINDS, c.kind.value)),
        ColumnSpec("Trainee's role", lambda c: choice_text(TRAINEE_ROLES, c.trainee_role.value)),
        ColumnSpec("Casework hours", lambda c: fmt_hours(c.casework_hours), number=True),
        ColumnSpec("Local authority", lambda c: c.local_authority or "—"),
    ),
    fields=(
        FieldSpec("reference", "Reference", FieldKind.TEXT,
                  placeholder="The case reference", hint="A reference only: never a child's"
                  " name."),
        FieldSpec("case_date", "Date", FieldKind.DATE),
        FieldSpec("kind", "Kind", FieldKind.CHOICE, CASE_KINDS),
        FieldSpec("trainee_role", "Trainee's role", FieldKind.CHOICE, TRAINEE_ROLES,
                  hint="Only co-mediated or led cases count as casework."),
        _hours("casework_hours", "Casework hours", V.MAX_CASE_HOURS),
        FieldSpec("local_authority", "Local authority", FieldKind.TEXT,
                  placeholder="e.g. Leeds (optional)",
                  hint="The local authority area the case arose in, if you record it.",
                  max_length=shapes.CASE.field("local_authority").limit),
    ),
    build=lambda i, m, v: Case(i, m, v["reference"], v["case_date"], CaseKind(v["kind"]),
                               TraineeRole(v["trainee_role"]), v["casework_hours"],
                               local_authority=v["local_authority"]),
    values=lambda c: {"reference": c.reference, "case_date": c.case_date, "kind": c.kind.value,
                      "trainee_role": c.trainee_role.value,
                      "casework_hours": c.casework_hours,
                      "local_authority": c.local_authority or ""},
    describe=lambda c: f"case {c.reference} ({_d(c.case_date)})",
)

REFLECTIONS = KindSpec(
    key="reflections", tab="&Reflection", noun="reflection", type_=Reflection,
    columns=(
        ColumnSpec("Date", lambda r: _d(r.reflected_on)),
        ColumnSpec("With", lambda r: r.with_whom),
        ColumnSpec("Summary", lambda r: r.summary, stretch=True),
        ColumnSpec("Hours", lambda r: fmt_hours(r.hours), number=True),
    ),
    fields=(
        FieldSpec("reflected_on", "Date", FieldKind.DATE),
        _hours("hours", "Reflection hours", V.MAX_REFLECTION_HOURS),
        FieldSpec("with_whom", "With", FieldKind.TEXT),
        FieldSpec("summary", "Summary", FieldKind.MULTILINE),
    ),
    build=lambda i, m, v: Reflection(i, m, v["reflected_on"], v["hours"], v["with_whom"],
                                     v["summary"]),
    values=lambda r: {"reflected_on": r.reflected_on, "hours": r.hours,
                      "with_whom": r.with_whom, "summary": r.summary},
    describe=lambda r: f"reflection of {_d(r.reflected_on)} ({fmt_hours(r.hours)} h)",
)

CONTACTS = KindSpec(
    key="contacts", tab="&Mentoring and supervision", noun="contact", type_=Contact,
    columns=(
        ColumnSpec("Kind", lambda c: choice_text(CONTACT_KINDS, c.kind.value)),
        ColumnSpec("Date", lambda c: _d(c.met_on)),
        ColumnSpec("With", lambda c: c.with_whom),
        ColumnSpec("Notes", lambda c: c.notes, stretch=True),
        ColumnSpec("Hours", lambda c: fmt_hours(c.hours), number=True),
    ),
    fields=(
        FieldSpec("kind", "Kind", FieldKind.CHOICE, CONTACT_KINDS),
        FieldSpec("met_on", "Date", FieldKind.DATE),
        FieldSpec("with_whom", "With", FieldKind.TEXT),
        FieldSpec("observer_id", "Is also an observer", FieldKind.OBSERVER,
                  hint="Link the mentor to their observer entry: Form 4's signer must have"
                  " observed and mentored the trainee."),
        _hours("hours", "Mentoring or supervision hours", V.MAX_CONTACT_HOURS),
        FieldSpec("notes", "Notes", FieldKind.MULTILINE),
    ),
    build=lambda i, m, v: Contact(i, m, ContactKind(v["kind"]), v["met_on"], v["with_whom"],
                                  v["observer_id"], v["hours"], v["notes"]),
    values=lambda c: {"kind": c.kind.value, "met_on": c.met_on, "with_whom": c.with_whom,
                      "observer_id": c.observer_id, "hours": c.hours, "notes": c.notes},
    describe=lambda c: f"{c.kind.value} contact of {_d(c.met_on)} with {c.with_whom}",
)

CPD = KindSpec(
    key="cpd", tab="CP&D", noun="CPD entry", type_=Cpd,
    columns=(
        ColumnSpec("Date", lambda c: _d(c.done_on)),
        ColumnSpec("Kind", lambda c: choice_text(CPD_KINDS, c.kind.value)),
        ColumnSpec("Description", lambda c: c.description, stretch=True),
        ColumnSpec("Hours", lambda c: fmt_hours(c.hours), number=True),
    ),
    fields=(
        FieldSpec("done_on", "Date", FieldKind.DATE),
        FieldSpec("kind", "Kind", FieldKind.CHOICE, CPD_KINDS),
        FieldSpec("description", "Description", FieldKind.TEXT),
        _hours("hours", "CPD hours", V.MAX_CPD_HOURS),
    ),
    build=lambda i, m, v: Cpd(i, m, v["done_on"], v["hours"], CpdKind(v["kind"]),
                              v["description"]),
    values=lambda c: {"done_on": c.done_on, "kind": c.kind.value,
                      "description": c.description, "hours": c.hours},
    describe=lambda c: f"CPD entry of {_d(c.done_on)} ({fmt_hours(c.hours)} h)",
)

def _agreed_by(d: Discretion) -> str:
    parts = [f"{d.decided_by} ({role_label(d.role)})"]
    parts.append(f"{d.provider_agreed_by} for the provider" if d.provider_agreed_by.strip()
                 else "provider: not recorded")
    parts.append("the mediator" if d.mediator_agreed else "mediator: not recorded")
    return "; ".join(parts)


DISCRETIONS = KindSpec(
    key="discretions", tab="Di&scretions", noun="discretion", type_=Discretion,
    columns=(
        ColumnSpec("Requirement", lambda d: R.TITLES.get(d.requirement_id, d.requirement_id)),
        ColumnSpec("Agreed by", _agreed_by),
        ColumnSpec("Date", lambda d: _d(d.decided_on)),
        ColumnSpec("Reason", lambda d: d.reason, stretch=True),
    ),
    fields=(
        FieldSpec("requirement_id", "Requirement", FieldKind.CHOICE, DISCRETION_CHOICES,
                  hint="Allowed only by §1.3 and §1.6 (B) of the Standards."),
        FieldSpec("decided_by", "Assessor", FieldKind.TEXT,
                  hint="§1.3: assessor, provider and mediator all agree."),
        FieldSpec("role", "Assessor's role", FieldKind.CHOICE, ROLE_CHOICES),
        FieldSpec("provider_agreed_by", "Agreed for the provider by", FieldKind.TEXT),
        FieldSpec("mediator_agreed", "The mediator agrees", FieldKind.CHECK,
                  placeholder="Yes, the mediator agrees to this discretion"),
        FieldSpec("decided_on", "Date", FieldKind.DATE),
        FieldSpec("reason", "Reason", FieldKind.MULTILINE),
    ),
    build=lambda i, m, v: Discretion(i, m, v["requirement_id"], v["decided_by"],
                                     ObserverRole(v["role"]), v["reason"], v["decided_on"],
                                     v["provider_agreed_by"], bool(v["mediator_agreed"])),
    values=lambda d: {"requirement_id": d.requirement_id, "decided_by": d.decided_by,
                      "role": d.role.value, "decided_on": d.decided_on, "reason": d.reason,
                      "provider_agreed_by": d.provider_agreed_by,
                      "mediator_agreed": d.mediator_agreed},
    describe=lambda d: f"discretion on “{R.TITLES.get(d.requirement_id, d.requirement_id)}”",
)

KINDS: tuple[KindSpec, ...] = (TRAINING, CASES, REFLECTIONS, CONTACTS, CPD, DISCRETIONS)
BY_KEY: dict[str, KindSpec] = {k.key: k for k in KINDS}

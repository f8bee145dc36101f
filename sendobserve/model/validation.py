"""Checks on what a person typed, before anything is stored. Pure: no database, no clock
unless ``today`` is left out.

Each failure raises ``ValidationError`` with one sentence naming the field, e.g.
"Casework hours must be between 0 and 24; got -3". The repositories call the
``validate_*`` functions for whole records; the UI may call the small ones as the
user types. A case reference is only required to be non-empty: guessing whether it
looks like a child's name would be wrong both ways, so the form's wording asks for a
reference instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from sendobserve.errors import UserError
from sendobserve.model.domain import (
    Case,
    Contact,
    Cpd,
    Discretion,
    Mediator,
    Observer,
    PracticeRecord,
    Reflection,
    Signature,
    Training,
)
from sendobserve.model.rulebook import Edition

# The largest believable figure for one entry: more is a typing slip (e.g. 250 for 2.50).
MAX_CASE_HOURS = Decimal(24)
MAX_CONTACT_HOURS = Decimal(24)
MAX_REFLECTION_HOURS = Decimal(24)
MAX_CPD_HOURS = Decimal(100)
MAX_TRAINING_HOURS = Decimal(500)
HOURS_DECIMAL_PLACES = 2


class ValidationError(UserError):
    """A value a person entered was refused; ``field`` names it for the form to highlight."""

    def __init__(self, message: str, *, field: str, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.field = field


def _plain(value: Decimal) -> str:
    """-3 rather than -3.00 or -3E+0 in messages."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def validate_hours(value: object, *, label: str, maximum: Decimal, field: str = "hours") -> Decimal:
    """Hours as an exact Decimal between 0 and ``maximum`` with at most two decimal places."""
    if isinstance(value, (bool, float)):
        # A float has already lost the exact figure (0.1 is not 0.1): refuse, don't round.
        raise ValidationError(f"{label} must be an exact number; got {value!r}", field=field)
    try:
        hours = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            f"{label} must be a number of hours; got {value!r}", field=field
        ) from None
    if not hours.is_finite():
        raise ValidationError(f"{label} must be a number of hours; got {value!r}", field=field)
    if hours < 0 or hours > maximum:
        raise ValidationError(
            f"{label} must be between 0 and {_plain(maximum)}; got {_plain(hours)}", field=field
        )
    exponent = hours.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -HOURS_DECIMAL_PLACES:
        raise ValidationError(
            f"{label} can have at most {HOURS_DECIMAL_PLACES} decimal places; got {_plain(hours)}",
            field=field,
        )
    return hours


def validate_required_text(value: str | None, *, label: str, field: str) -> str:
    """Non-empty once surrounding spaces are removed; returns the stripped text."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{label} must not be empty", field=field)
    return text


def validate_not_future(value: date, *, label: str, field: str, today: date | None = None) -> date:
    limit = today or date.today()
    if value > limit:
        raise ValidationError(
            f"{label} ({value.isoformat()}) is in the future; today is {limit.isoformat()}",
            field=field,
        )
    return value


def validate_period(start: date, end: date, *, label: str, field: str = "end_date") -> None:
    if end < start:
        raise ValidationError(
            f"{label} end date ({end.isoformat()}) is before its start date ({start.isoformat()})",
            field=field,
        )


def validate_mediator(m: Mediator, *, today: date | None = None) -> None:
    validate_required_text(m.name, label="The mediator's name", field="name")
    for value, label, field in (
        (m.send_practice_since, "The date SEND practice began", "send_practice_since"),
        (m.lead_since, "The date lead practice began", "lead_since"),
        (m.accredited_on, "The accreditation date", "accredited_on"),
    ):
        if value is not None:
            validate_not_future(value, label=label, field=field, today=today)
    if m.rules_edition is not None:
        from sendobserve.model.rulebook import shipped_rulebook

        known = [e.id for e in shipped_rulebook()]
        if m.rules_edition not in known:
            raise ValidationError(
                f"Unknown edition of the Standards: {m.rules_edition!r}",
                field="rules_edition", hint=f"Known: {', '.join(known)}.",
            )
    if m.panel_confirmed_on is not None:
        validate_not_future(m.panel_confirmed_on, label="The provider's confirmation date",
                            field="panel_confirmed_on", today=today)
    if m.panel_confirmed_by is not None and not m.panel_confirmed_by.strip():
        raise ValidationError(
            "Who confirmed for the provider must not be blank; leave it out instead",
            field="panel_confirmed_by",
        )
    if m.send_practice_since and m.lead_since and m.lead_since < m.send_practice_since:
        raise ValidationError(
            f"Lead practice ({m.lead_since.isoformat()}) cannot begin before SEND practice "
            f"({m.send_practice_since.isoformat()})",
            field="lead_since",
        )


def validate_observer(o: Observer) -> None:
    validate_required_text(o.name, label="The observer's name", field="name")
    if o.ppc_register_entry is not None and not o.ppc_register_entry.strip():
        raise ValidationError(
            "The PPC register entry must not be blank; leave it out instead",
            field="ppc_register_entry",
        )


def validate_case(c: Case, *, today: date | None = None) -> None:
    validate_required_text(c.reference, label="The case reference", field="reference")
    validate_not_future(c.case_date, label="The case date", field="case_date", today=today)
    validate_hours(
        c.casework_hours, label="Casework hours", maximum=MAX_CASE_HOURS, field="casework_hours"
    )


def validate_training(t: Training, *, today: date | None = None) -> None:
    validate_required_text(t.title, label="The training's title", field="title")
    validate_required_text(t.provider, label="The training provider", field="provider")
    validate_not_future(t.start_date, label="The training start date", field="start_date",
                        today=today)
    validate_not_future(t.end_date, label="The training end date", field="end_date", today=today)
    validate_period(t.start_date, t.end_date, label="The training's")
    validate_hours(t.hours, label="Training hours", maximum=MAX_TRAINING_HOURS)


def validate_reflection(r: Reflection, *, today: date | None = None) -> None:
    validate_not_future(r.reflected_on, label="The reflection date", field="reflected_on",
                        today=today)
    validate_hours(r.hours, label="Reflection hours", maximum=MAX_REFLECTION_HOURS)
    validate_required_text(r.with_whom, label="Who the reflection was with", field="with_whom")
    validate_required_text(r.summary, label="The reflection's summary", field="summary")


def validate_cpd(c: Cpd, *, today: date | None = None) -> None:
    validate_not_future(c.done_on, label="The CPD date", field="done_on", today=today)
    validate_hours(c.hours, label="CPD hours", maximum=MAX_CPD_HOURS)
    validate_required_text(c.description, label="The CPD description", field="description")


def validate_contact(c: Contact, *, today: date | None = None) -> None:
    label = "Mentoring" if c.kind.value == "mentoring" else "Supervision"
    validate_not_future(c.met_on, label=f"The {label.lower()} date", field="met_on", today=today)
    validate_required_text(c.with_whom, label=f"Who the {label.lower()} was with",
                           field="with_whom")
    validate_hours(c.hours, label=f"{label} hours", maximum=MAX_CONTACT_HOURS)


def validate_discretion(
    d: Discretion, *, today: date | None = None, edition: Edition | None = None
) -> None:
    """Who, why, when, and only where the edition allows a discretion, with every party.

    ``edition`` defaults to the shipped edition in force on the day it was decided.
    """
    from sendobserve.model.outcome import discretion_problem
    from sendobserve.model.rulebook import shipped_rulebook

    validate_required_text(d.requirement_id, label="The requirement", field="requirement_id")
    validate_required_text(d.decided_by, label="The assessor who decided the discretion",
                           field="decided_by")
    validate_required_text(d.reason, label="The reason for the discretion", field="reason")
    validate_not_future(d.decided_on, label="The discretion's date", field="decided_on",
                        today=today)
    ed = edition or shipped_rulebook().in_force_on(d.decided_on)
    problem = discretion_problem(d, ed)
    if problem:
        if ed.discretion_for(d.requirement_id) is None:
            field = "requirement_id"
        elif not d.agreed("provider"):
            field = "provider_agreed_by"
        else:
            field = "mediator_agreed"
        raise ValidationError(problem[:1].upper() + problem[1:], field=field)


def validate_record_hours(record: PracticeRecord) -> None:
    """The rules refuse impossible hours with the store's own sentence (never count them).

    A record normally comes from the store, which has checked every figure; this guards
    the engine against a record built any other way.
    """
    for c in record.cases:
        validate_hours(c.casework_hours, label="Casework hours", maximum=MAX_CASE_HOURS,
                       field="casework_hours")
    for t in record.training:
        validate_hours(t.hours, label="Training hours", maximum=MAX_TRAINING_HOURS)
    for r in record.reflections:
        validate_hours(r.hours, label="Reflection hours", maximum=MAX_REFLECTION_HOURS)
    for p in record.cpd:
        validate_hours(p.hours, label="CPD hours", maximum=MAX_CPD_HOURS)
    for k in record.contacts:
        label = "Mentoring" if k.kind.value == "mentoring" else "Supervision"
        validate_hours(k.hours, label=f"{label} hours", maximum=MAX_CONTACT_HOURS)


def validate_signature(s: Signature, *, today: date | None = None) -> None:
    validate_required_text(s.name, label="The signer's name", field="signature_name")
    validate_not_future(s.signed_on, label="The signature date", field="signed_on", today=today)


Validated = Mediator | Observer | Case | Training | Reflection | Cpd | Contact | Discretion


def validate_record(record: Validated, *, today: date | None = None) -> None:
    """The check of ``record``'s own kind (the bulk writer and an import meet every kind)."""
    if isinstance(record, Observer):
        validate_observer(record)  # an observer has no date to bound
    else:
        _CHECKS[type(record)](record, today=today)


_CHECKS: dict[type, Callable[..., None]] = {
    Mediator: validate_mediator, Case: validate_case, Training: validate_training,
    Reflection: validate_reflection, Cpd: validate_cpd, Contact: validate_contact,
    Discretion: validate_discretion,
}

"""Every validation rule and its edges, table-driven."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from sendobserve.errors import UserError
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    Discretion,
    Mediator,
    ObserverRole,
    RecognisingBody,
    Reflection,
    Signature,
    TraineeRole,
    Training,
    TrainingKind,
)
from sendobserve.model.validation import (
    MAX_CASE_HOURS,
    ValidationError,
    validate_case,
    validate_contact,
    validate_cpd,
    validate_discretion,
    validate_hours,
    validate_mediator,
    validate_reflection,
    validate_signature,
    validate_training,
)

TODAY = date(2026, 6, 1)
ID = uuid.UUID(int=1)
M = uuid.UUID(int=2)

CASE = Case(ID, M, "REF-1", date(2026, 5, 1), CaseKind.MEDIATION, TraineeRole.LEADING,
            Decimal("4.5"))
TRAINING = Training(ID, M, TrainingKind.SEND, "SEND law", "Provider Ltd", RecognisingBody.CMC,
                    date(2026, 1, 10), date(2026, 1, 12), Decimal(12))
REFLECTION = Reflection(ID, M, date(2026, 5, 2), Decimal("1.5"), "A. Patel", "Pacing")
CPD = Cpd(ID, M, date(2026, 5, 3), Decimal(3), CpdKind.READING, "Code of Practice")
CONTACT = Contact(ID, M, ContactKind.SUPERVISION, date(2026, 5, 4), "A. Patel",
                  hours=Decimal(1))
# §1.3: the number of cases is "at the discretion of the assessor, the provider and the
# mediator" — a discretion is allowed there, with all three parties (casework hours, §1.2,
# have none).
DISCRETION = Discretion(ID, M, "three_active_cases", "A. Patel", ObserverRole.PPC,
                        "Long complex cases", date(2026, 5, 5), "Jo Rees", True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal(-3), "Casework hours must be between 0 and 24; got -3"),
        (Decimal("-0.01"), "Casework hours must be between 0 and 24; got -0.01"),
        (Decimal("24.01"), "Casework hours must be between 0 and 24; got 24.01"),
        (Decimal(250), "Casework hours must be between 0 and 24; got 250"),
        (Decimal("1.255"), "Casework hours can have at most 2 decimal places; got 1.255"),
        (Decimal("NaN"), "Casework hours must be a number of hours; got Decimal('NaN')"),
        (Decimal("Infinity"), "Casework hours must be a number of hours"),
        (1.5, "Casework hours must be an exact number; got 1.5"),
        (True, "Casework hours must be an exact number"),
        ("two", "Casework hours must be a number of hours; got 'two'"),
    ],
)
def test_bad_hours_are_refused_with_one_sentence(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_hours(value, label="Casework hours", maximum=MAX_CASE_HOURS,
                       field="casework_hours")
    assert str(caught.value).startswith(message)
    assert caught.value.field == "casework_hours"
    assert isinstance(caught.value, UserError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal(0), Decimal(0)),
        (Decimal(24), Decimal(24)),
        (Decimal("11.9"), Decimal("11.9")),
        (Decimal("1.25"), Decimal("1.25")),
        (Decimal("1.250"), Decimal("1.250")),  # trailing zero is still two places
        ("3.75", Decimal("3.75")),
        (4, Decimal(4)),
    ],
)
def test_good_hours_pass_exactly(value: object, expected: Decimal) -> None:
    assert validate_hours(value, label="Hours", maximum=MAX_CASE_HOURS) == expected


@pytest.mark.parametrize(
    ("check", "record", "message", "field"),
    [
        (validate_case, replace(CASE, casework_hours=Decimal(-3)),
         "Casework hours must be between 0 and 24; got -3", "casework_hours"),
        (validate_case, replace(CASE, reference="  "), "The case reference must not be empty",
         "reference"),
        (validate_case, replace(CASE, case_date=date(2026, 6, 2)),
         "The case date (2026-06-02) is in the future; today is 2026-06-01", "case_date"),
        (validate_training, replace(TRAINING, hours=Decimal("500.5")),
         "Training hours must be between 0 and 500; got 500.5", "hours"),
        (validate_training, replace(TRAINING, end_date=date(2026, 1, 9)),
         "The training's end date (2026-01-09) is before its start date (2026-01-10)",
         "end_date"),
        (validate_training, replace(TRAINING, end_date=date(2026, 7, 1)),
         "The training end date (2026-07-01) is in the future", "end_date"),
        (validate_training, replace(TRAINING, provider=""),
         "The training provider must not be empty", "provider"),
        (validate_training, replace(TRAINING, title=" "),
         "The training's title must not be empty", "title"),
        (validate_reflection, replace(REFLECTION, hours=Decimal(25)),
         "Reflection hours must be between 0 and 24; got 25", "hours"),
        (validate_reflection, replace(REFLECTION, summary=""),
         "The reflection's summary must not be empty", "summary"),
        (validate_reflection, replace(REFLECTION, with_whom="\t"),
         "Who the reflection was with must not be empty", "with_whom"),
        (validate_cpd, replace(CPD, hours=Decimal(-1)),
         "CPD hours must be between 0 and 100; got -1", "hours"),
        (validate_cpd, replace(CPD, done_on=date(2027, 1, 1)),
         "The CPD date (2027-01-01) is in the future", "done_on"),
        (validate_cpd, replace(CPD, description=""),
         "The CPD description must not be empty", "description"),
        (validate_contact, replace(CONTACT, hours=Decimal(30)),
         "Supervision hours must be between 0 and 24; got 30", "hours"),
        (validate_contact, replace(CONTACT, kind=ContactKind.MENTORING, hours=Decimal("0.125")),
         "Mentoring hours can have at most 2 decimal places; got 0.125", "hours"),
        (validate_contact, replace(CONTACT, with_whom=""),
         "Who the supervision was with must not be empty", "with_whom"),
        (validate_discretion, replace(DISCRETION, reason=" "),
         "The reason for the discretion must not be empty", "reason"),
        (validate_discretion, replace(DISCRETION, decided_by=""),
         "The assessor who decided the discretion must not be empty", "decided_by"),
        # §1.2 "at least 12 hours of casework": no discretion; the sentence names §1.2.
        (validate_discretion, replace(DISCRETION, requirement_id="casework_hours"),
         "No discretion is allowed on “At least 12 hours of casework”"
         " (§1.2)", "requirement_id"),
        # §1.3 names three parties: each must be recorded.
        (validate_discretion, replace(DISCRETION, provider_agreed_by=" "),
         "A discretion under §1.3 is at the discretion of the assessor, the provider and the"
         " mediator: the agreement of the provider is not recorded", "provider_agreed_by"),
        (validate_discretion, replace(DISCRETION, mediator_agreed=False),
         "A discretion under §1.3 is at the discretion of the assessor, the provider and the"
         " mediator: the agreement of the mediator is not recorded", "mediator_agreed"),
        (validate_discretion, replace(DISCRETION, decided_on=date(2026, 6, 30)),
         "The discretion's date (2026-06-30) is in the future", "decided_on"),
        (validate_mediator, Mediator(ID, " "), "The mediator's name must not be empty", "name"),
        (validate_mediator,
         Mediator(ID, "Ann", send_practice_since=date(2020, 1, 1), lead_since=date(2019, 1, 1)),
         "Lead practice (2019-01-01) cannot begin before SEND practice (2020-01-01)",
         "lead_since"),
        (validate_mediator, Mediator(ID, "Ann", accredited_on=date(2026, 6, 2)),
         "The accreditation date (2026-06-02) is in the future", "accredited_on"),
        (validate_signature, Signature("Ann", ObserverRole.PPC, date(2026, 6, 2)),
         "The signature date (2026-06-02) is in the future", "signed_on"),
    ],
)
def test_records_are_refused_naming_the_field(
    check: object, record: object, message: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        check(record, today=TODAY)  # type: ignore[operator]
    assert str(caught.value).startswith(message)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("check", "record"),
    [
        (validate_case, CASE),
        (validate_case, replace(CASE, case_date=TODAY, casework_hours=Decimal(0))),
        (validate_training, TRAINING),
        (validate_training, replace(TRAINING, start_date=TODAY, end_date=TODAY,
                                    hours=Decimal(500))),
        (validate_reflection, REFLECTION),
        (validate_cpd, CPD),
        (validate_contact, CONTACT),
        (validate_contact, replace(CONTACT, hours=Decimal(0))),
        (validate_discretion, DISCRETION),
        (validate_mediator, Mediator(ID, "Siobhán Ó Dálaigh")),
        (validate_signature, Signature("Ann", ObserverRole.PPC, TODAY)),
    ],
)
def test_good_records_pass(check: object, record: object) -> None:
    check(record, today=TODAY)  # type: ignore[operator]


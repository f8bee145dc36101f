"""Annual re-registration (§1.4.3) and passporting (§1.6, Form 5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from rules_factory import Builder

from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    CaseKind,
    ContactKind,
    PassportRoute,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.outcome import Status
from sendobserve.model.renewal import (
    assess_passport,
    assess_renewal,
    last_twelve_months,
    render_passport_text,
    render_renewal_text,
)

TODAY = date(2026, 6, 1)
CO, LEAD, OBS = TraineeRole.CO_MEDIATING, TraineeRole.LEADING, TraineeRole.OBSERVING


def renewing() -> Builder:
    """An accredited mediator who meets the annual requirements for the year to TODAY."""
    b = Builder()
    b.log_cpd("6.5", date(2025, 9, 1))
    b.log_cpd("6.5", date(2026, 1, 1))
    b.log_cpd("7", date(2026, 5, 1))
    b.case("R-1", date(2025, 8, 1), LEAD)
    b.case("R-2", date(2026, 1, 15), CO, kind=CaseKind.DISAGREEMENT_RESOLUTION)
    b.case("R-3", date(2026, 5, 20), LEAD)
    b.contact(None, ContactKind.SUPERVISION, date(2026, 2, 1))
    return b


Step = Callable[[Builder], None]


def cpd(*entries: tuple[str, date]) -> Step:
    def m(b: Builder) -> None:
        b.cpd.clear()
        for h, on in entries:
            b.log_cpd(h, on)

    return m


def case_at(ref: str, on: date, role: TraineeRole | None = None) -> Step:
    def m(b: Builder) -> None:
        b.set_case(ref, case_date=on)
        if role:
            b.set_case(ref, trainee_role=role)

    return m


def contacts(*entries: tuple[ContactKind, date]) -> Step:
    def m(b: Builder) -> None:
        b.contacts.clear()
        for kind, on in entries:
            b.contact(None, kind, on)

    return m


def nothing(b: Builder) -> None:
    pass


YEAR_START = date(2025, 6, 1)  # exclusive: the window is 2025-06-02 .. 2026-06-01

RENEWAL_CASES: list[tuple[str, Step, str, Status, str]] = [
    ("baseline cpd", nothing, R.RENEWAL_CPD_HOURS, Status.MET, "20 of 20 hours"),
    ("cpd 19.9", cpd(("19.9", date(2026, 1, 1))), R.RENEWAL_CPD_HOURS, Status.NOT_MET,
     "19.9 of 20"),
    ("cpd 6.7+6.7+6.6", cpd(("6.7", date(2026, 1, 1)), ("6.7", date(2026, 2, 1)),
                            ("6.6", date(2026, 3, 1))), R.RENEWAL_CPD_HOURS, Status.MET,
     "20 of 20"),
    ("cpd on the window's first day", cpd(("20", date(2025, 6, 2))), R.RENEWAL_CPD_HOURS,
     Status.MET, "20 of 20"),
    ("cpd a year ago to the day", cpd(("20", YEAR_START)), R.RENEWAL_CPD_HOURS,
     Status.NOT_MET, "0 of 20"),
    ("cpd today", cpd(("20", TODAY)), R.RENEWAL_CPD_HOURS, Status.MET, "20 of 20"),
    ("cpd tomorrow", cpd(("20", date(2026, 6, 2))), R.RENEWAL_CPD_HOURS, Status.NOT_MET, "0 of"),
    ("three cases", nothing, R.RENEWAL_CASES, Status.MET, "3 cases"),
    ("one case observed only", case_at("R-2", date(2026, 1, 15), OBS), R.RENEWAL_CASES,
     Status.NOT_MET, "2 cases"),
    ("one case too old", case_at("R-1", YEAR_START), R.RENEWAL_CASES, Status.NOT_MET,
     "2 cases"),
    ("supervision", nothing, R.RENEWAL_SUPPORT, Status.MET, "1 supervision contact"),
    ("mentoring", contacts((ContactKind.MENTORING, date(2026, 3, 3))), R.RENEWAL_SUPPORT,
     Status.MET, "1 mentoring contact"),
    ("support too old", contacts((ContactKind.MENTORING, date(2025, 5, 1))), R.RENEWAL_SUPPORT,
     Status.NOT_MET, "No mentoring or supervision"),
]


@pytest.mark.parametrize(
    ("step", "rid", "status", "phrase"),
    [pytest.param(s, rid, st, p, id=name) for name, s, rid, st, p in RENEWAL_CASES],
)
def test_renewal_rule(step: Step, rid: str, status: Status, phrase: str) -> None:
    b = renewing()
    step(b)
    report = assess_renewal(b.build(), today=TODAY)
    req = report.requirement(rid)
    assert req.status is status, req.detail
    assert phrase in req.detail
    assert report.ready is (status is Status.MET)
    assert bool(req.still_needed) is (status is Status.NOT_MET)


def test_renewal_still_needed_and_json() -> None:
    b = renewing()
    cpd(("12.5", date(2026, 1, 1)))(b)
    contacts()(b)
    report = assess_renewal(b.build(), today=TODAY)
    assert report.still_needed == (
        "Log 7.5 more hours of CPD (role play, reading, training, team discussion, conferences …)",
        "Record a mentoring or supervision contact",
    )
    data = json.loads(json.dumps(report.to_json()))
    assert data["ready"] is False
    assert data["window"] == {"from": "2025-06-02", "to": "2026-06-01"}
    assert [(q["id"], q["status"]) for q in data["requirements"]] == [
        (R.RENEWAL_CPD_HOURS, "not_met"),
        (R.RENEWAL_CASES, "met"),
        (R.RENEWAL_SUPPORT, "not_met"),
    ]
    assert data["figures"]["cpd_hours"] == "12.5"
    assert "does NOT yet meet" in render_renewal_text(report)


def test_a_discretion_on_renewal_cases_is_not_applied() -> None:
    # §1.4.3: mediators "should therefore … verify that they have completed at least three
    # mediation cases" — no discretion; the Standards allow it only in §1.3 and §1.6 (B).
    b = renewing()
    case_at("R-1", YEAR_START)(b)
    b.discretion(R.RENEWAL_CASES, "Ama Nwosu", "Long-running case over two terms")
    report = assess_renewal(b.build(), today=TODAY)
    req = report.requirement(R.RENEWAL_CASES)
    assert req.status is Status.NOT_MET
    assert "is not applied: No discretion is allowed on" in req.detail
    assert "(§1.4.3)" in req.detail
    assert not report.ready


def test_twelve_months_from_a_leap_day() -> None:
    w = last_twelve_months(date(2028, 2, 29))
    assert (w.start, w.end) == (date(2027, 2, 28), date(2028, 2, 29))
    assert date(2027, 2, 28) not in w and date(2027, 3, 1) in w


# --- Passporting -------------------------------------------------------------------------


def passported() -> Builder:
    """Lead since 2015; the records go back to May 2024: two whole years to judge."""
    b = Builder()
    # §1.6 (A): "Mediation Provider Organisation will be asked to confirm that individual
    # mediators form part of their panel": the confirmation is recorded.
    b.mediator = replace(
        b.mediator, passported=True, send_practice_since=date(2012, 9, 1),
        lead_since=date(2015, 1, 1), passport_route=PassportRoute.PANEL,
        panel_confirmed_by="Jo Rees", panel_confirmed_on=date(2026, 1, 15),
    )
    b.course(TrainingKind.FOUNDATION, "40", RecognisingBody.OCN, date(2009, 3, 1))
    b.course(TrainingKind.SEND, "12", RecognisingBody.COM, date(2019, 10, 1))
    for ref, on in [("P-0", date(2024, 5, 20)), ("P-1", date(2024, 6, 10)),
                    ("P-2", date(2024, 10, 1)),
                    ("P-3", date(2025, 3, 1)), ("P-4", date(2025, 7, 1)),
                    ("P-5", date(2025, 12, 1)), ("P-6", date(2026, 5, 1))]:
        b.case(ref, on, LEAD)
    b.log_cpd("10", date(2024, 11, 1))
    b.log_cpd("22", date(2026, 2, 1))
    return b


def test_a_passported_mediator_with_full_records_is_eligible() -> None:
    report = assess_passport(passported().build(), today=TODAY)
    assert report.eligible, report.still_needed
    assert report.records_since == date(2024, 5, 20)
    judged = [(y.window.label(), y.cases_led) for y in report.years if y.judged]
    assert judged == [("2025-06-02 to 2026-06-01", 3), ("2024-06-02 to 2025-06-01", 3)]
    # Years before the records are shown but not judged.
    assert not report.years[2].judged and report.years[2].cases_led == 1
    assert [t.provider for t in report.send_training] == ["Provider Ltd"]
    assert report.foundation_training[0].end_date == date(2009, 3, 1)
    data = json.loads(json.dumps(report.to_json()))
    assert data["eligible"] is True
    assert data["send_practice_since"] == "2012-09-01"
    assert data["years"][0] == {
        "from": "2025-06-02", "to": "2026-06-01", "cases_led": 3, "cpd_hours": "22",
        "judged": True,
    }
    assert "eligible" in render_passport_text(report)


def mediator(**changes: object) -> Step:
    def m(b: Builder) -> None:
        b.mediator = replace(b.mediator, **changes)  # type: ignore[arg-type]

    return m


def drop(ref: str) -> Step:
    def m(b: Builder) -> None:
        del b.cases[ref]

    return m


def no_foundation(b: Builder) -> None:
    b.training = [t for t in b.training if t.kind is not TrainingKind.FOUNDATION]


def no_send(b: Builder) -> None:
    b.training = [t for t in b.training if t.kind is not TrainingKind.SEND]


PASSPORT_CASES: list[tuple[str, Step, str, Status, str]] = [
    ("no practice date", mediator(send_practice_since=None), R.PASSPORT_SEND_PRACTICE_SINCE,
     Status.NOT_MET, "not recorded"),
    ("no foundation", no_foundation, R.PASSPORT_FOUNDATION_TRAINING, Status.NOT_MET,
     "No foundation training"),
    ("SEND training is optional", no_send, R.PASSPORT_FOUNDATION_TRAINING, Status.MET,
     "40 of 40 hours (2009-03-01, Provider Ltd)"),
    ("no lead date", mediator(lead_since=None), R.PASSPORT_LEAD_CASES, Status.NOT_MET,
     "not recorded"),
    ("two led in a year", drop("P-4"), R.PASSPORT_LEAD_CASES, Status.NOT_MET,
     "2025-06-02 to 2026-06-01: 2"),
    ("a co-mediated case is not led", case_at("P-2", date(2024, 10, 1), CO),
     R.PASSPORT_LEAD_CASES, Status.NOT_MET, "2024-06-02 to 2025-06-01: 2"),
    ("lead since recently, 3 in the last year", mediator(lead_since=date(2025, 9, 1)),
     R.PASSPORT_LEAD_CASES, Status.MET, "2025-06-02 to 2026-06-01: 3."),
    ("lead since a date after today", mediator(lead_since=date(2026, 9, 1)),
     R.PASSPORT_LEAD_CASES, Status.NOT_MET, "after today"),
    ("records begin this year, 3 led", lambda b: [drop(r)(b) for r in ("P-0", "P-1", "P-2",
                                                                        "P-3")],
     R.PASSPORT_LEAD_CASES, Status.MET, "(as far as the records go): 2025-06-02 to 2026-06-01: 3."),
    ("records begin this year, 2 led", lambda b: [drop(r)(b) for r in ("P-0", "P-1", "P-2",
                                                                        "P-3", "P-4")],
     R.PASSPORT_LEAD_CASES, Status.NOT_MET, "2025-06-02 to 2026-06-01: 2."),
    ("no CPD in an older year", cpd(("22", date(2026, 2, 1))), R.PASSPORT_ANNUAL_CPD,
     Status.NOT_MET, "none in 2024-06-02 to 2025-06-01"),
    ("no CPD lately", cpd(("10", date(2024, 11, 1))), R.PASSPORT_ANNUAL_CPD, Status.NOT_MET,
     "0 hours of CPD from 2025-06-02"),
]


@pytest.mark.parametrize(
    ("step", "rid", "status", "phrase"),
    [pytest.param(s, rid, st, p, id=name) for name, s, rid, st, p in PASSPORT_CASES],
)
def test_passport_rule(step: Step, rid: str, status: Status, phrase: str) -> None:
    b = passported()
    step(b)
    report = assess_passport(b.build(), today=TODAY)
    req = report.requirement(rid)
    assert req.status is status, req.detail
    assert phrase in req.detail
    assert report.eligible is (status is Status.MET)
    assert bool(req.still_needed) is (status is Status.NOT_MET)


def test_a_pioneer_without_foundation_training_is_passported_by_discretion() -> None:
    b = passported()
    no_foundation(b)
    # §1.6 (B): pioneers "may not have undertaken training themselves … Discretion may be
    # exercised": only on route (B).
    b.mediator = replace(b.mediator, passport_route=PassportRoute.PIONEER)
    b.discretion(R.PASSPORT_FOUNDATION_TRAINING, "Dr Ngozi Adébáyọ̀",
                 "Pioneer of SEND mediation since 1988; trained others (§1.6 B)")
    report = assess_passport(b.build(), today=TODAY)
    req = report.requirement(R.PASSPORT_FOUNDATION_TRAINING)
    assert req.status is Status.DISCRETION
    assert "Dr Ngozi Adébáyọ̀ (PPC)" in req.detail and "§1.6 B" in req.detail
    assert report.eligible


def test_passport_still_needed_names_the_year_short_of_cases() -> None:
    b = passported()
    drop("P-4")(b)
    drop("P-5")(b)
    report = assess_passport(b.build(), today=TODAY)
    assert report.still_needed == (
        "Lead 2 more cases for 2025-06-02 to 2026-06-01, or record them",
    )

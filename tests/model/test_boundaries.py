"""Each rule at its edge, written from the paragraph of the Standards it comes from."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    CaseKind,
    ObserverRole,
    PassportRoute,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.outcome import Status
from sendobserve.model.readiness import (
    assess_readiness,
    case_order_key,
    form4_refusal,
    portfolio_refusal,
    signer_refusal,
)
from sendobserve.model.renewal import (
    assess_passport,
    assess_renewal,
    form5_refusal,
    last_twelve_months,
    passport_signer_refusal,
)
from sendobserve.model.validation import ValidationError
from tests.model.rules_factory import STANDARD, TODAY, Builder, ready_builder


def _assess(b: Builder, today: date = TODAY):  # type: ignore[no-untyped-def]
    return assess_readiness(b.build(), STANDARD, today=today)


# --- §1.1 "40 hours in length" ---------------------------------------------------------


@pytest.mark.parametrize(("hours", "met"), [("40", True), ("39.75", False), ("40.25", True)])
def test_foundation_training_is_met_at_exactly_40_hours(hours: str, met: bool) -> None:
    r = ready_builder()
    r.b.training = [t for t in r.b.training if t.kind is not TrainingKind.FOUNDATION]
    r.b.course(TrainingKind.FOUNDATION, hours, RecognisingBody.OCN, date(2024, 5, 1))
    req = _assess(r.b).requirement(R.FOUNDATION_TRAINING)
    assert (req.status is Status.MET) is met
    if not met:
        assert req.still_needed == ("Log 0.25 more hours of foundation training in mediation",)


def test_two_foundation_courses_add_up_to_40_hours() -> None:
    # Decision foundation_courses_add_up: §1.1 asks for "40 hours in length", not one course.
    r = ready_builder()
    r.b.training = [t for t in r.b.training if t.kind is not TrainingKind.FOUNDATION]
    r.b.course(TrainingKind.FOUNDATION, "20", RecognisingBody.OCN, date(2023, 5, 1))
    r.b.course(TrainingKind.FOUNDATION, "20", RecognisingBody.OCN, date(2024, 5, 1))
    assert _assess(r.b).requirement(R.FOUNDATION_TRAINING).status is Status.MET


@pytest.mark.parametrize(("hours", "met"), [("40", True), ("39.75", False)])
def test_form5_foundation_training_minimum_40_hours(hours: str, met: bool) -> None:
    b = _passported()
    b.training = [t for t in b.training if t.kind is not TrainingKind.FOUNDATION]
    b.course(TrainingKind.FOUNDATION, hours, RecognisingBody.OCN, date(2009, 3, 1))
    report = assess_passport(b.build(), today=TODAY)
    assert (report.requirement(R.PASSPORT_FOUNDATION_TRAINING).status is Status.MET) is met
    assert report.eligible is met
    assert (form5_refusal(report) is None) is met


# --- §1.2 "After having attended a specialised training programme …" ----------------------


def test_cases_on_the_last_day_of_the_send_training_are_not_the_practice_period() -> None:
    r = ready_builder()
    send_end = date(2025, 11, 1)  # the baseline's SEND course ends then
    r.b.set_case("OBS-1", case_date=send_end)  # the observed case, on the course's last day
    report = _assess(r.b)
    assert report.practice_start == send_end + timedelta(days=1)
    first = report.requirement(R.OBSERVED_FIRST)
    assert first.status is Status.NOT_MET and first.figures["observed_cases"] == 0
    assert any("before the practice period began on 2025-11-02" in n for n in report.notes)
    # The day after counts.
    r.b.set_case("OBS-1", case_date=send_end + timedelta(days=1))
    assert _assess(r.b).requirement(R.OBSERVED_FIRST).status is Status.MET


def test_casework_and_reflection_before_the_send_training_do_not_count() -> None:
    r = ready_builder()
    r.b.training = [t for t in r.b.training if t.kind is not TrainingKind.SEND]
    r.b.course(TrainingKind.SEND, "12", RecognisingBody.CMC, date(2026, 2, 15))
    report = _assess(r.b)
    # C-1 (2026-02-01) and the observed case are before it: 2 active cases left.
    assert report.requirement(R.THREE_ACTIVE_CASES).figures["active_cases"] == 2
    assert report.requirement(R.CASEWORK_HOURS).figures["casework_hours"] == Decimal("7.9")
    r.b.reflect("1", on=date(2026, 2, 10))  # before the period: not counted
    assert _assess(r.b).requirement(R.REFLECTION_HOURS).figures["reflection_hours"] == (
        Decimal("2"))
    assert not report.ready


def test_no_practice_period_without_completed_send_training() -> None:
    r = ready_builder()
    r.b.training = [t for t in r.b.training if t.kind is not TrainingKind.SEND]
    r.b.course(TrainingKind.SEND, "11.75", RecognisingBody.CMC, date(2025, 11, 1))
    report = _assess(r.b)
    assert report.practice_start is None
    assert report.requirement(R.THREE_ACTIVE_CASES).figures["active_cases"] == 0
    assert any("before the SEND-specific training was completed" in n for n in report.notes)


# --- the engine trusts no input ---------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "message"),
    [("-3", "Casework hours must be between 0 and 24; got -3"),
     ("25", "Casework hours must be between 0 and 24; got 25"),
     ("1.333", "Casework hours can have at most 2 decimal places; got 1.333")],
)
def test_impossible_hours_are_refused_by_the_model_with_the_stores_sentence(
    hours: str, message: str
) -> None:
    r = ready_builder()
    r.b.set_case("C-1", casework_hours=Decimal(hours))
    record = r.b.build()
    for check in (lambda: assess_readiness(record, STANDARD, today=TODAY),
                  lambda: assess_renewal(record, today=TODAY),
                  lambda: assess_passport(record, today=TODAY)):
        with pytest.raises(ValidationError) as info:
            check()
        assert str(info.value) == message
        assert info.value.field == "casework_hours"


def test_negative_cpd_is_refused_not_subtracted() -> None:
    b = _passported()
    b.log_cpd("-20", date(2026, 5, 1))
    with pytest.raises(ValidationError, match="CPD hours must be between 0 and 100; got -20"):
        assess_renewal(b.build(), today=TODAY)


# --- one order of same-day cases ----------------------------------------------------------


def test_same_day_cases_order_observe_then_co_work_then_lead() -> None:
    # §1.2: "observe a SEND mediation case, before progressing to co-working and finally
    # taking a lead" — with only a date, the same day follows that progression.
    b = Builder()
    day = date(2026, 3, 3)
    led = b.case("L", day, TraineeRole.LEADING)
    co = b.case("C", day, TraineeRole.CO_MEDIATING)
    seen = b.case("O", day, TraineeRole.OBSERVING)
    assert sorted([led, co, seen], key=case_order_key) == [seen, co, led]


def test_the_final_case_and_the_printed_case_list_use_the_same_order() -> None:
    from sendobserve.reports.build import case_lines

    r = ready_builder()
    # A co-worked case on the same day as the led final case: the led one is final.
    r.b.case("C-4", date(2026, 4, 1), TraineeRole.CO_MEDIATING, "1")
    report = _assess(r.b)
    final = next(c for c in report.cases if c.case_id == report.final_case_id)
    assert final.reference == "C-3"
    assert report.requirement(R.FINAL_CASE_LED).status is Status.MET
    printed = [line.reference for line in case_lines(r.b.build())]
    assert printed[-1] == "C-3" and printed.index("C-4") < printed.index("C-3")
    assert [c.reference for c in report.cases] == printed


# --- "the last 12 months" (§1.4.3), one definition -----------------------------------------


@pytest.mark.parametrize(
    ("done_on", "counted"),
    [(date(2025, 6, 1), False),  # a year ago to the day: outside
     (date(2025, 6, 2), True),   # the day after: inside
     (date(2026, 6, 1), True)],  # today: inside
)
def test_cpd_a_year_ago_to_the_day_is_outside_the_last_12_months(
    done_on: date, counted: bool
) -> None:
    b = _passported()
    b.cpd = []
    b.log_cpd("20", done_on)
    report = assess_renewal(b.build(), today=TODAY)
    assert (report.requirement(R.RENEWAL_CPD_HOURS).status is Status.MET) is counted


def test_29_february_the_year_before_is_28_february_everywhere() -> None:
    leap = date(2028, 2, 29)
    window = last_twelve_months(leap)
    assert date(2027, 2, 28) not in window and date(2027, 3, 1) in window
    b = _passported()
    b.cpd = []
    b.log_cpd("20", date(2027, 2, 28))
    assert assess_renewal(b.build(), today=leap).requirement(
        R.RENEWAL_CPD_HOURS).status is Status.NOT_MET
    b.cpd = []
    b.log_cpd("20", date(2027, 3, 1))
    assert assess_renewal(b.build(), today=leap).requirement(
        R.RENEWAL_CPD_HOURS).status is Status.MET


def test_form5_cpd_note_uses_the_same_12_months_across_29_february() -> None:
    from sendobserve.reports import build
    from sendobserve.reports.content import CertificateIdentity

    # 2024-02-29 is 366 days after 2023-02-28: counting 365 days would drop it.
    issued = date(2024, 2, 29)
    b = _passported(today=issued)
    b.cpd = []
    b.log_cpd("5", date(2023, 3, 1))  # inside: the day after a year before (28 Feb)
    b.log_cpd("3", date(2023, 2, 28))  # outside
    for ref, on in [("N-1", date(2023, 6, 1)), ("N-2", date(2023, 9, 1)),
                    ("N-3", date(2024, 1, 10))]:
        b.case(ref, on, TraineeRole.LEADING)
    record = b.build()
    signer = next(o for o in record.observers if o.role is ObserverRole.PPC)
    content = build.form5_content(record, signer=signer, issued_on=issued,
                                  identity=CertificateIdentity("S", "C"))
    assert content.cpd_note == "5 hours of CPD recorded in the last 12 months."


# --- Form 4 signer (Appendix A) and portfolio verifier (§1.3, §1.4.2 i) ------------------


def test_the_form4_signer_must_also_have_supported_the_reflection() -> None:
    # Appendix A: the signer "has observed them at least once, has played a specific role in
    # mentoring the new mediator and supported them to reflect on their practice".
    r = ready_builder()
    r.b.reflections = []
    r.b.reflect("2", with_whom="Someone Else")
    report = _assess(r.b)
    req = report.requirement(R.FORM4_SIGNER)
    assert req.status is Status.NOT_MET
    assert "not recorded as supporting a reflection" in req.detail
    assert report.eligible_signers == ()
    assert signer_refusal(report, r.ppc) is not None
    assert form4_refusal(report, r.ppc) is not None
    r.b.reflect("0.5", with_whom="  ama NWOSU ")
    report = _assess(r.b)
    assert report.eligible_signers == (r.ppc,) and form4_refusal(report, r.ppc) is None


def test_no_discretion_over_the_form4_signer() -> None:
    r = ready_builder()
    r.b.contacts.clear()
    r.b.discretion(R.FORM4_SIGNER)
    report = _assess(r.b)
    assert report.requirement(R.FORM4_SIGNER).status is Status.NOT_MET
    assert "No discretion is allowed on" in report.requirement(R.FORM4_SIGNER).detail
    assert form4_refusal(report) is not None


def test_the_portfolio_is_verified_by_a_ppc() -> None:
    r = ready_builder()
    report = _assess(r.b)
    assert report.ready
    assert portfolio_refusal(report, r.ppc) is None
    why = portfolio_refusal(report, r.co)
    assert why is not None and "is not a PPC" in why and "§1.4.2 i" in why
    on_register = replace(r.co, ppc_register_entry="COM-PPC-9")
    assert portfolio_refusal(report, on_register) is None


# --- §1.3 discretion and its parties --------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "mediator", "applied"),
    [("Jo Rees", True, True), ("", True, False), ("Jo Rees", False, False)],
)
def test_a_1_3_discretion_needs_all_three_parties(
    provider: str, mediator: bool, applied: bool
) -> None:
    r = ready_builder()
    r.b.set_case("C-3", trainee_role=TraineeRole.CO_MEDIATING)
    r.b.discretion(R.FINAL_CASE_LED, provider=provider, mediator=mediator)
    report = _assess(r.b)
    req = report.requirement(R.FINAL_CASE_LED)
    assert (req.status is Status.DISCRETION) is applied
    assert report.ready is applied
    if not applied:
        assert "is at the discretion of the assessor, the provider and the mediator" in (
            req.detail)


def test_a_discretion_decided_after_today_does_not_count() -> None:
    r = ready_builder()
    r.b.set_case("C-3", trainee_role=TraineeRole.CO_MEDIATING)
    r.b.discretion(R.FINAL_CASE_LED, on=TODAY + timedelta(days=1))
    assert _assess(r.b).requirement(R.FINAL_CASE_LED).status is Status.NOT_MET


# --- Form 5: route, lead practice, declaration (§1.6) ----------------------------------------


def _passported(today: date = TODAY) -> Builder:
    b = Builder()
    ppc = b.observer("Ama Nwosu", ObserverRole.PPC, experienced=True, ppc_entry="COM-PPC-1")
    b.observer("Seán O'Brien", ObserverRole.CO_MEDIATOR)
    b.mediator = replace(
        b.mediator, passported=True, send_practice_since=date(2012, 9, 1),
        lead_since=today - timedelta(days=300), passport_route=PassportRoute.PANEL,
        panel_confirmed_by=ppc.name, panel_confirmed_on=today - timedelta(days=10),
    )
    b.course(TrainingKind.FOUNDATION, "40", RecognisingBody.OCN, date(2009, 3, 1))
    for i in range(3):
        b.case(f"P-{i}", today - timedelta(days=30 * (i + 1)), TraineeRole.LEADING,
               kind=CaseKind.MEDIATION)
    b.log_cpd("20", today - timedelta(days=40))
    return b


def test_route_a_needs_the_providers_confirmation() -> None:
    b = _passported()
    assert assess_passport(b.build(), today=TODAY).eligible
    b.mediator = replace(b.mediator, panel_confirmed_by=None, panel_confirmed_on=None)
    report = assess_passport(b.build(), today=TODAY)
    assert report.requirement(R.PASSPORT_ROUTE).status is Status.NOT_MET
    assert form5_refusal(report) is not None and "§1.6 (A)" in form5_refusal(report)  # type: ignore[operator]


def test_lead_cases_must_be_led_not_co_mediated() -> None:
    b = _passported()
    b.set_case("P-0", trainee_role=TraineeRole.CO_MEDIATING)
    report = assess_passport(b.build(), today=TODAY)
    assert report.requirement(R.PASSPORT_LEAD_CASES).status is Status.NOT_MET


def test_the_pioneer_discretion_is_route_b_only_and_needs_assessor_and_provider() -> None:
    b = _passported()
    b.training = []
    b.discretion(R.PASSPORT_FOUNDATION_TRAINING, reason="Pioneer since 1988")
    # Route (A): not open, and the detail says why.
    report = assess_passport(b.build(), today=TODAY)
    req = report.requirement(R.PASSPORT_FOUNDATION_TRAINING)
    assert req.status is Status.NOT_MET
    assert "is not applied: it is for pioneers (route B) only" in req.detail
    b.mediator = replace(b.mediator, passport_route=PassportRoute.PIONEER)
    report = assess_passport(b.build(), today=TODAY)
    assert report.requirement(R.PASSPORT_FOUNDATION_TRAINING).status is Status.DISCRETION
    assert report.eligible
    b.discretions = []
    b.discretion(R.PASSPORT_FOUNDATION_TRAINING, provider="")
    assert not assess_passport(b.build(), today=TODAY).eligible


@pytest.mark.parametrize(
    ("role", "experienced", "allowed"),
    [(ObserverRole.PPC, False, True), (ObserverRole.REGIONAL_MANAGER, False, True),
     (ObserverRole.SERVICE_DIRECTOR, False, True), (ObserverRole.CO_MEDIATOR, True, True),
     (ObserverRole.CO_MEDIATOR, False, False), (ObserverRole.MENTOR, False, False)],
)
def test_form5_declaration_by_an_experienced_mediator_a_ppc_or_a_manager(
    role: ObserverRole, experienced: bool, allowed: bool
) -> None:
    # §1.6: "An experienced mediator, PPC or manager of the relevant Mediation Provider
    # Organisation must provide a declaration of competence".
    b = _passported()
    report = assess_passport(b.build(), today=TODAY)
    signer = b.observer("Signer", role, experienced=experienced)
    assert (passport_signer_refusal(report, signer) is None) is allowed
    assert (form5_refusal(report, signer) is None) is allowed

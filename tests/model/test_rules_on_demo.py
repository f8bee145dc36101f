"""The rules on the demo practice periods: each mediator gets exactly the verdict the demo
is built to show (issue 3's "done when")."""

from __future__ import annotations

from datetime import date

import pytest

from sendobserve.demo import GAPS, PASSPORTED, READY, RENEWING, build_demo
from sendobserve.forms.registry import FormRegistry
from sendobserve.model import requirements as R
from sendobserve.model.outcome import Status
from sendobserve.model.readiness import assess_readiness, render_readiness_text
from sendobserve.model.renewal import assess_passport, assess_renewal

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def forms() -> FormRegistry:
    return FormRegistry.standard()


def test_the_ready_trainee_is_ready(forms: FormRegistry) -> None:
    record = build_demo(forms, today=TODAY).by_name(READY)
    report = assess_readiness(record, forms, today=TODAY)
    assert report.ready, report.still_needed
    assert report.to_json()["ready"] is True
    assert "READY for Form 4" in render_readiness_text(report)


def test_the_trainee_with_gaps_gets_exactly_their_gaps(forms: FormRegistry) -> None:
    record = build_demo(forms, today=TODAY).by_name(GAPS)
    report = assess_readiness(record, forms, today=TODAY)
    not_met = {q.id for q in report.requirements if q.status is Status.NOT_MET}
    assert not_met == {
        R.CASEWORK_HOURS,
        R.REFLECTION_HOURS,
        R.THREE_ACTIVE_CASES,
        R.FINAL_CASE_LED,
        R.CRITERIA_DEMONSTRATED,
        R.FORM4_SIGNER,
    }
    assert {c.id for c in report.criteria if not c.demonstrated} == {
        "f2.sk.reality_test",
        "f2.sk.smart_agreement",
    }
    assert "Demonstrate: Reality test proposals (Form 2)" in report.still_needed
    assert "Log 2.5 more hours of casework" in report.still_needed


def test_the_passported_mediator_is_eligible_for_form5(forms: FormRegistry) -> None:
    record = build_demo(forms, today=TODAY).by_name(PASSPORTED)
    report = assess_passport(record, today=TODAY)
    assert report.eligible, report.still_needed
    assert report.send_practice_since == date(2009, 3, 1)


def test_the_renewing_mediator_report_has_the_three_annual_checks(forms: FormRegistry) -> None:
    record = build_demo(forms, today=TODAY).by_name(RENEWING)
    report = assess_renewal(record, today=TODAY)
    assert [q.id for q in report.requirements] == list(R.RENEWAL_IDS)
    assert report.requirement(R.RENEWAL_CASES).status is Status.MET

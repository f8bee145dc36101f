"""The panel's verdicts: stages named from the rules engine, and how long a verdict holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rules_factory import FORM1, FORM2, FORM2_V2, FORM3, Builder, Forms, ready_builder

from sendobserve.model.domain import (
    ContactKind,
    ObserverRole,
    PracticeRecord,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.panel import (
    DUE_WITHIN_DAYS,
    RULES_FINGERPRINT,
    PanelStatus,
    Verdict,
    add_years,
    assess_verdict,
    count_by_status,
    few_words,
    last_anniversary,
    next_anniversary,
    panel_row,
    record_dates,
    renewals_by_month,
    valid_until,
)
from sendobserve.model.readiness import assess_readiness
from sendobserve.model.renewal import assess_renewal

FORMS = Forms(FORM1, FORM2, FORM2_V2, FORM3)
TODAY = date(2026, 6, 1)


def _without_dates(v: Verdict) -> dict[str, object]:
    data = v.to_json()
    del data["assessed_on"], data["valid_until"]
    return data


def test_a_ready_trainee_is_ready_for_form4_and_says_what_the_engine_says() -> None:
    record = ready_builder().b.build()
    verdict = assess_verdict(record, FORMS, today=TODAY)
    assert verdict.ready_to_certify is assess_readiness(record, FORMS, today=TODAY).ready is True
    row = panel_row(verdict, TODAY)
    assert row.status is PanelStatus.READY
    assert row.status_text == "ready for Form 4"
    assert row.needed == ""
    assert verdict.ppc == "Ama Nwosu"  # the PPC who observed the final case
    assert verdict.last_observation == date(2026, 4, 1)


def test_a_trainee_with_gaps_is_in_training_with_the_engines_first_gap() -> None:
    ready = ready_builder()
    ready.b.reflections.clear()
    record = ready.b.build()
    report = assess_readiness(record, FORMS, today=TODAY)
    verdict = assess_verdict(record, FORMS, today=TODAY)
    assert verdict.still_needed == report.still_needed and report.still_needed
    row = panel_row(verdict, TODAY)
    assert row.status is PanelStatus.IN_TRAINING
    assert row.needed.startswith(report.still_needed[0].rstrip(".")[:40])


def _accredited(on: date, *, cpd_on: date | None, passported: bool = False) -> PracticeRecord:
    b = Builder()
    b.mediator = replace(b.mediator, accredited_on=on, passported=passported,
                         lead_since=date(2020, 1, 1))
    ppc = b.observer("Ama Nwosu", ObserverRole.PPC, experienced=True, ppc_entry="COM-1")
    b.course(TrainingKind.FOUNDATION, "40", RecognisingBody.OCN, date(2019, 5, 1))
    if cpd_on is not None:  # a year that meets §1.4.3: 20 h CPD, 3 cases, supervision
        b.log_cpd("20", cpd_on)
        for i in range(3):
            b.case(f"R-{i}", cpd_on + timedelta(days=i), TraineeRole.LEADING)
        b.contact(ppc, ContactKind.SUPERVISION, on=cpd_on)
    return b.build()


def test_accredited_due_and_lapsed_follow_the_anniversary_and_the_renewal_check() -> None:
    accredited_on = date(2025, 9, 1)
    record = _accredited(accredited_on, cpd_on=date(2026, 3, 1))
    early = panel_row(assess_verdict(record, FORMS, today=TODAY), TODAY)
    assert early.status is PanelStatus.ACCREDITED
    assert early.due_on == date(2026, 9, 1) and early.due_in_days == 92
    near = date(2026, 6, 3)  # 90 days before
    due = panel_row(assess_verdict(record, FORMS, today=near), near)
    assert due.status is PanelStatus.DUE and due.due_in_days == DUE_WITHIN_DAYS
    assert due.status_text == f"re-registration due in {DUE_WITHIN_DAYS} days"
    # A year after the anniversary with no evidence in its 12 months: lapsed.
    later = date(2027, 10, 1)
    assert not assess_renewal(record, today=date(2027, 9, 1)).ready
    lapsed = panel_row(assess_verdict(record, FORMS, today=later), later)
    assert lapsed.status is PanelStatus.LAPSED
    assert lapsed.needed  # what the renewal check says is missing
    passported = _accredited(accredited_on, cpd_on=date(2026, 3, 1), passported=True)
    assert panel_row(assess_verdict(passported, FORMS, today=TODAY), TODAY).status \
        is PanelStatus.PASSPORTED


def test_verdicts_round_trip_through_json() -> None:
    verdict = assess_verdict(ready_builder().b.build(), FORMS, today=TODAY)
    assert Verdict.from_json(verdict.to_json()) == verdict
    with pytest.raises(ValueError, match="format"):
        Verdict.from_json({**verdict.to_json(), "format": 99})


def test_a_verdict_from_other_rules_or_past_its_days_is_not_current() -> None:
    verdict = assess_verdict(ready_builder().b.build(), FORMS, today=TODAY)
    assert verdict.rules == RULES_FINGERPRINT and verdict.current_on(TODAY)
    assert not replace(verdict, rules="0" * 16).current_on(TODAY)
    assert not verdict.current_on(verdict.valid_until + timedelta(days=1))
    assert not verdict.current_on(TODAY - timedelta(days=1))


def test_valid_until_stops_before_the_next_date_or_anniversary() -> None:
    assert valid_until([date(2026, 6, 10)], TODAY) == date(2026, 6, 8)
    assert valid_until([date(2025, 6, 20)], TODAY) == date(2026, 6, 18)
    assert valid_until([], TODAY) == TODAY + timedelta(days=366)
    # 29 February: its anniversaries in other years fall on 28 February or 1 March.
    assert valid_until([date(2024, 2, 29)], date(2027, 2, 1)) == date(2027, 2, 26)


def test_anniversaries() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert last_anniversary(date(2025, 9, 1), date(2026, 8, 31)) is None
    assert last_anniversary(date(2025, 9, 1), date(2026, 9, 1)) == date(2026, 9, 1)
    assert last_anniversary(date(2023, 9, 1), date(2026, 6, 1)) == date(2025, 9, 1)
    assert next_anniversary(date(2025, 9, 1), date(2026, 9, 1)) == date(2027, 9, 1)
    assert next_anniversary(date(2025, 9, 1), date(2025, 9, 1)) == date(2026, 9, 1)


def test_few_words_keeps_the_first_need_and_counts_the_rest() -> None:
    assert few_words(()) == ""
    assert few_words(("Log 2 more hours of reflection.",)) == "Log 2 more hours of reflection"
    long = few_words(("x" * 200, "b", "c"))
    assert long.endswith("… (+2 more)") and len(long) < 90


def test_chart_counts() -> None:
    record = _accredited(date(2025, 9, 1), cpd_on=date(2026, 3, 1))
    rows = [panel_row(assess_verdict(record, FORMS, today=TODAY), TODAY),
            panel_row(assess_verdict(ready_builder().b.build(), FORMS, today=TODAY), TODAY)]
    months = renewals_by_month(rows, TODAY)
    assert len(months) == 12 and months[0][0] == date(2026, 6, 1)
    assert dict(months)[date(2026, 9, 1)] == 1 and sum(n for _, n in months) == 1
    counts = count_by_status(rows)
    assert counts[PanelStatus.ACCREDITED] == 1 and counts[PanelStatus.READY] == 1
    assert sum(counts.values()) == 2


# ---- the property the stored verdicts rest on --------------------------------------------

days = st.integers(0, 900).map(lambda n: date(2024, 6, 1) + timedelta(days=n))


@st.composite
def panel_records(draw: st.DrawFn) -> PracticeRecord:
    ready = ready_builder(observe_all=draw(st.booleans()))
    b = ready.b
    for _ in range(draw(st.integers(0, 3))):
        b.log_cpd(str(draw(st.integers(1, 12))), draw(days))
    for i in range(draw(st.integers(0, 4))):
        b.case(f"X-{i}", draw(days), draw(st.sampled_from(list(TraineeRole))))
    for _ in range(draw(st.integers(0, 2))):
        b.contact(ready.ppc, draw(st.sampled_from(list(ContactKind))), on=draw(days))
    if draw(st.booleans()):
        b.reflections.clear()
        b.reflect("2", on=draw(days))
    accredited = draw(st.one_of(st.none(), days))
    b.mediator = replace(b.mediator, accredited_on=accredited, passported=draw(st.booleans()),
                         lead_since=draw(st.one_of(st.none(), days)))
    return b.build()


@settings(max_examples=120, deadline=None)
@given(panel_records(), days, st.data())
def test_a_verdict_says_what_a_full_assessment_says_on_every_day_it_claims(
    record: PracticeRecord, today: date, data: st.DataObject
) -> None:
    verdict = assess_verdict(record, FORMS, today=today)
    assert verdict.valid_until >= today
    assert verdict.valid_until in (today, valid_until(record_dates(record), today))
    later = today + timedelta(days=data.draw(st.integers(0, (verdict.valid_until - today).days)))
    again = assess_verdict(record, FORMS, today=later)
    assert _without_dates(again) == _without_dates(verdict)
    # And the stage shown on that day is the one a fresh verdict gives.
    assert panel_row(verdict, later) == replace(panel_row(again, later), verdict=verdict)


def test_hours_are_not_rounded_into_a_verdict() -> None:
    ready = ready_builder()
    ready.b.set_case("C-3", casework_hours=Decimal("3.79"))  # 11.99 h: not 12
    verdict = assess_verdict(ready.b.build(), FORMS, today=TODAY)
    assert not verdict.ready_to_certify

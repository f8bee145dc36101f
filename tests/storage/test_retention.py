"""Retention applied to a real store leaves exactly what the schedule keeps.

The oracle below restates the schedule from first principles (a period after an event,
29 February kept in mind) over the generated inputs, and is compared with the rows left in
the real encrypted store after ``apply_retention``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from sendobserve.errors import UserError
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Cpd,
    CpdKind,
    Mark,
    MarkState,
    Mediator,
    Observation,
    Observer,
    ObserverRole,
    PracticeRecord,
    TraineeRole,
    new_id,
)
from sendobserve.model.retention import (
    DEFAULT_SCHEDULE,
    Event,
    Kind,
    Rule,
    add_years,
    parse_setting,
    plan_retention,
)
from sendobserve.storage import vault
from sendobserve.storage.repositories import FormVersionRepository, put_practice_record
from sendobserve.storage.retention import (
    apply_retention,
    plan_for_store,
    save_schedule,
    set_left_panel,
)
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE

TODAY = date(2026, 11, 30)
FORMS = FormRegistry.standard()
FORM1 = FORMS.latest("form1")
ITEMS = [item.id for item in FORM1.tick_items()][:2]

days = st.dates(min_value=date(2010, 1, 1), max_value=TODAY)


@dataclass
class Generated:
    record: PracticeRecord
    obs_dates: dict[uuid.UUID, date]
    case_dates: dict[uuid.UUID, date]
    cpd_dates: dict[uuid.UUID, date]
    case_of: dict[uuid.UUID, uuid.UUID]
    left_on: date | None = None  # left the panel (the left_panel event)


@st.composite
def mediators(draw: st.DrawFn, observer: Observer) -> Generated:
    mid = new_id()
    accredited = draw(st.none() | days)
    left_on = draw(st.none() | days)
    cases, observations, marks, cpd = [], [], [], []
    obs_dates, case_dates, cpd_dates, case_of = {}, {}, {}, {}
    for _ in range(draw(st.integers(0, 3))):
        day = draw(days)
        case = Case(new_id(), mid, "REF-1", day, CaseKind.MEDIATION, TraineeRole.CO_MEDIATING,
                    Decimal(2))
        cases.append(case)
        case_dates[case.id] = day
        for n in range(draw(st.integers(0, 2))):
            seen = day + timedelta(days=draw(st.integers(0, 30)))
            seen = min(seen, TODAY)
            obs = Observation(new_id(), case.id, mid, observer.id, "form1", FORM1.version,
                              n + 1, seen)
            observations.append(obs)
            obs_dates[obs.id] = seen
            case_of[obs.id] = case.id
            marks += [Mark(obs.id, item, MarkState.DEMONSTRATED, f"note {obs.id.hex[:6]}")
                      for item in ITEMS]
    for _ in range(draw(st.integers(0, 2))):
        day = draw(days)
        entry = Cpd(new_id(), mid, day, Decimal(3), CpdKind.READING, "Read the SEND code")
        cpd.append(entry)
        cpd_dates[entry.id] = day
    record = PracticeRecord(
        mediator=Mediator(mid, f"Mediator {mid.hex[:6]}", accredited_on=accredited),
        observers=(observer,), cases=tuple(cases), observations=tuple(observations),
        marks=tuple(marks), cpd=tuple(cpd),
    )
    return Generated(record, obs_dates, case_dates, cpd_dates, case_of, left_on)


rules = st.builds(Rule, st.none() | st.sampled_from([1, 3, 6]), st.sampled_from(list(Event)),
                  st.just("test"))


def oracle_due(rule: Rule, own: date, g: Generated) -> bool:
    if rule.years is None:
        return False
    if rule.counted_from is Event.RECORD:
        start: date | None = own
    elif rule.counted_from is Event.ACCREDITATION:
        start = g.record.mediator.accredited_on
    elif rule.counted_from is Event.LEFT_PANEL:
        start = g.left_on
    else:
        all_dates = [*g.obs_dates.values(), *g.case_dates.values(), *g.cpd_dates.values()]
        if g.record.mediator.accredited_on:
            all_dates.append(g.record.mediator.accredited_on)
        start = max(all_dates) if all_dates else None
    if start is None:
        return False
    try:
        end = start.replace(year=start.year + rule.years)
    except ValueError:  # 29 February into a common year
        end = date(start.year + rule.years, 2, 28)
    return end <= TODAY


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), obs_rule=rules, notes_rule=rules, cases_rule=rules, logs_rule=rules)
def test_retention_leaves_exactly_what_the_schedule_keeps(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject,
    obs_rule: Rule, notes_rule: Rule, cases_rule: Rule, logs_rule: Rule,
) -> None:
    observer = Observer(new_id(), "Pat Observer", ObserverRole.PPC)
    generated = data.draw(st.lists(mediators(observer), min_size=1, max_size=3))
    schedule = {**DEFAULT_SCHEDULE, Kind.OBSERVATIONS: obs_rule, Kind.NOTES: notes_rule,
                Kind.CASES: cases_rule, Kind.PRACTICE_LOGS: logs_rule}
    folder = tmp_path_factory.mktemp("retention") / "data"
    store = vault.initialise(folder, TEST_PASSPHRASE, scrypt=FAST_SCRYPT).store
    try:
        FormVersionRepository(store.session).ensure(FORM1)
        with store.session() as session:
            for g in generated:
                put_practice_record(session, g.record, today=TODAY)
                if g.left_on is not None:
                    set_left_panel(session, g.record.mediator.id, g.left_on, today=TODAY)
        save_schedule(store, schedule)
        apply_retention(store, plan_for_store(store, today=TODAY))

        with store.engine.connect() as conn:
            def ids(table: str) -> set[str]:
                return {r[0] for r in conn.execute(text(f"SELECT id FROM {table}"))}
            left_obs, left_cases, left_cpd = ids("observations"), ids("cases"), ids("cpd")
            noted = {r[0] for r in conn.execute(
                text("SELECT DISTINCT observation_id FROM marks WHERE note != ''"))}
        gone_obs: set[uuid.UUID] = set()
        for g in generated:
            for oid, own in g.obs_dates.items():
                gone = oracle_due(obs_rule, own, g)
                assert (oid.hex not in left_obs and str(oid) not in left_obs) == gone
                if gone:
                    gone_obs.add(oid)
                else:
                    cleared = oracle_due(notes_rule, own, g)
                    assert (oid.hex in noted or str(oid) in noted) == (not cleared)
            for cid, own in g.case_dates.items():
                of_case = [o for o, c in g.case_of.items() if c == cid]
                gone = oracle_due(cases_rule, own, g) and all(o in gone_obs for o in of_case)
                assert (cid.hex not in left_cases and str(cid) not in left_cases) == gone
            for pid, own in g.cpd_dates.items():
                gone = oracle_due(logs_rule, own, g)
                assert (pid.hex not in left_cpd and str(pid) not in left_cpd) == gone
    finally:
        store.close()


def test_the_log_says_what_went_without_content(initialised: vault.Initialised) -> None:
    store = initialised.store
    observer = Observer(new_id(), "Pat Observer", ObserverRole.PPC)
    mid = new_id()
    entry = Cpd(new_id(), mid, date(2015, 3, 1), Decimal(3), CpdKind.READING, "SECRET-CPD-TEXT")
    record = PracticeRecord(Mediator(mid, "Old Mediator"), observers=(observer,), cpd=(entry,))
    with store.session() as session:
        put_practice_record(session, record, today=TODAY)
    plan = plan_for_store(store, today=TODAY)
    assert plan.counts() == {Kind.PRACTICE_LOGS: 1}
    assert "training, reflection, CPD and mentoring logs: 1 due to go" in "\n".join(plan.lines())
    assert apply_retention(store, plan) == {"practice_logs": 1}
    with store.engine.connect() as conn:
        (summary,) = conn.execute(text("SELECT summary FROM privacy_log")).scalars()
        assert conn.execute(text("SELECT count(*) FROM cpd")).scalar_one() == 0
    assert json.loads(summary)["removed"] == {"practice_logs": 1}
    assert "SECRET" not in summary


def test_nothing_of_a_practice_period_still_going_on_is_due() -> None:
    observer = Observer(new_id(), "Pat Observer", ObserverRole.PPC)
    mid = new_id()
    old = Cpd(new_id(), mid, date(2012, 1, 1), Decimal(3), CpdKind.READING, "old")
    recent = Cpd(new_id(), mid, date(2026, 1, 1), Decimal(3), CpdKind.READING, "recent")
    record = PracticeRecord(Mediator(mid, "Active"), observers=(observer,), cpd=(old, recent))
    plan = plan_retention([record], DEFAULT_SCHEDULE, today=TODAY)
    assert plan.items == ()  # counted from the last activity (2026), not the entry's date


def test_29_february_counts_to_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


@pytest.mark.parametrize(("setting", "message"), [
    ("bogus=3", "Unknown kind"),
    ("notes=", "Give a period"),
    ("notes=0", "whole number of years"),
    ("notes=3@tomorrow", "Unknown event"),
    ("import_log=2@accreditation", "own date"),
])
def test_bad_settings_are_refused_with_a_sentence(setting: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_setting(setting)


def test_settings_parse() -> None:
    assert parse_setting("notes=3@record") == (Kind.NOTES, 3, Event.RECORD)
    assert parse_setting("certificates=keep") == (Kind.CERTIFICATES, None, None)


def test_leaving_the_panel_is_an_event_retention_counts_from(
        initialised: vault.Initialised) -> None:
    store = initialised.store
    observer = Observer(new_id(), "Pat Observer", ObserverRole.PPC)
    mid = new_id()
    recent = Cpd(new_id(), mid, date(2026, 1, 1), Decimal(3), CpdKind.READING, "recent")
    record = PracticeRecord(Mediator(mid, "Leaver"), observers=(observer,), cpd=(recent,))
    with store.session() as session:
        put_practice_record(session, record, today=TODAY)
    save_schedule(store, {**DEFAULT_SCHEDULE,
                          Kind.PRACTICE_LOGS: Rule(1, Event.LEFT_PANEL, "test")})
    assert plan_for_store(store, today=TODAY).items == ()  # still on the panel
    with store.session() as session:
        set_left_panel(session, mid, date(2025, 11, 30), today=TODAY)
    plan = plan_for_store(store, today=TODAY)
    assert [(i.kind, i.item_id, i.due_since) for i in plan.items] == [
        (Kind.PRACTICE_LOGS, recent.id, date(2026, 11, 30))]
    assert "1 year after the mediator left the panel" in "\n".join(plan.lines())
    with store.session() as session:  # cleared: on the panel again, nothing due
        set_left_panel(session, mid, None, today=TODAY)
    assert plan_for_store(store, today=TODAY).items == ()


def test_a_leaving_date_in_the_future_is_refused(initialised: vault.Initialised) -> None:
    from sendobserve.model.validation import ValidationError

    store = initialised.store
    mid = new_id()
    with store.session() as session:
        put_practice_record(session, PracticeRecord(Mediator(mid, "Stayer")), today=TODAY)
    with pytest.raises(ValidationError, match="after today"), store.session() as session:
        set_left_panel(session, mid, date(2026, 12, 1), today=TODAY)
    with store.session() as session:
        assert session.execute(text("SELECT count(*) FROM panel_leaving")).scalar_one() == 0

"""Properties of the rules that must hold whatever the records are."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from rules_factory import FORM1, FORM2, FORM2_V2, FORM3, T0, Builder, Forms

from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    ContactKind,
    Mark,
    MarkState,
    ObservationState,
    ObserverRole,
    PracticeRecord,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.outcome import Status
from sendobserve.model.readiness import assess_readiness
from sendobserve.model.renewal import assess_passport, assess_renewal

FORMS = Forms(FORM1, FORM2, FORM2_V2, FORM3)
DEFS = (FORM1, FORM2, FORM2_V2, FORM3)
TODAY = date(2026, 6, 1)
START = date(2025, 1, 1)

mark_states = st.sampled_from(list(MarkState))
hours = st.decimals(min_value=0, max_value=8, places=1, allow_nan=False, allow_infinity=False)


@dataclass(frozen=True)
class ObsSpec:
    case: int
    form: int
    observer: int
    state: ObservationState
    marks: tuple[tuple[int, MarkState, int], ...]  # (item index, state, minutes after T0)


obs_specs = st.builds(
    ObsSpec,
    case=st.integers(0, 5),
    form=st.integers(0, len(DEFS) - 1),
    observer=st.integers(0, 2),
    state=st.sampled_from(list(ObservationState)),
    marks=st.lists(st.tuples(st.integers(0, 7), mark_states, st.integers(0, 3)), max_size=10)
    .map(tuple),
)


@st.composite
def records(draw: st.DrawFn) -> PracticeRecord:
    b = Builder()
    people = [
        b.observer("Ama Nwosu", ObserverRole.PPC, experienced=True, ppc_entry="COM-1"),
        b.observer("Seán O'Brien"),
        b.observer("Li Wei", ObserverRole.MENTOR, experienced=draw(st.booleans())),
    ]
    for i in range(6):
        b.case(
            f"C-{i}",
            START + timedelta(days=draw(st.integers(0, 540))),
            draw(st.sampled_from(list(TraineeRole))),
            str(draw(hours)),
        )
    for spec in draw(st.lists(obs_specs, max_size=12)):
        d = DEFS[spec.form]
        items = [t.id for t in d.tick_items()]
        obs = b.observe(f"C-{spec.case}", people[spec.observer], d, demonstrated=[],
                        state=spec.state)
        for idx, state, minutes in spec.marks:
            b.marks.append(
                Mark(obs.id, items[idx % len(items)], state, "", T0 + timedelta(minutes=minutes))
            )
    for kind, h in draw(st.lists(st.tuples(st.sampled_from(list(TrainingKind)), hours),
                                 max_size=4)):
        b.course(kind, str(h * 6), draw(st.sampled_from(list(RecognisingBody))))
    for h in draw(st.lists(hours, max_size=3)):
        b.reflect(str(h))
        b.log_cpd(str(h * 3), START + timedelta(days=draw(st.integers(0, 540))))
    for who in draw(st.lists(st.sampled_from([0, 1, 2, None]), max_size=3)):
        b.contact(people[who] if who is not None else None,
                  draw(st.sampled_from(list(ContactKind))))
    for rid in draw(st.lists(st.sampled_from(R.ACCREDITATION_IDS), max_size=2)):
        b.discretion(rid)
    b.mediator = replace(b.mediator, lead_since=date(2020, 1, 1))
    return b.build()


def shuffled(record: PracticeRecord, rnd: random.Random) -> PracticeRecord:
    def mix(items: tuple[object, ...]) -> tuple[object, ...]:
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    return replace(
        record,
        **{
            name: mix(getattr(record, name))
            for name in (
                "observers", "cases", "observations", "marks", "amendments", "training",
                "reflections", "cpd", "contacts", "discretions",
            )
        },
    )


@settings(max_examples=150, deadline=None)
@given(records(), st.randoms(use_true_random=False))
def test_the_reports_do_not_depend_on_the_order_of_records(
    record: PracticeRecord, rnd: random.Random
) -> None:
    other = shuffled(record, rnd)
    assert assess_readiness(other, FORMS, today=TODAY).to_json() == assess_readiness(
        record, FORMS, today=TODAY
    ).to_json()
    assert assess_renewal(other, today=TODAY).to_json() == assess_renewal(
        record, today=TODAY
    ).to_json()
    assert assess_passport(other, today=TODAY).to_json() == assess_passport(
        record, today=TODAY
    ).to_json()


@settings(max_examples=150, deadline=None)
@given(records(), st.data())
def test_adding_a_demonstrated_mark_never_makes_anything_met_unmet(
    record: PracticeRecord, data: st.DataObject
) -> None:
    if not record.observations:
        return
    obs = data.draw(st.sampled_from(record.observations))
    definition = FORMS.get(obs.form_id, obs.form_version)
    item = data.draw(st.sampled_from([t.id for t in definition.tick_items()]))
    minutes = data.draw(st.integers(0, 5))
    more = replace(
        record,
        marks=(
            *record.marks,
            Mark(obs.id, item, MarkState.DEMONSTRATED, "", T0 + timedelta(minutes=minutes)),
        ),
    )
    before = assess_readiness(record, FORMS, today=TODAY)
    after = assess_readiness(more, FORMS, today=TODAY)
    was = {(c.form_number, c.id) for c in before.criteria if c.demonstrated}
    now = {(c.form_number, c.id) for c in after.criteria if c.demonstrated}
    assert was <= now
    assert {g.id for g in before.criterion_groups if g.demonstrated} <= {
        g.id for g in after.criterion_groups if g.demonstrated
    }
    for b, a in zip(before.requirements, after.requirements, strict=True):
        if b.status is Status.MET:
            assert a.status is Status.MET, (b.id, a.detail)
    assert not before.ready or after.ready

"""Time the readiness engine for one mediator with 50 observations on the standard forms.

Issue 3 asks for under 20 ms. Run from the repository root:

    PYTHONPATH=$PWD python bench/readiness_50.py [--runs 300]

Prints the median (and the 10th/90th percentiles) of ``assess_readiness`` alone and of
``assess_readiness`` followed by ``to_json()``, which is what ``readiness --json`` does.
The record is built once; every tick item of every observation carries a mark, so each
observation is as heavy as it can be.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Mark,
    MarkState,
    Mediator,
    Observation,
    ObservationState,
    Observer,
    ObserverRole,
    PracticeRecord,
    RecognisingBody,
    Reflection,
    TraineeRole,
    Training,
    TrainingKind,
    new_id,
)
from sendobserve.model.readiness import assess_readiness

TODAY = date(2026, 6, 1)


def fifty_observations(forms: FormRegistry) -> PracticeRecord:
    rnd = random.Random(50)
    me = Mediator(new_id(), "Bench Mark")
    observers = tuple(
        Observer(new_id(), f"Observer {i}", role, experienced_send=i % 2 == 0,
                 ppc_register_entry="COM-PPC-1" if role is ObserverRole.PPC else None)
        for i, role in enumerate(ObserverRole)
    )
    defs = [forms.latest(f) for f in ("form1", "form2", "form3")]
    cases: list[Case] = []
    observations: list[Observation] = []
    marks: list[Mark] = []
    start = date(2025, 9, 1)
    n_cases = 17  # 17 cases × 3 forms = 51; the last case gets two forms: 50 observations
    for c in range(n_cases):
        role = (TraineeRole.OBSERVING if c == 0
                else TraineeRole.LEADING if c == n_cases - 1 else TraineeRole.CO_MEDIATING)
        case = Case(new_id(), me.id, f"B-{c:02}", start + timedelta(days=14 * c),
                    CaseKind.MEDIATION, role, Decimal("1.5"))
        cases.append(case)
        for d in defs[: 2 if c == n_cases - 1 else 3]:
            who = observers[rnd.randrange(len(observers))]
            obs = Observation(new_id(), case.id, me.id, who.id, d.form_id, d.version, c % 3 + 1,
                              case.case_date, ObservationState.FINALISED)
            observations.append(obs)
            at = datetime.combine(case.case_date, datetime.min.time(), tzinfo=UTC)
            for item in d.tick_items():
                state = rnd.choice(list(MarkState))
                marks.append(Mark(obs.id, item.id, state, "note" if state.value[0] == "d" else "",
                                  at))
    assert len(observations) == 50
    training = (
        Training(new_id(), me.id, TrainingKind.FOUNDATION, "Foundation", "Provider",
                 RecognisingBody.OCN, date(2024, 1, 1), date(2024, 1, 5), Decimal(40)),
        Training(new_id(), me.id, TrainingKind.SEND, "SEND", "Provider", RecognisingBody.CMC,
                 date(2025, 6, 1), date(2025, 6, 2), Decimal(12)),
    )
    return PracticeRecord(
        mediator=me,
        observers=observers,
        cases=tuple(cases),
        observations=tuple(observations),
        marks=tuple(marks),
        training=training,
        reflections=(Reflection(new_id(), me.id, date(2026, 1, 1), Decimal(2), "PPC", "…"),),
        contacts=(Contact(new_id(), me.id, ContactKind.MENTORING, date(2026, 1, 1), "Observer 0",
                          observers[0].id),),
    )


def _times(fn: object, runs: int) -> list[float]:
    assert callable(fn)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    forms = FormRegistry.standard()
    record = fifty_observations(forms)
    assess_readiness(record, forms, today=TODAY)  # warm up
    for label, fn in (
        ("assess_readiness", lambda: assess_readiness(record, forms, today=TODAY)),
        ("assess_readiness + to_json", lambda: assess_readiness(record, forms, today=TODAY)
         .to_json()),
    ):
        ms = sorted(_times(fn, args.runs))
        p10, p90 = ms[len(ms) // 10], ms[len(ms) * 9 // 10]
        print(f"{label:<28} median {statistics.median(ms):6.2f} ms"
              f"  (p10 {p10:.2f}, p90 {p90:.2f}; {args.runs} runs, 50 observations,"
              f" {len(record.marks)} marks)")


if __name__ == "__main__":
    main()

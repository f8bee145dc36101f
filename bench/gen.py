"""Generate (and cache) an organisation-scale encrypted store for the benchmarks.

Shape: N trainees, each with 24 cases over one year and a Form 1, 2 and 3 observation on
every case (72 observations), every tick item of the form marked: 75 marks per case,
1,800 per trainee. That is the 30 observations × 60 criteria per trainee the issue
asks for, spread over the real forms (whose observations have 13–39 tick items), so
500 trainees give 900,000 marks that the readiness engine really reads.

Everything but the marks goes in through ``put_practice_record`` (validated, the real
writer); the marks, 97 % of the rows, go in as plain executemany inserts in the stored
format, in one transaction per batch of trainees. The finished data folder is cached
under ``bench/results/cache/`` keyed by generator version and size.
"""

from __future__ import annotations

import random
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

GENERATOR_VERSION = 2
PASSPHRASE = "bench passphrase, not a secret"
TODAY = date(2026, 11, 1)
CASES = 24
FORMS = ("form1", "form2", "form3")
NAMESPACE = uuid.UUID("0b3e4c1d-9f7a-4d2b-8c6e-5a1f2e3d4c5b")
CACHE = Path(__file__).resolve().parent / "results" / "cache"


@dataclass(frozen=True)
class Generated:
    data_dir: Path
    trainees: int
    observations: int
    marks: int
    seconds: float  # 0 when it came from the cache
    mediator_ids: tuple[uuid.UUID, ...]


def _id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, dtime(hour, 0), tzinfo=UTC)


def _stored_at(value: datetime) -> str:
    """The ``UTCDateTime`` column's text form (what the ORM would write)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def mediator_ids(trainees: int) -> tuple[uuid.UUID, ...]:
    return tuple(_id("mediator", i) for i in range(trainees))


def build(data_dir: Path, trainees: int) -> Generated:
    """Create a fresh store in ``data_dir`` (which must not hold one) and fill it."""
    from sendobserve.forms.registry import FormRegistry
    from sendobserve.model.domain import (
        Case,
        CaseKind,
        Contact,
        ContactKind,
        MarkState,
        Mediator,
        Observation,
        ObservationState,
        Observer,
        ObserverRole,
        PracticeRecord,
        RecognisingBody,
        Reflection,
        Signature,
        TraineeRole,
        Training,
        TrainingKind,
    )
    from sendobserve.storage import vault
    from sendobserve.storage.repositories import (
        FormVersionRepository,
        in_session,
        put_practice_record,
    )

    t0 = time.perf_counter()
    forms = FormRegistry.standard()
    defs = {f: forms.latest(f) for f in FORMS}
    items = {f: [i.id for i in defs[f].tick_items()] for f in FORMS}
    made = vault.initialise(data_dir, PASSPHRASE)
    store = made.store
    rnd = random.Random(GENERATOR_VERSION)
    observers = tuple(
        Observer(_id("observer", i), f"Observer {i:02}", role, experienced_send=True,
                 ppc_register_entry=f"COM-PPC-{i:04}" if role is ObserverRole.PPC else None,
                 created_at=_at(TODAY - timedelta(days=800), 9))
        for i, role in enumerate(list(ObserverRole) * 5)
    )
    ppcs = [o for o in observers if o.role is ObserverRole.PPC]
    states = [MarkState.DEMONSTRATED] * 16 + [MarkState.DEVELOPMENT_NEEDED] * 3 + [
        MarkState.NOT_APPLICABLE
    ]
    sql = ("INSERT INTO marks (observation_id, criterion_id, state, note, marked_at, marked_by)"
           " VALUES (?, ?, ?, ?, ?, ?)")
    n_obs = n_marks = 0
    ids = mediator_ids(trainees)
    batch = 25
    try:
        with store.session() as session:
            repo = FormVersionRepository(in_session(session))
            for d in defs.values():
                repo.ensure(d)
        for first in range(0, trainees, batch):
            with store.session() as session:
                mark_rows: list[tuple[str, str, str, str, str, str]] = []
                for t in range(first, min(trainees, first + batch)):
                    start = TODAY - timedelta(days=360 + rnd.randrange(60))
                    me = Mediator(ids[t], f"Trainee {t:04} Benchmark",
                                  created_at=_at(start - timedelta(days=30), 9))
                    cases, observations = [], []
                    for c in range(CASES):
                        role = (TraineeRole.OBSERVING if c == 0 else TraineeRole.LEADING
                                if c == CASES - 1 else TraineeRole.CO_MEDIATING)
                        day = start + timedelta(days=14 * c)
                        case = Case(_id("case", t, c), me.id, f"B-{t:04}-{c:02}", day,
                                    CaseKind.MEDIATION, role, Decimal("3.5"),
                                    created_at=_at(day, 8))
                        cases.append(case)
                        for form_id in FORMS:
                            who = (ppcs[t % len(ppcs)] if role is TraineeRole.LEADING
                                   else observers[rnd.randrange(len(observers))])
                            obs = Observation(
                                _id("observation", t, c, form_id), case.id, me.id, who.id,
                                form_id, defs[form_id].version, c + 1, day,
                                ObservationState.FINALISED,
                                Signature(who.name, who.role, day),
                                created_at=_at(day, 9), updated_at=_at(day, 17),
                                finalised_at=_at(day, 17),
                            )
                            observations.append(obs)
                            at = _stored_at(_at(day, 11))
                            for item in items[form_id]:
                                state = states[rnd.randrange(len(states))]
                                note = "" if state is MarkState.DEMONSTRATED else "See debrief."
                                mark_rows.append((obs.id.hex, item, state.value, note, at,
                                                  who.name))
                    record = PracticeRecord(
                        mediator=me,
                        observers=observers,
                        cases=tuple(cases),
                        observations=tuple(observations),
                        training=(
                            Training(_id("training", t, 1), me.id, TrainingKind.FOUNDATION,
                                     "Foundation", "Provider", RecognisingBody.OCN,
                                     start - timedelta(days=60), start - timedelta(days=55),
                                     Decimal(40)),
                            Training(_id("training", t, 2), me.id, TrainingKind.SEND, "SEND",
                                     "Provider", RecognisingBody.CMC, start - timedelta(days=20),
                                     start - timedelta(days=19), Decimal(12)),
                        ),
                        reflections=(Reflection(_id("reflection", t), me.id,
                                                start + timedelta(days=200), Decimal(2), "PPC",
                                                "Reflected on the final case."),),
                        contacts=(Contact(_id("contact", t), me.id, ContactKind.MENTORING,
                                          start + timedelta(days=100), "Observer 01",
                                          observers[1].id),),
                    )
                    put_practice_record(session, record, today=TODAY)
                    n_obs += len(observations)
                n_marks += len(mark_rows)
                session.connection().exec_driver_sql(sql, mark_rows)  # type: ignore[arg-type]
    finally:
        store.close()
    return Generated(data_dir, trainees, n_obs, n_marks, time.perf_counter() - t0, ids)


def cached(trainees: int, *, fresh: bool = False) -> Generated:
    """The cached store of this size, built first if missing (or ``fresh``)."""
    folder = CACHE / f"org-v{GENERATOR_VERSION}-{trainees}"
    done = folder / "done.txt"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    if done.exists():
        obs, marks = (int(x) for x in done.read_text().split())
        return Generated(folder / "data", trainees, obs, marks, 0.0, mediator_ids(trainees))
    if folder.exists():
        shutil.rmtree(folder)  # a half-built cache from an interrupted run
    folder.mkdir(parents=True)
    made = build(folder / "data", trainees)
    done.write_text(f"{made.observations} {made.marks}\n")
    return made


if __name__ == "__main__":
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    g = cached(size, fresh="--fresh" in sys.argv)
    print(f"{g.trainees} trainees, {g.observations} observations, {g.marks} marks,"
          f" built in {g.seconds:.1f} s -> {g.data_dir}")

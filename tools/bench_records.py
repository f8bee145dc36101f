"""Time the records' hot paths on a real encrypted store in a temporary folder.

    PYTHONPATH=. python tools/bench_records.py

Prints the median time of a tick (set_mark, committed), of an undo after 200 ticks, and
of load_practice_record for a mediator with 50 observations of 40 marks each.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sendobserve.model.domain import (
    Case,
    CaseKind,
    MarkState,
    Mediator,
    Observer,
    ObserverRole,
    TraineeRole,
    new_id,
)
from sendobserve.storage.db import create_store
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MediatorRepository,
    ObservationRepository,
    ObserverRepository,
    load_practice_record,
)


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = create_store(Path(folder) / "data", os.urandom(32))
        try:
            sessions = store.session
            mediator = MediatorRepository(sessions).add(Mediator(new_id(), "Siobhán Ó Dálaigh"))
            observer = ObserverRepository(sessions).add(
                Observer(new_id(), "Anjali Patel", ObserverRole.PPC)
            )
            FormVersionRepository(sessions).store("form2", "bench", "form_id: form2\n")
            cases = CaseRepository(sessions)
            observations = ObservationRepository(sessions)
            obs = [
                observations.start(
                    cases.add(
                        Case(new_id(), mediator.id, f"REF-{i}", date(2025, 1, 1)
                             + timedelta(days=i), CaseKind.MEDIATION,
                             TraineeRole.CO_MEDIATING, Decimal(3))
                    ).id,
                    observer.id, "form2", "bench",
                )
                for i in range(50)
            ]
            states = [MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED]
            ticks = []
            for i in range(200):  # every call changes a state, so every call commits
                start = time.perf_counter()
                observations.set_mark(obs[0].id, f"c{i % 40}", states[(i // 40) % 2], by="AP")
                ticks.append(time.perf_counter() - start)
            undos = []
            for _ in range(50):
                start = time.perf_counter()
                observations.undo(obs[0].id, by="AP")
                undos.append(time.perf_counter() - start)
            for o in obs:
                for i in range(40):
                    observations.set_mark(o.id, f"c{i}", MarkState.DEMONSTRATED, by="AP")
            loads = []
            for _ in range(20):
                with store.session() as session:
                    start = time.perf_counter()
                    record = load_practice_record(session, mediator.id)
                    loads.append(time.perf_counter() - start)
            print(f"set_mark (committed):          median {median_ms(ticks)} over 200 ticks")
            print(f"undo after 200 ticks:          median {median_ms(undos)}")
            size = f"{len(record.observations)} obs, {len(record.marks)} marks"
            print(f"load_practice_record ({size}): median {median_ms(loads)}")
        finally:
            store.close()


if __name__ == "__main__":
    main()

"""What the one door costs a tick: ``StoreWorkspaceService.set_mark`` (the screens' call,
telling a change callback after the commit) against ``ObservationRepository.set_mark``
(the repository it calls), interleaved in rounds on one real encrypted store, every tick
changing a state (the number of undo events written is checked).

    PYTHONPATH=$PWD python bench/door_tick.py [TICKS_PER_ROUND] [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import CaseKind, Mark, MarkState, ObserverRole, TraineeRole
from sendobserve.services.changes import Changes
from sendobserve.services.store_workspace import StoreWorkspaceService
from sendobserve.storage import keys, vault
from sendobserve.storage.repositories import ObservationRepository


def main(ticks: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sendobserve-bench-") as tmp:
        store = vault.initialise(Path(tmp) / "data", "a bench passphrase, long enough 1",
                                 scrypt=keys.ScryptParams(n=2**10)).store
        told: list[Changes] = []
        door = StoreWorkspaceService(store.session, FormRegistry.standard(), lambda _p: False,
                                     actor=lambda: "Bench", changed=told.append)
        mediator = door.add_mediator("Bench Trainee")
        case = door.add_case(mediator.id, "BENCH-1", date(2026, 1, 5), CaseKind.MEDIATION,
                             TraineeRole.LEADING, Decimal("3"))
        observer = door.observer_named("Bench", ObserverRole.PPC)
        observation = door.start_observation(case.id, observer.id, "form2", 1,
                                             date(2026, 1, 5))
        items = [t.id for t in door.form("form2", observation.form_version).tick_items()]
        repo = ObservationRepository(store.session)
        current: dict[str, MarkState] = {}

        def run(tick: Callable[[str, MarkState], Mark]) -> list[float]:
            times = []
            for i in range(ticks):
                item = items[i % len(items)]
                state = (MarkState.DEVELOPMENT_NEEDED
                         if current.get(item) is MarkState.DEMONSTRATED
                         else MarkState.DEMONSTRATED)
                current[item] = state
                started = time.perf_counter()
                mark = tick(item, state)
                times.append(time.perf_counter() - started)
                assert mark.state is state
            return times

        through_door: list[float] = []
        direct: list[float] = []
        for _ in range(rounds):
            through_door += run(lambda i, s: door.set_mark(observation.id, i, s, ""))
            direct += run(lambda i, s: repo.set_mark(observation.id, i, s, "", by="Bench"))
        with store.engine.connect() as conn:
            events = conn.execute(text("SELECT count(*) FROM mark_events")).scalar()
        store.close()
    assert events == 2 * ticks * rounds, events
    a, b = statistics.median(through_door), statistics.median(direct)
    print(f"{len(through_door)} ticks each, {events} undo events written")
    print(f"through the door: median {a * 1000:.3f} ms")
    print(f"repository alone: median {b * 1000:.3f} ms")
    print(f"ratio {a / b:.3f}; changes told {len(told)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300,
         int(sys.argv[2]) if len(sys.argv) > 2 else 3)

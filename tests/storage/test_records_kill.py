"""A mark reported as saved survives kill -9 of the process right after it was reported."""

from __future__ import annotations

import signal
import subprocess
import sys

from tests.helpers import REPO_ROOT as ROOT
from tests.helpers import subprocess_env
from tests.storage.records_conftest import RecordsDb, db, form2_yaml, repos, start_draft

__all__ = ["db"]

TICKER = """
import sys, uuid
from pathlib import Path
from sendobserve.model.domain import MarkState
from sendobserve.storage.db import open_store
from sendobserve.storage.repositories import ObservationRepository

store = open_store(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), daily_backup=False)
observations = ObservationRepository(store.session)
obs_id = uuid.UUID(sys.argv[3])
offset = int(sys.argv[4])
states = [MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED, MarkState.NOT_APPLICABLE]
i = 0
while True:
    mark = observations.set_mark(obs_id, f"f2.pm.item{offset + i}", states[i % 3], f"n{i}", by="AP")
    print(f"saved {mark.criterion_id} {mark.state.value} {mark.note}", flush=True)
    i += 1
"""


def test_kill_right_after_saved_loses_nothing(db: RecordsDb) -> None:
    r = repos(db)
    draft = start_draft(r)
    # A form with an item for every tick the runs can make (each run starts 1000 further on
    # and may run ahead of what is read by a pipe's worth of lines).
    r.forms.store("form2", "kill-1", form2_yaml(
        "kill-1", (f"f2.pm.item{n}" for n in range(6000))))
    obs = r.observations.start(draft.case_id, draft.observer_id, "form2", "kill-1")
    db.close()
    shown: dict[str, tuple[str, str]] = {}
    for run, kill_after in enumerate((5, 37, 120)):
        proc = subprocess.Popen(
            [sys.executable, "-c", TICKER, str(db.data_dir), db.data_key.hex(), str(obs.id),
             str(1000 * run)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT, env=subprocess_env(),
        )
        assert proc.stdout is not None
        for _ in range(kill_after):
            _, item, state, note = proc.stdout.readline().split()
            shown[item] = (state, note)
        proc.send_signal(signal.SIGKILL)  # no clean-up, no atexit, no final commit
        proc.wait()
        db.reopen()
        stored = {
            m.criterion_id: (m.state.value, m.note) for m in repos(db).observations.marks(obs.id)
        }
        # Everything shown as saved is there; only each run's tick in flight may be extra.
        assert {k: stored.get(k) for k in shown} == shown
        assert len(stored) <= len(shown) + run + 1
        db.close()

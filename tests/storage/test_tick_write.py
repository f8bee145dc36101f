"""The tick's write path (``ObservationRepository.set_mark``): one transaction of plain SQL,
on a pooled connection of its own behind ``Store.session`` and on the caller's connection
inside ``in_session``. Both write what the ORM paths write, and all or nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.model.domain import MarkState
from sendobserve.storage.records import ObservationRecord
from sendobserve.storage.repositories import ObservationRepository, in_session
from sendobserve.storage.repositories import observations as observations_module
from tests.storage.records_conftest import RecordsDb, db, repos, start_draft

__all__ = ["db"]

ITEMS = ["f2.pm.intro", "f2.sk.reality_test", "f2.pm.arrive_punctually"]


def _history(repo: ObservationRepository, observation_id: object) -> list[tuple[object, ...]]:
    return [(e.criterion_id, e.kind, e.old_state, e.new_state, e.old_note, e.new_note, e.by)
            for e in repo.history(observation_id)]  # type: ignore[arg-type]


def _marks(repo: ObservationRepository, observation_id: object) -> list[tuple[object, ...]]:
    return [(m.criterion_id, m.state, m.note)
            for m in repo.marks(observation_id)]  # type: ignore[arg-type]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(ITEMS), st.sampled_from(list(MarkState)),
                          st.sampled_from([None, "", "a note"])), min_size=1, max_size=12))
def test_both_paths_write_the_same_rows(db: RecordsDb,
                                        steps: list[tuple[str, MarkState, str | None]]) -> None:
    r = repos(db)
    own = start_draft(r)
    shared = r.observations.start(own.case_id, own.observer_id, "form2", "test-1")
    for item, state, note in steps:
        a = r.observations.set_mark(own.id, item, state, note, by="AP")
        with db.store.session() as s:
            b = ObservationRepository(in_session(s)).set_mark(shared.id, item, state, note,
                                                              by="AP")
        assert (a.state, a.note) == (b.state, b.note)
    assert _marks(r.observations, own.id) == _marks(r.observations, shared.id)
    assert _history(r.observations, own.id) == _history(r.observations, shared.id)
    # Undo replays the events either path wrote.
    assert r.observations.can_undo(own.id) == r.observations.can_undo(shared.id)


def test_inside_a_callers_session_the_tick_is_part_of_its_transaction(db: RecordsDb) -> None:
    r = repos(db)
    obs = start_draft(r)
    events = db.count("mark_events")
    with pytest.raises(RuntimeError), db.store.session() as s:
        row = s.get(ObservationRecord, obs.id)
        assert row is not None
        before = row.updated_at
        ObservationRepository(in_session(s)).set_mark(obs.id, ITEMS[0], MarkState.DEMONSTRATED,
                                                      by="AP")
        # What the session had loaded is read again, not left stale.
        assert row.updated_at > before
        raise RuntimeError("the caller fails after the tick")
    assert db.count("mark_events") == events
    assert r.observations.marks(obs.id) == ()


def test_a_failing_statement_leaves_nothing_and_the_next_tick_works(
    db: RecordsDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = repos(db)
    obs = start_draft(r)
    r.observations.set_mark(obs.id, ITEMS[1], MarkState.DEMONSTRATED, "kept", by="AP")
    files = db.file_bytes()
    # The last statement of the transaction fails, after the mark and the event were written.
    monkeypatch.setattr(observations_module, "_TICK_TOUCH", "UPDATE no_such_table SET x = ?")
    with pytest.raises(Exception, match="no_such_table"):
        r.observations.set_mark(obs.id, ITEMS[1], MarkState.DEVELOPMENT_NEEDED, by="AP")
    assert db.file_bytes() == files
    assert _marks(r.observations, obs.id) == [(ITEMS[1], MarkState.DEMONSTRATED, "kept")]
    monkeypatch.undo()
    mark = r.observations.set_mark(obs.id, ITEMS[1], MarkState.DEVELOPMENT_NEEDED, by="AP")
    assert (mark.state, mark.note) == (MarkState.DEVELOPMENT_NEEDED, "kept")
    db.reopen()
    assert _marks(repos(db).observations, obs.id) == [
        (ITEMS[1], MarkState.DEVELOPMENT_NEEDED, "kept")]

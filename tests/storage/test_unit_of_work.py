"""One way to pass a unit of work: a repository or loader given the open session joins
the caller's transaction (all or nothing); given ``store.session`` each call commits."""

from __future__ import annotations

import pytest

from sendobserve.model.domain import Mediator, PracticeRecord, new_id
from sendobserve.storage.repositories import (
    MediatorRepository,
    load_practice_record,
    load_practice_records,
    put_practice_record,
)
from tests.storage.records_conftest import RecordsDb, db

__all__ = ["db"]  # the fixture, imported for pytest


class Interrupted(Exception):
    pass


def test_given_the_session_calls_join_the_callers_transaction(db: RecordsDb) -> None:
    first, second = Mediator(new_id(), "Ann Lee"), Mediator(new_id(), "Bea Khan")
    with pytest.raises(Interrupted), db.store.session() as s:
        MediatorRepository(s).add(first)
        put_practice_record(s, PracticeRecord(mediator=second))
        # Both are visible inside the unit of work...
        assert {m.id for m in MediatorRepository(s).list()} == {first.id, second.id}
        assert load_practice_record(s, second.id).mediator.name == "Bea Khan"
        raise Interrupted
    # ...and neither outlives it.
    assert MediatorRepository(db.sessions).list() == ()
    with db.store.session() as s:
        MediatorRepository(s).add(first)
        put_practice_record(s, PracticeRecord(mediator=second))
    assert {m.id for m in MediatorRepository(db.sessions).list()} == {first.id, second.id}


def test_given_the_opener_each_call_is_committed_on_return(db: RecordsDb) -> None:
    repo = MediatorRepository(db.store.session)
    ann = repo.add(Mediator(new_id(), "Ann Lee"))
    put_practice_record(db.store.session, PracticeRecord(mediator=Mediator(new_id(), "Bo")))
    # A later unit of work that fails rolls back only itself.
    with pytest.raises(Interrupted), db.store.session() as s:
        assert MediatorRepository(s).get(ann.id) == ann
        MediatorRepository(s).add(Mediator(new_id(), "Cy"))
        raise Interrupted
    db.reopen()
    names = {r.mediator.name for r in load_practice_records(db.store.session).values()}
    assert names == {"Ann Lee", "Bo"}

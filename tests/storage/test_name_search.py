"""Every search for a person gives one answer: the store's type-ahead (SQL) and the
command line's name resolution agree with ``model.vocabulary.name_matches``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.errors import UserError
from sendobserve.model.domain import Mediator, new_id
from sendobserve.model.vocabulary import fold_name, name_matches
from sendobserve.storage.repositories import MediatorRepository
from tests.storage.records_conftest import RecordsDb, db

__all__ = ["db"]  # the fixture, imported for pytest

# Letters with accents, apostrophes, hyphens and letters Unicode does not decompose.
LETTERS = "abdeilnor áéóúçłøß'’-."
names = st.text(alphabet=LETTERS, min_size=1, max_size=14).filter(lambda n: fold_name(n))
queries = st.text(alphabet=LETTERS + "ABLO%_", max_size=8)


def test_the_example_that_once_disagreed(db: RecordsDb) -> None:
    repo = MediatorRepository(db.sessions)
    aoife = repo.add(Mediator(new_id(), "Aoife O'Brien"))
    assert repo.find("obrien") == (aoife,)
    assert repo.resolve("obrien") == aoife
    assert repo.find("brien") == ()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.lists(names, min_size=1, max_size=6), query=queries)
def test_store_search_and_cli_resolution_agree_with_the_rule(
    db: RecordsDb, stored: list[str], query: str
) -> None:
    repo = MediatorRepository(db.sessions)
    for name in stored:
        repo.add(Mediator(new_id(), name))
    everyone = repo.list()  # earlier examples' people stay in the store: all are searched
    expected = {m.id for m in everyone if name_matches(query, m.name)}
    assert {m.id for m in repo.find(query, limit=100_000)} == expected

    # The command line resolves a typed name: an exact (folded) name wins, else the one
    # match; none or several is an error.
    if not fold_name(query):
        return
    exact = [m for m in everyone if fold_name(m.name) == fold_name(query)]
    if len(exact) == 1:
        assert repo.resolve(query) == exact[0]
    elif len(expected) == 1 and not exact:
        assert repo.resolve(query).id in expected
    else:
        with pytest.raises(UserError):
            repo.resolve(query)

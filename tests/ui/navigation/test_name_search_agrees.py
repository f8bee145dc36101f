"""One answer to "who is called that?": the navigation filter on screen, the store's
type-ahead and the command line's name resolution all follow ``model.vocabulary``."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.errors import UserError
from sendobserve.model.domain import Mediator, new_id
from sendobserve.model.vocabulary import fold_name, name_matches
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.ui.navigation.page import AccentInsensitiveFilter, MediatorListModel
from tests.storage.records_conftest import RecordsDb, db

__all__ = ["db"]  # the fixture, imported for pytest

LETTERS = "abdeilnor áéóúçłøß'’-."
names = st.text(alphabet=LETTERS, min_size=1, max_size=14).filter(lambda n: fold_name(n))
queries = st.text(alphabet=LETTERS + "ABLO%_", max_size=8)


def _shown(everyone: tuple[Mediator, ...], query: str) -> set[Any]:
    model = MediatorListModel()
    model.set_mediators(everyone)
    proxy = AccentInsensitiveFilter()
    proxy.setSourceModel(model)
    proxy.set_text(query)
    return {model.mediator(proxy.mapToSource(proxy.index(r, 0)).row()).id
            for r in range(proxy.rowCount())}


def _cli_resolves(repo: MediatorRepository, query: str) -> Any:
    """What ``sendobserve readiness NAME`` would take: the one mediator, or None."""
    try:
        return repo.resolve(query).id
    except UserError:
        return None


def test_the_name_the_filter_once_missed(qapp: Any, db: RecordsDb) -> None:
    repo = MediatorRepository(db.sessions)
    aoife = repo.add(Mediator(new_id(), "Aoife O'Brien"))
    repo.add(Mediator(new_id(), "Rhys ap Dafydd"))
    everyone = repo.list()
    for query in ("obrien", "o'brien", "O’B", "aoife obr"):
        assert _shown(everyone, query) == {aoife.id}
        assert {m.id for m in repo.find(query)} == {aoife.id}
        assert _cli_resolves(repo, query) == aoife.id
    assert _shown(everyone, "rien") == set() == {m.id for m in repo.find("rien")}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.lists(names, min_size=1, max_size=6), query=queries)
def test_screen_store_and_command_line_agree(
    qapp: Any, db: RecordsDb, stored: list[str], query: str
) -> None:
    repo = MediatorRepository(db.sessions)
    for name in stored:
        repo.add(Mediator(new_id(), name))
    everyone = repo.list()  # earlier examples' people stay: all are searched
    rule = {m.id for m in everyone if name_matches(query, m.name)}
    assert _shown(everyone, query) == rule
    assert {m.id for m in repo.find(query, limit=100_000)} == rule
    resolved = _cli_resolves(repo, query)
    exact = [m.id for m in everyone if fold_name(m.name) == fold_name(query)]
    if resolved is not None:  # only ever a name the rule finds: exactly, or the only one
        assert resolved in rule and (exact == [resolved] or rule == {resolved})
    elif fold_name(query):
        assert len(exact) != 1 and (len(rule) != 1 or len(exact) > 1)


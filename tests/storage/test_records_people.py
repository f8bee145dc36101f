"""Mediators, observers, cases and form versions: round trips, type-ahead, ordinals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.errors import UserError
from sendobserve.model.domain import (
    Mediator,
    Observer,
    ObserverRole,
    ProfessionalBody,
    TraineeRole,
    new_id,
)
from sendobserve.model.validation import ValidationError
from sendobserve.storage.repositories import (
    FormVersionConflict,
    RecordNotFound,
    fold_name,
    source_sha256,
)
from tests.storage.records_conftest import (
    FORM2_YAML,
    RecordsDb,
    add_case,
    add_mediator,
    add_observer,
    db,
    repos,
)

__all__ = ["db"]  # the fixture, imported for pytest


def test_mediator_round_trip_survives_reopen(db: RecordsDb) -> None:
    r = repos(db)
    m = Mediator(
        id=new_id(),
        name="  Łucja Żak ",
        professional_body=ProfessionalBody.COM,
        passported=True,
        send_practice_since=date(2019, 9, 1),
        lead_since=date(2021, 1, 4),
    )
    stored = r.mediators.add(m)
    assert stored == replace(m, name="Łucja Żak")
    db.reopen()
    assert repos(db).mediators.get(m.id) == stored


def test_mediator_update_keeps_id_and_created_at(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r, "Mary O'Brien")
    changed = r.mediators.update(replace(m, name="Mary O'Brien-Hughes", passported=True))
    assert changed.id == m.id and changed.created_at == m.created_at
    assert r.mediators.get(m.id).name == "Mary O'Brien-Hughes"
    assert r.mediators.get(m.id).passported is True
    assert r.mediators.find("hughes") == (changed,)


def test_unknown_ids_are_a_clear_error(db: RecordsDb) -> None:
    r = repos(db)
    missing = new_id()
    with pytest.raises(RecordNotFound, match=str(missing)):
        r.mediators.get(missing)
    with pytest.raises(RecordNotFound):
        r.mediators.update(Mediator(id=missing, name="Nobody"))
    with pytest.raises(RecordNotFound):
        r.observers.get(missing)
    with pytest.raises(RecordNotFound):
        r.cases.get(missing)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("siob", True),
        ("SIOB", True),
        ("o dal", True),
        ("Ó Dál", True),
        ("dálaigh", True),
        ("dalaigh", True),
        ("siobhan o dalaigh", True),
        ("hán", False),  # the middle of a word is not a type-ahead match
        ("o'dal", False),  # "o'dal" folds to "odal": not how the name is spelled
        ("x", False),
    ],
)
def test_type_ahead_ignores_case_and_accents(db: RecordsDb, query: str, found: bool) -> None:
    r = repos(db)
    target = add_mediator(r, "Siobhán Ó Dálaigh")
    add_mediator(r, "Mary O'Brien")
    add_mediator(r, "Łucja Żak")
    result = r.mediators.find(query)
    assert (target in result) is found
    if found:
        assert result == (target,)


def test_type_ahead_apostrophes_hyphens_and_unusual_letters(db: RecordsDb) -> None:
    r = repos(db)
    obrien = add_mediator(r, "Mary O'Brien")
    zak = add_mediator(r, "Łucja Żak")
    anne = add_mediator(r, "Anne-Marie d'Arcy")
    assert r.mediators.find("obri") == (obrien,)
    assert r.mediators.find("o'bri") == (obrien,)
    assert r.mediators.find("lucja") == (zak,)
    assert r.mediators.find("zak") == (zak,)
    assert r.mediators.find("marie") == (anne,)
    assert r.mediators.find("darc") == (anne,)
    # LIKE wildcards typed by a person are literal characters.
    assert r.mediators.find("%") == ()
    assert r.mediators.find("m%") == ()
    # Empty query: everyone, alphabetically as folded.
    assert r.mediators.find("") == (anne, zak, obrien)
    assert r.mediators.list() == (anne, zak, obrien)
    assert r.mediators.find("", limit=2) == (anne, zak)


def test_type_ahead_puts_names_starting_with_the_query_first(db: RecordsDb) -> None:
    r = repos(db)
    aaron = add_mediator(r, "Aaron Lee")
    ann = add_mediator(r, "Lee Ann")
    leeming = add_mediator(r, "Leeming Ó Sé")
    assert r.mediators.find("lee") == (ann, leeming, aaron)
    assert r.mediators.find("lee", limit=1) == (ann,)
    assert r.observers.find("x") == ()


def test_fold_name() -> None:
    assert fold_name("Siobhán Ó Dálaigh") == "siobhan o dalaigh"
    assert fold_name("  Mary   O’Brien-Hughes ") == "mary obrien hughes"
    assert fold_name("Łucja Żak") == "lucja zak"
    assert fold_name("Søren Straße") == "soren strasse"


def test_resolve_by_id_exact_name_or_unique_prefix(db: RecordsDb) -> None:
    r = repos(db)
    siobhan = add_mediator(r, "Siobhán Ó Dálaigh")
    ann = add_mediator(r, "Ann Lee")
    add_mediator(r, "Ann Leeming")
    assert r.mediators.resolve(str(siobhan.id)) == siobhan
    assert r.mediators.resolve("siobhan o dalaigh") == siobhan
    assert r.mediators.resolve("siob") == siobhan
    assert r.mediators.resolve("ann lee") == ann  # exact wins over the longer name
    with pytest.raises(UserError, match="matches more than one mediator: Ann Lee, Ann Leeming"):
        r.mediators.resolve("ann")
    with pytest.raises(UserError, match="No mediator called 'zed'"):
        r.mediators.resolve("zed")


def test_observer_round_trip_and_type_ahead(db: RecordsDb) -> None:
    r = repos(db)
    o = Observer(
        id=new_id(),
        name="Dr Ngozi Adébáyọ̀",
        role=ObserverRole.MENTOR,
        experienced_send=True,
        ppc_register_entry=" PPC-0042 ",
    )
    stored = r.observers.add(o)
    assert stored == replace(o, ppc_register_entry="PPC-0042")
    other = add_observer(r, "Tom Hughes", ObserverRole.CO_MEDIATOR)
    assert r.observers.find("adebayo") == (stored,)
    assert r.observers.find("ngo") == (stored,)
    assert r.observers.list() == (stored, other)
    updated = r.observers.update(replace(stored, role=ObserverRole.PPC, ppc_register_entry=""))
    db.reopen()
    again = repos(db).observers.get(o.id)
    assert again == updated
    assert again.role is ObserverRole.PPC and again.ppc_register_entry is None


def test_empty_names_are_refused_and_nothing_stored(db: RecordsDb) -> None:
    r = repos(db)
    with pytest.raises(ValidationError, match="The mediator's name must not be empty"):
        r.mediators.add(Mediator(id=new_id(), name="   "))
    with pytest.raises(ValidationError, match="The observer's name must not be empty"):
        r.observers.add(Observer(id=new_id(), name="", role=ObserverRole.PPC))
    assert db.count("mediators") == 0 and db.count("observers") == 0


def test_cases_in_date_order_with_ordinals(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    other = add_mediator(r, "Tom Hughes")
    assert r.cases.next_ordinal(m.id) == 1
    late = add_case(r, m.id, date(2026, 5, 1), "3", TraineeRole.LEADING, "REF-C")
    early = add_case(r, m.id, date(2026, 1, 10), "2.25", TraineeRole.OBSERVING, "REF-A")
    middle = add_case(r, m.id, date(2026, 3, 1), "4.1", TraineeRole.CO_MEDIATING, "REF-B")
    add_case(r, other.id, date(2026, 2, 1))
    assert r.cases.list_for_mediator(m.id) == (early, middle, late)
    assert [r.cases.ordinal_of(c.id) for c in (early, middle, late)] == [1, 2, 3]
    assert r.cases.next_ordinal(m.id) == 4
    assert r.cases.next_ordinal(other.id) == 2
    db.reopen()
    got = repos(db).cases.get(middle.id)
    assert got == middle and str(got.casework_hours) == "4.1"


def test_case_update_and_validation(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    c = add_case(r, m.id)
    assert r.cases.update(replace(c, reference=" REF-9 ", trainee_role=TraineeRole.LEADING)) == (
        replace(c, reference="REF-9", trainee_role=TraineeRole.LEADING)
    )
    with pytest.raises(ValidationError, match="Casework hours must be between 0 and 24; got -3"):
        r.cases.update(replace(c, casework_hours=-3))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="The case reference must not be empty"):
        add_case(r, m.id, reference=" ")
    with pytest.raises(RecordNotFound, match="No mediator"):
        add_case(r, new_id())
    assert db.count("cases") == 1
    assert r.cases.get(c.id).reference == "REF-9"


def test_case_delete_returns_it_for_undo_and_refuses_observed_cases(db: RecordsDb) -> None:
    r = repos(db)
    m = add_mediator(r)
    c = add_case(r, m.id, reference="REF-1")
    assert r.cases.delete(c.id) == c
    assert r.cases.list_for_mediator(m.id) == ()
    assert r.cases.add(c) == c  # undo: the same case back, same id
    r.forms.store("form2", "test-1", FORM2_YAML)
    r.observations.start(c.id, add_observer(r).id, "form2", "test-1")
    with pytest.raises(UserError, match="Case REF-1 has 1 observation and cannot be deleted"):
        r.cases.delete(c.id)
    assert r.cases.get(c.id) == c and db.count("observations") == 1


def test_form_versions_are_kept_exactly_and_never_replaced(db: RecordsDb) -> None:
    r = repos(db)
    first = r.forms.store("form2", "test-1", FORM2_YAML)
    assert first.sha256 == source_sha256(FORM2_YAML) and len(first.sha256) == 64
    assert r.forms.store("form2", "test-1", FORM2_YAML) == first  # idempotent
    with pytest.raises(FormVersionConflict, match="already stored with different content"):
        r.forms.store("form2", "test-1", FORM2_YAML + "# edited\n")
    r.forms.store("form2", "provider-x", "form_id: form2\nversion: provider-x\n")
    db.reopen()
    again = repos(db).forms
    got = again.get("form2", "test-1")
    assert got is not None and got.source == FORM2_YAML
    assert again.get("form2", "nope") is None
    assert [(f.form_id, f.version) for f in again.list()] == [
        ("form2", "test-1"),
        ("form2", "provider-x"),
    ]


# ---- property: any word's start, typed any way, finds the person -------------------------

LETTERS = "abcdeilnorstuzáéíóúàèçñöüłżśćøåõ"
words = st.text(alphabet=LETTERS, min_size=1, max_size=8)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name_words=st.lists(words, min_size=1, max_size=4),
    data=st.data(),
)
def test_any_word_prefix_typed_any_way_finds_the_name(
    db: RecordsDb, name_words: list[str], data: st.DataObject
) -> None:
    r = repos(db)
    name = " ".join(w.capitalize() for w in name_words)
    person = add_mediator(r, name)
    start = data.draw(st.integers(0, len(name_words) - 1), label="word")
    typed_words = name_words[start:]
    length = data.draw(st.integers(1, len(" ".join(typed_words))), label="length")
    query = " ".join(typed_words)[:length]
    style = data.draw(st.sampled_from(["as is", "upper", "no accents"]), label="style")
    if style == "upper":
        query = query.upper()
    elif style == "no accents":
        query = fold_name(query)  # what someone types without accents
    if not fold_name(query):
        return  # only spaces typed: nothing to search for
    assert person in r.mediators.find(query, limit=10_000), (name, query)

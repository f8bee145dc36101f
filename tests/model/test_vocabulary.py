"""The product's words: the one name-folding and name-matching rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendobserve.model.vocabulary import fold_name, name_matches, query_words


def test_fold_name_examples() -> None:
    assert fold_name("Siobhán Ó Dálaigh") == "siobhan o dalaigh"
    assert fold_name("  Mary   O’Brien-Hughes ") == "mary obrien hughes"
    assert fold_name("Łucja Żak") == "lucja zak"
    assert fold_name("Søren Straße") == "soren strasse"
    assert fold_name("ℌilda") == "hilda"  # decomposes to a capital: folded again


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("obrien", True),  # the navigation filter once missed this one
        ("o'brien", True),
        ("O’B", True),
        ("aoife obr", True),
        ("brien aoife", False),  # "brien" begins no word: the apostrophe joins O and Brien
        ("obrien aoife", True),  # any order
        ("rien", False),  # the middle of a word is not a match
        ("", True),
        ("  ", True),
        ("x", False),
    ],
)
def test_name_matches(query: str, found: bool) -> None:
    assert name_matches(query, "Aoife O'Brien") is found


@given(st.text(max_size=30))
def test_folding_is_idempotent(text: str) -> None:
    once = fold_name(text)
    assert fold_name(once) == once
    assert once == " ".join(once.split())  # single spaces, none at either end


@given(st.text(max_size=30))
def test_a_name_finds_itself_and_every_word_start(name: str) -> None:
    assert name_matches(name, name)
    for word in query_words(name):
        assert name_matches(word[:1], name)
        assert name_matches(word.upper(), name)

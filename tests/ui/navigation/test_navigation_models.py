"""The trainee list and its accent-insensitive filter, without a view."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendobserve.model.domain import Mediator
from sendobserve.model.vocabulary import fold_name as fold
from sendobserve.ui.navigation.page import (
    AccentInsensitiveFilter,
    MediatorListModel,
    ordinal_text,
)

NAMES = ["Siobhán Ó Dálaigh", "Łucja Żak", "Aoife O'Brien", "Rhys ap Dafydd", "Zoë Ng"]


def model_with(names: list[str]) -> tuple[MediatorListModel, AccentInsensitiveFilter]:
    model = MediatorListModel()
    model.set_mediators([Mediator(uuid.uuid4(), n) for n in names])
    proxy = AccentInsensitiveFilter()
    proxy.setSourceModel(model)
    return model, proxy


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("", NAMES),
        ("siobhan", ["Siobhán Ó Dálaigh"]),
        ("o dal", ["Siobhán Ó Dálaigh"]),
        ("LUCJA", ["Łucja Żak"]),
        ("zak", ["Łucja Żak"]),
        ("o'b", ["Aoife O'Brien"]),
        ("zoe", ["Zoë Ng"]),
        ("dafydd rhys", ["Rhys ap Dafydd"]),  # every word, in any order
        ("xyz", []),
    ],
)
def test_filter_ignores_accents_case_and_word_order(qapp: Any, typed: str,
                                                    found: list[str]) -> None:
    _model, proxy = model_with(NAMES)
    proxy.set_text(typed)
    shown = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert sorted(shown) == sorted(found)


def test_list_is_sorted_and_add_keeps_it_sorted(qapp: Any) -> None:
    model, _proxy = model_with(NAMES)
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names == sorted(NAMES, key=fold)
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _p, first, _last: inserted.append(first))
    index = model.add(Mediator(uuid.uuid4(), "Bríd Nic Aodha"))
    assert index.data() == "Bríd Nic Aodha" and inserted == [index.row()]
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names == sorted(names, key=fold)


@given(st.text(min_size=1, max_size=12))
def test_a_name_always_finds_itself(name: str) -> None:
    assert all(word in fold(name) for word in fold(name).split())


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"),
                                         (11, "11th"), (12, "12th"), (21, "21st")])
def test_ordinal_text(n: int, text: str) -> None:
    assert ordinal_text(n) == text

"""The product's words: the one name-folding and name-matching rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

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


# ---- the words for states, roles and kinds ------------------------------------------------

from decimal import Decimal  # noqa: E402
from enum import StrEnum  # noqa: E402
from pathlib import Path  # noqa: E402

from sendobserve.model import vocabulary  # noqa: E402
from sendobserve.model.domain import (  # noqa: E402
    CaseKind,
    MarkState,
    ObservationState,
    ObserverRole,
    TraineeRole,
)


@pytest.mark.parametrize(("labels", "enum"), [
    (vocabulary.MARK_GLYPHS, MarkState), (vocabulary.MARK_WORDS, MarkState),
    (vocabulary.ROLE_LABELS, ObserverRole), (vocabulary.TRAINEE_ROLE_LABELS, TraineeRole),
    (vocabulary.CASE_KIND_LABELS, CaseKind),
    (vocabulary.OBSERVATION_STATE_LABELS, ObservationState),
])
def test_every_value_has_its_word(labels: dict[StrEnum, str], enum: type[StrEnum]) -> None:
    assert set(labels) == set(enum)
    assert len(set(labels.values())) == len(labels)  # no two read the same


def test_words_in_a_sentence() -> None:
    assert [vocabulary.role_label(r) for r in ObserverRole] == [
        "co-mediator", "PPC", "regional manager", "service director", "mentor"]
    assert vocabulary.mark_label(None) == "○ Not yet seen"
    assert vocabulary.mark_label(MarkState.DEVELOPMENT_NEEDED) == "△ Development needed"
    assert vocabulary.plural(1, "case") == "1 case"
    assert vocabulary.plural(3, "CPD entry", "CPD entries") == "3 CPD entries"
    assert [vocabulary.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th", "112th"]


@pytest.mark.parametrize(("hours", "text"), [
    (Decimal("12"), "12"), (Decimal("12.00"), "12"), (Decimal("1E+1"), "10"),
    (Decimal("11.90"), "11.9"), (Decimal("2.50"), "2.5"), (Decimal("0.25"), "0.25"), (3, "3"),
])
def test_hours_are_written_exactly(hours: Decimal, text: str) -> None:
    assert vocabulary.fmt_hours(hours) == text


def test_the_role_and_state_words_are_written_once() -> None:
    """A second copy of a label list is how copies start to disagree."""
    package = Path(vocabulary.__file__).parent.parent
    once = ('"Regional manager"', '"Co-mediating"', '"Development needed"',
            '"Disagreement resolution"', '"Open College Network"')
    for path in package.rglob("*.py"):
        if path == Path(vocabulary.__file__):
            continue
        text = path.read_text(encoding="utf-8")
        for label in once:
            assert label not in text, f"{label} is written again in {path.name}"


# --- dates in words ----------------------------------------------------------------------

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


@given(day=st.dates(date(1900, 1, 1), date(2200, 12, 31)))
def test_a_day_in_words_reads_back_as_the_same_day(day: date) -> None:
    from sendobserve.model.vocabulary import day_text, month_text

    number, month, year = day_text(day).split(" ")
    assert (int(number), _MONTHS.index(next(m for m in _MONTHS if m[:3] == month)) + 1,
            int(year)) == (day.day, day.month, day.year)
    assert not number.startswith("0")  # "5 Nov", not "05 Nov"
    assert day_text(day, long=True) == f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    assert month_text(day) == f"{month} {year}"


def test_a_moment_in_words() -> None:
    from sendobserve.model.vocabulary import moment_text

    assert moment_text(datetime(2026, 11, 5, 9, 7, tzinfo=UTC)) == "5 Nov 2026 09:07"


def test_dates_are_written_the_same_on_every_system() -> None:
    # "%-d" raises on Windows, and "%b"/"%B"/"%a"/"%A" follow the locale Qt sets from the
    # desktop: every date in words goes through the vocabulary instead.
    import re
    from pathlib import Path

    import sendobserve

    root = Path(sendobserve.__file__).parent
    pattern = re.compile(r"%-[a-zA-Z]|%[bBaA]")
    found = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py")
             if "migrations" not in path.parts
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if pattern.search(line) and not line.lstrip().startswith("#")]
    assert found == []

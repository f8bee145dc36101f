"""The minimisation heuristic: what warns, what does not, and that it never fails."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendobserve.model.minimisation import Concern, check_text


def concerns(text: str, *, is_reference: bool = False) -> list[tuple[Concern, str]]:
    return [(w.concern, w.found) for w in check_text(text, is_reference=is_reference)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB 03/04/2015", [(Concern.DATE_OF_BIRTH, "03/04/2015")]),
        ("born 3 April 2015, in Year 5", [(Concern.DATE_OF_BIRTH, "3 April 2015")]),
        ("d.o.b. given at intake", [(Concern.DATE_OF_BIRTH, "d.o.b.")]),
        ("Year 6 at St Mary's", [(Concern.SCHOOL, "St Mary's")]),
        ("moved to Oakfield Primary in May", [(Concern.SCHOOL, "Oakfield Primary")]),
        ("her son Daniel needs a placement", [(Concern.CHILD_NAME, "Daniel")]),
        ("Ellie's mum was upset", [(Concern.CHILD_NAME, "Ellie")]),
        ("the young person, Kai, joined", [(Concern.CHILD_NAME, "Kai")]),
    ],
)
def test_notes_that_warn(text: str, expected: list[tuple[Concern, str]]) -> None:
    assert concerns(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Summarised the issues clearly and checked the LA's position on the EHC plan.",
        "De-brief on 03/05/2026 after the session; the school's SENCO attended.",
        "Used open questions; the parents' concerns about the Tribunal were acknowledged.",
        "The child's needs were put at the centre of the discussion.",
        "Reality-tested the proposal with the Local Authority officer.",
        "",
    ],
)
def test_ordinary_notes_do_not_warn(text: str) -> None:
    assert check_text(text) == []


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("LA-2026-014", []),
        ("Kent 2026/17", []),
        ("Ellie Smith", [(Concern.CHILD_NAME, "Ellie Smith")]),
        ("Case 12/03/2015", [(Concern.DATE_OF_BIRTH, "12/03/2015")]),
    ],
)
def test_case_references(reference: str, expected: list[tuple[Concern, str]]) -> None:
    assert concerns(reference, is_reference=True) == expected


def test_a_date_in_a_note_warns_only_near_a_birth_word() -> None:
    assert concerns("Session on 12/03/2026") == []
    assert concerns("Birthday 12/03/2015") == [(Concern.DATE_OF_BIRTH, "12/03/2015")]


def test_every_warning_has_a_sentence_naming_what_it_saw() -> None:
    (warning,) = check_text("her daughter Amira")
    assert "“Amira”" in warning.message
    assert "reference" in warning.message


@given(st.text(max_size=300), st.booleans())
def test_never_fails_and_spans_point_into_the_text(text: str, is_reference: bool) -> None:
    warnings = check_text(text, is_reference=is_reference)
    previous_end = 0
    for w in warnings:
        assert 0 <= w.start < w.end <= len(text)
        assert text[w.start:w.end] == w.found
        assert w.start >= previous_end  # sorted, no overlaps
        previous_end = w.end

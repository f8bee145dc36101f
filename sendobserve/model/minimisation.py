"""Data minimisation at entry: a warning (never a refusal) when typed text looks like it
names a child, gives a date of birth or names a school.

The program promises that no child is ever named: cases carry a reference, notes describe
skills. A person typing quickly in the room can still write "Ellie's mum" or "Year 6 at
St Mary's". These checks point that out beside the field; the person decides. They never
block saving, because a heuristic is wrong both ways (a PPC's surname looks like a child's
first name) and a tick or a note must never be lost to a guess.

The heuristic, in full (each rule is one function below, tested on its own):

1. **Date of birth**: a calendar date (``3/4/2015``, ``03-04-15``, ``3 April 2015``,
   ``April 3rd 2015``) or the words "DOB", "d.o.b." or "born". A date alone warns only in
   the case reference (a reference should not need one); in notes, dates are ordinary
   ("de-brief on 3 May"), so there a date warns only next to "born", "DOB" or "birthday".
2. **School**: a capitalised word followed by School, Academy, Primary, Infants, Juniors,
   Nursery, College, High or "Sixth Form", or a saint's name ("St Mary's") — the usual
   shape of a school's name in England. "school" in lower case ("the school's SENCO")
   is a role, not a name, and does not warn.
3. **A child's name**: a capitalised word straight after a word that points at a child
   ("son", "daughter", "child", "pupil", "learner", "young person", "YP", "CYP"), or a
   capitalised word followed by "'s mum/dad/parents/carer/EHCP/plan". Words of this
   field (SEND, EHC, LA, Form, Tribunal, …) are never taken for names.
4. **In the case reference only**: two capitalised words in a row that are not words of
   the field ("Ellie Smith") — a reference is normally letters and numbers like
   ``LA-2026-014``.

Known misses, accepted: a name typed in lower case, or with no pointer word around it
("Ellie did well"). Known false alarms, accepted: an adult's name after "son" ("his son
Daniel, the father's solicitor" is unlikely in a skills note). The warning says what it
saw and why, so a false alarm costs one glance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Concern(Enum):
    DATE_OF_BIRTH = "date of birth"
    SCHOOL = "school"
    CHILD_NAME = "child's name"


@dataclass(frozen=True, slots=True)
class MinimisationWarning:
    """What looked like personal data about a child, where, and a sentence to show."""

    concern: Concern
    start: int
    end: int
    found: str

    @property
    def message(self) -> str:
        if self.concern is Concern.DATE_OF_BIRTH:
            return (f"“{self.found}” looks like a date of birth. Records here never need "
                    "a child's date of birth; use the case reference instead.")
        if self.concern is Concern.SCHOOL:
            return (f"“{self.found}” looks like the name of a school. A school can identify "
                    "the child; describe the setting in general words if it matters.")
        return (f"“{self.found}” looks like a child's name. Cases carry a reference, never "
                "a child's name; write “the child” or “the young person” instead.")


# Words of the field that are capitalised but never a child's name.
_FIELD_WORD_TEXT = (
    "SEND SEN EHC EHCP EHCNA LA LAs Tribunal SENDIST SENCO SENCo SENCOP COP CMC COM PPC "
    "Form Forms Case Cases Mediator Mediation Mediators Mentor Council College Code "
    "Practice Appendix Standards The A An And Or But If In On At To Of For With By From "
    "Mum Dad Mother Father Parent Parents Carer Carers Local Authority Officer Health "
    "Care Education Plan Year Reception Key Stage KS1 KS2 KS3 KS4 He She They His Her "
    "Their Mr Mrs Ms Miss Dr I We You It This That Note Notes Session Stage Autism ASD "
    "ADHD SLCN SEMH OT SALT CAMHS EP NHS Yes No Ok OK"
)
_FIELD_WORDS = frozenset(w.casefold() for w in _FIELD_WORD_TEXT.split())

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NUMERIC_DATE = re.compile(r"\b(0?[1-9]|[12]\d|3[01])[/.\-](0?[1-9]|1[0-2])[/.\-](\d{4}|\d{2})\b")
_WORD_DATE = re.compile(
    rf"\b(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)?\s+({_MONTHS})\.?,?\s+(19|20)\d\d\b"
    rf"|\b({_MONTHS})\.?\s+(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)?,?\s+(19|20)\d\d\b",
    re.IGNORECASE,
)
_BIRTH_WORD = re.compile(r"(?<!\w)(d\.?o\.?b\.?|born|birthday|date of birth)(?!\w)", re.IGNORECASE)
_SCHOOL = re.compile(
    r"\b(?:St\.?|Saint)\s+[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)*"
    r"|\b[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)*\s+"
    r"(?:School|Academy|Primary|Infants?|Juniors?|Nursery|College|High|Sixth\s+Form)\b"
)
_POINTER = re.compile(
    r"\b(?:son|daughter|child|pupil|learner|young\s+person|YP|CYP|grandson|granddaughter|"
    r"stepson|stepdaughter)\b[,:]?\s+(?:called\s+|named\s+)?([A-Z][\w'’\-]+)"
)
_POSSESSIVE = re.compile(
    r"\b([A-Z][\w\-]+)['’]s\s+(?:mum|mother|dad|father|parents?|carers?|EHCP|EHC\s+plan|plan|"
    r"school|class|teacher|needs)\b"
)
_TWO_CAPITALS = re.compile(r"\b([A-Z][a-z][\w'’\-]*)\s+([A-Z][a-z][\w'’\-]*)\b")


def _is_field_word(word: str) -> bool:
    return word.strip("'’").casefold() in _FIELD_WORDS


def _dates(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _NUMERIC_DATE.finditer(text)] + [
        m.span() for m in _WORD_DATE.finditer(text)
    ]


def dates_of_birth(text: str, *, is_reference: bool) -> list[MinimisationWarning]:
    """Rule 1. In a reference every date warns; in notes only a date near a birth word."""
    found: list[MinimisationWarning] = []
    births = [m.span() for m in _BIRTH_WORD.finditer(text)]
    for start, end in _dates(text):
        near_birth = any(abs(start - b_end) <= 25 or abs(b_start - end) <= 25
                         for b_start, b_end in births)
        if is_reference or near_birth:
            found.append(MinimisationWarning(Concern.DATE_OF_BIRTH, start, end, text[start:end]))
    if not found:
        for m in _BIRTH_WORD.finditer(text):
            if m.group(1).casefold().replace(".", "") in {"dob", "date of birth"}:
                found.append(MinimisationWarning(Concern.DATE_OF_BIRTH, *m.span(), m.group(0)))
    return found


def schools(text: str) -> list[MinimisationWarning]:
    """Rule 2."""
    found = []
    for m in _SCHOOL.finditer(text):
        words = m.group(0).split()
        if all(_is_field_word(w) for w in words[:-1]) and not words[0].startswith("St"):
            continue  # "The School", "Local Authority College": no proper name in it
        found.append(MinimisationWarning(Concern.SCHOOL, *m.span(), m.group(0)))
    return found


def child_names(text: str, *, is_reference: bool) -> list[MinimisationWarning]:
    """Rules 3 and 4."""
    found = []
    for pattern in (_POINTER, _POSSESSIVE):
        for m in pattern.finditer(text):
            if not _is_field_word(m.group(1)):
                found.append(MinimisationWarning(Concern.CHILD_NAME, *m.span(1), m.group(1)))
    if is_reference:
        for m in _TWO_CAPITALS.finditer(text):
            if not (_is_field_word(m.group(1)) or _is_field_word(m.group(2))):
                found.append(MinimisationWarning(Concern.CHILD_NAME, *m.span(), m.group(0)))
    return found


def check_text(text: str, *, is_reference: bool = False) -> list[MinimisationWarning]:
    """Every warning for ``text``, in the order they appear, overlaps dropped.

    ``is_reference``: the text is a case reference (stricter: any date or a two-word
    capitalised name warns). Never raises, never refuses.
    """
    candidates = (
        dates_of_birth(text, is_reference=is_reference)
        + schools(text)
        + child_names(text, is_reference=is_reference)
    )
    candidates.sort(key=lambda w: (w.start, -(w.end - w.start)))
    kept: list[MinimisationWarning] = []
    for warning in candidates:
        if kept and warning.start < kept[-1].end:
            continue
        kept.append(warning)
    return kept

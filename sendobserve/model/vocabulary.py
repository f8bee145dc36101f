"""The product's words, in one place: what states, roles and kinds are called, their
glyphs, how hours, counts, ordinals and dates are written, and how names are folded and matched
by every search. The app, the reports and the command line all take them from here.

Marks show as a glyph *and* a word everywhere (on screen, on paper, to a screen
reader), so a state never rests on colour alone.


Every search for a person, whichever layer runs it (the store's type-ahead in SQL, the
command line's name resolution, the navigation filter on screen), folds the typed text
and the names with ``fold_name`` and keeps a name when ``name_matches`` says so. The
store keeps ``fold_name(name)`` in a ``name_folded`` column and expresses the same rule
as LIKE patterns; a property test holds the three to one answer.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal

from sendobserve.model.domain import (
    CaseKind,
    MarkState,
    ObservationState,
    ObserverRole,
    RecognisingBody,
    TraineeRole,
)

MARK_GLYPHS: dict[MarkState, str] = {
    MarkState.DEMONSTRATED: "\u2713",  # ✓
    MarkState.DEVELOPMENT_NEEDED: "\u25b3",  # △
    MarkState.NOT_APPLICABLE: "\u2013",  # –
    MarkState.NOT_YET_SEEN: "\u25cb",  # ○
}
MARK_WORDS: dict[MarkState, str] = {
    MarkState.DEMONSTRATED: "Demonstrated",
    MarkState.DEVELOPMENT_NEEDED: "Development needed",
    MarkState.NOT_APPLICABLE: "Not applicable",
    MarkState.NOT_YET_SEEN: "Not yet seen",
}


def mark_label(state: MarkState | None) -> str:
    """A mark as glyph and word, e.g. "✓ Demonstrated" (no mark: not yet seen)."""
    state = state or MarkState.NOT_YET_SEEN
    return f"{MARK_GLYPHS[state]} {MARK_WORDS[state]}"


ROLE_LABELS: dict[ObserverRole, str] = {
    ObserverRole.CO_MEDIATOR: "Co-mediator",
    ObserverRole.PPC: "PPC",
    ObserverRole.REGIONAL_MANAGER: "Regional manager",
    ObserverRole.SERVICE_DIRECTOR: "Service director",
    ObserverRole.MENTOR: "Mentor",
}
TRAINEE_ROLE_LABELS: dict[TraineeRole, str] = {
    TraineeRole.OBSERVING: "Observing",
    TraineeRole.CO_MEDIATING: "Co-mediating",
    TraineeRole.LEADING: "Leading",
}
CASE_KIND_LABELS: dict[CaseKind, str] = {
    CaseKind.MEDIATION: "Mediation",
    CaseKind.DISAGREEMENT_RESOLUTION: "Disagreement resolution",
}
# The bodies that recognise training, by name (the others are "another body" or none).
BODY_NAMES: dict[RecognisingBody, str] = {
    RecognisingBody.CMC: "Civil Mediation Council",
    RecognisingBody.COM: "College of Mediators",
    RecognisingBody.OCN: "Open College Network",
    RecognisingBody.ILM: "Institute of Leadership and Management",
}
OBSERVATION_STATE_LABELS: dict[ObservationState, str] = {
    ObservationState.DRAFT: "Draft",
    ObservationState.FINALISED: "Finalised",
    ObservationState.AMENDED: "Amended",
}


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Co-mediator" → "co-mediator", "PPC" stays."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


def role_label(role: ObserverRole) -> str:
    """An observer's role inside a sentence ("co-mediator", "PPC")."""
    return in_sentence(ROLE_LABELS[role])


def fmt_hours(hours: Decimal | int) -> str:
    """12 → "12", 11.90 → "11.9", 2.50 → "2.5": exact, without float noise or trailing zeros."""
    hours = Decimal(hours)
    if hours == hours.to_integral_value():
        return str(hours.quantize(Decimal(1)))
    return format(hours.normalize(), "f")


def hours_phrase(hours: Decimal) -> str:
    return f"{fmt_hours(hours)} hour" if hours == 1 else f"{fmt_hours(hours)} hours"


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 case", "2 cases", "3 CPD entries" (``many`` for an irregular plural)."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def ordinal(n: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 22 → "22nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# Dates in words, the same on every system: ``strftime``'s "%-d" is not known on Windows
# (it raises there) and "%b"/"%B" follow the process's locale, which Qt sets from the
# desktop's; these write English month names whatever the machine.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def month_word(day: date, *, long: bool = False) -> str:
    """"Nov" (``long``: "November")."""
    month = _MONTHS[day.month - 1]
    return month if long else month[:3]


def day_text(day: date, *, long: bool = False) -> str:
    """"30 Nov 2026" (``long``: "30 November 2026")."""
    return f"{day.day} {month_word(day, long=long)} {day.year}"


def month_text(day: date) -> str:
    """"Nov 2026"."""
    return f"{month_word(day)} {day.year}"


def moment_text(moment: datetime) -> str:
    """"30 Nov 2026 14:05", as the moment reads on its own clock (callers give UTC)."""
    return f"{day_text(moment)} {moment:%H:%M}"


# Letters that Unicode does not decompose into a base letter plus an accent.
_EXTRA_FOLDS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l", "þ": "th",
     "æ": "ae", "œ": "oe", "ß": "ss"}
)
_DROPPED = {"'", "’", "‘", "ʼ", "`", "´"}
_SPACES = {"-", "‐", "‑", "–", "—", ".", ",", "_", "/"}


def issuer_text(fingerprint: str) -> str:
    """How the installation that issued a certificate is named beside its serial (each
    installation numbers its own): the first two groups of its fingerprint, read aloud
    like the whole one, or that it was not recorded (received before issuers travelled)."""
    groups = fingerprint.split()
    return f"installation {' '.join(groups[:2])}" if groups else "installation not recorded"


def fold_name(text: str) -> str:
    """The one form names are compared in: no accents, no case, no apostrophes, single
    spaces.

    "Siobhán Ó Dálaigh" → "siobhan o dalaigh", "O'Brien-Łukasz" → "obrien lukasz".
    """
    # Case-folded again after decomposing: a compatibility letter can decompose into a
    # capital ("ℌ" → "H"), which SQL's LIKE would match but Python's comparison would not.
    decomposed = unicodedata.normalize("NFKD", text.casefold()).casefold()
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) or ch in _DROPPED:
            continue
        out.append(" " if ch in _SPACES or ch.isspace() else ch)
    return " ".join("".join(out).translate(_EXTRA_FOLDS).split())


def query_words(query: str) -> tuple[str, ...]:
    """The folded words of what a person typed into a search box."""
    return tuple(fold_name(query).split())


def name_matches(query: str, name: str) -> bool:
    """Whether a search for ``query`` finds ``name``: every typed word begins a word of
    the name, in any order ("o dal" and "dalaigh siob" both find "Siobhán Ó Dálaigh";
    "obrien" and "o'b" find "Aoife O'Brien"; the middle of a word does not). An empty
    query finds everyone."""
    words = fold_name(name).split()
    return all(any(w.startswith(q) for w in words) for q in query_words(query))

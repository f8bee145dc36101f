"""The product's words, in one place: how names are folded and matched by every search.

Every search for a person, whichever layer runs it (the store's type-ahead in SQL, the
command line's name resolution, the navigation filter on screen), folds the typed text
and the names with ``fold_name`` and keeps a name when ``name_matches`` says so. The
store keeps ``fold_name(name)`` in a ``name_folded`` column and expresses the same rule
as LIKE patterns; a property test holds the three to one answer.
"""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
_EXTRA_FOLDS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l", "þ": "th",
     "æ": "ae", "œ": "oe", "ß": "ss"}
)
_DROPPED = {"'", "’", "‘", "ʼ", "`", "´"}
_SPACES = {"-", "‐", "‑", "–", "—", ".", ",", "_", "/"}


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

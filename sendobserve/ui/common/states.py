"""How a mark's state looks: a glyph and a word as well as a colour, never colour alone.

Colours are picked against the current palette so they keep their contrast on a light
or a dark system theme.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from sendobserve.model.domain import MarkState
from sendobserve.model.vocabulary import MARK_GLYPHS, MARK_WORDS
from sendobserve.ui.common.palette import is_dark as palette_is_dark
from sendobserve.ui.common.palette import readable


@dataclass(frozen=True, slots=True)
class StateLook:
    glyph: str
    word: str
    light: str  # colour on a light background
    dark: str  # colour on a dark background


# Glyphs and words from ``model.vocabulary``; the colours (light, dark) are the screen's.
_COLOURS: dict[MarkState, tuple[str, str]] = {
    MarkState.DEMONSTRATED: ("#1b6e2d", "#7ddc8f"),
    MarkState.DEVELOPMENT_NEEDED: ("#9a4a00", "#ffb366"),
    MarkState.NOT_APPLICABLE: ("#4a5560", "#b8c2cc"),
    MarkState.NOT_YET_SEEN: ("#5b6470", "#a9b2bc"),
}
LOOKS: dict[MarkState, StateLook] = {
    state: StateLook(MARK_GLYPHS[state], MARK_WORDS[state], *_COLOURS[state])
    for state in MarkState
}

# The keys that set each state; shown in the help line and the accessible description.
STATE_KEYS: dict[MarkState, str] = {
    MarkState.DEMONSTRATED: "Space or 1",
    MarkState.DEVELOPMENT_NEEDED: "2",
    MarkState.NOT_APPLICABLE: "3",
    MarkState.NOT_YET_SEEN: "Backspace",
}


def is_dark(palette: QPalette) -> bool:
    """Whether the content background (Base, where marks are drawn) is dark."""
    return palette_is_dark(palette.color(QPalette.ColorRole.Base))


def state_colour(state: MarkState, palette: QPalette,
                 on: QPalette.ColorRole = QPalette.ColorRole.Base) -> QColor:
    """The state's colour as it reads on the palette's ``on`` background (one rule for
    every module: ``ui.palette.readable``)."""
    look = LOOKS[state]
    return readable((look.light, look.dark), palette.color(on))


def state_label(state: MarkState) -> str:
    look = LOOKS[state]
    return f"{look.glyph} {look.word}"

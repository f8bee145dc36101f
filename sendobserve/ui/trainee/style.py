"""Glyphs, words and colours for marks and requirement statuses.

Every state has a glyph *and* a word, so nothing depends on colour alone; colours are
picked for the palette in use (a dark window gets lighter hues) so they keep contrast.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from sendobserve.model.domain import MarkState
from sendobserve.model.outcome import Status
from sendobserve.model.vocabulary import MARK_GLYPHS, MARK_WORDS, in_sentence
from sendobserve.ui.common.palette import is_dark as palette_is_dark
from sendobserve.ui.common.palette import readable

GLYPH: dict[MarkState, str] = MARK_GLYPHS
WORD: dict[MarkState, str] = {state: in_sentence(MARK_WORDS[state]) for state in MarkState}
GAP_GLYPH = "⚑"
GAP_WORD = "gap"

STATUS_GLYPH: dict[Status, str] = {Status.MET: "✓", Status.NOT_MET: "✗", Status.DISCRETION: "◇"}
STATUS_WORD: dict[Status, str] = {
    Status.MET: "Met",
    Status.NOT_MET: "Not met",
    Status.DISCRETION: "Met by discretion",
}

# (hue for a light window, hue for a dark window)
_HUES: dict[str, tuple[str, str]] = {
    "good": ("#1b6e34", "#7fdc92"),
    "warn": ("#8a4b00", "#ffc266"),
    "bad": ("#a8071a", "#ff8a8a"),
    "info": ("#1d4f91", "#9cc3ff"),
}


def is_dark(palette: QPalette) -> bool:
    """Whether the content background (Base) is dark: the same decision as the checklist's."""
    return palette_is_dark(palette.color(QPalette.ColorRole.Base))


def hue(name: str, palette: QPalette,
        on: QPalette.ColorRole = QPalette.ColorRole.Base) -> QColor:
    """The named hue as it reads on the palette's ``on`` background (``ui.palette``)."""
    return readable(_HUES[name], palette.color(on))


def mark_colour(state: MarkState, palette: QPalette) -> QColor:
    """A mark in the matrix (drawn on Base)."""
    if state is MarkState.DEMONSTRATED:
        return hue("good", palette)
    if state is MarkState.DEVELOPMENT_NEEDED:
        return hue("warn", palette)
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)


def status_colour(status: Status, palette: QPalette,
                  on: QPalette.ColorRole = QPalette.ColorRole.Window) -> QColor:
    """A requirement's status word (a label on the window, unless ``on`` says otherwise)."""
    return {
        Status.MET: hue("good", palette, on),
        Status.NOT_MET: hue("bad", palette, on),
        Status.DISCRETION: hue("info", palette, on),
    }[status]


def gap_background(palette: QPalette) -> QColor:
    """A faint warning tint over the base colour: a gap row reads as one band."""
    base = palette.color(QPalette.ColorRole.Base)
    tint = hue("warn", palette)
    mix = 0.14
    return QColor(
        round(base.red() * (1 - mix) + tint.red() * mix),
        round(base.green() * (1 - mix) + tint.green() * mix),
        round(base.blue() * (1 - mix) + tint.blue() * mix),
    )

"""Glyphs, words and colours for marks and requirement statuses.

Every state has a glyph *and* a word, so nothing depends on colour alone; colours are
picked for the palette in use (a dark window gets lighter hues) so they keep contrast.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from sendobserve.model.domain import MarkState
from sendobserve.model.outcome import Status

GLYPH: dict[MarkState, str] = {
    MarkState.DEMONSTRATED: "✓",
    MarkState.DEVELOPMENT_NEEDED: "△",
    MarkState.NOT_APPLICABLE: "–",
    MarkState.NOT_YET_SEEN: "○",
}
WORD: dict[MarkState, str] = {
    MarkState.DEMONSTRATED: "demonstrated",
    MarkState.DEVELOPMENT_NEEDED: "development needed",
    MarkState.NOT_APPLICABLE: "not applicable",
    MarkState.NOT_YET_SEEN: "not seen",
}
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
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def hue(name: str, palette: QPalette) -> QColor:
    light, dark = _HUES[name]
    return QColor(dark if is_dark(palette) else light)


def mark_colour(state: MarkState, palette: QPalette) -> QColor:
    if state is MarkState.DEMONSTRATED:
        return hue("good", palette)
    if state is MarkState.DEVELOPMENT_NEEDED:
        return hue("warn", palette)
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)


def status_colour(status: Status, palette: QPalette) -> QColor:
    return {
        Status.MET: hue("good", palette),
        Status.NOT_MET: hue("bad", palette),
        Status.DISCRETION: hue("info", palette),
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

"""Contrast, computed: in light, dark, mixed (dark window, light content) and high-contrast
palettes, every text pair reaches 4.5:1 and every marker 3:1 against the background it is
drawn on, after the start-up hardening of the system palette."""

from __future__ import annotations

from typing import Any

import pytest

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QStyleFactory

from sendobserve.model.domain import MarkState
from sendobserve.model.outcome import Status
from sendobserve.ui.common.palette import (
    MARKER_CONTRAST,
    TEXT_CONTRAST,
    TEXT_PAIRS,
    contrast,
    harden,
)
from sendobserve.ui.common.states import state_colour
from sendobserve.ui.trainee.style import gap_background, hue, mark_colour, status_colour

R = QPalette.ColorRole


def _palette(**roles: str) -> QPalette:
    palette = QPalette()
    for role, colour in roles.items():
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, getattr(R, role), QColor(colour))
    return palette


def _light(_qapp: Any) -> QPalette:
    style = QStyleFactory.create("Fusion")
    assert style is not None
    return style.standardPalette()  # white on #308cc6 selection: 3.69:1 before hardening


DARK = dict(Window="#2b2b2b", WindowText="#e6e6e6", Base="#1e1e1e", AlternateBase="#262626",
            Text="#e6e6e6", Button="#353535", ButtonText="#e6e6e6", Highlight="#2a82da",
            HighlightedText="#ffffff", PlaceholderText="#6e6e6e", ToolTipBase="#353535",
            ToolTipText="#e6e6e6")
# Dark window chrome with light content: the case that dropped gap markers to 1.49:1.
MIXED = {**DARK, "Base": "#ffffff", "AlternateBase": "#f3f3f3", "Text": "#111111",
         "PlaceholderText": "#9a9a9a"}
HIGH_CONTRAST = dict(Window="#000000", WindowText="#ffffff", Base="#000000",
                     AlternateBase="#000000", Text="#ffffff", Button="#000000",
                     ButtonText="#ffffff", Highlight="#ffff00", HighlightedText="#000000",
                     PlaceholderText="#c0c0c0", ToolTipBase="#000000", ToolTipText="#ffffff")


@pytest.fixture(params=["light", "dark", "mixed", "high contrast"])
def palette(request: pytest.FixtureRequest, qapp: Any) -> QPalette:
    raw = {"light": lambda: _light(qapp), "dark": lambda: _palette(**DARK),
           "mixed": lambda: _palette(**MIXED),
           "high contrast": lambda: _palette(**HIGH_CONTRAST)}[request.param]()
    return harden(raw)


def test_every_text_pair_reads(palette: QPalette) -> None:
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for fg, bg in TEXT_PAIRS:
            ratio = contrast(palette.color(group, fg), palette.color(group, bg))
            assert ratio >= TEXT_CONTRAST, (group, fg, bg, round(ratio, 2))


def test_every_marker_reads_on_what_it_is_drawn_on(palette: QPalette) -> None:
    found: list[str] = []

    def check(what: str, colour: QColor, background: QColor, wanted: float) -> None:
        ratio = contrast(colour, background)
        if ratio < wanted:
            found.append(f"{what}: {colour.name()} on {background.name()} {ratio:.2f}:1")

    for background in (R.Base, R.AlternateBase):
        bg = palette.color(background)
        for state in MarkState:  # the checklist's glyphs and tick buttons
            check(f"checklist {state} on {background}", state_colour(state, palette), bg,
                  MARKER_CONTRAST)
        for state in (MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED):
            check(f"matrix {state} on {background}", mark_colour(state, palette), bg,
                  MARKER_CONTRAST)
    gap = gap_background(palette)  # a gap row's band, with its marks and ⚑ on it
    for state in (MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED):
        check(f"matrix {state} on a gap row", mark_colour(state, palette), gap, MARKER_CONTRAST)
    check("gap flag", hue("warn", palette), gap, MARKER_CONTRAST)
    check("gap row text", palette.color(R.Text), gap, TEXT_CONTRAST)
    window = palette.color(R.Window)
    for status in Status:  # the requirement words and error messages are text
        check(f"status {status}", status_colour(status, palette), window, TEXT_CONTRAST)
    check("save failed", state_colour(MarkState.DEVELOPMENT_NEEDED, palette, R.Window),
          window, TEXT_CONTRAST)
    assert not found, "\n".join(found)


def test_requirement_colours_follow_a_change_of_palette(qtbot: Any, qapp: Any) -> None:
    from sendobserve.ui.trainee.readiness.panels import RequirementList

    panel = RequirementList("Requirements")
    qtbot.addWidget(panel)
    panel.setPalette(harden(_light(qapp)))
    panel.show_results("Not ready", False, [], [])
    light_red = panel.verdict.palette().color(R.WindowText)
    dark = harden(_palette(**DARK))
    panel.setPalette(dark)
    dark_red = panel.verdict.palette().color(R.WindowText)
    assert dark_red != light_red
    assert contrast(dark_red, dark.color(R.Window)) >= TEXT_CONTRAST

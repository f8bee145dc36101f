"""The one palette decision every module shares: which colour reads on which background.

A colour is never picked from a guess that "the theme is dark" made from one palette
role while it is drawn on another (dark window chrome with light content dropped the gap
markers to 1.5:1). Each coloured thing names the background it is drawn on, and
``readable`` picks, of its two hues, the one with more contrast against that background.
``harden`` raises the system palette's own weak pairs (white on a mid-blue selection,
light grey placeholder text) to 4.5:1 at start-up.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

TEXT_CONTRAST = 4.5  # WCAG 2 AA, normal text
MARKER_CONTRAST = 3.0  # WCAG 2 non-text contrast: glyph markers, focus indicators


def luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two opaque colours (1 to 21)."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def is_dark(colour: QColor) -> bool:
    """Whether light text reads better than dark text on ``colour``."""
    return contrast(colour, QColor("white")) > contrast(colour, QColor("black"))


def readable(pair: tuple[str, str], background: QColor) -> QColor:
    """Of ``pair`` (the hue for light backgrounds, the hue for dark ones), the one that
    reads on ``background``."""
    light_bg, dark_bg = QColor(pair[0]), QColor(pair[1])
    return dark_bg if contrast(dark_bg, background) > contrast(light_bg, background) \
        else light_bg


def mix(a: QColor, b: QColor, share_of_b: float) -> QColor:
    return QColor(
        round(a.red() * (1 - share_of_b) + b.red() * share_of_b),
        round(a.green() * (1 - share_of_b) + b.green() * share_of_b),
        round(a.blue() * (1 - share_of_b) + b.blue() * share_of_b),
    )


def _towards(colour: QColor, target: QColor, against: QColor, wanted: float) -> QColor:
    """``colour`` moved step by step towards ``target`` until it has ``wanted`` contrast
    with ``against`` (``target`` itself if it never gets there)."""
    for step in range(21):
        candidate = mix(colour, target, step / 20)
        if contrast(candidate, against) >= wanted:
            return candidate
    return QColor(target)


# The text-on-background pairs of a palette that must read as text.
TEXT_PAIRS = (
    (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
    (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
    (QPalette.ColorRole.Text, QPalette.ColorRole.AlternateBase),
    (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
    (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
    (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base),
    (QPalette.ColorRole.ToolTipText, QPalette.ColorRole.ToolTipBase),
)


def harden(palette: QPalette) -> QPalette:
    """A copy of ``palette`` whose text pairs all reach 4.5:1 (active and inactive)."""
    out = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for fg_role, bg_role in TEXT_PAIRS:
            fg, bg = out.color(group, fg_role), out.color(group, bg_role)
            if contrast(fg, bg) >= TEXT_CONTRAST:
                continue
            if fg_role == QPalette.ColorRole.HighlightedText:
                # Keep the selection's text; deepen (or lighten) the selection instead.
                target = QColor("white") if is_dark(fg) else QColor("black")
                out.setColor(group, bg_role, _towards(bg, target, fg, TEXT_CONTRAST))
            else:
                target = QColor("white") if is_dark(bg) else QColor("black")
                out.setColor(group, fg_role, _towards(fg, target, bg, TEXT_CONTRAST))
    return out


def focus_colour(palette: QPalette) -> QColor:
    """The focus ring: the selection colour if it stands out from the window by 3:1, else
    the window's text colour (which always does)."""
    window = palette.color(QPalette.ColorRole.Window)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    if contrast(highlight, window) >= MARKER_CONTRAST and contrast(
            highlight, palette.color(QPalette.ColorRole.Base)) >= MARKER_CONTRAST:
        return highlight
    return palette.color(QPalette.ColorRole.WindowText)

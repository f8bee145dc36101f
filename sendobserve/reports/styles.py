"""Fonts, paragraph styles, page templates and metadata shared by every report.

ReportLab is imported inside the functions: importing ``sendobserve.reports`` must
stay cheap (ReportLab costs ~0.4 s), because the app loads it at start-up.

The shipped DejaVu fonts are embedded (subset) in every PDF: ReportLab's built-in
fonts stop at Latin-1, and names such as "Łucja Żak" must print exactly.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sendobserve.model import vocabulary
from sendobserve.model.domain import MarkState
from sendobserve.model.vocabulary import day_text, month_word
from sendobserve.paths import resource_path

SANS = "SO-Sans"
SANS_BOLD = "SO-Sans-Bold"
SERIF = "SO-Serif"
SERIF_BOLD = "SO-Serif-Bold"
SERIF_ITALIC = "SO-Serif-Italic"

_FONT_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SERIF: "DejaVuSerif.ttf",
    SERIF_BOLD: "DejaVuSerif-Bold.ttf",
    SERIF_ITALIC: "DejaVuSerif-Italic.ttf",
}

# Colours as hex: a restrained ink blue for text and rules, a warm bronze accent.
INK = "#1d2b3a"
ACCENT = "#8a6a2f"
MUTED = "#5b6672"
RULE = "#c9ced4"
SHADE = "#f1f3f5"
GAP = "#fbe9e7"

# Author and creator are the application, never a person: metadata must carry no
# personal data (names live only in the page content and the signature).
PDF_AUTHOR = "sendobserve"
PDF_CREATOR = "sendobserve"

_font_lock = threading.Lock()
_fonts_registered = False


class ReportCancelled(Exception):
    """Raised inside a long build when the caller asked to stop; nothing is returned."""


ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


# Marks print as a glyph *and* a word, so they read in greyscale and to a screen reader
# (both from ``model.vocabulary``).
MARK_GLYPHS: dict[MarkState, tuple[str, str]] = {
    state: (vocabulary.MARK_GLYPHS[state], vocabulary.MARK_WORDS[state]) for state in MarkState
}
mark_label = vocabulary.mark_label


def mark_glyph(state: MarkState | None) -> str:
    return "" if state is None else MARK_GLYPHS[state][0]


def register_fonts() -> None:
    """Register the embedded TrueType fonts once per process (thread-safe)."""
    global _fonts_registered
    if _fonts_registered:
        return
    with _font_lock:
        if _fonts_registered:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name, filename in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
        # <b> and <i> inside paragraphs map onto the files we ship.
        addMapping(SERIF, 0, 0, SERIF)
        addMapping(SERIF, 1, 0, SERIF_BOLD)
        addMapping(SERIF, 0, 1, SERIF_ITALIC)
        addMapping(SERIF, 1, 1, SERIF_BOLD)
        addMapping(SANS, 0, 0, SANS)
        addMapping(SANS, 1, 0, SANS_BOLD)
        addMapping(SANS, 0, 1, SANS)
        addMapping(SANS, 1, 1, SANS_BOLD)
        _fonts_registered = True


def unprintable(text: str, font: str = SERIF) -> list[str]:
    """Characters of ``text`` the embedded font has no glyph for (they would print blank).

    DejaVu covers Latin, Greek and Cyrillic scripts, not CJK: better to refuse a
    certificate than to print a name with holes in it.
    """
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    glyphs = pdfmetrics.getFont(font).face.charToGlyph
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in glyphs})


@dataclass(frozen=True)
class Styles:
    """The paragraph styles (ReportLab ``ParagraphStyle`` objects)."""

    body: Any
    body_serif: Any
    small: Any
    small_right: Any
    cell: Any
    cell_bold: Any
    cell_small: Any
    title: Any
    subtitle: Any
    h1: Any
    h2: Any
    h3: Any
    cert_kicker: Any
    cert_title: Any
    cert_subtitle: Any
    cert_lead: Any
    cert_name: Any
    cert_body: Any
    cert_heading: Any
    cert_item: Any
    cert_declaration: Any
    cert_small: Any
    note: Any
    form_title: Any


@functools.cache
def styles() -> Styles:
    """Build the styles once; every report shares them."""
    register_fonts()
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    ink = colors.HexColor(INK)
    accent = colors.HexColor(ACCENT)
    muted = colors.HexColor(MUTED)

    def ps(name: str, **kw: Any) -> Any:
        kw.setdefault("textColor", ink)
        return ParagraphStyle(name, **kw)

    body = ps("body", fontName=SANS, fontSize=9.5, leading=13, spaceAfter=4)
    return Styles(
        body=body,
        body_serif=ps("body_serif", fontName=SERIF, fontSize=10, leading=14, spaceAfter=5),
        small=ps("small", fontName=SANS, fontSize=7.5, leading=9.5, textColor=muted),
        small_right=ps(
            "small_right", fontName=SANS, fontSize=7.5, leading=9.5, textColor=muted,
            alignment=TA_RIGHT,
        ),
        cell=ps("cell", fontName=SANS, fontSize=8.5, leading=11),
        cell_bold=ps("cell_bold", fontName=SANS_BOLD, fontSize=8.5, leading=11),
        cell_small=ps("cell_small", fontName=SANS, fontSize=7.5, leading=9.5, textColor=muted),
        title=ps("title", fontName=SERIF, fontSize=24, leading=30, alignment=TA_CENTER,
                 spaceAfter=6),
        subtitle=ps("subtitle", fontName=SANS, fontSize=11, leading=15, alignment=TA_CENTER,
                    textColor=muted, spaceAfter=4),
        h1=ps("h1", fontName=SERIF_BOLD, fontSize=16, leading=20, spaceBefore=4, spaceAfter=8,
              keepWithNext=1),
        h2=ps("h2", fontName=SANS_BOLD, fontSize=11, leading=14, spaceBefore=10, spaceAfter=5,
              keepWithNext=1),
        h3=ps("h3", fontName=SANS_BOLD, fontSize=9.5, leading=12, spaceBefore=6, spaceAfter=3,
              textColor=muted, keepWithNext=1),
        cert_kicker=ps("cert_kicker", fontName=SANS_BOLD, fontSize=9, leading=12,
                       alignment=TA_CENTER, textColor=accent),
        cert_title=ps("cert_title", fontName=SERIF, fontSize=25, leading=30,
                      alignment=TA_CENTER, spaceBefore=2, spaceAfter=2),
        cert_subtitle=ps("cert_subtitle", fontName=SERIF_ITALIC, fontSize=11.5, leading=15,
                         alignment=TA_CENTER, textColor=muted),
        cert_lead=ps("cert_lead", fontName=SERIF, fontSize=10.5, leading=14,
                     alignment=TA_CENTER),
        cert_name=ps("cert_name", fontName=SERIF_BOLD, fontSize=20, leading=25,
                     alignment=TA_CENTER, spaceBefore=3, spaceAfter=3),
        cert_body=ps("cert_body", fontName=SERIF, fontSize=9.5, leading=13,
                     alignment=TA_LEFT),
        cert_heading=ps("cert_heading", fontName=SANS_BOLD, fontSize=8.5, leading=11,
                        textColor=accent, spaceBefore=8, spaceAfter=2.5),
        cert_item=ps("cert_item", fontName=SERIF, fontSize=9.5, leading=12.5),
        cert_declaration=ps("cert_declaration", fontName=SERIF_ITALIC, fontSize=10.5,
                            leading=14.5, alignment=TA_CENTER),
        cert_small=ps("cert_small", fontName=SANS, fontSize=7, leading=9, textColor=muted,
                      alignment=TA_CENTER),
        form_title=ps("form_title", fontName=SANS_BOLD, fontSize=8.5, leading=11,
                      alignment=TA_CENTER),
        note=ps("note", fontName=SERIF_ITALIC, fontSize=8.5, leading=11, textColor=muted),
    )


def esc(text: str) -> str:
    """Escape user text for ReportLab's paragraph mark-up (names may hold '&' or '<')."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fmt_date(d: Any) -> str:
    """'22 November 2026': unambiguous on both sides of the Atlantic."""
    return day_text(d, long=True)


def fmt_short_date(d: Any) -> str:
    """'17 Sep 2026': for table cells, where the long month would wrap."""
    return day_text(d)


def fmt_date_range(start: Any, end: Any) -> str:
    """'16–20 September 2024', '30 September – 2 October 2024', or one date."""
    if start == end:
        return fmt_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}\u2013{fmt_date(end)}"
    if start.year == end.year:
        return f"{start.day} {month_word(start, long=True)} \u2013 {fmt_date(end)}"
    return f"{fmt_date(start)} \u2013 {fmt_date(end)}"


fmt_hours = vocabulary.fmt_hours
ordinal = vocabulary.ordinal


FooterFn = Callable[[Any, int, int], None]


def _numbered_canvas_class() -> Any:
    """A canvas that knows the page count when it draws each footer ("Page 2 of 5")."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, footer: FooterFn, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._footer = footer
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                self._footer(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


@functools.cache
def _canvas_class() -> Any:
    return _numbered_canvas_class()


def standard_footer(left: str) -> FooterFn:
    """Footer for working documents: a left caption and "Page n of N" on the right."""

    def draw(canvas: Any, page: int, total: int) -> None:
        from reportlab.lib import colors

        width, _ = canvas._pagesize
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor(RULE))
        canvas.setLineWidth(0.5)
        canvas.line(18 * 2.835, 14 * 2.835, width - 18 * 2.835, 14 * 2.835)
        canvas.setFont(SANS, 7.5)
        canvas.setFillColor(colors.HexColor(MUTED))
        canvas.drawString(18 * 2.835, 10 * 2.835, left)
        canvas.drawRightString(width - 18 * 2.835, 10 * 2.835, f"Page {page} of {total}")
        canvas.restoreState()

    return draw


@dataclass(frozen=True)
class PdfMeta:
    """Document information: describes the kind of document, never the person."""

    title: str
    subject: str = "Professional Standards for Mediators Working With SEND"
    keywords: str = ""


def build_pdf(
    story: Sequence[Any],
    meta: PdfMeta,
    *,
    footer: FooterFn,
    landscape: bool = False,
    margins_mm: tuple[float, float, float, float] = (18, 18, 20, 20),  # left right top bottom
    on_page: Callable[[Any, Any], None] | None = None,
    after_flowable: Callable[[Any], None] | None = None,
) -> bytes:
    """Lay out ``story`` on A4 and return the PDF bytes."""
    register_fonts()
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as to_landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    pagesize = to_landscape(A4) if landscape else A4
    left, right, top, bottom = (m * mm for m in margins_mm)
    buf = io.BytesIO()

    class _Doc(BaseDocTemplate):  # type: ignore[misc]
        def afterFlowable(self, flowable: Any) -> None:
            if after_flowable is not None:
                after_flowable(flowable)

    doc = _Doc(
        buf,
        pagesize=pagesize,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=meta.title,
        author=PDF_AUTHOR,
        subject=meta.subject,
        creator=PDF_CREATOR,
        keywords=meta.keywords,
        lang="en-GB",
    )
    frame = Frame(left, bottom, pagesize[0] - left - right, pagesize[1] - top - bottom,
                  id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def page(canvas: Any, document: Any) -> None:
        if on_page is not None:
            on_page(canvas, document)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=page)])
    doc.build(list(story), canvasmaker=functools.partial(_canvas_class(), footer=footer))
    return buf.getvalue()

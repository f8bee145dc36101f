"""A filled Form 1, 2 or 3: the observer's record of one case, as it would be filed.

Criteria keep the source's order and sections; a parent with sub-items stays visible
as a heading with its sub-items indented under it (the ticking rule in
``forms.definition``). Marks print as glyph and word so they survive greyscale.
"""

from __future__ import annotations

import functools
from typing import Any

from sendobserve.model.domain import MarkState
from sendobserve.reports import styles as st
from sendobserve.reports.certificate import signature_cell
from sendobserve.reports.content import MarkRow, ObservationContent, SectionContent

MM = 72 / 25.4
WIDTH = 174 * MM  # A4 minus 18 mm margins

MARK_COLOURS: dict[MarkState, str] = {
    MarkState.DEMONSTRATED: "#1e6b3a",
    MarkState.DEVELOPMENT_NEEDED: "#9a5b00",
    MarkState.NOT_APPLICABLE: st.MUTED,
    MarkState.NOT_YET_SEEN: st.MUTED,
}

OBSERVATION_TITLE = "SEND mediation observation record"


def mark_markup(state: MarkState | None) -> str:
    if state is None:
        return ""
    glyph, word = st.MARK_GLYPHS[state]
    return f'<font color="{MARK_COLOURS[state]}">{glyph}</font> {word}'


def _header(c: ObservationContent) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = st.styles()
    left = [
        Paragraph(f"FORM {c.form_number}", s.cert_kicker),
        Paragraph(f"<b>{st.esc(c.form_title.upper())}</b>", s.form_title),
    ]

    def field(label: str, value: str) -> list[Any]:
        return [Paragraph(st.esc(label), s.cell_small),
                Paragraph(f"<b>{st.esc(value)}</b>", s.cell)]

    when = f"{st.fmt_date(c.observed_on)} · {st.ordinal(c.ordinal)} {c.ordinal_label}"
    observer = f"{c.observer_name} ({c.observer_role})" if c.observer_role else c.observer_name
    table = Table(
        [[left, field("Mediator", c.mediator_name), field(c.observer_label, observer),
          field("Date", when)],
         ["", field("Case reference", c.case_reference),
          field("Form version", c.form_version), field("Status", c.state)]],
        colWidths=[38 * MM, 43 * MM, 50 * MM, 43 * MM],
    )
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (0, 1)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 0), (0, 1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor(st.INK)),
                ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor(st.RULE)),
                ("BACKGROUND", (0, 0), (0, 1), colors.HexColor(st.SHADE)),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _row_cells(row: MarkRow) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = st.styles()
    text = st.esc(row.text)
    if row.mark is None and row.level == 0:
        criterion = Paragraph(f"<b>{text}</b>", s.cell)
    elif row.level > 0:
        criterion = Paragraph(f"\u2013 {text}", _indented())
    else:
        criterion = Paragraph(text, s.cell)
    return [
        criterion,
        Paragraph(mark_markup(row.mark), s.cell),
        Paragraph(st.esc(row.note), s.cell_small) if row.note else "",
    ]


@functools.cache
def _indented() -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle("cell_indent", parent=st.styles().cell, leftIndent=10)


def section_table(section: SectionContent) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = st.styles()
    rows: list[list[Any]] = [
        [Paragraph(f"<b>{st.esc(section.title)}</b>", s.cell), Paragraph("<b>Mark</b>", s.cell),
         Paragraph("<b>Note</b>", s.cell)]
    ]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(st.SHADE)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(st.INK)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(st.RULE)),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for i, row in enumerate(section.rows, start=1):
        rows.append(_row_cells(row))
        if row.mark is MarkState.DEVELOPMENT_NEEDED:
            commands.append(("BACKGROUND", (1, i), (1, i), colors.HexColor("#fdf3e1")))
        if row.mark is None and row.level == 0:
            commands.append(("LINEBELOW", (0, i), (-1, i), 0, colors.white))
    table = Table(rows, colWidths=[77 * MM, 41 * MM, 56 * MM], repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def observation_story(c: ObservationContent) -> list[Any]:
    """The flowables of one filled form; the portfolio reuses them."""
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    s = st.styles()
    story: list[Any] = [_header(c), Spacer(1, 8)]
    for section in c.sections:
        story += [section_table(section), Spacer(1, 8)]
    if c.debrief:
        parts: list[Any] = [Paragraph("De-brief notes", s.h2)]
        for line in c.debrief:
            parts += [Paragraph(st.esc(line.topic), s.h3),
                      Paragraph(st.esc(line.text).replace("\n", "<br/>"), s.body_serif)]
        story += parts
    if c.amendments:
        story.append(Paragraph("Amendments after finalising", s.h2))
        for a in c.amendments:
            story.append(Paragraph(
                f"<b>{st.fmt_date(a.amended_on)}</b>, {st.esc(a.amended_by)}: "
                f"{st.esc(a.reason)}", s.body))
            for change in a.changes:
                story.append(Paragraph(f"\u2013 {st.esc(change)}", s.cell_small))
    if c.signature is not None:
        story.append(KeepTogether([
            Spacer(1, 10),
            Paragraph("Signed by the observer", s.h3),
            *signature_cell(c.signature, c.signature.role or c.observer_role),
        ]))
    else:
        story.append(Paragraph("Not signed: this record is a draft.", s.note))
    return story


def observation_pdf(c: ObservationContent) -> bytes:
    footer = st.standard_footer(
        f"Form {c.form_number} — {c.form_title} · {c.state} · form version {c.form_version}"
    )
    return st.build_pdf(
        observation_story(c),
        st.PdfMeta(title=f"{OBSERVATION_TITLE} (Form {c.form_number})"),
        footer=footer,
    )

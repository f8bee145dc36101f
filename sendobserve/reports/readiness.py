"""The readiness report: requirements with their numbers, the criteria matrix, what is left.

The matrix puts each form's criteria down the side and the observations made on that
form across the top; a criterion counts over the whole period (the Standards: not
every criterion in every case), so the last column says whether it has been
demonstrated at least once. Many observations turn the page to landscape.
"""

from __future__ import annotations

from typing import Any

from sendobserve.model.domain import MarkState
from sendobserve.model.vocabulary import month_word
from sendobserve.reports import styles as st
from sendobserve.reports.content import MatrixGroup, ReadinessContent
from sendobserve.reports.observation import MARK_COLOURS

MM = 72 / 25.4
PORTRAIT_MAX_COLUMNS = 6
READINESS_TITLE = "SEND mediator readiness for accreditation"


def _short_date(d: Any) -> str:
    """'3 Feb': fits a matrix column; the full date is in the column key below."""
    return f"{d.day} {month_word(d)}"


def is_landscape(content: ReadinessContent) -> bool:
    return max((len(g.columns) for g in content.groups), default=0) > PORTRAIT_MAX_COLUMNS


def _status_markup(met: bool, status: str) -> str:
    colour = "#1e6b3a" if met else "#a12a1c"
    glyph = "\u2713" if met else "\u2717"
    return f'<font color="{colour}">{glyph}</font> <b>{st.esc(status)}</b>'


def _requirements_table(c: ReadinessContent, width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = st.styles()
    rows: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", s.cell) for h in
                              ("Requirement", "Required", "Recorded", "Status", "Detail")]]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(st.SHADE)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(st.INK)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(st.RULE)),
    ]
    for i, r in enumerate(c.requirements, start=1):
        rows.append([
            Paragraph(st.esc(r.label), s.cell),
            Paragraph(st.esc(r.required), s.cell),
            Paragraph(st.esc(r.recorded), s.cell),
            Paragraph(_status_markup(r.met, r.status), s.cell),
            Paragraph(st.esc(r.detail), s.cell_small),
        ])
        if not r.met:
            commands.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor(st.GAP)))
    widths = [49 * MM, 18 * MM, 22 * MM, 27 * MM]
    table = Table(rows, colWidths=[*widths, width - sum(widths)],
                  repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _matrix(group: MatrixGroup, width: float) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = st.styles()
    centre = ParagraphStyle("matrix_centre", parent=s.cell, alignment=TA_CENTER)
    centre_small = ParagraphStyle("matrix_centre_small", parent=s.cell_small,
                                  alignment=TA_CENTER)
    n = len(group.columns)
    overall_w = 24 * MM
    cell_w = 14 * MM
    text_w = width - overall_w - n * cell_w
    header: list[Any] = [Paragraph(f"<b>{st.esc(group.title)}</b>", s.cell)]
    for col in group.columns:
        header.append([Paragraph(f"<b>{st.esc(col.label)}</b>", centre),
                       Paragraph(_short_date(col.observed_on), centre_small)])
    header.append(Paragraph("<b>Over the period</b>", centre))
    rows: list[list[Any]] = [header]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(st.SHADE)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(st.INK)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(st.RULE)),
        ("LINEBEFORE", (-1, 0), (-1, -1), 0.5, colors.HexColor(st.RULE)),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    indented = ParagraphStyle("matrix_indent", parent=s.cell, leftIndent=10)
    for i, row in enumerate(group.rows, start=1):
        if row.heading:
            rows.append([Paragraph(f"<b>{st.esc(row.text)}</b>", s.cell)] + [""] * (n + 1))
            continue
        text = (Paragraph(f"\u2013 {st.esc(row.text)}", indented) if row.level
                else Paragraph(st.esc(row.text), s.cell))
        cells: list[Any] = [text]
        for mark in row.cells:
            cells.append(Paragraph(_cell_markup(mark), centre))
        if row.demonstrated:
            cells.append(Paragraph('<font color="#1e6b3a">\u2713</font> Shown', centre))
        else:
            cells.append(Paragraph("<b>Gap</b>", centre))
            commands.append(("BACKGROUND", (-1, i), (-1, i), colors.HexColor(st.GAP)))
        rows.append(cells)
    table = Table(rows, colWidths=[text_w] + [cell_w] * n + [overall_w], repeatRows=1)
    table.setStyle(TableStyle(commands))
    key = "; ".join(
        f"{col.label}: {st.fmt_date(col.observed_on)}"
        + (f", case {col.case_reference}" if col.case_reference else "")
        + f", {col.observer}"
        for col in group.columns
    )
    out: list[Any] = [table]
    if key:
        out.append(Paragraph(f"Columns — {st.esc(key)}.", s.cell_small))
    return out


def _cell_markup(mark: MarkState | None) -> str:
    if mark is None:
        return ""
    return f'<font color="{MARK_COLOURS[mark]}">{st.MARK_GLYPHS[mark][0]}</font>'


LEGEND = (
    "\u2713 Demonstrated · \u25b3 Development needed · \u2013 Not applicable · "
    "\u25cb Not yet seen · blank: not marked in that observation"
)


def readiness_story(c: ReadinessContent, *, width: float, with_title: bool = True) -> list[Any]:
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    s = st.styles()
    story: list[Any] = []
    if with_title:
        story += [
            Paragraph("Readiness for accreditation", s.h1),
            Paragraph(f"<b>{st.esc(c.mediator_name)}</b> · as of {st.fmt_date(c.as_of)}",
                      s.body),
        ]
    verdict = (
        "All requirements are met: Form 4 may be issued."
        if c.ready
        else "Not yet ready: the requirements marked below are still open."
    )
    story += [
        Paragraph(_status_markup(c.ready, verdict), s.body),
        Paragraph("Requirements", s.h2),
        _requirements_table(c, width),
        Paragraph("What is still needed", s.h2),
    ]
    if c.still_needed:
        story += [Paragraph(f"• {st.esc(item)}", s.body) for item in c.still_needed]
    else:
        story.append(Paragraph("Nothing: every requirement and criterion is met.", s.body))
    if c.discretions:
        story.append(Paragraph("Discretions recorded (§1.3)", s.h2))
        for d in c.discretions:
            story.append(Paragraph(
                f"• <b>{st.esc(d.requirement)}</b>: {st.esc(d.reason)} — decided by "
                f"{st.esc(d.decided_by)} ({st.esc(d.role)}), {st.fmt_date(d.decided_on)}",
                s.body))
    # Keep the heading and legend with the first matrix rather than alone at a page foot.
    story += [CondPageBreak(70 * MM),
              Paragraph("Skills and knowledge across the observations", s.h2),
              Paragraph(st.esc(LEGEND), s.cell_small), Spacer(1, 4)]
    for i, group in enumerate(c.groups):
        if i:
            story.append(CondPageBreak(45 * MM))
        story += [*_matrix(group, width), Spacer(1, 10)]
    return story


def readiness_pdf(c: ReadinessContent) -> bytes:
    landscape = is_landscape(c)
    width = (297 - 36) * MM if landscape else (210 - 36) * MM
    return st.build_pdf(
        readiness_story(c, width=width),
        st.PdfMeta(title=READINESS_TITLE),
        footer=st.standard_footer(f"Readiness report · as of {st.fmt_date(c.as_of)}"),
        landscape=landscape,
    )

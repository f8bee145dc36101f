"""The portfolio a sole provider submits to the assessor panel (§1.3).

Cover, contents, training, case log with hours, reflection, every observation,
readiness, discretions and declarations. It can run to dozens of pages, so it
reports progress and can be cancelled: ``progress(done, total)`` is called as pages
are laid out, and ``cancelled()`` returning True stops the build with
``ReportCancelled`` (the UI runs it in a worker thread).

Contents page numbers are drawn when the document is saved, once every page is laid
out, so the portfolio is built in a single pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sendobserve.reports import styles as st
from sendobserve.reports.certificate import signature_cell
from sendobserve.reports.content import (
    CaseLine,
    DiscretionLine,
    EvidenceLine,
    PortfolioContent,
    ReflectionLine,
    TrainingLine,
)
from sendobserve.reports.observation import observation_story
from sendobserve.reports.readiness import readiness_story
from sendobserve.reports.styles import CancelCheck, ProgressCallback, ReportCancelled

MM = 72 / 25.4
WIDTH = (210 - 36) * MM
PORTFOLIO_TITLE = "SEND mediator practice portfolio"

__all__ = ["PORTFOLIO_TITLE", "ReportCancelled", "portfolio_pdf"]


@dataclass
class _PageBook:
    """Where each section landed, and where the contents wants its page numbers."""

    anchors: dict[str, int] = field(default_factory=dict)
    refs: list[tuple[int, str, float, float]] = field(default_factory=list)


def _flowable_classes(book: _PageBook) -> tuple[Any, Any]:
    from reportlab.platypus import Flowable

    class Anchor(Flowable):  # type: ignore[misc]
        """Zero-size marker: records the page a section starts on."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key
            self.width = self.height = 0

        def draw(self) -> None:
            book.anchors.setdefault(self.key, self.canv.getPageNumber())

    class PageRef(Flowable):  # type: ignore[misc]
        """Space for a page number, filled in at save time."""

        def __init__(self, key: str, width: float, height: float) -> None:
            super().__init__()
            self.key = key
            self.width = width
            self.height = height

        def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            x, y = self.canv.absolutePosition(self.width, 0)
            book.refs.append((self.canv.getPageNumber(), self.key, x, y))

    return Anchor, PageRef


def _cover(c: PortfolioContent) -> list[Any]:
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    s = st.styles()
    return [
        Spacer(1, 70 * MM),
        Paragraph("PORTFOLIO OF SUPPORTED PRACTICE", s.cert_kicker),
        Spacer(1, 6),
        Paragraph("SEND Mediator Accreditation", s.cert_title),
        Paragraph("Special Educational Needs and Disability", s.cert_subtitle),
        Spacer(1, 28),
        Paragraph(st.esc(c.mediator_name), s.cert_name),
        Spacer(1, 10),
        Paragraph(f"Prepared on {st.fmt_date(c.prepared_on)}", s.cert_lead),
        Paragraph(f"Verified by {st.esc(c.verified_by)}", s.cert_lead),
        *([Paragraph(st.esc(c.organisation), s.cert_lead)] if c.organisation else []),
        Spacer(1, 40),
        Paragraph(
            "Submitted under the Professional Standards for Mediators Working With SEND "
            "(College of Mediators and Civil Mediation Council), §1.3.",
            s.cert_small,
        ),
        PageBreak(),
    ]


def _table(rows: list[list[Any]], widths: Sequence[float], total_row: bool = False) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(st.SHADE)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(st.INK)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(st.RULE)),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
    ]
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor(st.INK)))
    table = Table(rows, colWidths=list(widths), repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _head(*labels: str) -> list[Any]:
    from reportlab.platypus import Paragraph

    return [Paragraph(f"<b>{st.esc(label)}</b>", st.styles().cell) for label in labels]


def _training(lines: Sequence[TrainingLine]) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = st.styles()
    if not lines:
        return [Paragraph("No training recorded.", s.body)]
    rows: list[list[Any]] = [_head("Training", "Provider", "Dates", "Recognised by", "Hours")]
    for t in lines:
        rows.append([
            Paragraph(st.esc(t.title), s.cell),
            Paragraph(st.esc(t.provider), s.cell),
            Paragraph(st.fmt_date_range(t.start_date, t.end_date), s.cell),
            Paragraph(st.esc(t.recognised_by or "—"), s.cell),
            Paragraph(st.fmt_hours(t.hours), s.cell),
        ])
    total = sum((t.hours for t in lines), start=Decimal(0))
    rows.append([Paragraph("<b>Total</b>", s.cell), "", "", "",
                 Paragraph(f"<b>{st.fmt_hours(total)}</b>", s.cell)])
    return [_table(rows, [46 * MM, 40 * MM, 36 * MM, 36 * MM, 16 * MM], total_row=True)]


def _cases(lines: Sequence[CaseLine]) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = st.styles()
    if not lines:
        return [Paragraph("No cases recorded.", s.body)]
    rows: list[list[Any]] = [_head("Date", "Case reference, local authority", "Kind", "Role",
                                   "Observed by", "Hours")]
    for c in lines:
        where = f"<br/>{st.esc(c.local_authority)}" if c.local_authority else ""
        rows.append([
            Paragraph(st.fmt_date(c.case_date), s.cell),
            Paragraph(st.esc(c.reference) + where, s.cell),
            Paragraph(st.esc(c.kind), s.cell),
            Paragraph(st.esc(c.role), s.cell),
            Paragraph(st.esc(", ".join(c.observed_by) or "—"), s.cell),
            Paragraph(st.fmt_hours(c.casework_hours), s.cell),
        ])
    total = sum((c.casework_hours for c in lines), start=Decimal(0))
    rows.append([Paragraph(f"<b>{len(lines)} cases</b>", s.cell), "", "", "", "",
                 Paragraph(f"<b>{st.fmt_hours(total)}</b>", s.cell)])
    return [_table(rows, [26 * MM, 28 * MM, 22 * MM, 26 * MM, 56 * MM, 16 * MM],
                   total_row=True)]


def _reflections(lines: Sequence[ReflectionLine]) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = st.styles()
    if not lines:
        return [Paragraph("No reflection recorded.", s.body)]
    rows: list[list[Any]] = [_head("Date", "With", "Summary", "Hours")]
    for r in lines:
        rows.append([
            Paragraph(st.fmt_date(r.reflected_on), s.cell),
            Paragraph(st.esc(r.with_whom), s.cell),
            Paragraph(st.esc(r.summary), s.cell),
            Paragraph(st.fmt_hours(r.hours), s.cell),
        ])
    total = sum((r.hours for r in lines), start=Decimal(0))
    rows.append([Paragraph("<b>Total</b>", s.cell), "", "",
                 Paragraph(f"<b>{st.fmt_hours(total)}</b>", s.cell)])
    return [_table(rows, [26 * MM, 34 * MM, 98 * MM, 16 * MM], total_row=True)]


def _discretions(lines: Sequence[DiscretionLine]) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = st.styles()
    if not lines:
        return [Paragraph("No discretion was exercised: every requirement is met as written.",
                          s.body)]
    out: list[Any] = []
    for d in lines:
        out += [
            Paragraph(st.esc(d.requirement), s.h3),
            Paragraph(st.esc(d.reason), s.body_serif),
            Paragraph(f"Decided by {st.esc(d.decided_by)} ({st.esc(d.role)}) on "
                      f"{st.fmt_date(d.decided_on)}.", s.cell_small),
        ]
    return out


def _evidence(lines: Sequence[EvidenceLine]) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = st.styles()
    intro = Paragraph(
        "Certificates, course outlines and other documents attached to the training, CPD "
        "and case entries (§1.1). They are kept in the mediator's encrypted record, not "
        "printed here; the SHA-256 of each identifies the exact file.", s.body)
    if not lines:
        return [intro, Paragraph("No evidence files are attached.", s.body)]
    rows: list[list[Any]] = [_head("Document", "Attached to", "Type and size", "SHA-256")]
    for e in lines:
        rows.append([
            Paragraph(f"{st.esc(e.kind)}<br/>{st.esc(e.name)}", s.cell),
            Paragraph(st.esc(e.attached_to), s.cell),
            Paragraph(f"{st.esc(e.file_type)}, {st.esc(e.size)}", s.cell),
            Paragraph(f"<font size=6.5>{e.sha256[:32]}<br/>{e.sha256[32:]}</font>", s.cell),
        ])
    return [intro, _table(rows, [50 * MM, 52 * MM, 26 * MM, 46 * MM])]


def portfolio_pdf(
    content: PortfolioContent,
    *,
    progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
) -> bytes:
    """Build the portfolio; raises ``ReportCancelled`` if ``cancelled()`` turns True."""
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

    def check() -> None:
        if cancelled is not None and cancelled():
            raise ReportCancelled("the portfolio was cancelled; no file was written")

    check()
    s = st.styles()
    c = content
    book = _PageBook()
    Anchor, PageRef = _flowable_classes(book)
    n_obs = len(c.observations)

    sections: list[tuple[str, str, list[Any]]] = [
        ("training", "1. Training", _training(c.training)),
        ("cases", "2. Case log", _cases(c.cases)),
        ("reflection", "3. Reflection on practice", _reflections(c.reflections)),
    ]
    obs_entries: list[tuple[str, str]] = []
    obs_story: list[Any] = [PageBreak(), Anchor("observations"),
                            Paragraph("4. Observations", s.h1)]
    for i, o in enumerate(c.observations, start=1):
        check()
        key = f"obs{i}"
        label = (f"Form {o.form_number} — {o.form_title}, {st.ordinal(o.ordinal)} "
                 f"{o.ordinal_label.lower()}, {st.fmt_date(o.observed_on)}")
        obs_entries.append((key, label))
        if i > 1:
            obs_story.append(PageBreak())
        obs_story += [Anchor(key),
                      Paragraph(f"4.{i} {st.esc(label)}", s.h2),
                      *observation_story(o)]
    if not c.observations:
        obs_story.append(Paragraph("No observations recorded.", s.body))

    contents_rows: list[list[Any]] = []

    def entry(key: str, text: str, level: int) -> None:
        style = s.cell if level else s.cell_bold
        indent = "&nbsp;" * 6 * level
        contents_rows.append([Paragraph(f"{indent}{st.esc(text)}", style),
                              PageRef(key, 14 * MM, 9)])

    for key, title, _ in sections:
        entry(key, title, 0)
    entry("observations", f"4. Observations ({n_obs})", 0)
    for i, (key, label) in enumerate(obs_entries, start=1):
        entry(key, f"4.{i} {label}", 1)
    for key, title in (("readiness", "5. Readiness for accreditation"),
                       ("discretions", "6. Discretions"), ("declarations", "7. Declarations"),
                       ("evidence", f"8. Evidence files ({len(c.evidence)})")):
        entry(key, title, 0)
    contents = Table(contents_rows, colWidths=[WIDTH - 14 * MM, 14 * MM])
    contents.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                  ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                  ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))

    story: list[Any] = [*_cover(c), Paragraph("Contents", s.h1), contents, PageBreak()]
    for key, title, body in sections:
        story += [Anchor(key), Paragraph(title, s.h1), *body, Spacer(1, 12)]
    story += obs_story
    story += [PageBreak(), Anchor("readiness"), Paragraph("5. Readiness for accreditation", s.h1),
              *readiness_story(c.readiness, width=WIDTH, with_title=False)]
    story += [Spacer(1, 12), Anchor("discretions"), Paragraph("6. Discretions", s.h1),
              *_discretions(c.discretions)]
    story += [PageBreak(), Anchor("declarations"), Paragraph("7. Declarations", s.h1)]
    for d in c.declarations:
        story.append(KeepTogether([
            Paragraph(st.esc(d.title), s.h2),
            Paragraph(st.esc(d.text), s.body_serif),
            Spacer(1, 4),
            *signature_cell(d.signature, d.signature.role),
            Spacer(1, 12),
        ]))
    if not c.declarations:
        story.append(Paragraph("No declarations recorded.", s.body))
    story += [Spacer(1, 12), Anchor("evidence"),
              Paragraph(f"8. Evidence files ({len(c.evidence)})", s.h1), *_evidence(c.evidence)]

    # Progress counts top-level story items; parts of a split table or a KeepTogether
    # are not in the map and simply let the next known item move the bar on.
    total = len(story)
    position = {id(f): i for i, f in enumerate(story)}
    done = 0

    def after(flowable: Any) -> None:
        nonlocal done
        check()
        i = position.get(id(flowable))
        if i is not None and i + 1 > done:
            done = i + 1
            if progress is not None:
                progress(min(done, total - 1), total)

    base_footer = st.standard_footer(f"Practice portfolio · prepared {st.fmt_date(c.prepared_on)}")

    def footer(canvas: Any, page: int, pages: int) -> None:
        if page > 1:  # the cover carries no footer
            base_footer(canvas, page, pages)
        canvas.saveState()
        canvas.setFont(st.SANS, 8.5)
        for ref_page, key, x, y in book.refs:
            if ref_page == page and key in book.anchors:
                canvas.drawRightString(x, y + 2, str(book.anchors[key]))
        canvas.restoreState()

    pdf = st.build_pdf(
        story,
        st.PdfMeta(title=PORTFOLIO_TITLE),
        footer=footer,
        after_flowable=after,
    )
    check()
    if progress is not None:
        progress(total, total)
    return pdf

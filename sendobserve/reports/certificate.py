"""Form 4 (accredited mediator) and Form 5 (passported) certificates.

Laid out to be framed: a double rule border, a serif title, the facts in a calm
column, the declaration, and the two drawn signatures above their lines. Serial
number and verification code sit in the footer of every page; the band beside them
is left free for the visible digital signature that ``signing.sign_pdf`` adds.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from sendobserve.reports import styles as st
from sendobserve.reports.content import (
    CASEWORK_MIN_HOURS,
    FOUNDATION_MIN_HOURS,
    REFLECTION_MIN_HOURS,
    SEND_TRAINING_MIN_HOURS,
    CaseLine,
    CertificateIdentity,
    DiscretionLine,
    Form4Content,
    Form5Content,
    SignatureBlock,
    TrainingLine,
)

MM = 72 / 25.4
BORDER_OUTER_MM = 9.0
BORDER_INNER_MM = 11.5
# Where the visible PAdES signature goes on the last page (A4 portrait, points).
SEAL_BOX: tuple[float, float, float, float] = (
    121 * MM,
    16.5 * MM,
    (210 - 19) * MM,
    30.5 * MM,
)

FORM4_TITLE = "SEND mediator accreditation certificate (Form 4)"
FORM5_TITLE = "SEND mediator accreditation certificate, passported (Form 5)"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis so that it fits ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _certificate_artwork(identity: CertificateIdentity, organisation: str) -> tuple[Any, Any]:
    """The page artwork (border, ornaments) and the footer with serial and page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4

    width, height = A4
    ink = colors.HexColor(st.INK)
    accent = colors.HexColor(st.ACCENT)

    def on_page(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        o = BORDER_OUTER_MM * MM
        i = BORDER_INNER_MM * MM
        canvas.setStrokeColor(ink)
        canvas.setLineWidth(1.8)
        canvas.rect(o, o, width - 2 * o, height - 2 * o)
        canvas.setStrokeColor(accent)
        canvas.setLineWidth(0.6)
        canvas.rect(i, i, width - 2 * i, height - 2 * i)
        # Small diamonds at the inner corners: ornament without fuss.
        canvas.setFillColor(accent)
        for cx, cy in ((i, i), (width - i, i), (i, height - i), (width - i, height - i)):
            path = canvas.beginPath()
            r = 2.2
            path.moveTo(cx, cy - r)
            path.lineTo(cx + r, cy)
            path.lineTo(cx, cy + r)
            path.lineTo(cx - r, cy)
            path.close()
            canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()

    def footer(canvas: Any, page: int, total: int) -> None:
        canvas.saveState()
        x = 19 * MM
        canvas.setFillColor(colors.HexColor(st.MUTED))
        if organisation:
            canvas.setFont(st.SANS, 7.5)
            canvas.drawString(x, 28 * MM, _fit(organisation, st.SANS, 7.5, 95 * MM))
        canvas.setFont(st.SANS, 7.5)
        canvas.drawString(x, 24 * MM, "Certificate no.")
        canvas.drawString(x, 20 * MM, "Verification code")
        canvas.setFillColor(ink)
        canvas.setFont(st.SANS_BOLD, 8.5)
        canvas.drawString(x + 26 * MM, 24 * MM, identity.serial)
        canvas.drawString(x + 26 * MM, 20 * MM, identity.verification_code)
        canvas.setFillColor(colors.HexColor(st.MUTED))
        canvas.setFont(st.SANS, 7)
        canvas.drawString(x, 16 * MM, f"Page {page} of {total}")
        canvas.restoreState()

    return on_page, footer


def signature_cell(block: SignatureBlock, caption: str) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image, Paragraph, Spacer, Table, TableStyle

    s = st.styles()
    box_w, box_h = 62 * MM, 14 * MM
    if block.drawing_png:
        try:
            reader = ImageReader(io.BytesIO(block.drawing_png))
            iw, ih = reader.getSize()
        except Exception as exc:  # Pillow raises many kinds for bad bytes
            raise ValueError(f"the drawn signature of {block.name} is not a readable PNG") from exc
        scale = min(box_w / iw, box_h / ih)
        drawing: Any = Image(io.BytesIO(block.drawing_png), width=iw * scale, height=ih * scale)
        drawing.hAlign = "LEFT"
    else:
        drawing = Spacer(box_w, box_h)
    holder = Table([[drawing]], colWidths=[box_w + 4], rowHeights=[box_h + 2], hAlign="LEFT")
    holder.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LINEBELOW", (0, 0), (-1, -1), 0.7, colors.HexColor(st.INK)),
            ]
        )
    )
    when = f" · {st.fmt_date(block.signed_on)}" if block.signed_on else ""
    return [
        holder,
        Spacer(1, 2),
        Paragraph(f"<b>{st.esc(block.name)}</b>", s.cert_item),
        Paragraph(f"{st.esc(caption)}{when}", s.small),
    ]


def _signatures(signer: SignatureBlock, signer_caption: str, mediator: SignatureBlock) -> Any:
    from reportlab.platypus import Table, TableStyle

    table = Table(
        [[signature_cell(signer, signer_caption), signature_cell(mediator, "Mediator")]],
        colWidths=[86 * MM, 86 * MM],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _header_table(mediator: str, signer: str, issued: str) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = st.styles()

    def cell(label: str, value: str) -> list[Any]:
        return [Paragraph(label, s.small), Paragraph(f"<b>{st.esc(value)}</b>", s.cert_item)]

    table = Table(
        [[cell("Mediator", mediator), cell("PPC / Manager / Mentor", signer),
          cell("Date", issued)]],
        colWidths=[66 * MM, 66 * MM, 40 * MM],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.HexColor(st.RULE)),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.HexColor(st.RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _ornament() -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import HRFlowable

    return HRFlowable(width=28 * MM, thickness=0.8, color=colors.HexColor(st.ACCENT),
                      spaceBefore=4, spaceAfter=6, hAlign="CENTER")


def _title_block(number: int, passported: bool) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = st.styles()
    parts: list[Any] = [
        Paragraph(f"FORM {number}", s.cert_kicker),
        Paragraph("ACCREDITED MEDIATOR", s.cert_title),
    ]
    if passported:
        parts.append(Paragraph("(Passported)", s.cert_lead))
    parts += [Paragraph("Special Educational Needs and Disability", s.cert_subtitle), _ornament()]
    return parts


def _training_lines(lines: Sequence[TrainingLine], minimum: Any, with_hours: bool) -> list[Any]:
    from reportlab.platypus import Paragraph

    s = st.styles()
    if not lines:
        return [Paragraph("Not recorded.", s.cert_item)]
    out: list[Any] = []
    for t in lines:
        when = st.fmt_date_range(t.start_date, t.end_date)
        hours = f" · <b>{st.fmt_hours(t.hours)} hours</b>" if with_hours else ""
        body = f" (recognised by {st.esc(t.recognised_by)})" if t.recognised_by else ""
        out.append(
            Paragraph(
                f"Date of training: {when} · Training provider: {st.esc(t.provider)}{body}{hours}",
                s.cert_item,
            )
        )
    if with_hours and len(lines) > 1:
        total = sum((t.hours for t in lines), start=type(minimum)(0))
        out.append(Paragraph(f"Total: <b>{st.fmt_hours(total)} hours</b>", s.cert_item))
    return out


def _case_table(cases: Sequence[CaseLine]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = st.styles()
    head = [Paragraph(f"<b>{h}</b>", s.cell) for h in
            ("Date", "Case reference", "Role", "Observed by", "Hours")]
    rows: list[list[Any]] = [head]
    for c in cases:
        rows.append(
            [
                Paragraph(st.fmt_short_date(c.case_date), s.cell),
                Paragraph(st.esc(c.reference), s.cell),
                Paragraph(st.esc(c.role), s.cell),
                Paragraph(st.esc(", ".join(c.observed_by) or "—"), s.cell),
                Paragraph(st.fmt_hours(c.casework_hours), s.cell),
            ]
        )
    table = Table(rows, colWidths=[24 * MM, 32 * MM, 26 * MM, 76 * MM, 14 * MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor(st.INK)),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor(st.RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("ALIGN", (4, 0), (4, -1), "RIGHT"),
            ]
        )
    )
    return table


def _discretion_box(discretions: Sequence[DiscretionLine]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = st.styles()
    paragraphs = ", ".join(dict.fromkeys(d.paragraph for d in discretions))
    cells: list[Any] = [
        Paragraph(
            f"DISCRETION EXERCISED ({st.esc(paragraphs)} OF THE STANDARDS) "
            f'<font name="{st.SERIF_ITALIC}" color="{st.MUTED}" size="9">· requirements met '
            "by a recorded, reasoned discretion, agreed by each party the Standards name"
            "</font>",
            s.cert_heading,
        ),
    ]
    for d in discretions:
        agreed = d.parties or f"{d.decided_by}, {d.role}"
        cells.append(
            Paragraph(
                f"• <b>{st.esc(d.requirement)}</b> ({st.esc(d.paragraph)}): {st.esc(d.reason)} "
                f"<i>(agreed by {st.esc(agreed)}, {st.fmt_date(d.decided_on)})</i>",
                s.cert_item,
            )
        )
    box = Table([[cells]], colWidths=[172 * MM])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor(st.ACCENT)),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def _check_names(*names: str) -> None:
    for name in names:
        missing = st.unprintable(name, st.SERIF_BOLD)
        if missing:
            raise ValueError(
                f"the name {name!r} has characters the certificate font cannot print: "
                + " ".join(missing)
            )


def _build(
    story: list[Any], identity: CertificateIdentity, organisation: str, title: str
) -> bytes:
    on_page, footer = _certificate_artwork(identity, organisation)
    return st.build_pdf(
        story,
        st.PdfMeta(title=title, keywords="SEND mediation, accreditation, certificate"),
        footer=footer,
        on_page=on_page,
        margins_mm=(19, 19, 16, 33),
    )


def _signer_caption(block: SignatureBlock) -> str:
    return block.role or "PPC / Manager / Mentor"


def form4_pdf(content: Form4Content) -> bytes:
    """Form 4: all training and practice requirements met (or met by recorded discretion)."""
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    s = st.styles()
    c = content
    _check_names(c.mediator_name, c.signer.name)
    name = st.esc(c.mediator_name)
    active = (c.active_cases if c.active_cases is not None
              else sum(1 for case in c.cases if case.role != "Observing"))
    story: list[Any] = [
        *_title_block(4, passported=False),
        _header_table(c.mediator_name, c.signer.name, st.fmt_date(c.issued_on)),
        Spacer(1, 7),
        Paragraph("This is to certify that", s.cert_lead),
        Paragraph(name, s.cert_name),
        Paragraph(
            "has completed the training and professional practice requirements "
            "for accreditation as a SEND mediator.",
            s.cert_lead,
        ),
        Spacer(1, 4),
        Paragraph(
            f"FOUNDATION TRAINING IN MEDIATION (MINIMUM {st.fmt_hours(FOUNDATION_MIN_HOURS)} "
            "HOURS)",
            s.cert_heading,
        ),
        *_training_lines(c.foundation, FOUNDATION_MIN_HOURS, with_hours=True),
        Paragraph(
            "SPECIALISED TRAINING IN SEND MEDIATION (MINIMUM "
            f"{st.fmt_hours(SEND_TRAINING_MIN_HOURS)} HOURS)",
            s.cert_heading,
        ),
        *_training_lines(c.send_training, SEND_TRAINING_MIN_HOURS, with_hours=True),
        Paragraph(
            f"PROFESSIONAL PRACTICE (MINIMUM {st.fmt_hours(CASEWORK_MIN_HOURS)} HOURS CASEWORK, "
            f"{st.fmt_hours(REFLECTION_MIN_HOURS)} HOURS REFLECTION, 3 CASES)",
            s.cert_heading,
        ),
        Paragraph(
            f"Casework: <b>{st.fmt_hours(c.casework_hours)} hours</b> · Reflection: "
            f"<b>{st.fmt_hours(c.reflection_hours)} hours</b> · Cases taken an active part "
            f"in: <b>{active}</b>",
            s.cert_item,
        ),
        Spacer(1, 3),
        _case_table(c.cases),
        Spacer(1, 3),
    ]
    if c.final_case is not None:
        observers = ", ".join(c.final_case.observed_by) or "—"
        story.append(
            Paragraph(
                f"Final case led by {name} on {st.fmt_date(c.final_case.case_date)} "
                f"(case {st.esc(c.final_case.reference)}), observed by "
                f"<b>{st.esc(observers)}</b>.",
                s.cert_item,
            )
        )
    else:
        story.append(Paragraph("No final case led by the mediator is recorded.", s.cert_item))
    story += [
        Paragraph("SKILLS AND KNOWLEDGE", s.cert_heading),
        Paragraph(st.esc(c.criteria_statement), s.cert_item),
    ]
    if c.discretions:
        story += [Spacer(1, 7), _discretion_box(c.discretions)]
    if c.edition:
        story.append(Paragraph(f"Judged under the {st.esc(c.edition)}.", s.cert_item))
    story += [
        KeepTogether(
            [
                _ornament(),
                Paragraph(
                    f"I, {st.esc(c.signer.name)}, confirm that {name} has met the standards of "
                    "the College of Mediators and the Civil Mediation Council to be "
                    "accredited as an SEND Mediator.",
                    s.cert_declaration,
                ),
                Spacer(1, 3),
                Paragraph("<b>Signed:</b>", s.cert_item),
                _signatures(c.signer, _signer_caption(c.signer), c.mediator),
            ]
        ),
    ]
    return _build(story, c.identity, c.organisation, FORM4_TITLE)


def form5_pdf(content: Form5Content) -> bytes:
    """Form 5 as the Standards print it (Appendix A), for a passported mediator (§1.6)."""
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    s = st.styles()
    c = content
    _check_names(c.mediator_name, c.signer.name)
    name = st.esc(c.mediator_name)
    story: list[Any] = [
        *_title_block(5, passported=True),
        _header_table(c.mediator_name, c.signer.name, st.fmt_date(c.issued_on)),
        Spacer(1, 12),
        Paragraph("This is to certify that", s.cert_lead),
        Paragraph(name, s.cert_name),
        Paragraph(
            "has been successfully working as an SEND Mediator to a high standard since "
            f"<b>{st.fmt_date(c.practice_since)}</b>. As such they are among a small number of "
            "practitioners who pioneered mediation in this context and whose work pre-dates "
            "specialised training in this area.",
            s.cert_lead,
        ),
        Spacer(1, 10),
        Paragraph(f"{name} meets the following criteria for passported mediators:",
                  s.cert_body),
        Paragraph(
            f"FOUNDATION TRAINING IN MEDIATION (MINIMUM {st.fmt_hours(FOUNDATION_MIN_HOURS)} "
            "HOURS)",
            s.cert_heading,
        ),
        Paragraph("They have attended a foundation training in basic mediation skills.",
                  s.cert_item),
        *_training_lines(c.foundation, FOUNDATION_MIN_HOURS, with_hours=False),
        Paragraph("SPECIALISED TRAINING IN SEND MEDIATION (IF APPLICABLE)", s.cert_heading),
        *(
            _training_lines(c.send_training, SEND_TRAINING_MIN_HOURS, with_hours=False)
            if c.send_training
            else [Paragraph("Not applicable.", s.cert_item)]
        ),
        Paragraph("CASEWORK", s.cert_heading),
        Paragraph(
            f"They have worked as lead SEND mediator since <b>{st.fmt_date(c.lead_since)}</b> "
            "and maintain a caseload of 3 cases per year minimum.",
            s.cert_item,
        ),
        Paragraph("CONTINUING PROFESSIONAL DEVELOPMENT", s.cert_heading),
        Paragraph(
            "They undertake relevant CPD on an annual basis."
            + (f" {st.esc(c.cpd_note)}" if c.cpd_note else ""),
            s.cert_item,
        ),
        *([Paragraph("PASSPORTING ROUTE (§1.6)", s.cert_heading),
           Paragraph(st.esc(c.route_note), s.cert_item)] if c.route_note else []),
        *([Spacer(1, 7), _discretion_box(c.discretions)] if c.discretions else []),
        *([Paragraph(f"Judged under the {st.esc(c.edition)}.", s.cert_item)]
          if c.edition else []),
        Spacer(1, 14),
        KeepTogether(
            [
                _ornament(),
                Paragraph(
                    f"I, {st.esc(c.signer.name)}, confirm that {name} has achieved and "
                    "maintains a high standard of practice and meets the necessary standards "
                    "of the College of Mediators and the Civil Mediation Council to be "
                    "accredited as an SEND Mediator.",
                    s.cert_declaration,
                ),
                Spacer(1, 10),
                Paragraph("<b>Signed:</b>", s.cert_item),
                _signatures(c.signer, _signer_caption(c.signer), c.mediator),
            ]
        ),
    ]
    return _build(story, c.identity, c.organisation, FORM5_TITLE)

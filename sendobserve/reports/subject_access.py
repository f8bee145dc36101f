"""The subject-access report: everything the store holds about one person, readable.

Input is what ``storage.erasure.subject_access`` returns (table → rows of plain values);
each table becomes a titled section, each row a small two-column table of field and value,
so nothing is cut off however wide a row is, ending with the row's source (which
installation signed it, which file brought it and when it was imported). Binary values
(drawn signatures) appear as their size, as in the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sendobserve.reports import styles as st

TITLE = "Subject access: the records held about one person"

# What each table holds, in words a person reading the report uses.
TABLE_TITLES = {
    "mediators": "The mediator",
    "observers": "As an observer, mentor or signer",
    "cases": "Cases",
    "observations": "Observations (Forms 1–3)",
    "marks": "Criteria marked in the observations",
    "mark_events": "History of each mark (undo and amendments)",
    "debrief_notes": "De-brief notes (Form 3)",
    "amendments": "Amendments to finalised observations",
    "amendment_changes": "What each amendment changed",
    "training": "Training",
    "reflections": "Reflection log",
    "cpd": "Continuing professional development",
    "contacts": "Mentoring and supervision",
    "discretions": "Discretions recorded",
    "certificates": "Certificates issued",
    "certificate_prints": "Each print of a certificate",
    "observation_conflicts": "Conflicting versions kept from imports",
    "evidence_files": "Evidence files (certificates, course outlines)",
}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict) and "bytes" in value:
        return (f"(binary, {value['bytes']} bytes: a drawn signature, or an attached file "
                "whose name and SHA-256 are listed beside it)")
    return str(value)


def subject_access_pdf(person: str, held: Mapping[str, Sequence[Mapping[str, Any]]], *,
                       made_on: date, sources: Sequence[str] = ()) -> bytes:
    st.register_fonts()
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from sendobserve.model.sources import SOURCE_KEY, describe

    s = st.styles()
    width = (210 - 36) * 72 / 25.4
    story: list[Any] = [
        Paragraph(st.esc(TITLE), s.title),
        Paragraph(st.esc(f"{person} · made on {st.fmt_date(made_on)}"), s.subtitle),
        Paragraph(
            "This report lists every record this installation's encrypted store holds about "
            "the person named above, table by table, with every field. Records that came "
            "from another installation say so in the sources below.", s.body),
        Spacer(1, 6),
    ]
    if sources:
        story.append(Paragraph("Where the records came from", s.h2))
        story += [Paragraph(st.esc(line), s.body) for line in sources]
        story.append(Spacer(1, 6))
    total = sum(len(rows) for rows in held.values())
    story.append(Paragraph(st.esc(f"{total} records in {len(held)} kinds."), s.body))
    order = list(TABLE_TITLES)
    for table, rows in sorted(held.items(),
                              key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])):
        story.append(Paragraph(st.esc(f"{TABLE_TITLES.get(table, table)} ({len(rows)})"), s.h2))
        for n, row in enumerate(rows, start=1):
            data = [[Paragraph(st.esc(k), s.cell_bold), Paragraph(st.esc(_value(v)), s.cell)]
                    for k, v in row.items() if k != SOURCE_KEY]
            if SOURCE_KEY in row:
                data.append([Paragraph("Source", s.cell_bold),
                             Paragraph(st.esc(describe(row[SOURCE_KEY])), s.cell)])
            grid = Table(data, colWidths=[width * 0.3, width * 0.7], hAlign="LEFT")
            grid.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B7C3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story += [Paragraph(st.esc(f"{n}."), s.cell_small), grid, Spacer(1, 4)]
    return st.build_pdf(
        story, st.PdfMeta(title=TITLE),
        footer=st.standard_footer(f"Subject access · {st.fmt_date(made_on)}"),
    )

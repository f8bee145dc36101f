"""Spot-check evidence packs (§1.4.2 ii) and the signed manifests that list them.

Plain inputs in, PDF bytes out, like the other reports. ``draw_sample`` is the
reproducible draw: the same population, size and seed give the same members, in the same
order, on any machine (Python's Mersenne Twister over the sorted ids).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sendobserve.reports import styles as st

EVIDENCE_TITLE = "Spot check: re-registration evidence"
MANIFEST_TITLE = "Spot check manifest"


def draw_sample(population: Sequence[uuid.UUID], size: int, seed: int) -> list[uuid.UUID]:
    """``size`` members drawn from ``population`` with ``seed`` (all of them if fewer)."""
    ordered = sorted(population, key=lambda u: u.hex)
    return random.Random(seed).sample(ordered, min(size, len(ordered)))


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceContent:
    mediator: str
    as_of: date
    window: str  # "2025-11-02 to 2026-11-01"
    met: bool
    requirements: tuple[tuple[str, str, str], ...]  # (requirement, status, detail)
    still_needed: tuple[str, ...]
    cpd: tuple[Row, ...]  # date, kind, hours, description
    cpd_total: Decimal
    cases: tuple[Row, ...]  # date, reference, role, hours
    contacts: tuple[Row, ...]  # date, kind, with whom
    certificates: tuple[Row, ...]  # form, serial, issued on, signer, verification code
    accredited_on: date | None
    passported: bool
    seed: int
    check_id: str


def _table(header: Sequence[str], rows: Sequence[Row], widths: Sequence[float],
           empty: str = "none recorded in the 12 months") -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = st.styles()
    data: list[list[Any]] = [[Paragraph(f"<b>{st.esc(h)}</b>", s.cell) for h in header]]
    for row in rows:
        data.append([Paragraph(st.esc(c), s.cell) for c in row.cells])
    if not rows:
        data.append([Paragraph(f"<i>{st.esc(empty)}</i>", s.cell)]
                    + [Paragraph("", s.cell)] * (len(header) - 1))
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(TableStyle([
        *([("SPAN", (0, 1), (-1, 1))] if not rows else []),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(st.SHADE)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(st.INK)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(st.RULE)),
    ]))
    return table


MM = 72 / 25.4
WIDTH = (210 - 36) * MM


def evidence_pack_pdf(c: EvidenceContent) -> bytes:
    """One member's pack: the re-registration check and its evidence, their certificates."""
    from reportlab.platypus import Paragraph, Spacer

    s = st.styles()
    stage = ("passported (Form 5)" if c.passported else "accredited (Form 4)") + (
        f" on {st.fmt_date(c.accredited_on)}" if c.accredited_on else "")
    verdict = ("Meets the annual re-registration requirements" if c.met
               else "Does NOT meet the annual re-registration requirements")
    story: list[Any] = [
        Paragraph(st.esc(EVIDENCE_TITLE), s.h1),
        Paragraph(f"<b>{st.esc(c.mediator)}</b> · {st.esc(stage)}", s.body),
        Paragraph(f"Spot check {st.esc(c.check_id)}, drawn with seed {c.seed}; evidence for "
                  f"the 12 months {st.esc(c.window)} (§1.4.3), as of "
                  f"{st.fmt_date(c.as_of)}.", s.body),
        Paragraph(f"<b>{st.esc(verdict)}</b>", s.body),
        Paragraph("Requirements", s.h2),
        _table(("Requirement", "Status", "Detail"),
               [Row(r) for r in c.requirements], (60 * MM, 25 * MM, WIDTH - 85 * MM)),
    ]
    if c.still_needed:
        story.append(Paragraph("Still needed", s.h3))
        story += [Paragraph("• " + st.esc(line), s.body) for line in c.still_needed]
    story += [
        Paragraph(f"CPD log ({st.fmt_hours(c.cpd_total)} in the 12 months)", s.h2),
        _table(("Date", "Kind", "Hours", "What"), c.cpd,
               (24 * MM, 30 * MM, 16 * MM, WIDTH - 70 * MM)),
        Paragraph("Cases", s.h2),
        _table(("Date", "Reference", "Role", "Hours"), c.cases,
               (24 * MM, 50 * MM, 40 * MM, WIDTH - 114 * MM)),
        Paragraph("Mentoring and supervision", s.h2),
        _table(("Date", "Kind", "With"), c.contacts, (24 * MM, 40 * MM, WIDTH - 64 * MM)),
        Paragraph("Certificates", s.h2),
        _table(("Form", "Serial", "Issued", "Signer", "Verification code"), c.certificates,
               (14 * MM, 34 * MM, 26 * MM, 50 * MM, WIDTH - 124 * MM),
               empty="no certificate issued from this store"),
        Spacer(1, 40 * MM),  # room for the visible signature
    ]
    return st.build_pdf(story, st.PdfMeta(title=EVIDENCE_TITLE),
                        footer=st.standard_footer(f"Spot check {c.check_id}"))


@dataclass(frozen=True)
class ManifestContent:
    title: str
    lines: tuple[str, ...]  # what the manifest says, one sentence each
    files: tuple[tuple[str, str], ...]  # (file name, SHA-256)
    json_name: str
    json_sha256: str


def manifest_pdf(c: ManifestContent) -> bytes:
    """The signed page that fixes the batch: what was drawn and every file's SHA-256."""
    from reportlab.platypus import Paragraph, Spacer

    s = st.styles()
    story: list[Any] = [Paragraph(st.esc(c.title), s.h1)]
    story += [Paragraph(st.esc(line), s.body) for line in c.lines]
    story.append(Paragraph("Files", s.h2))
    story.append(_table(("File", "SHA-256"), [Row((name, sha)) for name, sha in c.files],
                        (60 * MM, WIDTH - 60 * MM)))
    story.append(Paragraph(
        f"The machine-readable manifest {st.esc(c.json_name)} has SHA-256 "
        f"{st.esc(c.json_sha256)}. Check this page with 'sendobserve verify', each PDF "
        "likewise, and each file's SHA-256 against the list above.", s.body))
    story.append(Spacer(1, 40 * MM))
    return st.build_pdf(story, st.PdfMeta(title=c.title),
                        footer=st.standard_footer(c.title))

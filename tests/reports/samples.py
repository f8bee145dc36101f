"""Hand-made report input with the names that break naive fonts and encodings."""

from __future__ import annotations

import io
import math
from datetime import date, timedelta
from decimal import Decimal

from sendobserve.model.domain import MarkState
from sendobserve.reports.content import (
    AmendmentLine,
    CaseLine,
    CertificateIdentity,
    DebriefLine,
    DeclarationContent,
    DiscretionLine,
    Form4Content,
    Form5Content,
    MarkRow,
    MatrixColumn,
    MatrixGroup,
    MatrixRow,
    ObservationContent,
    PortfolioContent,
    ReadinessContent,
    ReflectionLine,
    RequirementLine,
    SectionContent,
    SignatureBlock,
    TrainingLine,
)

MEDIATOR = "Siobhán Ó Dálaigh"
SIGNER = "Łucja Żak"
OBSERVER = "Aoife O'Brien"


def drawn_signature(seed: int = 1, width: int = 420, height: int = 120) -> bytes:
    """A pen-like squiggle as PNG bytes with a transparent background."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    pen = ImageDraw.Draw(img)
    points = []
    for i in range(220):
        t = i / 219
        x = 15 + t * (width - 30)
        y = height / 2 + 30 * math.sin(t * (9 + seed) + seed) * math.exp(-t * 1.2)
        y += 12 * math.sin(t * 37 + seed * 2)
        points.append((x, y))
    pen.line(points, fill=(20, 30, 90, 255), width=4, joint="curve")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def cases() -> tuple[CaseLine, ...]:
    return (
        CaseLine("SEND-2026-014", date(2026, 2, 3), "Observing", (f"{SIGNER} (PPC)",),
                 Decimal("3.5")),
        CaseLine("SEND-2026-022", date(2026, 3, 10), "Co-mediating",
                 (f"{OBSERVER} (Co-mediator)", f"{SIGNER} (PPC)"), Decimal("4.25")),
        CaseLine("SEND-2026-031", date(2026, 4, 21), "Co-mediating",
                 (f"{OBSERVER} (Co-mediator)",), Decimal("2.25")),
        CaseLine("SEND-2026-040", date(2026, 6, 2), "Leading", (f"{SIGNER} (PPC)",),
                 Decimal("4")),
    )


def foundation() -> tuple[TrainingLine, ...]:
    return (TrainingLine("Foundation training in mediation", "Bridge Mediation Training",
                         date(2024, 9, 16), date(2024, 9, 20), Decimal("40"),
                         "Open College Network"),)


def send_training() -> tuple[TrainingLine, ...]:
    return (TrainingLine("SEND mediation: the four modules", "Kestrel Dispute Resolution",
                         date(2025, 11, 3), date(2025, 11, 5), Decimal("12.5"),
                         "College of Mediators"),)


def discretion() -> DiscretionLine:
    return DiscretionLine(
        "Three cases actively taken part in",
        SIGNER, "PPC",
        "The second co-mediated case closed early by agreement; the mediator's practice over "
        "the remaining cases was observed in full.",
        date(2026, 6, 10),
        "§1.3",
        f"{SIGNER} (PPC), assessor; Jo Rees for the provider; the mediator",
    )


def form4(discretions: bool = False, signatures: bool = True) -> Form4Content:
    cs = cases()
    return Form4Content(
        mediator_name=MEDIATOR,
        signer=SignatureBlock(SIGNER, "PPC", drawn_signature(1) if signatures else None,
                              date(2026, 6, 12)),
        mediator=SignatureBlock(MEDIATOR, "Mediator", drawn_signature(4) if signatures else None,
                                date(2026, 6, 12)),
        issued_on=date(2026, 6, 12),
        identity=CertificateIdentity("SO4-2026-000007", "7KQ2M-XW4PA"),
        foundation=foundation(),
        send_training=send_training(),
        casework_hours=Decimal("14.0"),
        reflection_hours=Decimal("2.5"),
        cases=cs,
        final_case=cs[-1],
        discretions=(discretion(),) if discretions else (),
        organisation="Kestrel Dispute Resolution · SEND Mediation Service",
    )


def form5() -> Form5Content:
    return Form5Content(
        mediator_name=MEDIATOR,
        signer=SignatureBlock(SIGNER, "Manager", drawn_signature(2), date(2026, 6, 12)),
        mediator=SignatureBlock(MEDIATOR, "Mediator", drawn_signature(5), date(2026, 6, 12)),
        issued_on=date(2026, 6, 12),
        identity=CertificateIdentity("SO5-2026-000003", "M3D9A-QX2LT"),
        practice_since=date(1994, 5, 1),
        lead_since=date(1998, 9, 1),
        foundation=(TrainingLine("Foundation", "Family Mediators Association",
                                 date(1993, 3, 1), date(1993, 3, 12), Decimal("60")),),
        send_training=(),
        cpd_note="24 hours of CPD recorded for 2025–26.",
        organisation="Kestrel Dispute Resolution · SEND Mediation Service",
    )


_F2_PM = [
    "Arrive punctually to prepare room", "Carry appropriate forms",
    "Conduct pre-meetings as required", "Establish arena (incl. ground rules)",
    "Manage introductions", "Clarify confidentiality",
    "Establish issues for each party and agree a mutual agenda",
    "Allow time for issues to be explored",
]
_F2_SK = [
    "Engage effectively with all parties", "Listen actively: reflect, summarise, show "
    "understanding, clarify", "Ensure all have opportunity to speak",
    "Ensure the views of the child or young person are considered and understood",
    "Facilitate constructive exchange", "Manage interruptions + high conflict",
    "Address power imbalance", "Reality test proposals", "Write clear SMART agreement",
]
_STATES = [MarkState.DEMONSTRATED, MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED,
           MarkState.DEMONSTRATED, MarkState.NOT_APPLICABLE, MarkState.NOT_YET_SEEN]


def observation(n: int = 1, form_number: int = 2) -> ObservationContent:
    pm = tuple(MarkRow(t, _STATES[(i + n) % len(_STATES)],
                       "Room set up 40 minutes early." if i == 0 else "")
               for i, t in enumerate(_F2_PM))
    sk: list[MarkRow] = [MarkRow(_F2_SK[0], MarkState.DEMONSTRATED)]
    sk.append(MarkRow("Create a safe environment:", None))
    for j, sub in enumerate(["Positive welcome", "Offer reassurance",
                             "Explain what will happen", "Show confidence"]):
        sk.append(MarkRow(sub, _STATES[(j + n) % 4], level=1))
    sk += [MarkRow(t, _STATES[(i + 2 * n) % len(_STATES)],
                   "Needs to slow down when summarising the local authority's position."
                   if i == 3 else "") for i, t in enumerate(_F2_SK[1:])]
    debrief = ()
    if form_number == 3:
        debrief = (
            DebriefLine("Key Strengths", "Calm, warm opening; parents said they felt heard."),
            DebriefLine("Key challenges and learning points",
                        "Keeping the school's SENCO in the room during the option stage."),
            DebriefLine("Plan for meeting learning needs",
                        "Read the SEND Code of Practice chapter 11 before the next case."),
        )
    return ObservationContent(
        form_number=form_number,
        form_title={1: "Pre-mediation", 2: "Mediation", 3: "Post-mediation"}[form_number],
        form_version="standards-2018",
        mediator_name=MEDIATOR,
        observer_name=OBSERVER,
        observer_role="Co-mediator",
        observed_on=date(2026, 3, 10) + timedelta(days=7 * n),
        ordinal=n,
        ordinal_label="Case" if form_number == 1 else "Observation",
        case_reference=f"SEND-2026-{20 + n:03d}",
        state="Finalised",
        sections=(SectionContent("Process Management", pm),
                  SectionContent("Skills and Knowledge", tuple(sk))),
        debrief=debrief,
        signature=SignatureBlock(OBSERVER, "Co-mediator", drawn_signature(3),
                                 date(2026, 3, 10) + timedelta(days=7 * n)),
        amendments=(AmendmentLine(date(2026, 3, 20), OBSERVER, "Ticked the wrong row.",
                                  ("Manage introductions: Not yet seen → Demonstrated",)),)
        if n == 2 else (),
    )


def readiness(columns: int = 3) -> ReadinessContent:
    groups = []
    for f, title in ((1, "Form 1 — Pre-mediation"), (2, "Form 2 — Mediation")):
        cols = tuple(MatrixColumn(f"{i + 1}", date(2026, 2, 3) + timedelta(days=30 * i),
                                  SIGNER if i % 2 else OBSERVER, f"SEND-2026-{14 + i:03d}")
                     for i in range(columns))
        rows: list[MatrixRow] = []
        for k, text in enumerate(_F2_SK if f == 2 else _F2_PM):
            cells = tuple(_STATES[(k + i) % len(_STATES)] if (k + i) % 5 else None
                          for i in range(columns))
            rows.append(MatrixRow(text, cells, MarkState.DEMONSTRATED in cells))
            if k == 0:
                rows.append(MatrixRow("Determine:", (None,) * columns, False, heading=True))
                rows.append(MatrixRow("information required from whom",
                                      (MarkState.DEMONSTRATED,) + (None,) * (columns - 1),
                                      True, level=1))
                rows.append(MatrixRow("who should attend the meeting", (None,) * columns,
                                      False, level=1))
        groups.append(MatrixGroup(title, cols, tuple(rows)))
    return ReadinessContent(
        mediator_name=MEDIATOR,
        as_of=date(2026, 6, 1),
        ready=False,
        requirements=(
            RequirementLine("Foundation training", "40 h", "40 h", "Met", True),
            RequirementLine("SEND training (recognised provider)", "12 h", "12.5 h", "Met",
                            True),
            RequirementLine("Casework", "12 h", "10.5 h", "Not met", False,
                            "1.5 hours still to log"),
            RequirementLine("Reflection", "2 h", "2.5 h", "Met", True),
            RequirementLine("Cases actively taken part in", "3", "3", "Met", True),
            RequirementLine("Final case led, observed with authority", "1", "0",
                            "Met by discretion", True, "see discretions"),
        ),
        groups=tuple(groups),
        still_needed=(
            "Log 1.5 more hours of casework.",
            "Form 1: “who should attend the meeting” not yet demonstrated.",
            "Form 2: “Address power imbalance” not yet demonstrated.",
        ),
        discretions=(discretion(),),
    )


def portfolio(n_observations: int = 6) -> PortfolioContent:
    obs = tuple(observation(i % 3 + 1, form_number=(i % 3) + 1) for i in range(n_observations))
    return PortfolioContent(
        mediator_name=MEDIATOR,
        prepared_on=date(2026, 6, 12),
        verified_by=f"{SIGNER} (PPC)",
        training=foundation() + send_training(),
        cases=cases(),
        reflections=(
            ReflectionLine(date(2026, 3, 12), Decimal("1.5"), SIGNER,
                           "Reflected on managing the local authority officer's interruptions."),
            ReflectionLine(date(2026, 6, 4), Decimal("1"), OBSERVER, "Debrief of the led case."),
        ),
        observations=obs,
        readiness=readiness(),
        discretions=(discretion(),),
        declarations=(
            DeclarationContent(
                "Declaration by the mediator",
                f"I, {MEDIATOR}, confirm that this portfolio is a true record of my training "
                "and supported practice.",
                SignatureBlock(MEDIATOR, "Mediator", drawn_signature(4), date(2026, 6, 12)),
            ),
            DeclarationContent(
                "Verification by the Professional Practice Consultant",
                f"I, {SIGNER}, have verified this portfolio against the observation records.",
                SignatureBlock(SIGNER, "PPC", drawn_signature(1), date(2026, 6, 12)),
            ),
        ),
        organisation="Sole provider",
    )

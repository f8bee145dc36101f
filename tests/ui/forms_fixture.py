"""Forms 2 and 3 of the Standards, built in Python for the UI tests.

Used until the YAML forms and ``FormRegistry`` are available to these tests; the
shape (sections, one heading with sub-items, de-brief topics) is what the UI depends on.
"""

from __future__ import annotations

import re

from sendobserve.forms.definition import (
    SECTION_TITLES,
    Criterion,
    FormDefinition,
    HeaderFields,
    Section,
    SectionKind,
    SubItem,
)

PM, SK, DB = (SectionKind.PROCESS_MANAGEMENT, SectionKind.SKILLS_AND_KNOWLEDGE,
              SectionKind.DEBRIEF_AND_SUPERVISION)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]


def _section(prefix: str, kind: SectionKind, rows: list[str | tuple[str, list[str]]],
             notes: bool = False) -> Section:
    short = {PM: "pm", SK: "sk", DB: "db"}[kind]
    crits = []
    for row in rows:
        text, subs = (row, []) if isinstance(row, str) else row
        cid = f"{prefix}.{short}.{_slug(text)}"
        crits.append(Criterion(
            id=cid, text=text, core=True, notes_prompt=notes,
            subitems=tuple(SubItem(f"{cid}.{_slug(s)}", s) for s in subs),
        ))
    return Section(kind, SECTION_TITLES[kind], tuple(crits))


def _header(ordinal: str) -> HeaderFields:
    return HeaderFields("Mediator", "Co-mediator / PPC / Manager / Mentor", "Date", ordinal)


FORM2 = FormDefinition(
    form_id="form2", number=2, title="Mediation", version="standards-2018", provider=None,
    based_on=None, header=_header("Observation"),
    sections=(
        _section("f2", PM, [
            "Arrive punctually to prepare room", "Carry appropriate forms",
            "Conduct pre-meetings as required", "Establish arena (incl. ground rules)",
            "Manage introductions", "Clarify confidentiality",
            "Establish issues for each party and agree a mutual agenda",
            "Allow time for issues to be explored",
            "Ensure a child or young person is supported + the mediation is accessible to them",
            "Assist in the identification and evaluation of potential options",
            "Build and secure agreement", "Manage time", "Offer breaks as appropriate",
            "Use separate meetings effectively", "Confirm outcome + next steps",
            "Issue of mediation certificate", "End mediation when necessary", "Close positively",
        ]),
        _section("f2", SK, [
            "Engage effectively with all parties",
            ("Create a safe environment:", ["Positive welcome", "Offer reassurance",
                                            "Explain what will happen", "Show confidence"]),
            "Listen actively: reflect, summarise, show understanding, clarify",
            "Ensure all have opportunity to speak",
            "Ensure the views of the child or young person are considered and understood",
            "Facilitate constructive exchange", "Build understanding",
            "Manage interruptions + high conflict", "Acknowledge emotion",
            "Address power imbalance", "Navigate through the process", "Maintain impartiality",
            "Challenge appropriately", "Reality test proposals",
            "Apply knowledge of SEND context", "Work within an ethical framework",
            "Agree confidentiality and how it is to be applied in this situation",
            "Write clear SMART agreement",
        ]),
    ),
)

FORM3 = FormDefinition(
    form_id="form3", number=3, title="Post-mediation", version="standards-2018", provider=None,
    based_on=None, header=_header("Observation"),
    sections=(
        _section("f3", PM, ["Send out final agreements or other paperwork",
                            "Complete case records", "Close file"]),
        _section("f3", SK, [
            "Communicate clearly with all parties and ensure the process is accessible",
            "Clear feedback to service", "Close case in a timely manner"]),
        _section("f3", DB, [
            "Key strengths", "Key breakthrough points", "Key challenges and learning points",
            "Discussion of outcome", ("Identification of", ["Skills gaps", "Knowledge gaps"]),
            "Plan for meeting learning needs"], notes=True),
    ),
)

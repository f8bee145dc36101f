"""The shipped Forms 1–3 against the Standards' own text (Appendix A, in tests/forms/data).

The source is parsed independently of the YAML; the only differences allowed are the
documented ones below, and each of them must be recorded in the form file's notes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sendobserve.forms.definition import FormDefinition, SectionKind
from sendobserve.forms.registry import FormRegistry

SOURCE = Path(__file__).parent / "data" / "appendix_a_forms_1_3.txt"

SECTION_BY_TITLE = {
    "Process Management": SectionKind.PROCESS_MANAGEMENT,
    "Skills and Knowledge": SectionKind.SKILLS_AND_KNOWLEDGE,
    "De-brief and Supervision": SectionKind.DEBRIEF_AND_SUPERVISION,
}

# The flattened PDF table ran two criteria together.
SPLITS: dict[tuple[str, str], tuple[str, ...]] = {
    ("form1", "Make initial contact with parties Identify issues for mediation"): (
        "Make initial contact with parties",
        "Identify issues for mediation",
    ),
}
# Obvious typos fixed, source text → shipped text.
FIXES: dict[tuple[str, str], str] = {
    ("form1", "Demonstrate impartial at all times"): "Demonstrate impartiality at all times",
    (
        "form2",
        "Ensure a child or young person is supported + the mediation is accessible to them.",
    ): "Ensure a child or young person is supported + the mediation is accessible to them",
}
HEADER_FIXES = {"Co-mediator / PPC /Manager/ Mentor": "Co-mediator / PPC / Manager / Mentor"}


def norm(text: str) -> str:
    text = re.sub(r"</?sup>", "", text)  # 1<sup>st</sup> is "1st"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@dataclass
class SourceCriterion:
    section: SectionKind
    text: str
    subitems: list[str] = field(default_factory=list)


@dataclass
class SourceForm:
    number: int
    title: str = ""
    header: list[str] = field(default_factory=list)
    repeated_headers: list[list[str]] = field(default_factory=list)  # a form over two pages
    criteria: list[SourceCriterion] = field(default_factory=list)


def parse_source() -> dict[str, SourceForm]:
    lines = [ln for ln in SOURCE.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    text = "\n".join(lines)
    forms: dict[str, SourceForm] = {}
    form: SourceForm | None = None
    section: SectionKind | None = None
    for match in re.finditer(r"<(p|li)\b[^>]*>(.*?)</\1>", text, flags=re.S):
        tag, inner = match.group(1), match.group(2)
        plain = norm(inner)
        if m := re.fullmatch(r"FORM (\d)", plain):
            form_id = f"form{m.group(1)}"
            if form_id in forms:
                forms[form_id].repeated_headers.append([])
            form = forms.setdefault(form_id, SourceForm(int(m.group(1))))
            section = None
            continue
        assert form is not None, f"text before any FORM heading: {plain!r}"
        if plain in SECTION_BY_TITLE:
            section = SECTION_BY_TITLE[plain]
        elif section is None:  # the header: title, Mediator, Co-mediator…, Date, ordinal
            if plain.isupper():
                assert form.title in ("", plain)
                form.title = plain
            elif form.repeated_headers:
                form.repeated_headers[-1].append(plain)
            else:
                form.header.append(plain)
        elif tag == "li":
            assert plain.startswith("- "), plain
            form.criteria[-1].subitems.append(plain[2:])
        else:
            form.criteria.append(SourceCriterion(section, plain))
    return forms


@pytest.fixture(scope="module")
def registry() -> FormRegistry:
    return FormRegistry.standard()


def expected_items(form_id: str, source: SourceForm) -> list[tuple[SectionKind, str, list[str]]]:
    out = []
    for crit in source.criteria:
        texts = SPLITS.get((form_id, crit.text), (FIXES.get((form_id, crit.text), crit.text),))
        for i, text in enumerate(texts):
            out.append((crit.section, text, crit.subitems if i == len(texts) - 1 else []))
    return out


def shipped_items(form: FormDefinition) -> list[tuple[SectionKind, str, list[str]]]:
    return [
        (section.kind, crit.text, [s.text for s in crit.subitems])
        for section in form.sections
        for crit in section.criteria
    ]


def test_the_source_parser_sees_the_traps() -> None:
    # Guards the parser itself: if it misread the source, the comparison would be hollow.
    source = parse_source()
    assert sorted(source) == ["form1", "form2", "form3"]
    subs = {
        (fid, c.text): c.subitems for fid, f in source.items() for c in f.criteria if c.subitems
    }
    assert subs == {
        ("form1", "Determine:"): [
            "information required from whom",
            "who should attend the meeting",
        ],
        ("form2", "Create a safe environment:"): [
            "Positive welcome",
            "Offer reassurance",
            "Explain what will happen",
            "Show confidence",
        ],
        ("form3", "Identification of"): ["Skills gaps", "Knowledge gaps"],
    }
    assert [len(source[f].criteria) for f in ("form1", "form2", "form3")] == [21, 36, 12]
    # Form 2 runs over two pages and repeats its header; it is one form.
    assert source["form2"].repeated_headers == [source["form2"].header]
    assert not source["form1"].repeated_headers and not source["form3"].repeated_headers


@pytest.mark.parametrize("form_id", ["form1", "form2", "form3"])
def test_every_criterion_and_sub_item_of_the_source_is_shipped_in_order(
    registry: FormRegistry, form_id: str
) -> None:
    source = parse_source()[form_id]
    shipped = registry.get(form_id, "standards-2018")
    assert shipped_items(shipped) == expected_items(form_id, source)


@pytest.mark.parametrize("form_id", ["form1", "form2", "form3"])
def test_header_title_and_number_match_the_source(registry: FormRegistry, form_id: str) -> None:
    source = parse_source()[form_id]
    form = registry.get(form_id, "standards-2018")
    assert form.number == source.number
    assert form.title.upper() == source.title
    header = " ".join(source.header)
    for fixed_from, fixed_to in HEADER_FIXES.items():
        header = header.replace(fixed_from, fixed_to)
    assert header.startswith(f"{form.header.mediator_label}: {form.header.observer_label}: ")
    assert f"{form.header.date_label}:" in header
    assert header.endswith(f"1st / 2nd / 3rd {form.header.ordinal_label}")
    assert form.header.ordinal_label == ("Case" if form_id == "form1" else "Observation")


@pytest.mark.parametrize(
    ("form_id", "source_text"),
    [*(k for k in SPLITS), *(k for k in FIXES), *(("form1", h) for h in HEADER_FIXES)],
)
def test_every_change_from_the_source_is_recorded_in_the_form_notes(
    registry: FormRegistry, form_id: str, source_text: str
) -> None:
    notes = " ".join(registry.get(form_id, "standards-2018").source_note.split())
    assert f'"{source_text}"' in notes


def test_source_spellings_that_are_not_typos_are_kept(registry: FormRegistry) -> None:
    texts = {c.text for f in registry for c in f.criteria()}
    assert "Ensure compliance with SENCOP timescales" in texts
    assert "Give information about SEND Tribunal + COP" in texts
    assert "Listen actively: reflect, summarise, show understanding, clarifying" in texts


# The ids are a contract with every observation ever stored: a rename must fail here.
PINNED_IDS = {
    "form1": [
        "f1.pm.initial_contact",
        "f1.pm.identify_issues",
        "f1.pm.screen_safety_suitability",
        "f1.pm.determine",
        "f1.pm.determine.information",
        "f1.pm.determine.attendance",
        "f1.pm.child_views",
        "f1.pm.child_participation",
        "f1.pm.informed_consent",
        "f1.pm.sencop_timescales",
        "f1.pm.organise_meeting",
        "f1.pm.send_accessible",
        "f1.pm.inform_participants",
        "f1.pm.sticking_points",
        "f1.pm.records",
        "f1.sk.engage",
        "f1.sk.trust_rapport",
        "f1.sk.listen_actively",
        "f1.sk.explain_mediation",
        "f1.sk.confidentiality",
        "f1.sk.impartiality",
        "f1.sk.challenge",
        "f1.sk.tribunal_cop_info",
        "f1.sk.signpost",
    ],
    "form2": [
        "f2.pm.arrive_punctually",
        "f2.pm.carry_forms",
        "f2.pm.pre_meetings",
        "f2.pm.establish_arena",
        "f2.pm.introductions",
        "f2.pm.clarify_confidentiality",
        "f2.pm.mutual_agenda",
        "f2.pm.explore_issues",
        "f2.pm.child_supported",
        "f2.pm.options",
        "f2.pm.secure_agreement",
        "f2.pm.manage_time",
        "f2.pm.breaks",
        "f2.pm.separate_meetings",
        "f2.pm.outcome_next_steps",
        "f2.pm.mediation_certificate",
        "f2.pm.end_mediation",
        "f2.pm.close_positively",
        "f2.sk.engage",
        "f2.sk.safe_environment",
        "f2.sk.safe_environment.welcome",
        "f2.sk.safe_environment.reassurance",
        "f2.sk.safe_environment.explain",
        "f2.sk.safe_environment.confidence",
        "f2.sk.listen_actively",
        "f2.sk.opportunity_to_speak",
        "f2.sk.child_views",
        "f2.sk.constructive_exchange",
        "f2.sk.build_understanding",
        "f2.sk.interruptions_conflict",
        "f2.sk.acknowledge_emotion",
        "f2.sk.power_imbalance",
        "f2.sk.navigate_process",
        "f2.sk.impartiality",
        "f2.sk.challenge",
        "f2.sk.reality_test",
        "f2.sk.send_context",
        "f2.sk.ethical_framework",
        "f2.sk.agree_confidentiality",
        "f2.sk.smart_agreement",
    ],
    "form3": [
        "f3.pm.final_paperwork",
        "f3.pm.case_records",
        "f3.pm.close_file",
        "f3.sk.communicate_accessibly",
        "f3.sk.feedback_to_service",
        "f3.sk.timely_closure",
        "f3.db.strengths",
        "f3.db.breakthroughs",
        "f3.db.challenges_learning",
        "f3.db.outcome",
        "f3.db.gaps",
        "f3.db.gaps.skills",
        "f3.db.gaps.knowledge",
        "f3.db.learning_plan",
    ],
}

# Non-core items a provider may drop; everything else is core. Pinned so that a change
# to what providers must keep is a deliberate edit here too.
PINNED_NOT_CORE = {
    "f1.pm.initial_contact", "f1.pm.identify_issues", "f1.pm.screen_safety_suitability",
    "f1.pm.determine", "f1.pm.informed_consent", "f1.pm.organise_meeting",
    "f1.pm.inform_participants", "f1.pm.sticking_points", "f1.pm.records",
    "f2.pm.arrive_punctually", "f2.pm.carry_forms", "f2.pm.pre_meetings",
    "f2.pm.establish_arena", "f2.pm.introductions", "f2.pm.clarify_confidentiality",
    "f2.pm.mutual_agenda", "f2.pm.explore_issues", "f2.pm.options", "f2.pm.secure_agreement",
    "f2.pm.manage_time", "f2.pm.breaks", "f2.pm.separate_meetings", "f2.pm.outcome_next_steps",
    "f2.pm.end_mediation", "f2.pm.close_positively",
    "f3.pm.final_paperwork", "f3.pm.case_records", "f3.pm.close_file",
    "f3.db.strengths", "f3.db.breakthroughs", "f3.db.challenges_learning", "f3.db.outcome",
}  # fmt: skip


def all_ids(form: FormDefinition) -> list[str]:
    return [i for c in form.criteria() for i in (c.id, *(s.id for s in c.subitems))]


@pytest.mark.parametrize("form_id", ["form1", "form2", "form3"])
def test_ids_are_pinned(registry: FormRegistry, form_id: str) -> None:
    assert all_ids(registry.get(form_id, "standards-2018")) == PINNED_IDS[form_id]


def test_ids_are_unique_across_all_standard_forms(registry: FormRegistry) -> None:
    ids = [i for form in registry for i in all_ids(form)]
    assert len(ids) == len(set(ids)) == 78


def test_core_decisions(registry: FormRegistry) -> None:
    not_core = {c.id for form in registry for c in form.criteria() if not c.core}
    assert not_core == PINNED_NOT_CORE
    for form in registry:
        for section in form.sections:
            if section.kind is SectionKind.SKILLS_AND_KNOWLEDGE:
                assert all(c.core for c in section.criteria), form.form_id
            if section.kind is not SectionKind.SKILLS_AND_KNOWLEDGE:
                # SEND-context process items are core: the child, SEND, SENCOP, certificate.
                for c in section.criteria:
                    send_context = re.search(r"child|SEND|SENCOP|certificate", c.text)
                    if section.kind is SectionKind.PROCESS_MANAGEMENT:
                        assert c.core == bool(send_context), c.id


def test_notes_prompt_is_exactly_form3_debrief(registry: FormRegistry) -> None:
    prompts = {
        c.id
        for form in registry
        for s in form.sections
        for c in s.criteria
        if c.notes_prompt
    }
    debrief = {
        c.id
        for s in registry.get("form3", "standards-2018").sections
        if s.kind is SectionKind.DEBRIEF_AND_SUPERVISION
        for c in s.criteria
    }
    assert prompts == debrief and len(debrief) == 6


@pytest.mark.parametrize(
    ("form_id", "criteria", "tick_items"), [("form1", 22, 23), ("form2", 36, 39), ("form3", 12, 13)]
)
def test_tick_item_counts(
    registry: FormRegistry, form_id: str, criteria: int, tick_items: int
) -> None:
    form = registry.get(form_id, "standards-2018")
    source = parse_source()[form_id]
    # Derived from the source independently: criteria (+1 per split), and each criterion
    # with sub-items replaced by its sub-items.
    splits = sum(len(v) - 1 for (f, _), v in SPLITS.items() if f == form_id)
    from_source = sum(len(c.subitems) or 1 for c in source.criteria) + splits
    items = list(form.tick_items())
    assert (sum(1 for _ in form.criteria()), len(items)) == (criteria, tick_items)
    assert len(items) == from_source
    parents = {t.criterion_id for t in items if t.parent_text is not None}
    assert all(t.id.startswith(t.criterion_id + ".") for t in items if t.criterion_id in parents)
    assert not any(t.id in parents for t in items), "a parent with sub-items is never ticked"

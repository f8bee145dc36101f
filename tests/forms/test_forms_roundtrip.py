"""dump_form and load_form_text are inverses, for the shipped forms and generated ones."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from sendobserve.forms.definition import (
    Criterion,
    FormDefinition,
    HeaderFields,
    Section,
    SectionKind,
    SubItem,
)
from sendobserve.forms.loader import SECTION_CODES, dump_form, load_form_text
from sendobserve.forms.registry import FormRegistry

# Letters with accents, quotes, YAML's special characters, and words YAML would
# otherwise read as booleans, numbers or null.
WORDS = st.one_of(
    st.text(
        alphabet=string.ascii_letters + string.digits + "éèçñøåÆŒ’'\"&*!|>%@`#:-?,[]{}+./\\",
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["yes", "No", "on", "null", "~", "true", "1", "0x1f", "1.5", "2024-01-31",
                     "- x", "#", ":", "&a", "*a", "!tag", "%", "@", "'", '"']),
)  # fmt: skip
TEXT = st.lists(WORDS, min_size=1, max_size=8).map(" ".join).filter(lambda t: t.split() != [])
TEXT = TEXT.map(lambda t: " ".join(t.split()))
NOTES = st.one_of(
    st.just(""),
    st.lists(TEXT, min_size=1, max_size=4).map("\n".join),
    st.lists(TEXT, min_size=1, max_size=4).map(lambda lines: "\n".join(lines) + "\n"),
)
SLUGS = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
VERSION = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,15}", fullmatch=True)


@st.composite
def definitions(draw: st.DrawFn) -> FormDefinition:
    number = draw(st.integers(min_value=1, max_value=12))
    kinds = draw(st.permutations(list(SectionKind)))[: draw(st.integers(1, 3))]
    sections = []
    for kind in kinds:
        prefix = f"f{number}.{SECTION_CODES[kind]}."
        slugs = draw(st.lists(SLUGS, min_size=1, max_size=5, unique=True))
        criteria = []
        for slug in slugs:
            sub_slugs = draw(st.lists(SLUGS, max_size=3, unique=True))
            criteria.append(
                Criterion(
                    id=prefix + slug,
                    text=draw(TEXT),
                    core=draw(st.booleans()),
                    subitems=tuple(SubItem(f"{prefix}{slug}.{s}", draw(TEXT)) for s in sub_slugs),
                    notes_prompt=draw(st.booleans()),
                )
            )
        sections.append(Section(kind=kind, title=draw(TEXT), criteria=tuple(criteria)))
    version = draw(VERSION)
    adapted = draw(st.booleans())
    based_on = draw(VERSION.filter(lambda v: v != version)) if adapted else None
    return FormDefinition(
        form_id=f"form{number}",
        number=number,
        title=draw(TEXT),
        version=version,
        provider=draw(TEXT) if adapted else None,
        based_on=based_on,
        header=HeaderFields(draw(TEXT), draw(TEXT), draw(TEXT), draw(TEXT)),
        sections=tuple(sections),
        source_note=draw(NOTES),
    )


@settings(max_examples=100, deadline=None)
@given(definitions())
def test_dump_then_load_gives_the_same_definition(form: FormDefinition) -> None:
    text = dump_form(form)
    again = load_form_text(text, "generated.yaml")
    assert again == form
    assert dump_form(again) == text


def test_the_shipped_forms_round_trip() -> None:
    for form in FormRegistry.standard():
        assert load_form_text(dump_form(form), "x.yaml") == form


def test_dump_is_readable() -> None:
    form = FormRegistry.standard().get("form3", "standards-2018")
    text = dump_form(form)
    assert text.startswith("form_id: form3\nnumber: 3\ntitle: Post-mediation\n")
    assert "notes: |\n  Source: Professional Standards" in text  # a block, not an escaped string
    assert "  - id: f3.db.gaps.skills\n" in text
    assert "notes_prompt: true" in text and "notes_prompt: false" not in text

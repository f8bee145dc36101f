"""Bad form files: every problem is reported with the file name and the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendobserve.errors import UserError
from sendobserve.forms.loader import FormFileError, load_form_file, load_form_text

NAME = "form2-acme.yaml"

# Line numbers are given in the comments; the cases below depend on them.
BASE = """\
form_id: form2
number: 2
title: Mediation
version: acme-2024
provider: Acme SEND Mediation
based_on: standards-2018
header:
  mediator: Mediator
  observer: Co-mediator / PPC / Manager / Mentor
  date: Date
  ordinal: Observation
sections:
  - kind: process_management
    criteria:
      - id: f2.pm.arrive
        text: Arrive punctually
        core: false
  - kind: skills_and_knowledge
    criteria:
      - id: f2.sk.safe
        text: "Create a safe environment:"
        core: true
        subitems:
          - id: f2.sk.safe.welcome
            text: Positive welcome
      - id: f2.sk.reality
        text: Reality test proposals
        core: true
"""
# line 13: "- kind: process_management", 15: "- id: f2.pm.arrive", 18: "- kind: skills…",
# 20: "- id: f2.sk.safe", 23: "subitems:", 24: "- id: f2.sk.safe.welcome", 26: "- id: f2.sk.reality"

# (name, replace this, with this, line of the expected problem, fragment of its message)
CASES: list[tuple[str, str, str, int | None, str]] = [
    ("criterion id used twice", "- id: f2.sk.reality", "- id: f2.sk.safe", 26,
     "criterion id 'f2.sk.safe' is used twice (first on line 20)"),
    ("unknown key, with a suggestion", "core: true\n        subitems",
     "cor: true\n        subitems", 22, "unknown key 'cor' in a criterion (did you mean 'core'?)"),
    ("missing core", "        core: false\n", "", 15, "a criterion is missing 'core'"),
    ("missing top-level key", "title: Mediation\n", "", 1, "the form is missing 'title'"),
    ("unknown top-level key", "title: Mediation\n", "title: Mediation\ncolour: blue\n", 4,
     "unknown key 'colour' in the form"),
    ("duplicate key", "title: Mediation\n", "title: Mediation\ntitle: Other\n", 4,
     "the form has the key 'title' twice"),
    ("number is text", "number: 2", "number: two", 2, "number must be a whole number"),
    ("number does not match form id", "number: 2", "number: 3", 2,
     "number 3 does not match form_id form2"),
    ("form id not formN", "form_id: form2", "form_id: mediation", 1,
     "form_id 'mediation' must be form1, form2"),
    ("version with spaces", "version: acme-2024", "version: Acme 2024", 4,
     "version 'Acme 2024' must be lower-case letters"),
    ("version is a number", "version: acme-2024", "version: 2024", 4,
     "version must be text, not the number 2024 (put it in quotes)"),
    ("provider without based_on", "based_on: standards-2018\n", "", 5,
     "a provider's form must say which version it is based_on"),
    ("based_on without provider", "provider: Acme SEND Mediation", "provider: null", 6,
     "based_on is set, so provider must name the provider"),
    ("based on itself", "based_on: standards-2018", "based_on: acme-2024", 6,
     "based_on is the form's own version"),
    ("unknown section kind", "kind: process_management", "kind: preparation", 13,
     "unknown section kind 'preparation'"),
    ("section twice", "kind: skills_and_knowledge", "kind: process_management", 18,
     "section 'process_management' appears twice (first on line 13)"),
    ("id of the wrong section", "- id: f2.pm.arrive", "- id: f2.sk.arrive", 15,
     "criterion id 'f2.sk.arrive' must start with 'f2.pm.'"),
    ("id of the wrong form", "- id: f2.pm.arrive", "- id: f3.pm.arrive", 15,
     "must start with 'f2.pm.'"),
    ("id not a slug", "- id: f2.pm.arrive", "- id: f2.pm.Arrive Punctually", 15,
     "criterion id 'f2.pm.Arrive Punctually' must look like f2.pm.some_name"),
    ("id is a number", "- id: f2.pm.arrive", "- id: 12", 15, "criterion id must be text"),
    ("sub-item id not under its criterion", "- id: f2.sk.safe.welcome",
     "- id: f2.sk.other.welcome", 24, "sub-item id 'f2.sk.other.welcome' must be its criterion"),
    ("sub-item id used twice", "            text: Positive welcome\n",
     "            text: Positive welcome\n          - id: f2.sk.safe.welcome\n"
     "            text: Again\n", 26, "sub-item id 'f2.sk.safe.welcome' is used twice"),
    ("core is not a boolean", "core: false", "core: sometimes", 17,
     "core of criterion f2.pm.arrive must be true or false, not the text 'sometimes'"),
    ("notes_prompt is not a boolean", "core: false\n", "core: false\n        notes_prompt: 1\n", 18,
     "notes_prompt of criterion f2.pm.arrive must be true or false, not the number 1"),
    ("empty text", "text: Arrive punctually", 'text: "  "', 16,
     "the text of criterion f2.pm.arrive is empty"),
    ("text is a list", "text: Arrive punctually", "text: [Arrive, punctually]", 16,
     "the text of criterion f2.pm.arrive must be text, not a list"),
    ("text is a yes/no", "text: Arrive punctually", "text: yes", 16,
     "must be text, not the yes/no value 'yes' (put it in quotes)"),
    ("empty criteria", "    criteria:\n      - id: f2.pm.arrive\n        text: Arrive punctually\n"
     "        core: false\n", "    criteria: []\n", 14,
     "the criteria of section process_management is an empty list"),
    ("empty subitems", "subitems:\n          - id: f2.sk.safe.welcome\n            text: Positive "
     "welcome\n", "subitems: []\n", 23, "the subitems of criterion f2.sk.safe is an empty list"),
    ("criteria not a list", "    criteria:\n      - id: f2.pm.arrive\n        text: Arrive "
     "punctually\n        core: false\n", "    criteria: Arrive punctually\n", 14,
     "must be a list"),
    ("header missing a label", "  ordinal: Observation\n", "", 8, "header is missing 'ordinal'"),
    ("header not a mapping", "header:\n  mediator: Mediator\n  observer: Co-mediator / PPC / "
     "Manager / Mentor\n  date: Date\n  ordinal: Observation\n", "header: Mediator\n", 7,
     "header must be a mapping"),
    ("sections not a list", "sections:\n  - kind: process_management",
     "sections: {}\nx:\n  - kind: process_management", 12, "sections must be a list"),
    ("YAML syntax error", "title: Mediation", "title: Mediation: extra", 3, "not valid YAML"),
    ("bad indentation", "  date: Date", " date: Date", 10, "not valid YAML"),
    ("python tag is not executed", "title: Mediation", "title: !!python/name:os.system ''", 3,
     "title must be text, not a value tagged !!python/name:os.system (form files allow no tags)"),
    ("unknown local tag", "title: Mediation", "title: !secret Mediation", 3,
     "title must be text, not a value tagged !secret (form files allow no tags)"),
    ("a date is not text", "title: Mediation", "title: 2024-01-31", 3,
     "title must be text, not the date 2024-01-31 (put it in quotes)"),
    ("empty value", "title: Mediation", "title:", 3, "title must be text, not empty"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_form_text_names_file_and_line(old: str, new: str, line: int, fragment: str) -> None:
    assert BASE.count(old) == 1, "the case must change exactly one place"
    text = BASE.replace(old, new)
    with pytest.raises(FormFileError) as info:
        load_form_text(text, NAME)
    exc = info.value
    assert isinstance(exc, UserError)
    found = [i for i in exc.issues if fragment in i.message]
    assert found, [i.format(NAME) for i in exc.issues]
    assert found[0].line == line, [i.format(NAME) for i in exc.issues]
    first = exc.issues[0]
    assert exc.message == f"{NAME}, line {first.line}: {first.message}"
    assert first.line == min(i.line or 0 for i in exc.issues)


def test_the_base_text_is_valid() -> None:
    form = load_form_text(BASE, NAME)
    ticks = [t.id for t in form.tick_items()]
    assert ticks == ["f2.pm.arrive", "f2.sk.safe.welcome", "f2.sk.reality"]
    assert form.sections[0].title == "Process Management"  # a section title defaults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"{NAME}: the file is empty"),
        ("# only a comment\n", f"{NAME}: the file is empty"),
        ("- a\n- b\n", f"{NAME}, line 1: the form must be a mapping"),
        ("just text\n", f"{NAME}, line 1: the form must be a mapping"),
        (BASE + "---\nform_id: form3\n", f"{NAME}, line 29: not valid YAML"),
        ("title: \x07bell\n", f"{NAME}: not valid YAML"),
    ],
)
def test_whole_file_problems(text: str, message: str) -> None:
    with pytest.raises(FormFileError) as info:
        load_form_text(text, NAME)
    assert info.value.message.startswith(message)


def test_all_problems_are_collected_and_the_hint_counts_the_rest() -> None:
    text = BASE.replace("core: false", "core: sometimes").replace("number: 2", "number: two")
    with pytest.raises(FormFileError) as info:
        load_form_text(text, NAME)
    assert [i.line for i in info.value.issues] == [2, 17]
    assert info.value.hint is not None and "1 more problem " in info.value.hint


def test_whitespace_in_texts_collapses_to_one_line() -> None:
    text = BASE.replace(
        "text: Reality test proposals", "text: >\n          Reality   test\n          proposals"
    )
    form = load_form_text(text, NAME)
    assert form.criterion("f2.sk.reality").text == "Reality test proposals"


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(FormFileError, match=r"^missing\.yaml: no such file$"):
        load_form_file(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(BASE.replace("Mediation\n", "M\xe9diation\n").encode("latin-1"))
    with pytest.raises(FormFileError, match=r"^latin\.yaml: is not UTF-8 text"):
        load_form_file(latin)
    bad = tmp_path / "form2-acme.yaml"
    bad.write_text(BASE.replace("- id: f2.sk.reality", "- id: f2.sk.safe"), encoding="utf-8")
    before = bad.read_bytes()
    with pytest.raises(FormFileError) as info:
        load_form_file(bad)
    assert info.value.message == (
        "form2-acme.yaml, line 26: criterion id 'f2.sk.safe' is used twice (first on line 20)"
    )
    assert bad.read_bytes() == before


def test_a_windows_file_with_bom_and_crlf_loads(tmp_path: Path) -> None:
    path = tmp_path / "form2-acme.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode("utf-8"))
    assert load_form_file(path) == load_form_text(BASE, NAME)
    path.write_bytes(b"\xef\xbb\xbf" + BASE.replace("- id: f2.sk.reality", "- id: f2.sk.safe")
                     .replace("\n", "\r\n").encode("utf-8"))  # fmt: skip
    with pytest.raises(FormFileError, match=r"^form2-acme\.yaml, line 26: criterion id"):
        load_form_file(path)

"""Versions and the adaptation rules: add, reword, reorder allowed; dropping core refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from sendobserve.errors import UserError
from sendobserve.forms.definition import Criterion, FormDefinition, Section, SectionKind, SubItem
from sendobserve.forms.loader import load_form_file
from sendobserve.forms.registry import (
    FormAdaptationError,
    FormRegistry,
    UnknownFormVersion,
    diff_forms,
)
from sendobserve.paths import resources_dir

FORMS_DIR = resources_dir() / "forms"
EXAMPLE = FORMS_DIR / "examples" / "form2-acme-2024.yaml"


@pytest.fixture
def registry() -> FormRegistry:
    return FormRegistry.standard()


def adapt(form: FormDefinition) -> FormDefinition:
    return replace(form, version="acme-2024", provider="Acme SEND Mediation",
                   based_on=form.version)  # fmt: skip


def edit_section(
    form: FormDefinition, kind: SectionKind, change: Callable[[list[Criterion]], list[Criterion]]
) -> FormDefinition:
    sections = tuple(
        replace(s, criteria=tuple(change(list(s.criteria)))) if s.kind is kind else s
        for s in form.sections
    )
    return replace(form, sections=sections)


def edit_criterion(
    form: FormDefinition, crit_id: str, change: Callable[[Criterion], Criterion]
) -> FormDefinition:
    sections = tuple(
        replace(s, criteria=tuple(change(c) if c.id == crit_id else c for c in s.criteria))
        for s in form.sections
    )
    return replace(form, sections=sections)


def drop(crit_id: str) -> Callable[[FormDefinition], FormDefinition]:
    def change(form: FormDefinition) -> FormDefinition:
        sections = tuple(
            replace(s, criteria=tuple(c for c in s.criteria if c.id != crit_id))
            for s in form.sections
        )
        return replace(form, sections=tuple(s for s in sections if s.criteria))

    return change


def drop_sub(sub_id: str) -> Callable[[FormDefinition], FormDefinition]:
    parent = sub_id.rsplit(".", 1)[0]
    return lambda f: edit_criterion(
        f, parent, lambda c: replace(c, subitems=tuple(s for s in c.subitems if s.id != sub_id))
    )


SK = SectionKind.SKILLS_AND_KNOWLEDGE
PM = SectionKind.PROCESS_MANAGEMENT


def move_to_pm(crit_id: str) -> Callable[[FormDefinition], FormDefinition]:
    def change(form: FormDefinition) -> FormDefinition:
        crit = form.criterion(crit_id)
        form = drop(crit_id)(form)
        return edit_section(form, PM, lambda cs: [*cs, crit])

    return change


# (name, form, change, problems expected: [] = allowed)
ALLOWED_AND_REFUSED: list[
    tuple[str, str, Callable[[FormDefinition], FormDefinition], list[str]]
] = [
    ("no change at all", "form2", lambda f: f, []),
    ("add a criterion", "form2",
     lambda f: edit_section(f, PM, lambda cs: [*cs, Criterion("f2.pm.interpreters",
                                                              "Book interpreters", False)]), []),
    ("add a core criterion", "form2",
     lambda f: edit_section(f, SK, lambda cs: [Criterion("f2.sk.new", "New", True), *cs]), []),
    ("reword a core criterion", "form2",
     lambda f: edit_criterion(f, "f2.sk.reality_test",
                              lambda c: replace(c, text="Reality test every proposal")), []),
    ("reword a sub-item", "form2",
     lambda f: edit_criterion(f, "f2.sk.safe_environment", lambda c: replace(
         c, subitems=(SubItem("f2.sk.safe_environment.welcome", "A warm welcome"),
                      *c.subitems[1:]))), []),
    ("reorder criteria", "form2", lambda f: edit_section(f, SK, lambda cs: cs[::-1]), []),
    ("reorder sections", "form3", lambda f: replace(f, sections=f.sections[::-1]), []),
    ("reorder sub-items", "form2",
     lambda f: edit_criterion(f, "f2.sk.safe_environment",
                              lambda c: replace(c, subitems=c.subitems[::-1])), []),
    ("add a sub-item to a core criterion", "form2",
     lambda f: edit_criterion(f, "f2.sk.safe_environment", lambda c: replace(
         c, subitems=(*c.subitems, SubItem("f2.sk.safe_environment.seating", "Seating"))
     )), []),
    ("drop a non-core criterion", "form2", drop("f2.pm.carry_forms"), []),
    ("drop a non-core sub-item", "form1", drop_sub("f1.pm.determine.attendance"), []),
    ("drop a non-core criterion with sub-items", "form1", drop("f1.pm.determine"), []),
    ("make a criterion core", "form2",
     lambda f: edit_criterion(f, "f2.pm.carry_forms", lambda c: replace(c, core=True)), []),
    ("drop a core criterion", "form2", drop("f2.sk.reality_test"),
     ["drops core criterion f2.sk.reality_test 'Reality test proposals'"]),
    ("drop a SEND-context process criterion", "form2", drop("f2.pm.mediation_certificate"),
     ["drops core criterion f2.pm.mediation_certificate 'Issue of mediation certificate'"]),
    ("drop a core sub-item", "form2", drop_sub("f2.sk.safe_environment.confidence"),
     ["drops core sub-item f2.sk.safe_environment.confidence 'Show confidence' of criterion "
      "f2.sk.safe_environment"]),
    ("drop a core criterion with sub-items", "form3", drop("f3.db.gaps"),
     ["drops core criterion f3.db.gaps 'Identification of'"]),
    ("drop the whole Skills and Knowledge section", "form3",
     lambda f: replace(f, sections=tuple(s for s in f.sections if s.kind is not SK)),
     ["drops core criterion f3.sk.communicate_accessibly 'Communicate clearly with all parties "
      "and ensure the process is accessible'",
      "drops core criterion f3.sk.feedback_to_service 'Clear feedback to service'",
      "drops core criterion f3.sk.timely_closure 'Close case in a timely manner'"]),
    ("make a core criterion non-core", "form1",
     lambda f: edit_criterion(f, "f1.sk.signpost", lambda c: replace(c, core=False)),
     ["makes core criterion f1.sk.signpost 'Signpost where necessary' non-core"]),
    ("move a criterion to another section", "form2", move_to_pm("f2.sk.send_context"),
     ["moves f2.sk.send_context 'Apply knowledge of SEND context' from Skills and Knowledge "
      "to Process Management; a criterion keeps its section (give the new place a new id)"]),
    ("turn a sub-item into a criterion", "form1", lambda f: edit_section(
        drop_sub("f1.pm.determine.attendance")(f), PM,
        lambda cs: [*cs, Criterion("f1.pm.determine.attendance", "Who attends", False)]),
     ["makes f1.pm.determine.attendance 'who should attend the meeting' a criterion; it is a "
      "sub-item of f1.pm.determine in standards-2018"]),
    ("form2's content labelled form3", "form2",
     lambda f: replace(f, form_id="form3", number=3),
     ["drops core criterion f3.sk.communicate_accessibly 'Communicate clearly with all parties "
      "and ensure the process is accessible'",
      "drops core criterion f3.sk.feedback_to_service 'Clear feedback to service'",
      "drops core criterion f3.sk.timely_closure 'Close case in a timely manner'",
      "drops core criterion f3.db.gaps 'Identification of'",
      "drops core criterion f3.db.learning_plan 'Plan for meeting learning needs'"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("form_id", "change", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in ALLOWED_AND_REFUSED],
)
def test_adaptation_rules(
    registry: FormRegistry,
    form_id: str,
    change: Callable[[FormDefinition], FormDefinition],
    expected: list[str],
) -> None:
    standard = registry.get(form_id, "standards-2018")
    adapted = adapt(change(standard))
    form_id = adapted.form_id  # an adaptation is checked against the base of its own form
    assert registry.problems(adapted) == expected
    before = len(registry)
    if expected:
        with pytest.raises(FormAdaptationError) as info:
            registry.add(adapted, source_name="form-acme.yaml")
        assert info.value.message == f"form-acme.yaml {expected[0]}"
        assert list(info.value.problems) == expected
        assert len(registry) == before, "a refused version is not added"
        with pytest.raises(UnknownFormVersion):
            registry.get(form_id, "acme-2024")
    else:
        registry.add(adapted)
        assert registry.get(form_id, "acme-2024") is adapted
        assert registry.get(form_id, "standards-2018") is standard
        assert registry.latest(form_id) is standard, "adding is not making it the default"


def test_the_example_file_adds_rewords_and_drops_non_core(registry: FormRegistry) -> None:
    form = registry.add_file(EXAMPLE)
    diff = diff_forms(registry.get("form2", "standards-2018"), form)
    assert diff.added == ("f2.pm.interpreting_advocacy",)
    assert diff.reworded == ("f2.sk.reality_test",)
    assert diff.dropped == ("f2.pm.carry_forms",)
    assert not diff.reordered
    assert form.provider == "Acme SEND Mediation" and form.based_on == "standards-2018"


def test_the_example_without_a_core_criterion_is_refused_naming_it(
    registry: FormRegistry, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    block = (
        "      - id: f2.sk.reality_test\n"
        "        text: Reality test proposals with each party, in joint and separate meetings\n"
        "        core: true\n"
    )
    assert block in text
    bad = tmp_path / "form2-acme.yaml"
    bad.write_text(text.replace(block, ""), encoding="utf-8")
    with pytest.raises(FormAdaptationError) as info:
        registry.add_file(bad)
    assert info.value.message == (
        "form2-acme.yaml drops core criterion f2.sk.reality_test 'Reality test proposals'"
    )
    assert registry.versions("form2") == ("standards-2018",)


def test_reorder_is_seen_by_the_diff(registry: FormRegistry) -> None:
    standard = registry.get("form2", "standards-2018")
    diff = diff_forms(standard, adapt(edit_section(standard, SK, lambda cs: cs[::-1])))
    assert diff.reordered and not diff.added and not diff.dropped and not diff.reworded


def test_versions_are_immutable(registry: FormRegistry) -> None:
    form = registry.add_file(EXAMPLE)
    registry.add(form)  # the identical version again: a no-op
    assert registry.versions("form2") == ("standards-2018", "acme-2024")
    changed = edit_criterion(form, "f2.sk.engage", lambda c: replace(c, text="Engage"))
    with pytest.raises(FormAdaptationError, match="already loaded with different content"):
        registry.add(changed)
    assert registry.get("form2", "acme-2024") == form
    standard = registry.get("form1", "standards-2018")
    with pytest.raises(FormAdaptationError, match="form1 version standards-2018"):
        registry.add(replace(standard, title="Before mediation"))


def test_an_adaptation_needs_a_loaded_base_and_a_provider(registry: FormRegistry) -> None:
    form2 = registry.get("form2", "standards-2018")
    orphan = replace(adapt(form2), based_on="standards-2030")
    with pytest.raises(FormAdaptationError, match="standards-2030, which is not loaded"):
        registry.add(orphan)
    anonymous = replace(adapt(form2), provider=None)
    with pytest.raises(FormAdaptationError, match="provider and the version it is based_on"):
        registry.add(anonymous)


def test_get_never_falls_back(registry: FormRegistry) -> None:
    with pytest.raises(UnknownFormVersion) as info:
        registry.get("form2", "acme-2024")
    assert isinstance(info.value, UserError)
    assert info.value.message == "unknown form: form2 version acme-2024"
    assert info.value.hint == "Known versions of form2: standards-2018."
    with pytest.raises(UnknownFormVersion, match="unknown form: form9 version x"):
        registry.get("form9", "x")
    with pytest.raises(UnknownFormVersion, match="unknown form: form9"):
        registry.latest("form9")


def test_latest_is_the_standard_until_a_default_is_set(registry: FormRegistry) -> None:
    assert registry.latest("form2").version == "standards-2018"
    registry.add_file(EXAMPLE)
    assert registry.latest("form2").version == "standards-2018"  # added, not the default
    registry.set_default("form2", "acme-2024")
    assert registry.latest("form2").version == "acme-2024"
    assert registry.latest("form1").version == "standards-2018"
    # An observation made on the standard still opens on exactly that version.
    assert registry.get("form2", "standards-2018").provider is None
    with pytest.raises(UnknownFormVersion):
        registry.set_default("form1", "acme-2024")
    assert registry.latest("form1").version == "standards-2018"


def test_add_file_can_make_the_default(registry: FormRegistry) -> None:
    registry.add_file(EXAMPLE, make_default=True)
    assert registry.latest("form2").provider == "Acme SEND Mediation"
    assert registry.default_version("form2") == "acme-2024"


def test_registry_basics(registry: FormRegistry) -> None:
    assert registry.form_ids() == ("form1", "form2", "form3")
    assert len(registry) == 3
    assert ("form1", "standards-2018") in registry
    assert ("form1", "acme-2024") not in registry
    assert "form1" not in registry
    assert [f.form_id for f in registry] == ["form1", "form2", "form3"]
    assert registry.versions("form9") == ()


def test_from_directory_adds_bases_before_adaptations(tmp_path: Path) -> None:
    for path in (resources_dir() / "forms").glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    # Named to sort before its base: loading must still add the base first.
    shutil.copy(EXAMPLE, tmp_path / "a-form2-acme.yaml")
    registry = FormRegistry.from_directory(tmp_path)
    assert registry.versions("form2") == ("standards-2018", "acme-2024")
    assert registry.latest("form2").version == "standards-2018"


def test_the_shipped_folder_holds_only_the_standards(registry: FormRegistry) -> None:
    for form in registry:
        assert form.provider is None and form.based_on is None
        assert form.version == "standards-2018"
        path = resources_dir() / "forms" / f"{form.form_id}-{form.version}.yaml"
        assert load_form_file(path) == form


def test_section_kinds_of_the_standards(registry: FormRegistry) -> None:
    kinds = {f.form_id: [s.kind for s in f.sections] for f in registry}
    assert kinds == {
        "form1": [PM, SK],
        "form2": [PM, SK],
        "form3": [PM, SK, SectionKind.DEBRIEF_AND_SUPERVISION],
    }
    assert all(isinstance(s, Section) for f in registry for s in f.sections)


def test_adaptation_problems_compares_only_the_same_form(registry: FormRegistry) -> None:
    from sendobserve.forms.registry import adaptation_problems

    form1 = registry.get("form1", "standards-2018")
    form2 = registry.get("form2", "standards-2018")
    assert adaptation_problems(form1, adapt(form2)) == [
        "is form2 (number 2) but is based on form1 (number 1)"
    ]
    assert adaptation_problems(form1, adapt(form1)) == []


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    # Parsed definitions are cached by file identity and modification; an edit is seen.
    path = tmp_path / "form1-standards-2018.yaml"
    shutil.copy(FORMS_DIR / "form1-standards-2018.yaml", path)
    first = FormRegistry.from_directory(tmp_path).get("form1", "standards-2018")
    assert FormRegistry.from_directory(tmp_path).get("form1", "standards-2018") is first
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: Pre-mediation", "title: Before"),
        encoding="utf-8",
    )
    assert FormRegistry.from_directory(tmp_path).get("form1", "standards-2018").title == "Before"

"""ChecklistModel without a view: structure, roles, derived headings, dataChanged."""

from __future__ import annotations

import uuid

import pytest

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import Mark, MarkState
from sendobserve.ui.observation.checklist_model import ChecklistModel, NodeKind, Role, derived_state

FORMS = FormRegistry.standard()
FORM2 = FORMS.latest("form2")
FORM3 = FORMS.latest("form3")
OBS = uuid.uuid4()
SAFE = "f2.sk.safe_environment"
SAFE_SUBS = [s.id for s in FORM2.criterion(SAFE).subitems]
PUNCTUAL = "f2.pm.arrive_punctually"


def mark(item: str, state: MarkState, note: str = "") -> Mark:
    return Mark(OBS, item, state, note)


def test_structure_follows_the_form_definition(qapp: object) -> None:
    model = ChecklistModel(FORM2)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert model.rowCount() == 2
    sk = model.index(1, 0)
    assert sk.data(Role.KIND) == NodeKind.SECTION
    assert model.rowCount(sk) == len(FORM2.sections[1].criteria)
    safe = model.index_of(SAFE)
    assert safe.data(Role.KIND) == NodeKind.CRITERION
    assert model.rowCount(safe) == 4
    assert safe.data(Role.TICKABLE) is False
    assert model.index(0, 0, safe).data(Role.TICKABLE) is True
    assert model.parent(model.index(0, 0, safe)) == safe
    assert model.item_ids() == [t.id for t in FORM2.tick_items()]
    assert model.progress() == (0, 39)


def test_marks_given_at_construction_are_shown(qapp: object) -> None:
    model = ChecklistModel(FORM2, [mark(PUNCTUAL, MarkState.DEVELOPMENT_NEEDED, "late")])
    index = model.index_of(PUNCTUAL)
    assert index.data(Role.STATE) == MarkState.DEVELOPMENT_NEEDED
    assert index.data(Role.NOTE) == "late"
    assert model.progress_text() == "1 of 39 seen"


@pytest.mark.parametrize("state", list(MarkState))
def test_apply_mark_changes_state_and_names_the_roles(qapp: object, state: MarkState) -> None:
    model = ChecklistModel(FORM2)
    seen: list[tuple[str, list[int]]] = []
    model.dataChanged.connect(
        lambda tl, br, roles: seen.append((tl.data(Role.ITEM_ID), list(roles))))
    model.apply_mark(mark(PUNCTUAL, state, "a note"))
    index = model.index_of(PUNCTUAL)
    assert index.data(Role.STATE) == state
    assert seen[0][0] == PUNCTUAL
    assert Role.STATE in seen[0][1] and Role.NOTE in seen[0][1]
    assert Qt.ItemDataRole.AccessibleTextRole in seen[0][1]
    # The section's summary changes too, and says so.
    assert seen[-1][0] == "process_management" and Role.SUMMARY in seen[-1][1]
    words = {MarkState.DEMONSTRATED: "Demonstrated", MarkState.NOT_YET_SEEN: "Not yet seen",
             MarkState.DEVELOPMENT_NEEDED: "Development needed",
             MarkState.NOT_APPLICABLE: "Not applicable"}
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == (
        f"Arrive punctually to prepare room: {words[state]}. Note: a note")


def test_same_mark_twice_emits_nothing(qapp: object) -> None:
    model = ChecklistModel(FORM2, [mark(PUNCTUAL, MarkState.DEMONSTRATED)])
    emitted: list[object] = []
    model.dataChanged.connect(lambda *a: emitted.append(a))
    model.apply_mark(mark(PUNCTUAL, MarkState.DEMONSTRATED))
    assert emitted == []


def test_heading_shows_a_summary_derived_from_its_subitems(qapp: object) -> None:
    model = ChecklistModel(FORM2)
    heading = model.index_of(SAFE)
    changed: list[str] = []
    model.dataChanged.connect(lambda tl, br, roles: changed.append(tl.data(Role.ITEM_ID)))
    for i, sub in enumerate(SAFE_SUBS[:-1], start=1):
        model.apply_mark(mark(sub, MarkState.DEMONSTRATED))
        assert heading.data(Role.SUMMARY) == f"{i} of 4 demonstrated"
        assert heading.data(Role.STATE) == MarkState.NOT_YET_SEEN
    assert SAFE in changed
    model.apply_mark(mark(SAFE_SUBS[-1], MarkState.DEMONSTRATED))
    assert heading.data(Role.STATE) == MarkState.DEMONSTRATED
    assert "Demonstrated, 4 of 4 demonstrated" in heading.data(Qt.ItemDataRole.AccessibleTextRole)
    with pytest.raises(KeyError):
        model.apply_mark(mark(SAFE, MarkState.DEMONSTRATED))  # a heading is never ticked


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([], MarkState.NOT_YET_SEEN),
        ([MarkState.DEMONSTRATED] * 3, MarkState.DEMONSTRATED),
        ([MarkState.DEMONSTRATED, MarkState.NOT_YET_SEEN], MarkState.NOT_YET_SEEN),
        ([MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED], MarkState.DEVELOPMENT_NEEDED),
        ([MarkState.NOT_APPLICABLE] * 2, MarkState.NOT_APPLICABLE),
        ([MarkState.NOT_APPLICABLE, MarkState.DEMONSTRATED], MarkState.NOT_YET_SEEN),
    ],
)
def test_derived_state_table(states: list[MarkState], expected: MarkState) -> None:
    assert derived_state(states) is expected


def test_progress_and_not_seen_list(qapp: object) -> None:
    model = ChecklistModel(FORM3)
    assert model.progress() == (0, 13)
    model.apply_mark(mark("f3.pm.close_file", MarkState.NOT_APPLICABLE))
    model.apply_mark(mark("f3.db.gaps.skills", MarkState.DEMONSTRATED))
    assert model.progress_text() == "2 of 13 seen"
    texts = [text for _id, text in model.not_seen()]
    assert "Identification of: Knowledge gaps" in texts
    assert "Close file" not in texts and len(texts) == 11
    assert model.index_of("f3.db.strengths").data(Role.NOTES_PROMPT) is True


def test_read_only_makes_nothing_tickable(qapp: object) -> None:
    model = ChecklistModel(FORM2)
    changed: list[list[int]] = []
    model.dataChanged.connect(lambda tl, br, roles: changed.append(list(roles)))
    model.set_read_only(True)
    assert len(changed) == 39 and all(Role.TICKABLE in roles for roles in changed)
    assert not any(i.data(Role.TICKABLE) for i in model.tick_indexes())
    assert "read only" in model.index_of(PUNCTUAL).data(Qt.ItemDataRole.AccessibleDescriptionRole)
    assert model.index_of("nope") == QModelIndex()

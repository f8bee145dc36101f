"""A tick updates one row: dataChanged for the ticked item, and for a heading or section
above it only when what that row shows (derived state, count) changed."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from PySide6.QtCore import Qt

from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import Mark, MarkState
from sendobserve.ui.observation.checklist_model import ChecklistModel, Role

FORM2 = FormRegistry.standard().latest("form2")
OBS = uuid.uuid4()
PUNCTUAL = "f2.pm.arrive_punctually"
SAFE = "f2.sk.safe_environment"
SAFE_SUBS = [s.id for s in FORM2.criterion(SAFE).subitems]


def changed(model: ChecklistModel, item: str, state: MarkState) -> list[str]:
    seen: list[str] = []
    model.dataChanged.connect(lambda tl, br, roles: seen.append(tl.data(Role.ITEM_ID)))
    model.apply_mark(Mark(OBS, item, state))
    model.dataChanged.disconnect()
    return seen


def test_a_state_change_that_keeps_the_counts_repaints_one_row(qapp: object) -> None:
    model = ChecklistModel(FORM2, [Mark(OBS, PUNCTUAL, MarkState.DEMONSTRATED)])
    section = model.index_of(PUNCTUAL).parent()
    shown = section.data(Qt.ItemDataRole.AccessibleTextRole)
    assert changed(model, PUNCTUAL, MarkState.DEVELOPMENT_NEEDED) == [PUNCTUAL]
    # Nothing the section shows changed, so nothing was left stale.
    assert section.data(Qt.ItemDataRole.AccessibleTextRole) == shown
    assert model.index_of(PUNCTUAL).data(Role.STATE) == MarkState.DEVELOPMENT_NEEDED


def test_headings_are_told_when_what_they_show_changes(qapp: object) -> None:
    model = ChecklistModel(FORM2)
    heading = model.index_of(SAFE)
    section_id = heading.parent().data(Role.ITEM_ID)
    # First sub-item seen: the heading's derived state is unchanged ("not yet seen" until
    # all are), its count "0 of 4 demonstrated" moves, and the section's "seen" count too.
    assert changed(model, SAFE_SUBS[0], MarkState.DEMONSTRATED) == [
        SAFE_SUBS[0], SAFE, section_id]
    assert heading.data(Role.SUMMARY) == "1 of 4 demonstrated"
    # Demonstrated → not applicable: still seen (section unchanged), one fewer demonstrated.
    assert changed(model, SAFE_SUBS[0], MarkState.NOT_APPLICABLE) == [SAFE_SUBS[0], SAFE]
    # Not applicable → development needed: the heading's derived state changes.
    assert changed(model, SAFE_SUBS[0], MarkState.DEVELOPMENT_NEEDED) == [SAFE_SUBS[0], SAFE]
    assert heading.data(Role.STATE) == MarkState.DEVELOPMENT_NEEDED
    # Development needed → not applicable on another sub-item: nothing above changes.
    model.apply_mark(Mark(OBS, SAFE_SUBS[1], MarkState.NOT_APPLICABLE))
    assert changed(model, SAFE_SUBS[1], MarkState.DEVELOPMENT_NEEDED) == [SAFE_SUBS[1]]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from([PUNCTUAL, *SAFE_SUBS]),
                          st.sampled_from(list(MarkState)), st.sampled_from(["", "n"])),
                max_size=30))
def test_the_progress_count_kept_per_tick_equals_a_recount(
        qapp: object, steps: list[tuple[str, MarkState, str]]) -> None:
    model = ChecklistModel(FORM2, [Mark(OBS, SAFE_SUBS[0], MarkState.NOT_APPLICABLE)])
    for item, state, note in steps:
        model.apply_mark(Mark(OBS, item, state, note))
        recount = sum(1 for i in model.item_ids()
                      if model.state_of(i) is not MarkState.NOT_YET_SEEN)
        assert model.progress() == (recount, len(model.item_ids()))

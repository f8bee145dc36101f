"""The trainee's record editor on a real store: edits re-assess readiness at once; refused
input shows a message by the field and stores nothing."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from sendobserve.demo import GAPS, RENEWING, demo_id
from sendobserve.model import requirements as R
from sendobserve.model.domain import Cpd, Discretion, Training
from sendobserve.model.outcome import Status
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import CaseRepository, PracticeRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.trainee.record.editor import RecordEditor
from sendobserve.ui.trainee.screen import TraineeScreen
from tests.helpers import snapshot
from tests.ui.trainee.readiness.conftest import TODAY, mediator_id

SHOTS = os.environ.get("SENDOBSERVE_SHOTS")  # a folder: save what the tests render


def _screen(qtbot: QtBot, store: Store, name: str) -> TraineeScreen:
    screen = TraineeScreen(TraineeRecord.of(store), mediator_id(name),
                           runner=Runner(synchronous=True), today=lambda: TODAY)
    qtbot.addWidget(screen)
    screen.resize(1200, 760)
    screen.show()
    return screen


def _row(editor: RecordEditor, key: str, item_id: object) -> Any:
    model = editor.page(key).model
    row = model.row_of(item_id)
    assert row >= 0
    editor.select(key, row)
    return editor.selected(key)


def test_editing_casework_hours_updates_the_requirements_panel(
    qtbot: QtBot, demo_store: Store
) -> None:
    screen = _screen(qtbot, demo_store, GAPS)
    panel = screen.readiness.panel
    assert "casework 9.5 of 12 h" in panel.text_of(R.CASEWORK_HOURS)
    assert panel.text_of(R.CASEWORK_HOURS).startswith("✗ Not met")
    case = _row(screen.record, "cases", demo_id("case", GAPS, "3"))
    assert case.casework_hours == Decimal("4.5")

    dialog = screen.record.entry_dialog("cases", case)
    dialog.set_value("casework_hours", "7")
    with qtbot.waitSignal(screen.record.changed, timeout=2000):
        assert dialog.submit()
    assert "casework 12 of 12 h" in panel.text_of(R.CASEWORK_HOURS)
    assert panel.text_of(R.CASEWORK_HOURS).startswith("✓ Met")
    assert not any("casework" in s for s in panel.needed_items)
    assert CaseRepository(demo_store.session).get(case.id).casework_hours == Decimal("7")
    assert "Casework in co-mediated or led cases: 12 h" in screen.record.page(
        "cases").summary.text()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-3", "Casework hours must be between 0 and 24; got -3"),
        ("250", "Casework hours must be between 0 and 24; got 250"),
        ("four", "Casework hours must be a number of hours; got 'four'"),
        ("2.125", "Casework hours can have at most 2 decimal places; got 2.125"),
        ("", "Casework hours must be given"),
    ],
)
def test_invalid_hours_are_refused_by_the_field_and_nothing_is_stored(
    qtbot: QtBot, demo_store: Store, typed: str, message: str
) -> None:
    screen = _screen(qtbot, demo_store, GAPS)
    case = _row(screen.record, "cases", demo_id("case", GAPS, "2"))
    counts = demo_store.table_counts()
    files = snapshot(demo_store.data_dir)
    changed: list[object] = []
    screen.record.changed.connect(lambda: changed.append(1))

    dialog = screen.record.entry_dialog("cases", case)
    dialog.show()
    dialog.set_value("casework_hours", typed)
    dialog.save_button.click()

    assert dialog.isVisible()  # stays open for the correction
    assert dialog.error_text("casework_hours") == f"⚠ {message}"
    assert dialog.field("casework_hours").accessibleDescription() == message
    assert changed == []
    assert demo_store.table_counts() == counts
    assert snapshot(demo_store.data_dir) == files
    assert CaseRepository(demo_store.session).get(case.id).casework_hours == Decimal("5")
    assert "casework 9.5 of 12 h" in screen.readiness.panel.text_of(R.CASEWORK_HOURS)
    dialog.reject()


def test_a_future_date_and_an_end_before_its_start_are_refused(
    qtbot: QtBot, demo_store: Store
) -> None:
    editor = RecordEditor(TraineeRecord.of(demo_store), mediator_id(GAPS), today=lambda: TODAY)
    qtbot.addWidget(editor)
    counts = demo_store.table_counts()

    dialog = editor.entry_dialog("training")
    dialog.set_value("title", "Post-16 duties")
    dialog.set_value("provider", "Pennine SEND Mediation Service")
    dialog.set_value("hours", "6")
    dialog.set_value("start_date", TODAY - timedelta(days=3))
    dialog.set_value("end_date", TODAY - timedelta(days=5))
    assert not dialog.submit()
    assert "end date" in dialog.error_text("end_date")
    assert "is before its start date" in dialog.error_text("end_date")

    dialog.set_value("end_date", TODAY + timedelta(days=2))
    assert not dialog.submit()
    assert dialog.error_text("end_date").startswith("⚠ The training end date (")
    assert "is in the future" in dialog.error_text("end_date")
    assert dialog.error_text("start_date") == ""
    assert demo_store.table_counts() == counts

    dialog.set_value("end_date", TODAY - timedelta(days=1))
    assert dialog.submit()
    assert demo_store.table_counts()["training"] == counts["training"] + 1
    added = dialog.saved_item
    assert isinstance(added, Training) and added.hours == Decimal("6")


def test_delete_asks_first_and_can_be_undone(qtbot: QtBot, demo_store: Store) -> None:
    screen = _screen(qtbot, demo_store, RENEWING)
    editor = screen.record
    repo = PracticeRepository(demo_store.session)
    rid = mediator_id(RENEWING)
    before = repo.list(Cpd, rid)
    renewal = screen.readiness.renewal.requirements
    assert "CPD 21 of 20 h" in renewal.text_of(R.RENEWAL_CPD_HOURS)
    target = _row(editor, "cpd", demo_id("cpd", RENEWING, "1"))  # the 12-hour course

    editor.confirm = lambda title, question: False
    assert not editor.delete("cpd")
    assert repo.list(Cpd, rid) == before

    asked: list[str] = []
    editor.confirm = lambda title, question: asked.append(question) is None
    with qtbot.waitSignal(editor.changed, timeout=2000):
        assert editor.delete("cpd")
    assert asked == ["Delete the CPD entry of "
                     f"{target.done_on:%-d %b %Y} (12 h)?"]
    assert [c.id for c in repo.list(Cpd, rid)] == [c.id for c in before if c.id != target.id]
    assert "CPD 9 of 20 h" in renewal.text_of(R.RENEWAL_CPD_HOURS)
    assert editor.page("cpd").undo_button.isVisibleTo(editor)

    with qtbot.waitSignal(editor.changed, timeout=2000):
        assert editor.undo_delete()
    assert repo.list(Cpd, rid) == before  # same id, same fields
    assert "CPD 21 of 20 h" in renewal.text_of(R.RENEWAL_CPD_HOURS)
    assert not editor.undo_delete()  # nothing left to undo


def test_a_case_with_observations_cannot_be_deleted(qtbot: QtBot, demo_store: Store) -> None:
    editor = RecordEditor(TraineeRecord.of(demo_store), mediator_id(GAPS), today=lambda: TODAY)
    qtbot.addWidget(editor)
    _row(editor, "cases", demo_id("case", GAPS, "2"))
    editor.confirm = lambda title, question: True
    counts = demo_store.table_counts()
    assert not editor.delete("cases")
    assert "cannot be deleted" in editor.page("cases").message.text()
    assert demo_store.table_counts() == counts


def test_a_recorded_discretion_shows_as_met_by_discretion(qtbot: QtBot, demo_store: Store) -> None:
    screen = _screen(qtbot, demo_store, GAPS)
    dialog = screen.record.entry_dialog("discretions")
    dialog.set_value("requirement_id", R.FINAL_CASE_LED)
    dialog.set_value("decided_by", "Anjali Patel")
    dialog.set_value("role", "ppc")
    dialog.set_value("decided_on", TODAY)
    assert not dialog.submit()  # the reason is required
    assert dialog.error_text("reason") == "⚠ The reason for the discretion must not be empty"
    dialog.set_value("reason", "Led the joint meeting of case 3 in all but name.")
    # §1.3: "at the discretion of the assessor, the provider and the mediator": without the
    # provider's and the mediator's agreement it is refused, next to the field.
    counts = demo_store.table_counts()
    assert not dialog.submit()
    assert "the agreement of the provider and the mediator is not recorded" in (
        dialog.error_text("provider_agreed_by"))
    assert demo_store.table_counts() == counts
    dialog.set_value("provider_agreed_by", "Chloé Martin-Dubois")
    dialog.set_value("mediator_agreed", True)
    # A discretion on a requirement the Standards give none is refused naming its paragraph.
    dialog.set_value("requirement_id", R.REFLECTION_HOURS)
    assert not dialog.submit()
    assert dialog.error_text("requirement_id").startswith(
        "⚠ No discretion is allowed on “At least 2 hours of reflection on practice” (§1.2)")
    assert demo_store.table_counts() == counts
    dialog.set_value("requirement_id", R.FINAL_CASE_LED)
    assert dialog.submit()
    assert isinstance(dialog.saved_item, Discretion)
    row = screen.readiness.panel.text_of(R.FINAL_CASE_LED)
    assert row.startswith("◇ Met by discretion")
    assert "Anjali Patel (PPC), assessor; Chloé Martin-Dubois for the provider; the mediator" in (
        row)
    assert screen.readiness.data is not None
    assert screen.readiness.data.readiness.requirement(R.FINAL_CASE_LED).status is (
        Status.DISCRETION)


def test_editor_lists_every_part_of_the_record(qtbot: QtBot, demo_store: Store) -> None:
    editor = RecordEditor(TraineeRecord.of(demo_store), mediator_id(GAPS), today=lambda: TODAY)
    qtbot.addWidget(editor)
    counts = {key: page.model.rowCount() for key, page in editor.pages.items()}
    assert counts == {"training": 2, "cases": 3, "reflections": 1, "contacts": 0, "cpd": 0,
                      "discretions": 0}
    model = editor.page("cases").model
    assert [model.index(r, 0).data() for r in range(3)] == [
        c.reference for c in CaseRepository(demo_store.session).list_for_mediator(
            mediator_id(GAPS))]
    assert editor.title.text() == f"The record of {GAPS}"


def test_form5_facts_are_edited_in_the_details_tab(qtbot: QtBot, demo_store: Store) -> None:
    from sendobserve.demo import PASSPORTED
    from sendobserve.storage.repositories import MediatorRepository

    screen = _screen(qtbot, demo_store, PASSPORTED)
    details = screen.record.details
    passport = screen.readiness.passport
    assert passport.requirements.text_of(R.PASSPORT_SEND_PRACTICE_SINCE).startswith("✓ Met")
    # Lead practice before SEND practice is refused by the field, nothing stored.
    counts, files = demo_store.table_counts(), snapshot(demo_store.data_dir)
    details.dates["lead_since"].set(TODAY.replace(year=2001))
    assert not details.save()
    assert details.errors["lead_since"].text().startswith("⚠ Lead practice (2001-")
    assert demo_store.table_counts() == counts and snapshot(demo_store.data_dir) == files
    # Unknown SEND practice date: Form 5 now says what is missing.
    details.dates["lead_since"].set(TODAY.replace(year=2011, month=9, day=1))
    details.dates["send_practice_since"].known.setChecked(False)
    with qtbot.waitSignal(screen.record.changed, timeout=2000):
        assert details.save()
    assert MediatorRepository(demo_store.session).get(
        mediator_id(PASSPORTED)).send_practice_since is None
    row = passport.requirements.text_of(R.PASSPORT_SEND_PRACTICE_SINCE)
    assert row.startswith("✗ Not met")
    assert "Record the date they have worked as an SEND mediator since" in (
        passport.requirements.needed_items)


def test_the_passporting_route_and_the_providers_confirmation(
    qtbot: QtBot, demo_store: Store
) -> None:
    from sendobserve.demo import PASSPORTED
    from sendobserve.storage.repositories import MediatorRepository

    # §1.6 (A): "Mediation Provider Organisation will be asked to confirm that individual
    # mediators form part of their panel": without that confirmation, Form 5 is not offered.
    screen = _screen(qtbot, demo_store, PASSPORTED)
    details = screen.record.details
    passport = screen.readiness.passport
    assert passport.requirements.text_of(R.PASSPORT_ROUTE).startswith("✓ Met")
    assert "Route: (A) on a provider's panel, confirmed by Chloé Martin-Dubois" in (
        passport.facts.text())
    details.panel_by.setText("  ")
    details.panel_on.known.setChecked(False)
    with qtbot.waitSignal(screen.record.changed, timeout=2000):
        assert details.save()
    row = passport.requirements.text_of(R.PASSPORT_ROUTE)
    assert row.startswith("✗ Not met") and "not recorded" in row
    assert any("§1.6 (A)" in s for s in passport.requirements.needed_items)
    # Route (B), a pioneer: no confirmation needed; the edition is recorded too.
    details.route.setCurrentIndex(details.route.findData("b"))
    details.edition.setCurrentIndex(details.edition.findData("standards-2018-v1"))
    with qtbot.waitSignal(screen.record.changed, timeout=2000):
        assert details.save()
    saved = MediatorRepository(demo_store.session).get(mediator_id(PASSPORTED))
    assert saved.passport_route is not None and saved.passport_route.value == "b"
    assert saved.rules_edition == "standards-2018-v1"
    assert passport.requirements.text_of(R.PASSPORT_ROUTE).startswith("✓ Met")
    assert passport.requirements.edition.text().startswith(
        "Judged under the Professional Standards for Mediators Working With SEND")


def test_the_leaving_date_is_recorded_in_the_details_tab(qtbot: QtBot, demo_store: Store) -> None:
    from sendobserve.storage.retention import left_panel_on

    screen = _screen(qtbot, demo_store, RENEWING)
    details = screen.record.details
    assert details.left_panel.known.isChecked() is False  # on the panel
    assert details.left_panel.edit.accessibleName() == "Left the panel on"
    # A day after today is refused beside the field, and nothing is stored.
    files = snapshot(demo_store.data_dir)
    details.left_panel.set(TODAY + timedelta(days=1))
    assert not details.save()
    assert details.errors["left_on"].text().startswith("⚠ The leaving date")
    assert snapshot(demo_store.data_dir) == files
    details.left_panel.set(TODAY - timedelta(days=30))
    with qtbot.waitSignal(screen.record.changed, timeout=2000):
        assert details.save()
    with demo_store.session() as session:
        assert left_panel_on(session, mediator_id(RENEWING)) == TODAY - timedelta(days=30)
    details.show_mediator(details._mediator)  # shown again as stored
    assert details.left_panel.value() == TODAY - timedelta(days=30)
    details.left_panel.known.setChecked(False)  # back on the panel
    with qtbot.waitSignal(screen.record.changed, timeout=2000):
        assert details.save()
    with demo_store.session() as session:
        assert left_panel_on(session, mediator_id(RENEWING)) is None


class _Watched(TraineeRecord):
    """The real door, noting the thread each leaving-date read and write ran on."""

    threads: list[tuple[str, bool]]

    def left_panel_on(self, mediator_id: Any) -> Any:
        self.threads.append(("read", threading.current_thread() is threading.main_thread()))
        return super().left_panel_on(mediator_id)

    def set_left_panel(self, mediator_id: Any, day: Any, *, today: Any) -> Any:
        self.threads.append(("write", threading.current_thread() is threading.main_thread()))
        return super().set_left_panel(mediator_id, day, today=today)


def test_the_leaving_date_is_read_and_saved_on_the_runner(qtbot: QtBot, demo_store: Store) -> None:
    from sendobserve.storage.retention import left_panel_on

    door = _Watched.of(demo_store)
    door.threads = []
    runner = Runner()  # a worker thread, as in the window
    screen = TraineeScreen(door, mediator_id(RENEWING), runner=runner, today=lambda: TODAY)
    qtbot.addWidget(screen)
    details = screen.record.details
    qtbot.waitUntil(details.left_panel.isEnabled, timeout=5000)  # disabled until read
    assert door.threads == [("read", False)]
    details.left_panel.set(TODAY - timedelta(days=3))
    with qtbot.waitSignal(screen.record.changed, timeout=5000):
        assert details.save()
        assert not details.save_button.isEnabled()  # while the write runs
    assert details.message.text() == "Saved."
    assert details.save_button.isEnabled()
    assert door.threads[1:] == [("write", False)]
    with demo_store.session() as session:
        assert left_panel_on(session, mediator_id(RENEWING)) == TODAY - timedelta(days=3)
    runner.wait()


def test_a_case_s_local_authority_is_entered_shown_and_cleared(
        qtbot: QtBot, demo_store: Store) -> None:
    from PySide6.QtWidgets import QLabel, QLineEdit

    screen = _screen(qtbot, demo_store, GAPS)
    editor = screen.record
    cases = CaseRepository(demo_store.session)
    case = _row(editor, "cases", demo_id("case", GAPS, "3"))
    assert case.local_authority is None
    dialog = editor.entry_dialog("cases", case)
    qtbot.addWidget(dialog)
    field = dialog.field("local_authority")
    assert isinstance(field, QLineEdit) and field.text() == ""
    assert field.accessibleName() == "Local authority"
    assert field.maxLength() == 100  # the field's limit in model.shapes
    label = next(w for w in dialog.findChildren(QLabel) if w.buddy() is field)
    assert label.text() == "&Local authority:"  # Alt+L, no other field's
    mnemonics = [w.text().split("&")[1][0].lower() for w in dialog.findChildren(QLabel)
                 if w.buddy() is not None and "&" in w.text()]
    assert mnemonics.count("l") == 1 and len(set(mnemonics)) == len(mnemonics)
    if SHOTS:
        dialog.show()
        dialog.grab().save(str(Path(SHOTS) / "case_local_authority.png"))
    dialog.set_value("local_authority", "  Wakefield ")
    with qtbot.waitSignal(editor.changed, timeout=2000):
        assert dialog.submit()
    stored = cases.get(case.id)
    assert stored.local_authority == "Wakefield"  # trimmed as typed
    assert stored == replace(case, local_authority="Wakefield", created_at=stored.created_at)
    page = editor.page("cases")
    column = [c.header for c in page.spec.columns].index("Local authority")
    row = page.model.row_of(case.id)
    assert page.model.index(row, column).data() == "Wakefield"

    again = editor.entry_dialog("cases", stored)
    qtbot.addWidget(again)
    assert again.field("local_authority").text() == "Wakefield"  # type: ignore[attr-defined]
    again.set_value("local_authority", "")  # optional: blank stores nothing
    with qtbot.waitSignal(editor.changed, timeout=2000):
        assert again.submit()
    assert cases.get(case.id).local_authority is None
    assert page.model.index(page.model.row_of(case.id), column).data() == "—"


def test_a_new_case_may_carry_a_local_authority_or_none(qtbot: QtBot, demo_store: Store) -> None:
    editor = RecordEditor(TraineeRecord.of(demo_store), mediator_id(GAPS), today=lambda: TODAY)
    qtbot.addWidget(editor)
    cases = CaseRepository(demo_store.session)
    for reference, authority, expected in (("SEN-2026-201", "Leeds", "Leeds"),
                                           ("SEN-2026-202", "   ", None)):
        dialog = editor.entry_dialog("cases")
        qtbot.addWidget(dialog)
        dialog.set_value("reference", reference)
        dialog.set_value("case_date", TODAY - timedelta(days=2))
        dialog.set_value("casework_hours", "2")
        dialog.set_value("local_authority", authority)
        assert dialog.submit()
        assert cases.get(dialog.saved_item.id).local_authority == expected

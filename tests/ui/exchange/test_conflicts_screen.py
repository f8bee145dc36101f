"""File ▸ Conflicts… with every kind at once, on real stores that exchanged real files:
an observation amended differently, a reflection edited differently, a training course
deleted on one laptop and edited on the other, and two Form 4s. Each is shown side by
side and decided (keyboard only for one), a refused decision changes nothing, and the
decisions' file brings the other laptop to the same place."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sendobserve.model.domain import MarkState
from sendobserve.services.changes import Changes
from sendobserve.services.conflict_views import conflict_views
from sendobserve.storage.repositories.certificates import CertificateRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.exchange.trust import ConflictsDialog
from tests.exchange.conflictkit import Disagreement, disagreeing_laptops
from tests.exchange.factories import CRITERIA
from tests.exchange.test_whole_record import _export_record, _record
from tests.helpers import durable_snapshot
from tests.ui.test_keyboard_flow import focus, press, tab_to, type_text

SHOTS = os.environ.get("SENDOBSERVE_SHOTS")
KINDS = ("Observation", "Reflection", "Deleted and edited: Training", "Certificate (Form 4)")


def _dialog(qtbot: QtBot, store: Any, heard: list[Changes] | None = None) -> ConflictsDialog:
    runner = Runner(synchronous=True)
    if heard is not None:
        runner.changed.connect(heard.append)
    dialog = ConflictsDialog(store, runner=runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _select(dialog: ConflictsDialog, kind: str) -> None:
    row = [r[0] for r in dialog.list_model.rows].index(kind)
    dialog.list.setCurrentIndex(dialog.list_model.index(row, 0))


def test_every_kind_is_listed_with_its_versions_side_by_side(
        qtbot: QtBot, tmp_path: Path) -> None:
    d = disagreeing_laptops(tmp_path)
    with d.b.open() as store:
        dialog = _dialog(qtbot, store)
        assert sorted(r[0] for r in dialog.list_model.rows) == sorted(KINDS)
        assert dialog.list.accessibleName() == "Conflicts: 4 to decide"
        shown: dict[str, tuple[str, ...]] = {}
        for kind in KINDS:
            _select(dialog, kind)
            view = dialog.current()
            assert view is not None and view.kind_label == kind
            assert view.trainee == d.trainee.name
            # Both versions, one column each, with who wrote each and when.
            assert dialog.versions.columnCount() == 1 + len(view.versions) == 3
            assert dialog.who.text().startswith("A: ") and "\nB: " in dialog.who.text()
            first = dialog.versions.index(0, 0)
            assert dialog.versions.data(first).endswith(" — differs")  # what differs first
            assert "differs" in dialog.versions.data(first, Qt.ItemDataRole.AccessibleTextRole)
            assert dialog.versions.data(first, Qt.ItemDataRole.FontRole).bold()
            assert "differ" in dialog.table.accessibleName()
            assert [dialog.keep.itemText(i) for i in range(dialog.keep.count())] == [
                v.choice for v in view.versions]
            assert dialog.decide_button.accessibleName().startswith(
                f"Decide: {view.versions[0].choice}, for {d.trainee.name}'s")
            assert dialog.merge.isEnabled() == (kind == "Reflection")
            shown[kind] = tuple(dialog.versions.data(dialog.versions.index(0, c))
                                for c in range(3))
            if SHOTS:
                QApplication.processEvents()
                name = kind.split(" ")[0].split(":")[0].lower()
                dialog.grab().save(str(Path(SHOTS) / f"conflicts-{name}.png"))
        assert shown["Reflection"] == ("hours — differs", "2.5", "2")
        assert shown["Deleted and edited: Training"][2] == "(deleted)"
        assert shown["Certificate (Form 4)"][1:] == d.serials[::-1]  # B's stands on B
        _select(dialog, "Observation")
        assert "amended by Łucja Żak" in dialog.who.text()
        _select(dialog, "Deleted and edited: Training")
        assert "deleted" in dialog.who.text() and "Pat on laptop A" in dialog.who.text()


def test_a_refused_decision_says_why_and_changes_nothing(
        qtbot: QtBot, tmp_path: Path) -> None:
    d = disagreeing_laptops(tmp_path)
    with d.b.open() as store:
        dialog = _dialog(qtbot, store)
        _select(dialog, "Certificate (Form 4)")
        dialog.keep.setCurrentIndex(1)
        before = durable_snapshot(d.b.data_dir)
        dialog.decided_by.setText(d.co_mediator.name)
        dialog.reason.setText("The trainee's copy")
        dialog.decide()
        assert "Nothing was decided" in dialog.message.text()
        assert "may not decide" in dialog.message.text()
        dialog.decided_by.setText(d.decider.name)
        dialog.reason.setText("   ")
        dialog.decide()
        assert "Nothing was decided" in dialog.message.accessibleName()
        assert "reason" in dialog.message.text().lower()
        _select(dialog, "Reflection")
        dialog.reason.setText("Hours from the log")
        dialog.decide_merged()  # nothing ticked
        assert "Choose at least one field" in dialog.message.text()
        assert durable_snapshot(d.b.data_dir) == before
        assert dialog.list_model.rowCount() == 4 and dialog.decide_button.isEnabled()


def test_each_kind_decided_announced_and_the_other_laptop_converges(
        qtbot: QtBot, tmp_path: Path) -> None:
    d = disagreeing_laptops(tmp_path)
    heard: list[Changes] = []
    with d.b.open() as store:
        dialog = _dialog(qtbot, store, heard)
        dialog.decided_by.setText(d.decider.name)
        choices = {"Observation": 1, "Deleted and edited: Training": 0,
                   "Certificate (Form 4)": 1}
        for kind, choice in choices.items():
            _select(dialog, kind)
            dialog.keep.setCurrentIndex(choice)
            dialog.reason.setText(f"Checked against the paper notes ({kind})")
            dialog.decide()
            assert "The decision is signed by this installation" in dialog.message.text()
            assert kind not in [r[0] for r in dialog.list_model.rows]
            assert dialog.reason.text() == ""
        assert heard[0].observations and heard[1].record and heard[2].certificates
        assert all(d.trainee.id in c.mediators and c.trust for c in heard)
        # The reflection: a merged version, "hours" ticked from B with the keyboard.
        _select(dialog, "Reflection")
        dialog.table.setFocus()
        dialog.table.setCurrentIndex(dialog.versions.index(0, 0))
        qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
        assert dialog.versions.take_b == {"hours"}
        assert "(1 field ticked)" in dialog.merge.accessibleName()
        dialog.reason.setText("Hours from the log")
        dialog.decide_merged()
        assert dialog.list_model.rowCount() == 0 and len(heard) == 4
        assert dialog.list.accessibleName() == "Conflicts: none"
        assert not dialog.decide_button.isEnabled()
    # A imports B's next file: the same decisions, the same record, nothing in conflict.
    d.a.import_bytes(_export_record(d.b, d.trainee.id, "Dana on laptop B"))
    for ts in (d.a, d.b):
        record = _record(ts, d.trainee.id)
        assert record.reflections[0].hours == Decimal("2")
        assert record.training[0].hours == Decimal("41")  # kept over the deletion
        with ts.open() as store:
            assert conflict_views(store) == ()
            cert = CertificateRepository(store.session).find(d.trainee.id, 4)
            assert cert is not None and cert.serial == d.serials[0]  # A's, as decided
    assert _observation(d.a, d) == _observation(d.b, d)
    assert (CRITERIA[1], MarkState.DEMONSTRATED) in _observation(d.b, d)  # B: A's amendment


def _observation(ts: Any, d: Disagreement) -> Any:
    record = _record(ts, d.trainee.id)
    return sorted((m.criterion_id, m.state) for m in record.marks
                  if m.observation_id == d.observation_id)


def test_a_certificate_decided_with_the_keyboard_only(qtbot: QtBot, tmp_path: Path) -> None:
    d = disagreeing_laptops(tmp_path)
    with d.b.open() as store:
        dialog = _dialog(qtbot, store)
        dialog.activateWindow()
        assert focus() is dialog.list
        rows = [r[0] for r in dialog.list_model.rows]
        for _ in range(rows.index("Certificate (Form 4)")):
            press(qtbot, Qt.Key.Key_Down)
        assert dialog.current() is not None and dialog.current().kind_label == (
            "Certificate (Form 4)")
        tab_to(qtbot, dialog.keep)
        press(qtbot, Qt.Key.Key_Down)  # B: the certificate issued on A
        assert dialog.keep.currentIndex() == 1
        tab_to(qtbot, dialog.decided_by)
        type_text(qtbot, d.decider.name)
        tab_to(qtbot, dialog.reason)
        type_text(qtbot, "The one sent to the panel")
        tab_to(qtbot, dialog.decide_button)
        assert dialog.decide_button.accessibleName().startswith(
            f"Decide: Keep B ({d.serials[0]} stands)")
        press(qtbot, Qt.Key.Key_Space)
        assert f"Kept B ({d.serials[0]} stands)" in dialog.message.text()
        assert "Certificate (Form 4)" not in [r[0] for r in dialog.list_model.rows]
        cert = CertificateRepository(store.session).find(d.trainee.id, 4)
        assert cert is not None and cert.serial == d.serials[0]


def test_the_list_follows_a_decision_that_lands_while_it_is_open(
        qtbot: QtBot, tmp_path: Path) -> None:
    # The hub sync runs every ten minutes: what it imports can settle a conflict the open
    # screen still lists. A change announced elsewhere reloads the list; the screen's own
    # decision reloads once, with its sentence.
    from sendobserve.services import conflict_views as views

    d = disagreeing_laptops(tmp_path)
    with d.b.open() as store:
        dialog = _dialog(qtbot, store)
        assert dialog.list_model.rowCount() == 4
        dialog.decided_by.setText(d.decider.name)
        _select(dialog, "Observation")
        dialog.reason.setText("Checked against the paper notes")
        dialog.decide()
        assert dialog.follower.refreshes == 0  # its own: reloaded by _decided alone
        assert "The decision is signed" in dialog.message.text()
        certificate = next(v for v in conflict_views(store)
                           if v.kind_label == "Certificate (Form 4)")
        elsewhere = views.decide(store, certificate, certificate.versions[0].keep,
                                 decided_by=d.decider.name, reason="Decided elsewhere")
        assert dialog.list_model.rowCount() == 3  # not yet told
        dialog.runner.announce(elsewhere.changes)
        assert dialog.follower.refreshes == 1
        assert sorted(r[0] for r in dialog.list_model.rows) == [
            "Deleted and edited: Training", "Reflection"]
        assert dialog.list.accessibleName() == "Conflicts: 2 to decide"

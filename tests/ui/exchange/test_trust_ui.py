"""File ▸ Known signers… and File ▸ Conflicts… on real stores that exchanged files:
the signers with fingerprints and a revocation (asked twice); a conflict shown side by
side and decided, with who and why."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sendobserve.services import trust
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import PracticeRepository, in_session
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.exchange.trust import ConflictsDialog, KnownSignersDialog
from tests.exchange.test_whole_record import _export_record, _record
from tests.exchange.trustkit import two_stores

SHOTS = os.environ.get("SENDOBSERVE_SHOTS")


_two_stores = two_stores


def test_known_signers_and_a_revocation(qtbot: QtBot, tmp_path: Path) -> None:
    a, b, _reflection = _two_stores(tmp_path)
    with b.open() as store:
        dialog = KnownSignersDialog(store)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.model.rowCount() == 1
        name, fingerprint, _first, _last, revoked = dialog.model.rows[0]
        assert name == "Pat on laptop A" and fingerprint == a.identity().fingerprint
        assert len(fingerprint.split(" ")) == 8 and revoked == "—"
        assert dialog.revoke_button.accessibleName() == "Revoke Pat on laptop A's installation"
        ask = dialog.ask_revoke()
        assert ask is not None
        ask.reason.setText("Laptop lost on the train")
        ask.by.setText("Dana Whitfield")
        asked: list[str] = []
        ask.confirm = lambda q: bool(asked.append(q))  # No, the first time
        assert not ask.submit() and "cannot be undone" in asked[0]
        assert stored_revocations(store) == {}
        ask.confirm = lambda q: True
        assert ask.submit()
        assert fingerprint in stored_revocations(store)
        assert dialog.model.rows[0][4].startswith("REVOKED from")
        assert not dialog.revoke_button.isEnabled()
        if SHOTS:
            QApplication.processEvents()
            dialog.grab().save(str(Path(SHOTS) / "signers.png"))


def stored_revocations(store: object) -> dict[str, object]:
    with store.session() as s:  # type: ignore[attr-defined]
        return dict(stored.revocations(s))


def test_a_conflict_side_by_side_decided_with_a_reason(qtbot: QtBot, tmp_path: Path) -> None:
    _a, b, reflection = _two_stores(tmp_path)
    with b.open() as store:
        dialog = ConflictsDialog(store, runner=Runner(synchronous=True))
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.list_model.rowCount() == 1 and dialog.list_model.rows[0][0] == "Reflection"
        first = tuple(dialog.versions.data(dialog.versions.index(0, c)) for c in range(3))
        assert first == ("hours — differs", "2.5", "2")  # what differs comes first
        index = dialog.versions.index(0, 0)
        assert "differs; a merged version takes A" in dialog.versions.data(
            index, Qt.ItemDataRole.AccessibleTextRole)
        assert not dialog.versions.flags(dialog.versions.index(1, 0)) \
            & Qt.ItemFlag.ItemIsUserCheckable  # the same in both: nothing to choose
        assert "1 field differs" in dialog.table.accessibleName()
        assert "signed by Pat on laptop A (installation" in dialog.who.text()
        if SHOTS:
            QApplication.processEvents()
            dialog.grab().save(str(Path(SHOTS) / "conflicts.png"))
        dialog.keep.setCurrentIndex(1)  # B, kept from the file
        dialog.decide()  # no name, no reason
        assert "Nothing was decided" in dialog.message.accessibleName()
        assert dialog.list_model.rowCount() == 1
        dialog.decided_by.setText("Dana Whitfield")
        dialog.reason.setText("The co-mediator's log says two hours.")
        dialog.decide()
        assert dialog.list_model.rowCount() == 0 and trust.record_conflicts(store) == ()
        with store.session() as s:
            (held,) = [r for r in PracticeRepository(in_session(s)).list(
                type(reflection), reflection.mediator_id)]
        assert held.hours == Decimal("2")


def test_a_merged_version_takes_the_ticked_fields_from_b(qtbot: QtBot, tmp_path: Path) -> None:
    a, b, reflection = _two_stores(tmp_path)
    with b.open() as store:
        dialog = ConflictsDialog(store, runner=Runner(synchronous=True))
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.decided_by.setText("Dana Whitfield")
        dialog.reason.setText("Hours from the log, nothing else changed.")
        dialog.decide_merged()  # nothing ticked: keep A or B instead
        assert "Choose at least one field" in dialog.message.accessibleName()
        dialog.table.setFocus()
        dialog.table.setCurrentIndex(dialog.versions.index(0, 0))
        qtbot.keyClick(dialog.table, Qt.Key.Key_Space)  # tick "hours" from the keyboard
        assert dialog.versions.take_b == {"hours"}
        assert "takes B" in dialog.versions.data(dialog.versions.index(0, 0),
                                                 Qt.ItemDataRole.AccessibleTextRole)
        dialog.decide_merged()
        assert trust.record_conflicts(store) == ()
    held = _record(b, reflection.mediator_id).reflections[0]
    assert held.hours == Decimal("2") and held.summary == reflection.summary
    # The merged version travels: the first laptop takes it, with no conflict left.
    a.import_bytes(_export_record(b, reflection.mediator_id, "B"))
    assert _record(a, reflection.mediator_id).reflections[0] == held
    with a.open() as store:
        assert trust.record_conflicts(store) == ()

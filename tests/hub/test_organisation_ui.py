"""File ▸ Organisation…: the admin approves, refuses and revokes with the keyboard alone,
against a real hub (real PostgreSQL, real HTTPS), with real widgets offscreen."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from sendobserve.hub import protocol, sync
from sendobserve.hub.protocol import Role
from sendobserve.model.domain import ObserverRole
from sendobserve.storage import exchange as stored
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.exchange.organisation import OrganisationDialog
from sendobserve.ui.shell.main_window import MainWindow
from tests.ui.test_screen_rules import accessibility_problems, mnemonic, mnemonics

from .orgkit import Installation, make_admin, observer, roster, trainees


def _alt(window: Any, key: Qt.Key) -> None:
    """Alt+key pressed where the focus is, in ``window``, as a person would."""
    focused = QApplication.focusWidget()
    assert focused is not None and focused.window() is window
    QTest.keyClick(focused, key, Qt.KeyboardModifier.AltModifier)
    QTest.qWait(250)  # a button's mnemonic clicks it after its short press animation


def _rules(dialog: Any) -> list[str]:
    clashes = [f"Alt+{k} on {v}" for k, v in mnemonics(dialog).items() if len(v) > 1]
    return clashes + accessibility_problems(dialog)


def _hub_row(store: Any, fingerprint: str) -> dict[str, Any]:
    """The hub's own entry (asked afresh, not what the screen shows)."""
    return next(r for r in sync.installations(store) if r["fingerprint"] == fingerprint)


def test_the_admin_approves_refuses_and_revokes_from_the_organisation_screen(
        qtbot: Any, start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes],
        tmp_path: Path, monkeypatch: Any) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    t1, t2, t3 = trainees("Siobhán Ó Dálaigh", "Rhys ap Dafydd", "Amara Okafor")
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    roster(admin.ts, [t1, t2, t3], observer("Admin Desk"))
    mentor = Installation.create(tmp_path, "Mentor laptop")
    stranger = Installation.create(tmp_path, "Unknown laptop")
    colleague = Installation.create(tmp_path, "Observer laptop")
    for laptop in (mentor, stranger, colleague):
        laptop.join(hub.url, root, admin.fingerprint)
    admin.approve(colleague, Role.OBSERVER, (t1.id,))  # a member who must hear of revocations
    roster(colleague.ts, [t1], observer("Observer laptop", ObserverRole.CO_MEDIATOR))

    with admin.ts.open() as store:
        window = MainWindow(store, runner=Runner(synchronous=True))
        qtbot.addWidget(window)
        window.hub_sync.first.stop()  # this test starts every sync itself
        window.show()
        assert window.organisation_action in window.store_actions
        file_menu = window.menuBar().actions()[0].menu()  # File
        keys = [mnemonic(a.text()) for a in file_menu.actions() if not a.isSeparator()]
        assert mnemonic(window.organisation_action.text()) == "g"
        assert None not in keys and len(keys) == len(set(keys))  # one Alt key each
        window.organisation_action.trigger()
        dialog: OrganisationDialog = window.organisation_dialog
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)

        # Waiting requests first, in the order they asked; the fingerprint in groups.
        names = [r["name"] for r in dialog.model.rows]
        assert names[:2] == ["Mentor laptop", "Unknown laptop"]
        assert set(names[2:]) == {"Admin Desk", "Observer laptop"}
        assert dialog.status.text().startswith("2 waiting for approval, 2 member(s).")
        assert dialog.table.hasFocus()
        assert dialog.fingerprint.text() == protocol.spaced(mentor.fingerprint)
        assert dialog.fingerprint.accessibleName().endswith(protocol.spaced(mentor.fingerprint))
        assert not dialog.approve_button.isEnabled()  # not before the fingerprint is compared
        assert "Compare the fingerprint aloud" in dialog.why.text()
        assert _rules(dialog) == []

        # Compared aloud (Alt+C), as PPC or mentor (the role list by keyboard), seeing
        # Rhys only: searched for, then ticked with Space.
        _alt(dialog, Qt.Key.Key_C)
        assert dialog.compared.isChecked()
        dialog.role.setFocus()
        while dialog.role.currentData() != Role.PPC.value:
            QTest.keyClick(dialog.role, Qt.Key.Key_Up)
        QTest.keyClicks(dialog.scope.search, "rhys")
        assert dialog.scope.filter.rowCount() == 1
        QTest.keyClick(dialog.scope.search, Qt.Key.Key_Return)  # to the list
        assert dialog.scope.list.hasFocus()
        dialog.scope.list.setCurrentIndex(dialog.scope.filter.index(0, 0))
        QTest.keyClick(dialog.scope.list, Qt.Key.Key_Space)
        assert dialog.scope.chosen() == (t2.id.hex,)
        assert dialog.scope.count.text() == "1 of 3 trainee(s) ticked"
        QTest.keyClick(dialog.scope.search, Qt.Key.Key_Escape)  # clears the search
        assert dialog.scope.filter.rowCount() == 3
        assert dialog.approve_button.isEnabled()
        dialog.grab().save(os.environ.get("HUB_ORG_SHOT", str(tmp_path / "organisation.png")))
        _alt(dialog, Qt.Key.Key_A)
        row = _hub_row(store, mentor.fingerprint)
        assert (row["status"], row["role"], row["trainees"]) == ("approved", "ppc", [t2.id.hex])
        assert dialog.status.text().startswith("Approved Mentor laptop as ppc or mentor, "
                                               "seeing 1 trainee(s).")
        assert dialog.selected()["fingerprint"] == mentor.fingerprint  # still selected
        assert dialog.scope.chosen() == (t2.id.hex,)  # the approval as the hub keeps it

        # The unknown laptop: refused, after a question defaulting to No.
        asked: list[str] = []

        def answer(_parent: Any, _title: str, text: str, *_: Any) -> Any:
            asked.append(text)
            return QMessageBox.StandardButton.Yes

        monkeypatch.setattr(QMessageBox, "question", answer)
        dialog.table.setFocus()  # waiting requests come first: the only one left is on top
        QTest.keyClick(dialog.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
        assert dialog.selected()["name"] == "Unknown laptop"
        assert not dialog.compared.isChecked()  # compared again for each installation
        _alt(dialog, Qt.Key.Key_F)
        assert asked and "Refuse Unknown laptop" in asked[0]
        assert _hub_row(store, stranger.fingerprint)["status"] == "revoked"
        refused = dialog.selected()
        assert refused["status"] == "revoked" and not dialog.approve_button.isEnabled()
        assert "joins again with a new identity" in dialog.why.text()

        # The mentor's laptop is lost: revoked after a confirmation that says what happens
        # and asks why; the revocation goes to every member with the sync that follows.
        dialog.table.setCurrentIndex(dialog.model.index(
            [r["name"] for r in dialog.model.rows].index("Mentor laptop"), 0))
        assert dialog.revoke_button.isEnabled() and not dialog.refuse_button.isEnabled()
        _alt(dialog, Qt.Key.Key_V)
        confirm = dialog.revoke_dialog
        assert confirm is not None and confirm.isVisible()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is confirm)
        said = confirm.explanation.text()
        assert "refuses it from now on" in said and "nothing is deleted" in said
        assert "cannot be undone" in said
        assert not confirm.revoke_button.isEnabled()  # not without a reason
        assert confirm.reason.hasFocus()
        assert _rules(confirm) == []
        confirm.grab().save(str(tmp_path / "revoke.png"))
        QTest.keyClicks(confirm.reason, "laptop lost on the train")
        _alt(confirm, Qt.Key.Key_R)
        assert not confirm.isVisible()
        assert _hub_row(store, mentor.fingerprint)["status"] == "revoked"
        with store.session() as s:
            held = stored.revocations(s)
        assert [r.reason for r in held.values()] == ["laptop lost on the train"]
        assert dialog.status.text().startswith("Revoked Mentor laptop.")
        dialog.close()
        window.close()

    # The sync the revocation started sent it to the other member, which now holds it.
    colleague.sync()
    with colleague.ts.session() as s:
        held = stored.revocations(s)
    assert list(held) == [protocol.spaced(mentor.fingerprint)]
    assert held[protocol.spaced(mentor.fingerprint)].reason == "laptop lost on the train"


def test_a_non_admin_is_told_why_the_screen_stays_empty(
        qtbot: Any, start_hubs: Any, hub_db: str, org_pki: tuple[Path, Path, bytes],
        tmp_path: Path) -> None:
    (hub,) = start_hubs(1)
    root = org_pki[2]
    admin = make_admin(tmp_path, hub.url, hub_db, root)
    laptop = Installation.create(tmp_path, "Laptop")
    laptop.join(hub.url, root, admin.fingerprint)
    admin.approve(laptop, Role.OBSERVER, ())
    with laptop.ts.open() as store:
        window = MainWindow(store, runner=Runner(synchronous=True))
        qtbot.addWidget(window)
        window.hub_sync.first.stop()
        window.organisation_action.trigger()
        dialog = window.organisation_dialog
        assert "only an admin installation may do this" in dialog.status.text()
        assert dialog.model.rowCount() == 0
        assert not any(b.isEnabled() for b in (dialog.approve_button, dialog.refuse_button,
                                               dialog.revoke_button))
        dialog.close()
        window.close()

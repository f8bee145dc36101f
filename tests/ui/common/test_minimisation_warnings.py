"""The privacy check beside the case reference, a note and the de-brief: a warning that
screen readers hear, never a refusal."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from sendobserve.ui.navigation.page import AddCaseDialog
from sendobserve.ui.observation.page import NoteDialog


def test_a_name_as_case_reference_warns_but_saves(qtbot) -> None:
    dialog = AddCaseDialog("Łucja Żak")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.privacy.isVisible()
    dialog.reference.setText("Ellie Smith")
    assert dialog.privacy.isVisible()
    assert "“Ellie Smith” looks like a child's name" in dialog.privacy.accessibleName()
    assert "You can still save it" in dialog.privacy.text()
    dialog.hours.setText("3")
    dialog._check()
    assert dialog.result() == QDialog.DialogCode.Accepted  # a warning, never a block
    dialog.reference.setText("LA-2026-014")
    assert not dialog.privacy.isVisible() and dialog.privacy.text() == ""


def test_a_note_naming_a_school_warns(qtbot) -> None:
    dialog = NoteDialog("Summarises the issues", "")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.editor.setPlainText("Good summary. Moved to Oakfield Primary; her son Daniel")
    name = dialog.privacy.accessibleName()
    assert "“Oakfield Primary” looks like the name of a school" in name
    assert "(1 more in this text.)" in name
    assert dialog.privacy.isVisible()

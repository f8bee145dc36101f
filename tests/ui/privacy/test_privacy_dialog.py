"""The Data protection dialog on a real store: the schedule, the retention plan, a
subject-access report and an erasure, with what a screen reader hears."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from sendobserve import demo
from sendobserve.demo import fill_store
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.privacy.dialog import PrivacyDialog


@pytest.fixture
def dialog(qtbot, store: Store) -> PrivacyDialog:
    fill_store(store, today=date(2026, 11, 30))
    dlg = PrivacyDialog(store, Runner(synchronous=True), today=date(2034, 1, 1))
    qtbot.addWidget(dlg)
    return dlg


def test_it_shows_the_schedule_and_what_is_due(dialog: PrivacyDialog) -> None:
    assert "six years is the usual limitation period" in dialog.about.toPlainText()
    lines = dialog.plan_model.stringList()
    assert any(line.startswith("observations and their marks:") and "due to go" in line
               for line in lines)
    assert dialog.apply_button.isEnabled()
    assert dialog.people.count() == 4


def test_subject_access_report_is_saved_and_announced(
    dialog: PrivacyDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "answer.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.people.setCurrentIndex(dialog.people.findText(demo.GAPS))
    dialog.access_button.click()
    assert target.exists() and target.with_suffix(".json").exists()
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert demo.GAPS in text
    assert dialog.person_status.accessibleName().startswith("Saved ")
    assert "answer.pdf" in dialog.person_status.accessibleName()


def test_erasure_needs_the_name_typed(dialog: PrivacyDialog, store: Store,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    dialog.people.setCurrentIndex(dialog.people.findText(demo.GAPS))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("someone else", True))
    dialog.erase_button.click()
    assert "nothing was erased" in dialog.person_status.accessibleName()
    assert any(m.name == demo.GAPS for m in MediatorRepository(store.session).list())

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (demo.GAPS.upper(), True))
    dialog.erase_button.click()
    assert not any(m.name == demo.GAPS for m in MediatorRepository(store.session).list())
    assert "Deleted" in dialog.person_status.accessibleName()
    assert dialog.people.findText(demo.GAPS) == -1


def test_apply_retention_asks_first(dialog: PrivacyDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Cancel)
    before = dialog.plan_model.stringList()
    dialog.apply_button.click()
    assert dialog.plan_model.stringList() == before
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.apply_button.click()
    assert dialog.retention_status.accessibleName().startswith("Removed or cleared")
    assert not dialog.apply_button.isEnabled()  # nothing left to do


def test_file_menu_opens_it_and_an_erasure_leaves_the_trainee_page(qtbot, store: Store,
                                                                  monkeypatch) -> None:
    from sendobserve.ui.shell.main_window import MainWindow

    fill_store(store, today=date(2026, 11, 30))
    window = MainWindow(store, runner=Runner(synchronous=True))
    qtbot.addWidget(window)
    assert window.privacy_action in window.store_actions  # disabled and refused when locked
    window.privacy_action.trigger()
    dialog = window.privacy_dialog
    assert isinstance(dialog, PrivacyDialog) and dialog.isVisible()
    dialog.people.setCurrentIndex(dialog.people.findText(demo.RENEWING))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (demo.RENEWING, True))
    dialog.erase_button.click()
    assert not any(m.name == demo.RENEWING for m in MediatorRepository(store.session).list())
    dialog.close()

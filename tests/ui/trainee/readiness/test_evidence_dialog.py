"""Evidence files from the record editor, on a real store: attach, preview (an image
scaled, a PDF's first page), save a copy, remove; bad files give a sentence and change
nothing; deleting an entry takes its files and Undo brings them back."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from sendobserve.demo import GAPS
from sendobserve.model.evidence import EvidenceKind
from sendobserve.services import evidence
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.storage.db import Store
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.trainee.record.evidence import EvidenceDialog
from sendobserve.ui.trainee.screen import TraineeScreen
from tests.helpers import durable_snapshot
from tests.model.test_evidence import make_image, make_pdf
from tests.ui.trainee.readiness.conftest import TODAY, mediator_id

SHOTS = os.environ.get("SENDOBSERVE_SHOTS")  # a folder to save the rendered dialog in


def _dialog(qtbot: QtBot, store: Store) -> tuple[TraineeScreen, EvidenceDialog]:
    screen = TraineeScreen(TraineeRecord.of(store), mediator_id(GAPS),
                           runner=Runner(synchronous=True), today=lambda: TODAY)
    qtbot.addWidget(screen)
    screen.resize(1200, 760)
    screen.show()
    editor = screen.record
    page = editor.page("training")
    editor.select("training", 0)
    assert page.evidence_button is not None and page.evidence_button.isEnabled()
    dialog = editor.show_evidence("training")
    assert dialog is not None
    dialog.runner = Runner(dialog, synchronous=True)
    return screen, dialog


def test_attach_preview_save_and_remove(qtbot: QtBot, demo_store: Store, tmp_path: Path
                                        ) -> None:
    _screen, dialog = _dialog(qtbot, demo_store)
    assert dialog.model.rowCount() == 0
    assert "No evidence file" in dialog.preview.accessibleName()
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(make_pdf("Certificate of SEND training", pages=2))
    with qtbot.waitSignal(dialog.changed, timeout=2000) as emitted:
        dialog.attach(str(pdf))
    assert emitted.args[0].record and mediator_id(GAPS) in emitted.args[0].mediators
    assert dialog.model.rowCount() == 1
    assert dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull()
    assert dialog.preview.accessibleName() == "Preview of certificate.pdf, first page"
    assert max(dialog.preview.pixmap().width(), dialog.preview.pixmap().height()) == 420
    dialog.kind.setCurrentIndex(dialog.kind.findData(EvidenceKind.COURSE_OUTLINE.value))
    photo = tmp_path / "outline.jpg"
    photo.write_bytes(make_image("JPEG", (1600, 1200)))
    dialog.attach(str(photo))
    assert dialog.model.rowCount() == 2 and dialog.current().name == "outline.jpg"
    assert dialog.preview.pixmap().width() == 420  # scaled to fit
    assert "Course outline: outline.jpg" in dialog.list.model().data(
        dialog.list.currentIndex())
    assert "Attached outline.jpg" in dialog.message.accessibleName()
    if SHOTS:
        dialog.resize(1000, 560)
        QApplication.processEvents()
        dialog.grab().save(str(Path(SHOTS) / "evidence.png"))
    copy = tmp_path / "copy.jpg"
    dialog.save_copy(str(copy))
    assert copy.read_bytes()[:3] == b"\xff\xd8\xff"
    dialog.confirm = lambda title, question: True
    dialog.remove()
    assert dialog.model.rowCount() == 1
    assert evidence.list_files(demo_store, mediator_id(GAPS))[0].name == "certificate.pdf"


def test_a_bad_file_is_a_sentence_and_changes_nothing(qtbot: QtBot, demo_store: Store,
                                                      tmp_path: Path) -> None:
    _screen, dialog = _dialog(qtbot, demo_store)
    fake = tmp_path / "certificate.pdf"
    fake.write_bytes(b"%PDF-1.4 this is not a PDF")
    before = durable_snapshot(demo_store.data_dir)
    dialog.attach(str(fake))
    assert "starts like a PDF but is not a readable one" in dialog.message.accessibleName()
    dialog.attach(str(tmp_path / "gone.png"))
    assert "is not there" in dialog.message.accessibleName()
    assert dialog.model.rowCount() == 0 and dialog.attach_button.isEnabled()
    assert durable_snapshot(demo_store.data_dir) == before


def test_deleting_an_entry_takes_its_files_and_undo_brings_them_back(
        qtbot: QtBot, demo_store: Store, tmp_path: Path) -> None:
    screen, dialog = _dialog(qtbot, demo_store)
    source = tmp_path / "c.pdf"
    source.write_bytes(make_pdf())
    dialog.attach(str(source))
    dialog.close()
    editor = screen.record
    asked: list[str] = []
    editor.confirm = lambda title, question: asked.append(question) or True
    editor.select("training", 0)
    assert editor.delete("training")
    assert "Its evidence file goes with it (Undo brings it back)" in asked[0]
    assert evidence.list_files(demo_store, mediator_id(GAPS)) == []
    assert editor.undo_delete()
    files = evidence.list_files(demo_store, mediator_id(GAPS))
    assert [f.name for f in files] == ["c.pdf"]
    assert evidence.get(demo_store, files[0].id)[1] == source.read_bytes()

"""The export dialog's scope: what will travel, per kind, before anything is written; a
whole record (evidence files included) exported through the dialog and imported."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sendobserve.demo import GAPS, READY
from sendobserve.model.evidence import EntryKind, EvidenceKind
from sendobserve.services import evidence
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.exchange.dialogs import ExchangeController
from tests.helpers import FILE_PASSPHRASE
from tests.model.test_evidence import make_pdf


def test_the_scope_shows_what_will_travel_and_the_whole_record_goes(
        qtbot: Any, pair: tuple[Store, Store], tmp_path: Path) -> None:
    a, b = pair
    ready = MediatorRepository(a.session).resolve(READY)
    training = next(e for e in evidence.entries(a, ready.id) if e.kind is EntryKind.TRAINING)
    evidence.attach(a, training.kind, training.id, make_pdf(), name="send.pdf",
                    kind=EvidenceKind.TRAINING_CERTIFICATE, added_by=READY)
    controller = ExchangeController(a, Runner(synchronous=True))
    controller.start_export(ready.id)
    dialog = controller.export_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    shown = dialog.counts.accessibleName()
    assert shown.startswith("Will travel: ") and " observations, " in shown
    assert "evidence file" not in shown and not dialog.observer.isEnabled()
    dialog.scope.setCurrentIndex(dialog.scope.findData("record"))
    record = dialog.counts.text()
    assert "1 evidence file" in record and "training course" in record and "cases" in record
    if os.environ.get("SENDOBSERVE_SHOTS"):
        dialog.show()
        dialog.grab().save(str(Path(os.environ["SENDOBSERVE_SHOTS"]) / "export.png"))
    dialog.scope.setCurrentIndex(dialog.scope.findData("observer"))
    assert dialog.observer.isEnabled() and dialog.observer_id() is not None
    dialog.trainee.setCurrentIndex(dialog.trainee.findText(GAPS))
    assert "observations" in dialog.counts.text() or "no finalised" in dialog.counts.text()
    dialog.trainee.setCurrentIndex(dialog.trainee.findText(READY))
    dialog.scope.setCurrentIndex(dialog.scope.findData("record"))
    path = tmp_path / "whole.sendobs"
    dialog.signer.setText("Siobhán")
    dialog.passphrase.setText(FILE_PASSPHRASE)
    dialog.repeat.setText(FILE_PASSPHRASE)
    dialog.path.setText(str(path))
    dialog._check()
    assert path.is_file()
    assert controller.message is not None and "1 evidence file to " in controller.message.text()

    importer = ExchangeController(b, Runner(synchronous=True))
    importer.check_file(str(path), FILE_PASSPHRASE)
    preview = importer.preview_dialog
    assert preview is not None
    qtbot.addWidget(preview)
    assert "Evidence files: 1 new" in preview.details.toPlainText()
    preview.accept()
    here = MediatorRepository(b.session).resolve(READY)
    assert [f.name for f in evidence.list_files(b, here.id)] == ["send.pdf"]


def test_since_the_last_export_to_a_person_counts_then_sends_only_what_changed(
        qtbot: Any, pair: tuple[Store, Store], tmp_path: Path) -> None:
    from tests.helpers import durable_snapshot

    a, _b = pair
    ready = MediatorRepository(a.session).resolve(READY)
    controller = ExchangeController(a, Runner(synchronous=True))
    controller.start_export(ready.id)
    dialog = controller.export_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert not dialog.sent_to.isEnabled()
    dialog.scope.setCurrentIndex(dialog.scope.findData("since_last"))
    assert dialog.sent_to.isEnabled()
    assert dialog.counts.text() == "Type the name of the person the file is for."
    dialog.sent_to.setText("Dev Patel")
    dialog.refresh_counts()  # (the field waits for typing to pause; the test does not)
    first = dialog.counts.text()
    assert "observations" in first and "cases" in first
    assert first.endswith("(what Dev Patel has not been sent yet).")
    if os.environ.get("SENDOBSERVE_SHOTS"):
        dialog.show()
        dialog.grab().save(str(Path(os.environ["SENDOBSERVE_SHOTS"]) / "export-since.png"))
    dialog.signer.setText("Siobhán")
    dialog.passphrase.setText(FILE_PASSPHRASE)
    dialog.repeat.setText(FILE_PASSPHRASE)
    dialog.path.setText(str(tmp_path / "to-dev.sendobs"))
    dialog._check()
    assert (tmp_path / "to-dev.sendobs").is_file()
    assert controller.message is not None
    assert "what Dev Patel had not been sent yet" in controller.message.text()

    # Again, to the same person (typed differently): nothing has changed, so the preview
    # says so and the export is refused, writing nothing.
    controller.start_export(ready.id)
    again = controller.export_dialog
    assert again is not None and again is not dialog
    qtbot.addWidget(again)
    again.scope.setCurrentIndex(again.scope.findData("since_last"))
    again.sent_to.setText("dev  PATEL")
    again.refresh_counts()
    assert "has changed since the last export to dev  PATEL" in again.counts.text()
    # Another person has been sent nothing: everything would travel to them.
    again.sent_to.setText("Ann Lee")
    again.refresh_counts()
    assert again.counts.text().split(" (")[0] == first.split(" (")[0]
    again.sent_to.setText("Dev Patel")
    again.signer.setText("Siobhán")
    again.passphrase.setText(FILE_PASSPHRASE)
    again.repeat.setText(FILE_PASSPHRASE)
    again.path.setText(str(tmp_path / "second.sendobs"))
    before = durable_snapshot(a.data_dir)
    again._check()
    assert not (tmp_path / "second.sendobs").exists()
    assert durable_snapshot(a.data_dir) == before
    assert controller.message is not None and "has changed" in controller.message.text()
    # The name is needed before anything is written.
    again.sent_to.clear()
    assert again.problem() == "Type the name of the person the file is for (Last sent to)."

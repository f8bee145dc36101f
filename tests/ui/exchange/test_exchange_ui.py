"""Export and import between two real stores through the dialogs, the import preview,
a wrong passphrase, and the identity dialog (offscreen, synchronous runner)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sendobserve.demo import READY
from sendobserve.services.exchange import identity_card
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository, ObservationRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.exchange.dialogs import ExchangeController
from tests.helpers import FILE_PASSPHRASE
from tests.ui.printing.test_printing import stored_bytes

EXPORTER = "Anjali Patel (PPC)"



def _export(qtbot: Any, store: Store, path: Path) -> tuple[ExchangeController, int]:
    controller = ExchangeController(store, Runner(synchronous=True))
    ready = MediatorRepository(store.session).resolve(READY)
    controller.start_export(ready.id)
    dialog = controller.export_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.trainee.currentText() == READY  # the trainee chosen in the workspace
    dialog.signer.setText(EXPORTER)
    dialog.passphrase.setText(FILE_PASSPHRASE)
    dialog.repeat.setText(FILE_PASSPHRASE + " typo")
    dialog.path.setText(str(path))
    dialog._check()  # the OK button's handler
    assert "differ" in dialog.error.text() and not path.exists()
    dialog.repeat.setText(FILE_PASSPHRASE)
    dialog._check()
    assert path.is_file()
    finalised = [o for o in ObservationRepository(store.session).list_for_mediator(ready.id)
                 if o.state.value != "draft"]
    return controller, len(finalised)


def test_export_then_import_through_the_dialogs(qtbot: Any, pair: tuple[Store, Store],
                                                tmp_path: Path) -> None:
    a, b = pair
    file = tmp_path / "siobhan.sendobs"
    exporter, count = _export(qtbot, a, file)
    assert exporter.message is not None and f"Wrote {count} finalised" in exporter.message.text()

    importer = ExchangeController(b, Runner(synchronous=True))
    importer.start_import()
    chooser = importer.import_dialog
    assert chooser is not None
    qtbot.addWidget(chooser)
    chooser.path.setText(str(file))
    chooser.passphrase.setText(FILE_PASSPHRASE)
    chooser._check()
    preview = importer.preview_dialog
    assert preview is not None
    qtbot.addWidget(preview)
    lines = preview.details.toPlainText()
    fingerprint = identity_card(a).value.fingerprint
    assert f"Signed by: {EXPORTER}" in lines
    assert fingerprint in lines and preview.fingerprint.text().split() == fingerprint.split()
    assert "FIRST TIME SEEN" in lines and "First time seen" in preview.head.text()
    assert f"Observations: {count} ({count} new, 0 updated, 0 in conflict" in lines
    assert f"{count} new" in preview.summary.text()
    assert MediatorRepository(b.session).count() == 0  # nothing written before Import

    with qtbot.waitSignal(importer.imported, timeout=10_000) as signal:
        preview.accept()
    assert signal.args[0].added == count
    assert importer.message is not None and f"Imported: {count} new" in importer.message.text()
    here = MediatorRepository(b.session).resolve(READY)
    assert len(ObservationRepository(b.session).list_for_mediator(here.id)) == count

    # The same file again: the preview says it is already here; Import is not offered.
    importer.check_file(str(file), FILE_PASSPHRASE)
    again = importer.preview_dialog
    assert again is not None and again is not preview
    qtbot.addWidget(again)
    assert "already imported" in again.details.toPlainText()
    assert "Already known" in again.head.text() and "First time" not in again.head.text()
    assert not again.import_button.isEnabled()


def test_wrong_passphrase_is_one_message_and_changes_nothing(
        qtbot: Any, pair: tuple[Store, Store], tmp_path: Path) -> None:
    a, b = pair
    file = tmp_path / "siobhan.sendobs"
    _export(qtbot, a, file)
    before = stored_bytes(b)
    importer = ExchangeController(b, Runner(synchronous=True))
    failures: list[str] = []
    importer.failed.connect(failures.append)
    importer.check_file(str(file), "not the agreed passphrase")
    assert importer.preview_dialog is None
    assert importer.message is not None and len(failures) == 1
    assert "passphrase" in importer.message.text().lower()
    assert "nothing was imported" in importer.message.text().lower()
    assert stored_bytes(b) == before
    assert MediatorRepository(b.session).count() == 0


def test_identity_dialog_shows_the_fingerprint_in_eight_groups(qtbot: Any, store: Store) -> None:
    controller = ExchangeController(store, Runner(synchronous=True))
    controller.show_identity()
    dialog = controller.identity_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    groups = dialog.fingerprint.text().split()
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert " ".join(groups) == identity_card(store).value.fingerprint  # the same key, not a new one
    assert dialog.fingerprint.font().fixedPitch() or dialog.fingerprint.font().pointSize() >= 20


@pytest.mark.parametrize("damage", ["truncated", "altered", "not-a-file"])
def test_a_damaged_file_is_one_message_and_changes_nothing(
        qtbot: Any, pair: tuple[Store, Store], tmp_path: Path, damage: str) -> None:
    a, b = pair
    file = tmp_path / "siobhan.sendobs"
    _export(qtbot, a, file)
    data = file.read_bytes()
    if damage == "truncated":
        file.write_bytes(data[: len(data) // 2])
    elif damage == "altered":
        middle = len(data) // 2
        file.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    else:
        file = tmp_path / "missing.sendobs"
    before = stored_bytes(b)
    importer = ExchangeController(b, Runner(synchronous=True))
    failures: list[str] = []
    importer.failed.connect(failures.append)
    importer.check_file(str(file), FILE_PASSPHRASE)
    assert importer.preview_dialog is None and len(failures) == 1
    assert importer.message is not None and importer.message.windowTitle() == "Nothing was changed"
    assert stored_bytes(b) == before


def test_cancel_in_the_preview_imports_nothing(qtbot: Any, pair: tuple[Store, Store],
                                               tmp_path: Path) -> None:
    a, b = pair
    file = tmp_path / "siobhan.sendobs"
    _export(qtbot, a, file)
    before = stored_bytes(b)
    importer = ExchangeController(b, Runner(synchronous=True))
    importer.check_file(str(file), FILE_PASSPHRASE)
    preview = importer.preview_dialog
    assert preview is not None
    qtbot.addWidget(preview)
    assert preview.import_button.isEnabled()
    preview.reject()
    assert stored_bytes(b) == before and MediatorRepository(b.session).count() == 0


def test_the_import_is_applied_on_a_worker_thread(qtbot: Any, pair: tuple[Store, Store],
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from sendobserve.services import exchange as actions

    a, b = pair
    file = tmp_path / "siobhan.sendobs"
    _, count = _export(qtbot, a, file)
    threads: list[threading.Thread] = []
    real_apply = actions.apply_pending

    def watched(store: Store, pending: Any) -> Any:
        threads.append(threading.current_thread())
        return real_apply(store, pending)

    monkeypatch.setattr(actions, "apply_pending", watched)
    runner = Runner()
    importer = ExchangeController(b, runner)
    importer.check_file(str(file), FILE_PASSPHRASE)
    qtbot.waitUntil(lambda: importer.preview_dialog is not None, timeout=30_000)
    preview = importer.preview_dialog
    assert preview is not None
    qtbot.addWidget(preview)
    with qtbot.waitSignal(importer.imported, timeout=30_000) as signal:
        preview.accept()
    runner.wait()
    assert signal.args[0].added == count
    assert threads and threads[0] is not threading.main_thread()


def test_the_preview_names_the_rest_of_the_record_and_its_conflicts(
    qtbot: Any, tmp_path: Path,
) -> None:
    """A whole-record file: the dialog says what of the rest of the record changes."""
    from sendobserve.exchange.apply import preview_import
    from sendobserve.exchange.bundle import open_bundle
    from sendobserve.ui.exchange.dialogs import ImportPreviewDialog
    from tests.exchange import test_whole_record as whole
    from tests.exchange.storekit import TempStore, add_finalised_observation, add_people

    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    whole._fill_logs(a, trainee.id, ppc.id)
    opened = open_bundle(whole._export_record(a, trainee.id, "Łucja Żak"),
                         passphrase=whole.PASS)
    with b.session() as s:
        preview = preview_import(s, opened)
    dialog = ImportPreviewDialog(preview, "record.sendobs")
    qtbot.addWidget(dialog)
    assert dialog.records_summary is not None
    name = dialog.records_summary.accessibleName()
    assert name.startswith("The rest of the record: Training: 1 new")
    assert "Discretions: 1 new" in name
    assert "content schema" not in dialog.details.toPlainText()  # no format words on screen

"""Print preview, Save as PDF, the Print menu's refusals and the cancellable portfolio:
real demo store, real ReportLab/pyHanko PDFs, real PDFium rendering, widgets offscreen."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox

from sendobserve.demo import GAPS, PASSPORTED, READY, fill_store
from sendobserve.reports.signing import verify_pdf
from sendobserve.services.documents import ensure_signing_root
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository, ObservationRepository
from sendobserve.storage.repositories.certificates import CertificateRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.printing import MAX_CACHED, PrintController, PrintPreviewDialog
from tests.helpers import snapshot


@pytest.fixture
def demo(store: Store) -> Store:
    from sendobserve.services.documents import set_provider_name

    fill_store(store, today=date.today())
    set_provider_name(store, "Northern SEND Mediation")  # else Form 4 asks for it first
    return store


def stored_bytes(store: Store) -> dict[str, bytes]:
    """The store's files, byte for byte, except SQLite's ``-shm`` index (shared memory
    that any read of the open database updates) and an empty ``-wal`` (the first read
    creates it; it holds nothing). The database and a non-empty WAL compare exactly."""
    files = snapshot(store.data_dir)
    assert any(name.endswith(".db") for name in files)
    return {name: data for name, data in files.items()
            if not name.endswith("-shm") and not (name.endswith("-wal") and not data)}


def _id(store: Store, name: str) -> Any:
    return MediatorRepository(store.session).resolve(name).id


def _form4(qtbot: Any, store: Store) -> tuple[PrintController, PrintPreviewDialog]:
    controller = PrintController(store, Runner(synchronous=True))
    controller.preview_form4(_id(store, READY))
    dialog = controller.signer_dialog
    assert dialog is not None and dialog.list.count() >= 1
    qtbot.addWidget(dialog)
    assert dialog.ok_button.accessibleName() == "Next: drawn signatures"  # a first issue
    dialog.accept()
    sign(qtbot, controller)
    preview = controller.preview
    assert preview is not None
    qtbot.addWidget(preview)
    return controller, preview


def sign(qtbot: Any, controller: PrintController, *, drawn: bool = True) -> tuple[bytes, bytes]:
    """Draw both signatures through the pads' API (or tick "without") and issue."""
    dialog = controller.signatures_dialog
    assert dialog is not None and controller.preview is None
    qtbot.addWidget(dialog)
    assert not dialog.issue_button.isEnabled()  # never issued blank by default
    if not drawn:
        dialog.without_drawings.setChecked(True)
        dialog.accept()
        return b"", b""
    dialog.signer_pad.add_stroke([QPointF(10, 60), QPointF(80, 20), QPointF(150, 70)])
    assert not dialog.issue_button.isEnabled()  # the mediator has not signed yet
    dialog.mediator_pad.add_stroke([QPointF(20, 40), QPointF(200, 45)])
    dialog.mediator_pad.add_stroke([QPointF(30, 70), QPointF(90, 20)])
    assert dialog.issue_button.isEnabled()
    signer_png, mediator_png = dialog.drawings()
    assert signer_png is not None and mediator_png is not None
    dialog.accept()
    return signer_png, mediator_png


def test_preview_shows_every_page_of_a_real_signed_form4(qtbot: Any, demo: Store) -> None:
    _controller, preview = _form4(qtbot, demo)
    pages = len(PdfReader(io.BytesIO(preview.pdf)).pages)
    assert preview.page_total == pages == len(preview.page_labels)
    assert preview.page_label.text() == f"Page 1 of {pages}"
    assert "SO4-" in preview.status.text() and "Verification code" in preview.status.text()
    image = preview.page_image(1)  # only pages in view are rendered
    assert image is not None and image.width() < image.height()  # portrait A4
    dark = sum(1 for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
               if image.pixelColor(x, y).lightness() < 100)
    assert dark > 100  # ink on the page, not a blank bitmap
    before = preview.zoom
    preview.zoom_in()
    assert preview.zoom > before
    preview.zoom_out()
    preview.zoom_out()
    assert preview.zoom < before


def test_save_as_writes_a_pdf_that_verifies_as_intact_and_trusted(
        qtbot: Any, demo: Store, tmp_path: Path) -> None:
    _controller, preview = _form4(qtbot, demo)
    out = tmp_path / "out"
    out.mkdir()
    with qtbot.waitSignal(preview.saved, timeout=10_000):
        preview.save_to(out / "certificate")  # the .pdf suffix is added
    written = out / "certificate.pdf"
    assert written.read_bytes() == preview.pdf
    assert [p.name for p in out.iterdir()] == ["certificate.pdf"]  # no temporary left
    result = verify_pdf(written.read_bytes(), [ensure_signing_root(demo, None).cert_pem])
    assert result.ok, result.message


def test_printing_paints_each_page_on_the_printer(qtbot: Any, demo: Store,
                                                  tmp_path: Path) -> None:
    _controller, preview = _form4(qtbot, demo)
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a file instead of paper
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(150)
    with qtbot.waitSignal(preview.printed, timeout=30_000) as signal:
        preview.print_to(printer)
    assert signal.args == [preview.page_total]
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == preview.page_total


def test_form4_refusal_names_what_is_missing_and_writes_nothing(
        qtbot: Any, demo: Store) -> None:
    before = stored_bytes(demo)
    controller = PrintController(demo, Runner(synchronous=True))
    refused: list[str] = []
    controller.refused.connect(refused.append)
    controller.preview_form4(_id(demo, GAPS))
    box = controller.message
    assert box is not None
    assert refused and f"Form 4 cannot be issued for {GAPS}" in box.text()
    assert box.icon() == QMessageBox.Icon.Warning  # nothing was issued: act on it
    assert "more hours of casework</li><li>" in box.informativeText()
    assert "discretion" in box.informativeText() and "states it" in box.informativeText()
    assert controller.preview is None and controller.signer_dialog is None
    assert CertificateRepository(demo.session).find(_id(demo, GAPS), 4) is None
    box.close()
    assert stored_bytes(demo) == before


def test_cancelling_the_portfolio_stops_it_and_shows_nothing(qtbot: Any, demo: Store) -> None:
    runner = Runner()  # a real worker thread: Cancel arrives while it lays out pages
    controller = PrintController(demo, runner)
    outcomes: list[str] = []
    controller.failed.connect(outcomes.append)
    before = stored_bytes(demo)
    controller.preview_portfolio(_id(demo, READY))
    if controller.signer_dialog is not None:  # more than one possible verifier
        qtbot.waitUntil(lambda: controller.signer_dialog.isVisible(), timeout=10_000)
        controller.signer_dialog.accept()
    qtbot.waitUntil(lambda: controller.progress is not None
                    and controller.progress.cancel_button.isVisible()
                    and controller.progress.bar.maximum() > 0, timeout=30_000)
    progress = controller.progress
    assert progress is not None
    figures: list[tuple[int, int]] = []
    progress.job.progressed.connect(lambda done, total, _what: figures.append((done, total)))
    progress.cancel_button.click()
    qtbot.waitUntil(lambda: outcomes == ["cancelled"], timeout=30_000)
    runner.wait()
    assert controller.preview is None
    assert all(done < total for done, total in figures)  # stopped before the end
    assert stored_bytes(demo) == before


def test_main_window_print_menu_acts_on_the_workspace_trainee(qtbot: Any, demo: Store) -> None:
    from sendobserve.ui.shell.main_window import MainWindow
    from sendobserve.ui.shell.workspace import build_workspace

    window = MainWindow(demo, runner=Runner(synchronous=True))
    qtbot.addWidget(window)
    workspace = build_workspace(demo)
    workspace.runner.synchronous = True
    workspace.navigation.runner.synchronous = True
    window.set_central_widget(workspace)
    workspace.navigation.reload()
    nav = workspace.navigation
    row = next(r for r in range(nav.trainee_list.model().rowCount())
               if nav.trainee_list.model().index(r, 0).data() == GAPS)
    nav.trainee_list.setCurrentIndex(nav.trainee_list.model().index(row, 0))
    assert window.current_mediator() is not None and window.current_mediator().name == GAPS
    window._update_print_actions()
    assert window.print_form4_action.isEnabled()
    assert window.print_observation_action.shortcut().toString() == "Ctrl+P"
    shortcuts = [a.shortcut().toString() for a in window.findChildren(QAction)
                 if not a.shortcut().isEmpty()]
    assert len(shortcuts) == len(set(shortcuts))  # none ambiguous
    assert "Ctrl+E" not in shortcuts  # the checklist's amend key
    window.print_form4_action.trigger()
    box = window.printing.message
    assert box is not None and f"Form 4 cannot be issued for {GAPS}" in box.text()
    assert window.printing.preview is None


def _observation_preview(qtbot: Any, store: Store) -> PrintPreviewDialog:
    mediator = _id(store, READY)
    observation = next(o for o in ObservationRepository(store.session).list_for_mediator(mediator)
                       if o.form_id == "form2")
    controller = PrintController(store, Runner(synchronous=True))
    controller.preview_observation(observation.id)
    preview = controller.preview
    assert preview is not None
    qtbot.addWidget(preview)
    preview.resize(800, 700)
    preview.show()
    qtbot.waitExposed(preview)
    preview.activateWindow()
    qtbot.waitUntil(preview.isActiveWindow)  # window shortcuts need the active window
    return preview


def test_page_keys_move_through_the_pages_and_ctrl_s_saves(
        qtbot: Any, demo: Store, tmp_path: Path) -> None:
    preview = _observation_preview(qtbot, demo)
    total = len(PdfReader(io.BytesIO(preview.pdf)).pages)
    assert total >= 2 and preview.page_total == total
    qtbot.keyClick(preview, Qt.Key.Key_PageDown)
    assert preview.page_label.text() == f"Page 2 of {total}"
    qtbot.keyClick(preview, Qt.Key.Key_PageUp)
    assert preview.page_label.text() == f"Page 1 of {total}"
    qtbot.keyClick(preview, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert not preview.fit_width and preview.zoom < 1
    small = preview.page_image(1)
    qtbot.keyClick(preview, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(preview, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    big = preview.page_image(1)
    assert small is not None and big is not None
    assert big.width() > small.width() * 1.2  # re-rendered sharp, not just stretched
    target = tmp_path / "observation.pdf"
    preview.ask_save_path = lambda: str(target)  # type: ignore[method-assign]
    with qtbot.waitSignal(preview.saved, timeout=10_000):
        qtbot.keyClick(preview, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert target.read_bytes() == preview.pdf
    assert "Mediation" in "".join(p.extract_text() for p in PdfReader(target).pages)


def test_form5_lists_the_signers_and_a_reprint_keeps_serial_and_signer(
        qtbot: Any, demo: Store) -> None:
    controller = PrintController(demo, Runner(synchronous=True))
    passported = _id(demo, PASSPORTED)
    controller.preview_form5(passported)
    dialog = controller.signer_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    names = [dialog.list.item(r).text() for r in range(dialog.list.count())]
    assert any("Anjali Patel" in n for n in names)
    dialog.list.setCurrentRow(next(r for r, n in enumerate(names) if "Anjali Patel" in n))
    dialog.accept()
    sign(qtbot, controller, drawn=False)
    first = controller.preview
    assert first is not None
    qtbot.addWidget(first)
    issued = CertificateRepository(demo.session).find(passported, 5)
    assert issued is not None and issued.serial in first.status.text()

    controller.signer_dialog = controller.signatures_dialog = None
    controller.preview_form5(passported)  # a re-print: no question, same serial and signer
    assert controller.signer_dialog is None and controller.signatures_dialog is None
    again = controller.preview
    assert again is not None and again is not first
    qtbot.addWidget(again)
    assert f"Re-print of Form 5 {issued.serial}, signed by Anjali Patel" in again.status.text()


def test_form5_refused_for_a_mediator_who_is_not_passported(qtbot: Any, demo: Store) -> None:
    controller = PrintController(demo, Runner(synchronous=True))
    controller.preview_form5(_id(demo, READY))
    assert controller.message is not None and controller.preview is None
    # The Form 5 gate is the passporting assessment: every gap is listed.
    shown = controller.message.text() + controller.message.informativeText()
    assert "not recorded as a passported mediator" in shown


def test_the_portfolio_completes_with_progress_on_a_worker(qtbot: Any, demo: Store) -> None:
    runner = Runner()
    controller = PrintController(demo, runner)
    with qtbot.waitSignal(controller.previewOpened, timeout=120_000) as opened:
        controller.preview_portfolio(_id(demo, READY))
        qtbot.waitUntil(lambda: controller.signer_dialog is None
                        or controller.signer_dialog.isVisible() or controller.preview
                        is not None, timeout=30_000)
        if controller.signer_dialog is not None and controller.preview is None:
            controller.signer_dialog.accept()
    preview = opened.args[0]
    qtbot.addWidget(preview)
    qtbot.waitUntil(lambda: preview.page_total > 0, timeout=60_000)
    runner.wait()
    reader = PdfReader(io.BytesIO(preview.pdf))
    assert preview.page_total == len(reader.pages) > MAX_CACHED
    assert READY in reader.pages[0].extract_text()
    preview.resize(800, 700)
    preview.show()
    qtbot.waitExposed(preview)
    last = preview.page_total
    preview.go_to_page(last)  # rendered on demand, on the worker
    qtbot.waitUntil(lambda: preview.page_image(last) is not None, timeout=30_000)
    runner.wait()
    qtbot.wait(50)
    assert len(preview.cache) <= MAX_CACHED + 3  # never every page of a long portfolio


def test_help_menu_opens_about_and_identity(qtbot: Any, store: Store) -> None:
    from sendobserve.ui.shell.about import AboutDialog
    from sendobserve.ui.shell.main_window import MainWindow

    window = MainWindow(store, runner=Runner(synchronous=True))
    qtbot.addWidget(window)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    about = next(a for a in help_menu.actions() if a.text().startswith("&About"))
    about.trigger()
    assert isinstance(window.about_dialog, AboutDialog)
    assert str(store.data_dir) in "".join(
        label.text() for label in window.about_dialog.findChildren(QLabel))
    window.about_dialog.close()
    window.identity_action.trigger()
    identity = window.exchange.identity_dialog
    assert identity is not None and len(identity.fingerprint.text().split()) == 8
    identity.close()


def test_the_first_certificate_asks_the_providers_name_once(qtbot: Any, store: Store) -> None:
    from sendobserve.services.documents import provider_name

    fill_store(store, today=date.today())
    from sendobserve.storage.meta import META_PROVIDER_NAME, delete_meta

    with store.session() as session:  # the demo names a demo provider: a real store has none
        assert delete_meta(session, META_PROVIDER_NAME)
    controller = PrintController(store, Runner(synchronous=True))
    controller.preview_form4(_id(store, READY))
    asked = controller.provider_dialog
    assert asked is not None and controller.signer_dialog is None  # asked before signing
    qtbot.addWidget(asked)
    asked.name.setText("   ")
    asked.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert asked.result() != asked.DialogCode.Accepted  # refused, still asking
    assert "Type the provider's name" in asked.error.text()
    assert provider_name(store) is None
    asked.name.setText("Northern SEND Mediation")
    asked.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert provider_name(store) == "Northern SEND Mediation"
    assert controller.signer_dialog is not None  # and on to the signer
    qtbot.addWidget(controller.signer_dialog)
    controller.provider_dialog = None
    controller.signer_dialog.close()
    controller.preview_form4(_id(store, READY))
    assert controller.provider_dialog is None  # not asked again
    assert controller.signer_dialog is not None
    qtbot.addWidget(controller.signer_dialog)
    controller.signer_dialog.close()

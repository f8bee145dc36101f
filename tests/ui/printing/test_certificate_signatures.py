"""The signatures dialog of a first Form 4/5 issue: two pads driven through their API and
the keyboard, PNGs that reach the signed certificate, and re-prints that keep them."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from PySide6.QtCore import QPointF, Qt

from sendobserve.demo import READY
from sendobserve.reports.signing import verify_pdf
from sendobserve.services.documents import ensure_signing_root
from sendobserve.storage.db import Store
from sendobserve.storage.repositories.certificates import CertificateRepository
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.printing import CertificateSignaturesDialog, PrintController
from tests.reports.test_certificate_drawings import image_xobjects
from tests.ui.printing.test_printing import _id, demo, sign  # noqa: F401  (the demo store fixture)


def _dialog(qtbot: Any) -> CertificateSignaturesDialog:
    dialog = CertificateSignaturesDialog(4, "Tomasz Wiśniewski", "Mentor", "Siobhán Ó Dálaigh")
    qtbot.addWidget(dialog)
    return dialog


def test_the_dialog_yields_two_pngs_of_what_was_drawn(qtbot: Any) -> None:
    dialog = _dialog(qtbot)
    assert dialog.drawings() == (None, None) and not dialog.issue_button.isEnabled()
    dialog.signer_pad.add_stroke([QPointF(10, 10), QPointF(210, 90)])
    dialog.mediator_pad.add_stroke([QPointF(50, 30), QPointF(110, 30)])
    signer_png, mediator_png = dialog.drawings()
    assert signer_png is not None and mediator_png is not None
    with Image.open(io.BytesIO(signer_png)) as a, Image.open(io.BytesIO(mediator_png)) as b:
        assert a.format == b.format == "PNG" and a.mode == "RGBA"
        assert a.size == (209, 89) and b.size == (69, 9)  # cropped to the strokes + margin
        assert a.getpixel((0, 0))[3] == 0  # transparent background
    assert dialog.issue_button.isEnabled() and "Both have signed" in dialog.hint.text()


def test_undo_clear_and_keyboard(qtbot: Any) -> None:
    dialog = _dialog(qtbot)
    pad = dialog.signer_pad
    assert not dialog.signer_undo.isEnabled() and not dialog.signer_clear.isEnabled()
    pad.add_stroke([QPointF(0, 0), QPointF(40, 40)])
    pad.add_stroke([QPointF(0, 40), QPointF(40, 0)])
    assert dialog.signer_undo.isEnabled()
    qtbot.mouseClick(dialog.signer_undo, Qt.MouseButton.LeftButton)
    assert pad.stroke_count() == 1
    qtbot.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pad.is_empty() and not dialog.signer_clear.isEnabled()
    qtbot.keyClick(pad, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert pad.stroke_count() == 1
    qtbot.mouseClick(dialog.signer_clear, Qt.MouseButton.LeftButton)
    assert pad.is_empty() and "the signer and the mediator" in dialog.hint.text()
    # Names a screen reader reads, one per control.
    names = [w.accessibleName() for w in (dialog.signer_pad, dialog.signer_undo,
                                          dialog.signer_clear, dialog.mediator_pad,
                                          dialog.mediator_undo, dialog.mediator_clear,
                                          dialog.without_drawings, dialog.issue_button)]
    assert all(names) and len(set(names)) == len(names)
    assert "Tomasz Wiśniewski" in dialog.signer_pad.accessibleName()
    assert "Siobhán Ó Dálaigh" in dialog.mediator_clear.accessibleName()
    dialog.open()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter with nothing drawn does not issue
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted


def test_without_drawings_must_be_ticked_and_disables_the_pads(qtbot: Any) -> None:
    dialog = _dialog(qtbot)
    dialog.signer_pad.add_stroke([QPointF(0, 0), QPointF(40, 40)])
    dialog.without_drawings.setChecked(True)
    assert dialog.issue_button.isEnabled()
    assert not dialog.signer_pad.isEnabled() and not dialog.mediator_undo.isEnabled()
    assert dialog.drawings() == (None, None)
    assert "blank signature lines" in dialog.hint.text()


def test_app_issue_prints_both_drawings_and_a_reprint_keeps_them(
        qtbot: Any, demo: Store) -> None:  # noqa: F811
    controller = PrintController(demo, Runner(synchronous=True))
    mediator = _id(demo, READY)
    controller.preview_form4(mediator)
    assert controller.signer_dialog is not None
    qtbot.addWidget(controller.signer_dialog)
    controller.signer_dialog.accept()
    signer_png, mediator_png = sign(qtbot, controller)
    first = controller.preview
    assert first is not None
    qtbot.addWidget(first)
    assert len(image_xobjects(first.pdf)) == 2
    result = verify_pdf(first.pdf, [ensure_signing_root(demo, None).cert_pem])
    assert result.intact and result.trusted, result.message
    stored = CertificateRepository(demo.session).find(mediator, 4)
    assert stored is not None
    assert (stored.signer_drawing, stored.mediator_drawing) == (signer_png, mediator_png)

    controller.signer_dialog = controller.signatures_dialog = None
    controller.preview_form4(mediator)  # re-print: neither who signs nor the drawings asked
    assert controller.signer_dialog is None and controller.signatures_dialog is None
    again = controller.preview
    assert again is not None and again is not first
    qtbot.addWidget(again)
    assert f"Re-print of Form 4 {stored.serial}" in again.status.text()
    assert sorted(image_xobjects(again.pdf)) == sorted(image_xobjects(first.pdf))


def test_a_stroke_dragged_far_outside_the_pad_still_gives_an_acceptable_png(qtbot: Any) -> None:
    from sendobserve.reports.drawings import check_drawing

    dialog = _dialog(qtbot)
    dialog.signer_pad.add_stroke([QPointF(-1500, 20), QPointF(3500, 60), QPointF(10, 1400)])
    dialog.mediator_pad.add_stroke([QPointF(10, 10), QPointF(300, 80)])
    signer_png, mediator_png = dialog.drawings()
    assert signer_png is not None and mediator_png is not None
    assert dialog.signer_pad.to_png() != signer_png  # it was scaled down
    with Image.open(io.BytesIO(signer_png)) as image:
        assert image.size[0] == 2000 and image.size[1] <= 1000
    assert mediator_png == dialog.mediator_pad.to_png()  # within limits: untouched
    assert check_drawing(signer_png) is signer_png

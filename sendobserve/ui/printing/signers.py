"""Who signs: the signer (or the portfolio's verifier) chosen from a short list, and
the two drawn signatures of a first Form 4 or Form 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendobserve.ui.common.a11y import act_or_cancel
from sendobserve.ui.common.signature_pad import SignaturePad

if TYPE_CHECKING:
    from sendobserve.model.domain import Observer


# --- who signs ---------------------------------------------------------------------------

class SignerDialog(QDialog):
    """Choose one person from a short list (Form 4/5 signer, the portfolio's verifier)."""

    def __init__(self, candidates: Sequence[Observer], title: str, explanation: str,
                 parent: QWidget | None = None, *, ok_text: str = "Sign and preview") -> None:
        from sendobserve.model.vocabulary import ROLE_LABELS

        super().__init__(parent)
        self.candidates = tuple(candidates)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        label = QLabel(explanation)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        self.list.setAccessibleName("People who may sign")
        for person in self.candidates:
            extra = " · experienced SEND mediator" if person.experienced_send else ""
            item = QListWidgetItem(f"{person.name} — {ROLE_LABELS[person.role]}{extra}")
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        rows = max(1, min(6, len(self.candidates)))
        self.list.setFixedHeight(rows * max(self.list.sizeHintForRow(0), 20) + 8)
        self.list.itemActivated.connect(lambda _i: self.accept())
        label.setBuddy(self.list)
        layout.addWidget(self.list)
        buttons = act_or_cancel(self, ok_text, self.accept)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)

    def chosen(self) -> Observer | None:
        row = self.list.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None


# --- the drawn signatures ---------------------------------------------------------------

def _within_limits(png: bytes | None) -> bytes | None:
    """A pad's PNG scaled down (aspect kept) if a stroke dragged far outside the pad made it
    larger than a certificate accepts (``reports.drawings.MAX_DRAWING_SIZE``)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from sendobserve.reports.drawings import MAX_DRAWING_SIZE

    if png is None:
        return None
    image = QImage.fromData(png)
    max_w, max_h = MAX_DRAWING_SIZE
    if image.width() <= max_w and image.height() <= max_h:
        return png
    image = image.scaled(max_w, max_h, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes; str works
    return bytes(data.data())


class CertificateSignaturesDialog(QDialog):
    """The signer's, then the mediator's, drawn signature for a new Form 4 or 5.

    Both are drawn here (mouse, pen or finger), or the certificate is issued with blank
    lines — but only when "Issue without drawn signatures" is ticked, never by default.
    A re-print never asks: it keeps the first issue's drawings.
    """

    def __init__(self, form_number: int, signer_name: str, signer_role: str,
                 mediator_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = f"Signatures on Form {form_number}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{signer_name} signs first, then {mediator_name}. The drawings are printed above "
            "the signature lines and kept with the certificate, so a re-print shows the same "
            "ones. The PDF is also signed digitally.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.signer_pad, self.signer_clear, self.signer_undo = self._pad_box(
            layout, f"&1  {signer_name} — {signer_role}", signer_name)
        self.mediator_pad, self.mediator_clear, self.mediator_undo = self._pad_box(
            layout, f"&2  {mediator_name} — Mediator", mediator_name)
        self.without_drawings = QCheckBox("Issue &without drawn signatures (the lines stay blank)")
        self.without_drawings.setAccessibleName("Issue without drawn signatures")
        self.without_drawings.toggled.connect(self._update)
        layout.addWidget(self.without_drawings)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        buttons = act_or_cancel(self, "&Sign and preview", self.accept)
        self.issue_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        self.signer_pad.changed.connect(self._update)
        self.mediator_pad.changed.connect(self._update)
        self.setTabOrder(self.signer_pad, self.signer_undo)
        self.setTabOrder(self.signer_undo, self.signer_clear)
        self.setTabOrder(self.signer_clear, self.mediator_pad)
        self.setTabOrder(self.mediator_pad, self.mediator_undo)
        self.setTabOrder(self.mediator_undo, self.mediator_clear)
        self.setTabOrder(self.mediator_clear, self.without_drawings)
        self.signer_pad.setFocus()
        self._update()

    def _pad_box(self, layout: QVBoxLayout, title: str,
                 who: str) -> tuple[SignaturePad, QPushButton, QPushButton]:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        pad = SignaturePad()
        # However wide the dialog grows, the PNG stays within the 2000×1000 px limit.
        pad.setMaximumWidth(960)
        pad.setAccessibleName(f"Signature of {who}")
        pad.setAccessibleDescription(
            f"{who} draws their signature with a mouse, pen or finger. Ctrl+Z removes the last "
            "stroke, Ctrl+Shift+Z puts it back; Delete clears.")
        inner.addWidget(pad)
        row = QHBoxLayout()
        row.addStretch(1)
        undo = QPushButton("Undo stroke")
        undo.setAccessibleName(f"Undo the last stroke of {who}'s signature")
        undo.setToolTip("Ctrl+Z in the pad")
        undo.clicked.connect(pad.undo_stroke)
        clear = QPushButton("Clear")
        clear.setAccessibleName(f"Clear {who}'s signature")
        clear.setToolTip("Delete in the pad")
        clear.clicked.connect(pad.clear)
        for button in (undo, clear):
            button.setAutoDefault(False)
            row.addWidget(button)
        inner.addLayout(row)
        layout.addWidget(box)
        # The group's mnemonic (Alt+1, Alt+2) moves the focus into its pad.
        box.setFocusProxy(pad)
        return pad, clear, undo

    def _update(self, *_args: object) -> None:
        without = self.without_drawings.isChecked()
        for pad, clear, undo in ((self.signer_pad, self.signer_clear, self.signer_undo),
                                 (self.mediator_pad, self.mediator_clear, self.mediator_undo)):
            pad.setEnabled(not without)
            clear.setEnabled(not without and not pad.is_empty())
            undo.setEnabled(not without and not pad.is_empty())
        missing = [who for who, pad in (("the signer", self.signer_pad),
                                        ("the mediator", self.mediator_pad)) if pad.is_empty()]
        ready = without or not missing
        self.issue_button.setEnabled(ready)
        if without:
            self.hint.setText("The certificate will be issued with blank signature lines.")
        elif missing:
            self.hint.setText("Still to sign: " + " and ".join(missing) + ".")
        else:
            self.hint.setText("Both have signed.")

    def drawings(self) -> tuple[bytes | None, bytes | None]:
        """(signer's PNG, mediator's PNG); both None when issued without drawings."""
        if self.without_drawings.isChecked():
            return None, None
        return _within_limits(self.signer_pad.to_png()), _within_limits(self.mediator_pad.to_png())

    def accept(self) -> None:
        if self.issue_button.isEnabled():  # Enter in the pad must not skip a signature
            super().accept()



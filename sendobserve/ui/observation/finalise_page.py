"""Review what was not seen, then finalise and sign.

The typed name, role and date are the signature; a drawing on the pad is added when the
observer has a mouse, pen or finger to hand (keyboard users can sign without one).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QStringListModel, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendobserve.model.domain import ObserverRole, Signature
from sendobserve.ui.common.a11y import LiveLabel, on_back
from sendobserve.ui.common.settings import ROLE_LABELS
from sendobserve.ui.common.signature_pad import SignaturePad
from sendobserve.ui.navigation.page import RowDelegate
from sendobserve.ui.observation.session import ObservationSession


class ReviewPage(QWidget):
    finalised = Signal()
    backRequested = Signal()

    def __init__(self, session: ObservationSession, name: str, role: ObserverRole,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.summary = LiveLabel("Review")
        self.summary.setWordWrap(True)
        self.not_seen_model = QStringListModel(self)
        self.not_seen = QListView()
        self.not_seen.setModel(self.not_seen_model)
        self.not_seen.setAccessibleName("Items not yet seen")
        self.not_seen.setAccessibleDescription(
            "These stay 'not yet seen' in this observation. Skills need not all be shown in "
            "every case, only over the whole practice period.")
        self.not_seen.setAlternatingRowColors(True)
        self.not_seen.setWordWrap(True)
        self.not_seen.setItemDelegate(RowDelegate(self.not_seen))

        self.pad = SignaturePad()
        self.clear_button = QPushButton("C&lear drawing")
        self.undo_stroke_button = QPushButton("Undo &stroke")
        self.redo_stroke_button = QPushButton("Redo s&troke")
        self.redo_stroke_button.setAccessibleName("Put back the stroke just removed")
        self.clear_button.setAccessibleName("Clear the drawn signature")
        self.undo_stroke_button.setAccessibleName("Remove the last stroke of the signature")
        self.name = QLineEdit(name)
        self.role = QComboBox()
        for value, label in ROLE_LABELS.items():
            self.role.addItem(label, value.value)
        self.role.setCurrentIndex(list(ROLE_LABELS).index(role))
        self.signed_on = QDateEdit(QDate.currentDate())
        self.signed_on.setCalendarPopup(True)
        self.signed_on.setDisplayFormat("d MMMM yyyy")
        for widget, label in ((self.name, "Your name"), (self.role, "Your role"),
                              (self.signed_on, "Date")):
            widget.setAccessibleName(label)
            widget.setMinimumHeight(36)
        self.name.setAccessibleDescription("Your typed name signs this observation.")
        self.error = LiveLabel("Problem", alert=True)
        self.error.setWordWrap(True)
        # Alt+F is the File menu's.
        self.finalise_button = QPushButton("Finalise and si&gn")
        self.finalise_button.setAccessibleName("Finalise and sign")
        self.finalise_button.setAccessibleDescription(
            "After this the observation is read only; corrections are amendments with a reason.")
        self.back_button = QPushButton("&Back")
        self.back_button.setAccessibleName("Back to the checklist")
        self.back_button.setAccessibleDescription("Esc")
        for button in (self.clear_button, self.undo_stroke_button, self.redo_stroke_button,
                       self.finalise_button, self.back_button):
            button.setMinimumHeight(40)

        pad_buttons = QHBoxLayout()
        pad_buttons.addWidget(self.clear_button)
        pad_buttons.addWidget(self.undo_stroke_button)
        pad_buttons.addWidget(self.redo_stroke_button)
        pad_buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("R&ole:", self.role)
        form.addRow("&Date:", self.signed_on)
        actions = QHBoxLayout()
        actions.addWidget(self.back_button)
        actions.addStretch(1)
        actions.addWidget(self.finalise_button)

        title = QLabel("<h2>Review and sign</h2>")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addWidget(self.not_seen, 1)
        layout.addWidget(QLabel("Signature (draw with a mouse, pen or finger — optional; "
                                "your typed name signs):"))
        layout.addWidget(self.pad)
        layout.addLayout(pad_buttons)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(actions)

        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_stroke_button.clicked.connect(self.pad.undo_stroke)
        self.redo_stroke_button.clicked.connect(self.pad.redo_stroke)
        self.finalise_button.clicked.connect(self.finalise)
        self.back_button.clicked.connect(self.backRequested)
        on_back(self, self.backRequested.emit)
        self.refresh()

    def refresh(self) -> None:
        model = self.session.model
        missing = model.not_seen()
        seen, total = model.progress()
        if missing:
            self.summary.setText(
                f"{seen} of {total} seen. Not seen in this observation ({len(missing)}) — "
                "they need not all be shown in every case:")
        else:
            self.summary.setText(f"All {total} items seen.")
        self.not_seen_model.setStringList([text for _id, text in missing] or ["(none)"])
        self.error.clear()

    def signature(self) -> Signature | None:
        name = self.name.text().strip()
        if not name:
            self.error.setText("Type your name to sign.")
            self.name.setFocus()
            return None
        qdate = self.signed_on.date()
        return Signature(
            name=name,
            role=ObserverRole(self.role.currentData()),
            signed_on=date(qdate.year(), qdate.month(), qdate.day()),
            drawing_png=self.pad.to_png(),
        )

    def finalise(self) -> None:
        signature = self.signature()
        if signature is None:
            return
        if self.session.finalise(signature) is None:
            self.error.setText(self.session.status_text)
            return
        self.finalised.emit()

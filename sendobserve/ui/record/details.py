"""The mediator's own details: the facts Form 5 and re-registration read (passported,
SEND practice since, lead since, accredited on). Each date may be unknown, so each has a
"known" box; the repository validates (no future date, lead not before SEND practice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.model.domain import Mediator, ProfessionalBody
from sendobserve.model.outcome import Status
from sendobserve.model.validation import ValidationError
from sendobserve.storage.repositories import MediatorRepository
from sendobserve.ui.readiness.style import status_colour

BODIES = (
    (ProfessionalBody.COM, "College of Mediators"),
    (ProfessionalBody.CMC, "Civil Mediation Council"),
    (ProfessionalBody.NONE, "None yet"),
)
DATES = (
    ("send_practice_since", "Working as a SEND mediator since"),
    ("lead_since", "Lead SEND mediator since"),
    ("accredited_on", "Accredited on"),
)


class _OptionalDate(QWidget):
    """A date that may be unknown: a box to say it is known, and the date."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.known = QCheckBox("Known")
        self.known.setAccessibleName(f"{label} is known")
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("d MMM yyyy")
        self.edit.setAccessibleName(label)
        self.known.toggled.connect(self.edit.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.known)
        row.addWidget(self.edit, 1)
        self.set(None)

    def set(self, value: date | None) -> None:
        self.known.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        day = value or date.today()
        self.edit.setDate(QDate(day.year, day.month, day.day))

    def value(self) -> date | None:
        if not self.known.isChecked():
            return None
        day = self.edit.date()
        return date(day.year(), day.month(), day.day())


class MediatorDetails(QWidget):
    changed = Signal()

    def __init__(self, repo: MediatorRepository, today: Callable[[], date],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._today = today
        self._mediator: Mediator | None = None
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.body = QComboBox()
        self.body.setAccessibleName("Professional body")
        for body, text in BODIES:
            self.body.addItem(text, body.value)
        self.passported = QCheckBox("Passported (Form 5) rather than accredited through Form 4")
        self.passported.setAccessibleName("Passported")
        self.dates = {name: _OptionalDate(label) for name, label in DATES}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, label, widget in (
            ("name", "&Name", self.name),
            ("professional_body", "Professional &body", self.body),
            ("passported", "", self.passported),
            *((n, lbl, self.dates[n]) for n, lbl in DATES),
        ):
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(widget)
            error = QLabel()
            error.setTextFormat(Qt.TextFormat.PlainText)
            error.setWordWrap(True)
            error.setVisible(False)
            pal = error.palette()
            pal.setColor(error.foregroundRole(), status_colour(Status.NOT_MET, self.palette()))
            error.setPalette(pal)
            column.addWidget(error)
            self.errors[name] = error
            form.addRow(f"{label}:" if label else "", holder)
        self.save_button = QPushButton("&Save details")
        self.save_button.setAccessibleName("Save the mediator's details")
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def show_mediator(self, mediator: Mediator) -> None:
        self._mediator = mediator
        self.name.setText(mediator.name)
        self.body.setCurrentIndex(max(self.body.findData(mediator.professional_body.value), 0))
        self.passported.setChecked(mediator.passported)
        for name, _ in DATES:
            self.dates[name].set(getattr(mediator, name))
        self._clear()

    def _clear(self) -> None:
        for label in self.errors.values():
            label.setVisible(False)
            label.setText("")

    def save(self) -> bool:
        if self._mediator is None:
            return False
        self._clear()
        changed = replace(
            self._mediator,
            name=self.name.text(),
            professional_body=ProfessionalBody(self.body.currentData()),
            passported=self.passported.isChecked(),
            send_practice_since=self.dates["send_practice_since"].value(),
            lead_since=self.dates["lead_since"].value(),
            accredited_on=self.dates["accredited_on"].value(),
        )
        try:
            saved = self._repo.update(changed, today=self._today())
        except ValidationError as exc:
            label = self.errors.get(exc.field)
            if label is None:
                self.message.setText(f"⚠ {exc.message}")
            else:
                label.setText(f"⚠ {exc.message}")
                label.setVisible(True)
            return False
        except UserError as exc:
            self.message.setText(f"⚠ {exc.message}")
            return False
        self._mediator = saved
        self.message.setText("Saved.")
        self.changed.emit()
        return True

"""The mediator's own details: the facts Form 5 and re-registration read (passported,
SEND practice since, lead since, accredited on, the passporting route and the provider's
confirmation, §1.6) and the edition of the Standards their practice period is judged
under. Each date may be unknown, so each has a "known" box; the repository validates (no
future date, lead not before SEND practice). The day the mediator left the panel (a
retention event, ``storage.retention.set_left_panel``) is kept with them in this store.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Protocol

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
from sendobserve.model.domain import Mediator, PassportRoute, ProfessionalBody
from sendobserve.model.outcome import Status
from sendobserve.model.rulebook import shipped_rulebook
from sendobserve.model.validation import ValidationError
from sendobserve.services import Done
from sendobserve.services.changes import Changes
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.trainee.style import status_colour


class LeavingDoor(Protocol):
    """The leaving date's reads and writes (the trainee page's door)."""

    def left_panel_on(self, mediator_id: uuid.UUID) -> date | None: ...
    def set_left_panel(self, mediator_id: uuid.UUID, day: date | None, *,
                       today: date) -> Done[date | None]: ...

BODIES = (
    (ProfessionalBody.COM, "College of Mediators"),
    (ProfessionalBody.CMC, "Civil Mediation Council"),
    (ProfessionalBody.NONE, "None yet"),
)
ROUTES = (
    ("", "Not passported / not recorded"),
    (PassportRoute.PANEL.value, "(A) On a provider's panel, confirmed by the provider"),
    (PassportRoute.PIONEER.value, "(B) A pioneer with a long history of SEND mediation"),
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
    """The mediator's own details; ``save(mediator, today=)`` commits them (the
    door's ``save_mediator``) and ``changed`` carries what that changed."""

    changed = Signal(object)  # Changes

    def __init__(self, save: Callable[..., Done[Mediator]], today: Callable[[], date],
                 parent: QWidget | None = None, *, leaving: LeavingDoor | None = None,
                 runner: Runner | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self._leaving = leaving  # the leaving date's reads and writes (None: not shown)
        self._today = today
        # The store is read and written on the window's runner, off the GUI thread.
        self.runner: Runner = runner or Runner(self, synchronous=True)
        self._outcome = False  # the last save's: refused (False) or not (True)
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
        # §1.6: the route, and for (A) the provider's confirmation of its panel.
        self.route = QComboBox()
        self.route.setAccessibleName("Passporting route")
        for value, text in ROUTES:
            self.route.addItem(text, value)
        self.panel_by = QLineEdit()
        self.panel_by.setAccessibleName("Panel confirmed for the provider by")
        self.panel_by.setPlaceholderText("who confirmed, for the provider (§1.6 (A))")
        self.panel_on = _OptionalDate("Panel confirmed on")
        # The edition of the Standards the practice period is judged under.
        self.edition = QComboBox()
        self.edition.setAccessibleName("Edition of the Standards")
        self.edition.addItem("The one in force when the practice period began", "")
        for e in shipped_rulebook():
            self.edition.addItem(f"{e.label} [{e.id}]", e.id)
        # The day they left the provider's panel: retention may count from it.
        self.left_panel = _OptionalDate("Left the panel on")
        self.left_panel.setToolTip("Retention periods set to count from leaving the panel "
                                   "start on this day (File ▸ Data protection…).")
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, label, widget in (
            ("name", "&Name", self.name),
            ("professional_body", "Profess&ional body", self.body),
            ("passported", "", self.passported),
            *((n, lbl, self.dates[n]) for n, lbl in DATES),
            ("passport_route", "Passporting ro&ute", self.route),
            ("panel_confirmed_by", "Panel confirmed b&y", self.panel_by),
            ("panel_confirmed_on", "Panel c&onfirmed on", self.panel_on),
            ("rules_edition", "&Edition of the Standards", self.edition),
            *((("left_on", "Date of leavin&g the panel", self.left_panel),)
              if leaving is not None else ()),
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
        self.save_button = QPushButton("Sa&ve details")
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
        route = mediator.passport_route.value if mediator.passport_route else ""
        self.route.setCurrentIndex(max(self.route.findData(route), 0))
        self.panel_by.setText(mediator.panel_confirmed_by or "")
        self.panel_on.set(mediator.panel_confirmed_on)
        self.edition.setCurrentIndex(max(self.edition.findData(mediator.rules_edition or ""), 0))
        if self._leaving is not None:
            self._read_left_panel(self._leaving, mediator.id)
        self._clear()

    def _read_left_panel(self, leaving: LeavingDoor, mediator_id: uuid.UUID) -> None:
        """The leaving date, read on the runner; the field waits disabled until it is in."""
        self.left_panel.setEnabled(False)

        def shown(day: date | None) -> None:
            if self._mediator is not None and self._mediator.id == mediator_id:
                self.left_panel.set(day)
                self.left_panel.setEnabled(True)

        def failed(exc: BaseException) -> None:
            self.message.setText(f"⚠ {exc.message if isinstance(exc, UserError) else exc}")

        self.runner.op(lambda: leaving.left_panel_on(mediator_id)).success(shown) \
            .failure(failed).owned_by(self).run()

    def _clear(self) -> None:
        for label in self.errors.values():
            label.setVisible(False)
            label.setText("")

    def save(self) -> bool:
        """Check, then commit the details and the leaving date on the runner. False when
        refused (at once, or by the store when the runner is synchronous); the outcome
        is shown beside the field or in the message, and ``changed`` carries a commit."""
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
            passport_route=PassportRoute(self.route.currentData())
            if self.route.currentData() else None,
            panel_confirmed_by=self.panel_by.text().strip() or None,
            panel_confirmed_on=self.panel_on.value(),
            rules_edition=self.edition.currentData() or None,
        )
        left_on = self.left_panel.value()
        today = self._today()
        if self._leaving is not None and left_on is not None and left_on > today:
            self._refused(ValidationError(f"The leaving date ({left_on.isoformat()}) is after "
                                          "today; record it once the mediator has left",
                                          field="left_on"))
            return False
        leaving, save = self._leaving, self._save

        def work() -> tuple[Mediator, Changes]:
            # A pair, not a Done: ``changed`` announces it once, through the editor.
            written = save(changed, today=today)
            changes = written.changes
            if leaving is not None:
                changes = changes | leaving.set_left_panel(written.value.id, left_on,
                                                           today=today).changes
            return written.value, changes

        def done(result: tuple[Mediator, Changes]) -> None:
            self._outcome = True
            self._mediator = result[0]
            self.save_button.setEnabled(True)
            self.message.setText("Saved.")
            self.changed.emit(result[1])

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            self._refused(exc)

        self._outcome = True
        self.save_button.setEnabled(False)
        self.message.setText("Saving…")
        self.runner.op(work).success(done).failure(failed).owned_by(self).run()
        return self._outcome

    def _refused(self, exc: BaseException) -> None:
        self._outcome = False
        if isinstance(exc, ValidationError) and exc.field in self.errors:
            label = self.errors[exc.field]
            label.setText(f"⚠ {exc.message}")
            label.setVisible(True)
            self.message.setText("")
        elif isinstance(exc, UserError):
            self.message.setText(f"⚠ {exc.message}")
        else:
            self.message.setText(f"⚠ Not saved: {exc}")

"""Add or edit one entry of the record: a form built from the kind's fields.

Save hands the built object to the repository, which validates before writing; a
``ValidationError`` is shown under the field it names and nothing has been stored. The
dialog stays open so the person can correct it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.model.domain import Observer
from sendobserve.model.outcome import Status, fmt_hours, role_label
from sendobserve.model.validation import ValidationError
from sendobserve.ui.common.a11y import with_mnemonic
from sendobserve.ui.trainee.record.specs import FieldKind, FieldSpec, KindSpec, parse_hours
from sendobserve.ui.trainee.style import status_colour


class EntryDialog(QDialog):
    saved = Signal(object)  # the committed domain object

    def __init__(
        self,
        spec: KindSpec,
        mediator_id: uuid.UUID,
        save: Callable[[Any], Any],
        *,
        item: Any = None,
        observers: Sequence[Observer] = (),
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.mediator_id = mediator_id
        self.item_id: uuid.UUID = item.id if item is not None else uuid.uuid4()
        self._save = save
        self.saved_item: Any = None
        editing = item is not None
        self.setWindowTitle(f"{'Edit' if editing else 'Add'} {spec.noun}")
        self.setAccessibleName(self.windowTitle())
        self.setObjectName(f"entryDialog:{spec.key}")

        self.general_error = QLabel()
        self.general_error.setTextFormat(Qt.TextFormat.PlainText)
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self._paint_error(self.general_error)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        values = spec.values(item) if editing else {}
        used = {"s", "c"}  # Save and Cancel
        for field in spec.fields:
            widget = self._make(field, values.get(field.name), observers, today)
            widget.setObjectName(field.name)
            widget.setAccessibleName(field.label if field.kind is not FieldKind.HOURS
                                     else field.hours_label)
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            if field.hint:
                hint = QLabel(field.hint)
                hint.setTextFormat(Qt.TextFormat.PlainText)
                hint.setWordWrap(True)
                column.addWidget(hint)
            error = QLabel()
            error.setTextFormat(Qt.TextFormat.PlainText)
            error.setWordWrap(True)
            error.setVisible(False)
            error.setObjectName(f"error:{field.name}")
            self._paint_error(error)
            column.addWidget(error)
            label = QLabel(with_mnemonic(f"{field.label}:", used))
            label.setBuddy(widget)
            form.addRow(label, holder)
            self.widgets[field.name] = widget
            self.errors[field.name] = error

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.general_error)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        # Wide enough that hints and messages rarely wrap: a wrapped label in a form
        # layout is measured late and can be clipped until the next resize.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 84)

    def _paint_error(self, label: QLabel) -> None:
        pal = label.palette()
        pal.setColor(label.foregroundRole(), status_colour(Status.NOT_MET, self.palette()))
        label.setPalette(pal)

    def _make(self, field: FieldSpec, value: Any, observers: Sequence[Observer],
              today: date | None) -> QWidget:
        if field.kind is FieldKind.TEXT:
            line = QLineEdit(str(value or ""))
            line.setPlaceholderText(field.placeholder)
            if field.max_length:
                line.setMaxLength(field.max_length)
            return line
        if field.kind is FieldKind.HOURS:
            line = QLineEdit(fmt_hours(value) if isinstance(value, Decimal) else "")
            line.setPlaceholderText(field.placeholder)
            return line
        if field.kind is FieldKind.MULTILINE:
            text = QPlainTextEdit(str(value or ""))
            text.setTabChangesFocus(True)
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 4 + 12)
            return text
        if field.kind is FieldKind.CHECK:
            box = QCheckBox(field.placeholder or "Yes")
            box.setChecked(bool(value))
            return box
        if field.kind is FieldKind.DATE:
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            day = value if isinstance(value, date) else (today or date.today())
            edit.setDate(QDate(day.year, day.month, day.day))
            return edit
        combo = QComboBox()
        if field.kind is FieldKind.OBSERVER:
            combo.addItem("— not an observer —", "")
            for o in observers:
                combo.addItem(f"{o.name} ({role_label(o.role)})", str(o.id))
            wanted = str(value) if value else ""
        else:
            for key, shown in field.choices:
                combo.addItem(shown, key)
            wanted = str(value) if value is not None else field.choices[0][0]
        at = combo.findData(wanted)
        combo.setCurrentIndex(max(at, 0))
        return combo

    # --- values -------------------------------------------------------------------------
    def field(self, name: str) -> QWidget:
        return self.widgets[name]

    def set_value(self, name: str, value: Any) -> None:
        """Fill a field as a person would (for tests and for pre-filling)."""
        widget = self.widgets[name]
        if isinstance(widget, QLineEdit):
            widget.setText(str(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        elif isinstance(widget, QDateEdit):
            widget.setDate(QDate(value.year, value.month, value.day))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(str(value)))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))

    def _collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in self.spec.fields:
            widget = self.widgets[field.name]
            if field.kind is FieldKind.HOURS:
                assert isinstance(widget, QLineEdit)
                values[field.name] = parse_hours(field, widget.text())
            elif isinstance(widget, QLineEdit):
                values[field.name] = widget.text()
            elif isinstance(widget, QPlainTextEdit):
                values[field.name] = widget.toPlainText()
            elif isinstance(widget, QDateEdit):
                values[field.name] = widget.date().toPython()
            elif isinstance(widget, QCheckBox):
                values[field.name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                data = widget.currentData()
                if field.kind is FieldKind.OBSERVER:
                    values[field.name] = uuid.UUID(data) if data else None
                else:
                    values[field.name] = data
        return values

    # --- saving -------------------------------------------------------------------------
    def clear_errors(self) -> None:
        self.general_error.setVisible(False)
        self.general_error.setText("")
        for name, label in self.errors.items():
            label.setVisible(False)
            label.setText("")
            self.widgets[name].setAccessibleDescription("")

    def show_error(self, field: str | None, message: str) -> None:
        label = self.errors.get(field or "")
        if label is None:
            self.general_error.setText(f"⚠ {message}")
            self.general_error.setVisible(True)
            self._relayout()
            return
        label.setText(f"⚠ {message}")
        label.setVisible(True)
        self._relayout()
        widget = self.widgets[field or ""]
        widget.setAccessibleDescription(message)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _relayout(self) -> None:
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.adjustSize()

    def error_text(self, field: str) -> str:
        label = self.errors[field]
        return label.text() if not label.isHidden() else ""

    def submit(self) -> bool:
        """Build, save, close; on a refusal show why next to the field and stay open."""
        self.clear_errors()
        try:
            item = self.spec.build(self.item_id, self.mediator_id, self._collect())
            result = self._save(item)
        except ValidationError as exc:
            message = exc.message + (f". {exc.hint}" if exc.hint else "")
            self.show_error(exc.field, message)
            return False
        except UserError as exc:
            self.show_error(None, exc.message + (f". {exc.hint}" if exc.hint else ""))
            return False
        self.saved_item = result
        self.saved.emit(result)
        self.accept()
        return True

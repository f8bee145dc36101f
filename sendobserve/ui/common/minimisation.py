"""A warning beside a text field when what is typed looks like a child's name, a date of
birth or a school (``model.minimisation``). It never blocks saving: it says what it saw and
why, as the person types, and screen readers hear it (a ``LiveLabel``)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from sendobserve.model.minimisation import check_text
from sendobserve.ui.common.a11y import LiveLabel


def minimisation_label(parent: QWidget | None = None) -> LiveLabel:
    label = LiveLabel("Privacy check", parent=parent)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def watch(field: QLineEdit | QPlainTextEdit, label: LiveLabel, *,
          is_reference: bool = False) -> None:
    """Re-check ``field`` whenever its text changes and show the first concern in ``label``
    (hidden while there is none)."""

    def recheck() -> None:
        text = field.text() if isinstance(field, QLineEdit) else field.toPlainText()
        warnings = check_text(text, is_reference=is_reference)
        message = ""
        if warnings:
            message = "⚠ " + warnings[0].message
            if len(warnings) > 1:
                message += f" ({len(warnings) - 1} more in this text.)"
            message += " You can still save it."
        if label.text() != message:
            label.setText(message)
        label.setVisible(bool(message))

    field.textChanged.connect(recheck)
    recheck()

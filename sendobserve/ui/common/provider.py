"""The provider's name, asked once (before the first Form 4 or 5) and kept in the store."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.ui.common.a11y import LiveLabel, save_or_cancel


class ProviderNameDialog(QDialog):
    """One field: the organisation (or sole provider) that issues the certificates."""

    def __init__(self, current: str | None, save: Callable[[str], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self.saved_name: str | None = None
        self.setWindowTitle("The provider's name")
        intro = QLabel("Form 4 and Form 5 name the provider that issues them: your "
                       "organisation, or your own name as a sole provider. It is asked once "
                       "and kept in your encrypted records; File ▸ Provider's name… changes it.")
        intro.setWordWrap(True)
        self.name = QLineEdit(current or "")
        self.name.setAccessibleName("Provider's name")
        self.name.setPlaceholderText("e.g. Northern SEND Mediation")
        self.error = LiveLabel("Problem", alert=True)
        self.error.setWordWrap(True)
        buttons = save_or_cancel(self, self._check)
        layout = QFormLayout(self)
        layout.addRow(intro)
        layout.addRow("Provider's &name:", self.name)
        layout.addRow(self.error)
        layout.addRow(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.name.setFocus()

    def _check(self) -> None:
        try:
            self.saved_name = self._save(self.name.text())
        except UserError as exc:
            self.error.setText(exc.message)
            self.name.setFocus()
            return
        self.accept()

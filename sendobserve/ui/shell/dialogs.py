"""First-run and unlock dialogs.

Both take a callable that does the real work (create or open the store) so the
dialog holds layout and feedback only; the app passes the storage functions, tests
pass the same ones against a temporary folder. Every control has an accessible name
and a mnemonic or a default-button role, so both dialogs work from the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sendobserve import APP_DISPLAY_NAME
from sendobserve.errors import UserError
from sendobserve.services.files import write_file
from sendobserve.services.store import as_reason, passphrase_problem, passphrase_strength

if TYPE_CHECKING:
    from sendobserve.storage.keyring_cache import KeyringStatus
from sendobserve.ui.common.a11y import LiveLabel
from sendobserve.ui.common.lock import FILE_DIALOG_OPTIONS
from sendobserve.ui.common.secret_field import PasswordField
from sendobserve.ui.common.tasks import startup_runner

STRENGTH_NAMES = ["too short", "weak", "fair", "good", "strong"]


def _error_label(name: str) -> QLabel:
    label = LiveLabel("Problem", alert=True)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(highlighted-text); background: #b00020; padding: 6px;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.hide()
    return label


def as_sentence(message: str) -> str:
    """Storage messages are CLI lines ("wrong passphrase…"); a dialog shows a sentence."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def recovery_sheet_text(recovery_key: str, data_dir: Path) -> str:
    """What Save… writes and Print… prints: the key and what it is for, nothing else."""
    return (
        f"{APP_DISPLAY_NAME} recovery key\n"
        f"{'=' * 40}\n\n"
        f"    {recovery_key}\n\n"
        f"Data folder: {data_dir}\n\n"
        "This key opens your sendobserve records if you forget your passphrase.\n"
        "Anyone who has it and a copy of your data folder can read the records:\n"
        "keep it somewhere safe and away from the computer.\n"
    )


PROVIDER_HINT = ("Optional: the organisation (or sole provider) that issues Form 4 and "
                 "Form 5. You can set or correct it later: File ▸ Provider's name…")


class FirstRunDialog(QDialog):
    """Choose a passphrase (twice, with a strength hint), then see the recovery key once."""

    def __init__(
        self,
        data_dir: Path,
        create: Callable[[str], str],
        keyring_status: KeyringStatus | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``create(passphrase)`` makes the store and returns the recovery key."""
        super().__init__(parent)
        self.data_dir = data_dir
        self._create = create
        self.recovery_key: str | None = None
        self.chosen_provider: str | None = None
        self.setWindowTitle(f"Welcome to {APP_DISPLAY_NAME}")
        self.setAccessibleName("First start: create your encrypted store")
        self.setMinimumWidth(520)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._passphrase_page(keyring_status))
        self.pages.addWidget(self._recovery_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        # Default buttons register with the dialog, so set them once the pages are inside it;
        # Enter then creates the store, and never quits.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.create_button.setDefault(True)
        self.passphrase.setFocus()

    # -- page 1 --------------------------------------------------------------------------

    def _passphrase_page(self, keyring_status: KeyringStatus | None) -> QWidget:
        page = QWidget()
        intro = QLabel(
            "Your records are kept encrypted on this computer. Choose a passphrase to "
            "protect them: four or five random words are strong and easy to remember."
        )
        intro.setWordWrap(True)

        self.passphrase = PasswordField()
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setObjectName("passphrase")
        self.confirm = PasswordField()
        self.confirm.setAccessibleName("Passphrase again")
        self.confirm.setObjectName("confirm")

        self.strength = QProgressBar()
        self.strength.setRange(0, 4)
        self.strength.setTextVisible(True)
        self.strength.setAccessibleName("Passphrase strength")
        self.strength_hint = LiveLabel("Passphrase strength")
        self.strength_hint.setWordWrap(True)

        form = QFormLayout()
        label = QLabel("&Passphrase:")
        label.setBuddy(self.passphrase)
        form.addRow(label, self.passphrase)
        label = QLabel("&Again:")
        label.setBuddy(self.confirm)
        form.addRow(label, self.confirm)
        form.addRow("Strength:", self.strength)
        form.addRow("", self.strength_hint)
        # The provider's name is printed on Form 4 and Form 5: asked here once, optional
        # (an observer may not know it; it is asked again before the first certificate).
        self.provider = QLineEdit()
        self.provider.setObjectName("provider")
        self.provider.setMaxLength(200)
        self.provider.setAccessibleName("Provider organisation (optional)")
        self.provider.setAccessibleDescription(PROVIDER_HINT)
        self.provider.setPlaceholderText("e.g. Northern SEND Mediation")
        label = QLabel("Pro&vider organisation:")
        label.setBuddy(self.provider)
        form.addRow(label, self.provider)
        provider_hint = QLabel(PROVIDER_HINT)
        provider_hint.setWordWrap(True)
        form.addRow("", provider_hint)

        keyring_note = QLabel(
            "The key will be kept in your OS keyring, so you will not need to type the "
            "passphrase at each start."
            if keyring_status is not None and keyring_status.trusted
            else "You will type the passphrase at each start"
            + (f": {keyring_status.plain()}." if keyring_status else ".")
        )
        keyring_note.setWordWrap(True)

        self.create_error = _error_label("create_error")
        self.busy = False
        self.busy_label = QLabel("Creating your encrypted store…")
        self.busy_label.setAccessibleName("Creating your encrypted store")
        self.busy_label.hide()
        self.create_button = QPushButton("&Create store")
        self.create_button.setAccessibleName("Create store")
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(self._on_create)
        cancel = QPushButton("&Quit")
        cancel.setAccessibleName("Quit")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.create_button)

        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(keyring_note)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.create_error)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.passphrase.textChanged.connect(self._update_strength)
        self.confirm.textChanged.connect(self._update_strength)
        self._update_strength()
        return page

    def _update_strength(self) -> None:
        text = self.passphrase.text()
        score, hint = passphrase_strength(text)
        self.strength.setValue(score if text else 0)
        self.strength.setFormat(STRENGTH_NAMES[score] if text else "")
        self.strength.setAccessibleDescription(STRENGTH_NAMES[score])
        problem = passphrase_problem(text) if text else None
        if text and not problem and self.confirm.text() and self.confirm.text() != text:
            hint = "The two passphrases differ."
        self.strength_hint.setText(as_reason(problem) if problem else hint)
        ok = bool(text) and problem is None and self.confirm.text() == text
        self.create_button.setEnabled(ok)

    @property
    def provider_name(self) -> str | None:
        """The provider's name typed on the first page, if any (spaces tidied)."""
        name = " ".join(self.provider.text().split())
        return name or None

    def _on_create(self) -> None:
        if self.passphrase.text() != self.confirm.text() or self.busy:
            return
        passphrase = self.passphrase.text()
        self.chosen_provider = self.provider_name  # read here, on the GUI thread
        self._set_busy(True)
        self.create_error.hide()
        startup_runner().op(lambda: self._create(passphrase)).success(self._created) \
            .failure(self._create_failed).owned_by(self).run()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        # Fields read-only rather than disabled, so the focus stays where it is (see Unlock).
        for field in (self.passphrase, self.confirm, self.provider):
            field.setReadOnly(busy)
        self.create_button.setEnabled(not busy)
        self.busy_label.setVisible(busy)
        if not busy:
            self._update_strength()

    def _create_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        message = exc.message if isinstance(exc, UserError) else f"Unexpected error: {exc}"
        self.create_error.setText(as_sentence(message))
        self.create_error.show()
        self.passphrase.setFocus()

    def _created(self, recovery_key: object) -> None:
        self._set_busy(False)
        self.recovery_key = str(recovery_key)
        self.passphrase.clear()
        self.confirm.clear()
        self.key_display.setText(self.recovery_key)
        self.pages.setCurrentIndex(1)
        self.create_button.setDefault(False)
        self.continue_button.setDefault(True)
        self.key_display.setFocus()

    # -- page 2 --------------------------------------------------------------------------

    def _recovery_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel("<b>Your recovery key</b>")
        heading.setAccessibleName("Your recovery key")
        explain = QLabel(
            "It opens your records if you forget the passphrase. It is shown only now: "
            "save it to a USB stick or print it, and keep it away from this computer."
        )
        explain.setWordWrap(True)

        self.key_display = QLineEdit()
        self.key_display.setReadOnly(True)
        self.key_display.setAccessibleName("Recovery key")
        self.key_display.setObjectName("recovery_key")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(mono.pointSizeF() * 1.3)
        mono.setWeight(QFont.Weight.Bold)
        self.key_display.setFont(mono)
        self.key_display.setMinimumWidth(self.key_display.fontMetrics().horizontalAdvance("W" * 50))

        self.save_button = QPushButton("&Save…")
        self.save_button.setAccessibleName("Save recovery key to a file")
        self.save_button.clicked.connect(self._on_save)
        self.print_button = QPushButton("&Print…")
        self.print_button.setAccessibleName("Print recovery key")
        self.print_button.clicked.connect(self._on_print)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.print_button)
        row.addStretch(1)

        self.kept = QCheckBox("I have saved or printed my recovery &key")
        self.kept.setAccessibleName("I have saved or printed my recovery key")
        self.kept.setObjectName("kept")
        self.finish_buttons = QDialogButtonBox()
        self.continue_button = self.finish_buttons.addButton(
            "&Continue", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.continue_button.setAccessibleName("Continue to sendobserve")
        self.continue_button.setEnabled(False)
        self.kept.toggled.connect(self.continue_button.setEnabled)
        self.finish_buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(explain)
        layout.addWidget(self.key_display)
        layout.addLayout(row)
        layout.addWidget(self.kept)
        layout.addStretch(1)
        layout.addWidget(self.finish_buttons)
        return page

    def sheet_text(self) -> str:
        return recovery_sheet_text(self.recovery_key or "", self.data_dir)

    def save_to(self, path: Path) -> None:
        write_file(path, self.sheet_text().encode("utf-8"))  # whole or nothing, 0600

    def _on_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save recovery key", "sendobserve-recovery-key.txt", "Text files (*.txt)",
            options=FILE_DIALOG_OPTIONS,
        )
        if not name:
            return
        try:
            self.save_to(Path(name))
        except UserError as exc:
            QMessageBox.warning(self, "Not saved", f"Not saved: {exc.message}")

    def _on_print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        document = QTextDocument()
        document.setPlainText(self.sheet_text())
        document.print_(printer)

    def reject(self) -> None:
        if self.busy:
            return  # the store is being made: wait for it
        if self.recovery_key is not None and not self.kept.isChecked():
            return  # the store exists now: the key must not be dismissed unseen
        super().reject()


class UnlockDialog(QDialog):
    """Passphrase or recovery key; says why the OS keyring is not used, if it is not."""

    def __init__(
        self,
        data_dir: Path,
        unlock: Callable[[str], object],
        keyring_status: KeyringStatus | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``unlock(secret)`` opens the store and returns it, or raises ``UserError``."""
        super().__init__(parent)
        self._unlock = unlock
        self.result_value: object | None = None
        self.setWindowTitle(f"Unlock {APP_DISPLAY_NAME}")
        self.setAccessibleName("Unlock your records")
        self.setMinimumWidth(460)

        intro = QLabel(
            "Type your passphrase — or your recovery key if you have forgotten it — to "
            "open your records."
        )
        intro.setWordWrap(True)
        where = QLabel(f"Data folder: {data_dir}")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.secret = PasswordField()
        self.secret.setAccessibleName("Passphrase or recovery key")
        self.secret.setObjectName("secret")
        label = QLabel("&Passphrase or recovery key:")
        label.setBuddy(self.secret)
        self.show_secret = QCheckBox("S&how what I type")
        self.show_secret.setAccessibleName("Show what I type")
        self.show_secret.toggled.connect(self.secret.set_revealed)

        self.keyring_note = QLabel(
            ""
            if keyring_status is None or keyring_status.trusted
            else f"The passphrase is asked for at each start: {keyring_status.plain()}."
        )
        self.keyring_note.setObjectName("keyring_note")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(bool(self.keyring_note.text()))

        self.error = _error_label("unlock_error")
        self.busy = False
        self.busy_label = QLabel("Unlocking…")
        self.busy_label.setAccessibleName("Unlocking")
        self.busy_label.hide()
        buttons = QDialogButtonBox()
        self.unlock_button = buttons.addButton("&Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setAccessibleName("Quit")
        # Return unlocks wherever the focus is: Quit never becomes the default, not even
        # after Tab has passed over it (auto-default would make it so).
        for button in (self.unlock_button, quit_button, self.show_secret):
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        self.unlock_button.setDefault(True)
        buttons.accepted.connect(self._on_unlock)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addWidget(label)
        layout.addWidget(self.secret)
        layout.addWidget(self.show_secret)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.secret.setFocus()

    def _on_unlock(self) -> None:
        secret = self.secret.text()
        if self.busy:
            return
        if not secret:
            self.error.setText("Type your passphrase or recovery key.")
            self.error.show()
            return
        self._set_busy(True)
        self.error.hide()
        startup_runner().op(lambda: self._unlock(secret)).success(self._unlocked) \
            .failure(self._unlock_failed).owned_by(self).run()

    def _set_busy(self, busy: bool) -> None:
        # Read-only, not disabled: a disabled field hands the focus on, and a screen reader
        # then announces "Show what I type, check box" at every attempt.
        self.busy = busy
        self.secret.setReadOnly(busy)
        self.unlock_button.setEnabled(not busy)
        self.busy_label.setVisible(busy)

    def _unlock_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        message = exc.message if isinstance(exc, UserError) else f"Unexpected error: {exc}"
        self.error.setText(as_sentence(message))
        self.error.show()
        self.secret.selectAll()
        self.secret.setFocus()

    def _unlocked(self, result: object) -> None:
        self._set_busy(False)
        self.result_value = result
        self.secret.clear()
        self.accept()

    def reject(self) -> None:
        if not self.busy:  # an unlock in flight would leave an open store behind
            super().reject()

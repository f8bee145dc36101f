"""Exchange in the app: export a trainee's observations, import a file after a preview,
and show this installation's fingerprint for comparing aloud.

The dialogs only collect answers; ``ExchangeController`` runs every step that reads a
file, derives a key (scrypt) or touches the store on the task runner.
"""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.model.vocabulary import day_text, plural
from sendobserve.ui.common.a11y import LiveLabel, act_or_cancel
from sendobserve.ui.common.geometry import remember_geometry
from sendobserve.ui.common.lock import FILE_DIALOG_OPTIONS
from sendobserve.ui.common.progress import ProgressDialog, run_behind_progress
from sendobserve.ui.common.secret_field import PasswordField
from sendobserve.ui.common.tasks import Runner

if TYPE_CHECKING:
    from sendobserve.model.domain import Mediator, Observer
    from sendobserve.services.exchange import (
        ExportSummary,
        IdentityCard,
        ImportDone,
        PendingImport,
    )
    from sendobserve.storage.db import Store

log = logging.getLogger(__name__)
SUFFIX = ".sendobs"


def _mono(size: int) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(size)
    return font


def _path_row(edit: QLineEdit, browse: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(browse)
    return row


# What an export carries (``exchange.export.ExportScope``), as a person chooses it.
SCOPES = (("observations", "Finalised observations only"),
          ("record", "This trainee's whole record"),
          ("observer", "Everything one observer wrote about this trainee"),
          ("since_last", "What changed since the last export to a person"))
# (trainee, scope, observer for "observer", the person's name for "since_last")
CountFn = Callable[[uuid.UUID, str, "uuid.UUID | None", "str | None"], dict[str, int]]


class ExportDialog(QDialog):
    """Trainee, what to export (the scope, with what will travel per kind before anything
    is written), your name, the file passphrase twice, and where to write the file.

    ``count(mediator_id, scope, observer_id, since_last_to)`` gives the per-kind counts;
    it runs on ``runner`` each time the choice changes (without it no counts are shown).
    The scope "since_last" names a person (``sent_to``): the file carries what they have
    not been sent yet, and what it carries is remembered as sent to them."""

    def __init__(self, mediators: Sequence[Mediator], signer_name: str = "",
                 current: uuid.UUID | None = None, parent: QWidget | None = None, *,
                 observers: Sequence[Observer] = (), count: CountFn | None = None,
                 runner: Any = None) -> None:
        super().__init__(parent)
        self.mediators = tuple(mediators)
        self.observers = tuple(observers)
        self._count = count
        self._runner = runner
        self.setWindowTitle("Export observations")
        self.setAccessibleName("Export observations")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel("Writes the trainee's finalised observations (or their whole record, "
                       "what one observer wrote, or what changed since the last export to a "
                       "person) to one encrypted file, signed by this "
                       "installation. Agree the passphrase with the person who "
                       "will import it, and tell it to them by another way than the file.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.trainee = QComboBox()
        self.trainee.setAccessibleName("Trainee")
        for m in self.mediators:
            self.trainee.addItem(m.name)
        for row, m in enumerate(self.mediators):
            if m.id == current:
                self.trainee.setCurrentIndex(row)
        self.signer = QLineEdit(signer_name)
        self.signer.setAccessibleName("Your name as the importer will see it")
        self.signer.setPlaceholderText("e.g. Anjali Patel (PPC)")
        self.passphrase = PasswordField()
        self.passphrase.setAccessibleName("File passphrase")
        self.repeat = PasswordField()
        self.repeat.setAccessibleName("File passphrase again")
        self.path = QLineEdit()
        self.path.setAccessibleName("File to write")
        browse = QPushButton("Choose…")
        browse.setAccessibleName("Choose where to save the file")
        browse.clicked.connect(self._browse)
        self.scope = QComboBox()
        self.scope.setAccessibleName("What to export")
        for value, words in SCOPES:
            self.scope.addItem(words, value)
        self.observer = QComboBox()
        self.observer.setAccessibleName("Observer whose work to export")
        for o in self.observers:
            self.observer.addItem(o.name, o.id)
        self.sent_to = QLineEdit()
        self.sent_to.setAccessibleName("Last sent to (the person the file is for)")
        self.sent_to.setPlaceholderText("e.g. Dev Patel (only with the last choice above)")
        self._names_settle = QTimer(self)
        self._names_settle.setSingleShot(True)
        self._names_settle.setInterval(300)
        self._names_settle.timeout.connect(self.refresh_counts)
        self.sent_to.textChanged.connect(lambda _t: self._names_settle.start())
        self.counts = LiveLabel("Will travel")
        self.counts.setWordWrap(True)
        self.counts.setMinimumHeight(self.counts.fontMetrics().lineSpacing() * 3)
        self.counts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        form.addRow("&Trainee:", self.trainee)
        form.addRow("&What to export:", self.scope)
        form.addRow("&Observer:", self.observer)
        form.addRow("&Last sent to:", self.sent_to)
        form.addRow("Will travel:", self.counts)
        form.addRow("&Your name:", self.signer)
        form.addRow("File &passphrase:", self.passphrase)
        form.addRow("&Again:", self.repeat)
        form.addRow("&File:", _path_row(self.path, browse))
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("font-weight: bold;")
        self.error.setAccessibleName("Problem")
        layout.addWidget(self.error)
        layout.addWidget(act_or_cancel(self, "Export", self._check, name="Export"))
        self.trainee.currentIndexChanged.connect(lambda _i: self._suggest_path())
        self._suggest_path()
        for combo in (self.trainee, self.scope, self.observer):
            combo.currentIndexChanged.connect(lambda _i: self.refresh_counts())
        self.refresh_counts()

    def scope_value(self) -> str:
        return str(self.scope.currentData() or "observations")

    def since_last_to(self) -> str | None:
        """The person named for the "since_last" scope (None for another scope)."""
        if self.scope_value() != "since_last":
            return None
        return self.sent_to.text().strip() or None

    def observer_id(self) -> uuid.UUID | None:
        if self.scope_value() != "observer" or self.observer.currentIndex() < 0:
            return None
        value = self.observer.currentData()
        return value if isinstance(value, uuid.UUID) else None

    def refresh_counts(self) -> None:
        """What the chosen scope will carry, per kind, computed off the GUI thread."""
        self._names_settle.stop()
        self.observer.setEnabled(self.scope_value() == "observer")
        self.sent_to.setEnabled(self.scope_value() == "since_last")
        mediator, scope, observer = self.mediator_id(), self.scope_value(), self.observer_id()
        to = self.since_last_to()
        if self._count is None or mediator is None:
            self.counts.setText("")
            return
        if scope == "observer" and observer is None:
            self.counts.setText("Choose the observer.")
            return
        if scope == "since_last" and to is None:
            self.counts.setText("Type the name of the person the file is for.")
            return
        self.counts.setText("counting…")
        count, key = self._count, (mediator, scope, observer, to)

        def current() -> tuple[Any, ...]:
            return (self.mediator_id(), self.scope_value(), self.observer_id(),
                    self.since_last_to())

        def work() -> dict[str, int]:
            return count(mediator, scope, observer, to)

        def shown(counts: dict[str, int]) -> None:
            from sendobserve.services.exchange import counts_text

            if key == current():
                since = f" (what {to} has not been sent yet)" if to else ""
                self.counts.setText(f"{counts_text(counts)}{since}.")

        def failed(exc: BaseException) -> None:
            if key == current():
                self.counts.setText(getattr(exc, "message", None) or str(exc))

        runner = self._runner or Runner(self, synchronous=True)
        runner.op(work).success(shown).failure(failed).owned_by(self).run()

    def _suggest_path(self) -> None:
        if self.path.isModified() or self.trainee.currentIndex() < 0:
            return
        name = "-".join("".join(ch if ch.isalnum() else " " for ch in
                                self.trainee.currentText()).split())
        self.path.setText(str(Path.home() / f"{name}{SUFFIX}"))

    def _browse(self) -> None:
        name, _f = QFileDialog.getSaveFileName(self, "Export to", self.path.text(),
                                               f"Exchange files (*{SUFFIX})",
                                               options=FILE_DIALOG_OPTIONS)
        if name:
            self.path.setText(name)
            self.path.setModified(True)

    def mediator_id(self) -> uuid.UUID | None:
        row = self.trainee.currentIndex()
        return self.mediators[row].id if 0 <= row < len(self.mediators) else None

    def problem(self) -> str | None:
        from sendobserve.exchange.bundle import MIN_PASSPHRASE_CHARS

        if self.mediator_id() is None:
            return "Choose the trainee whose observations to export."
        if self.scope_value() == "observer" and self.observer_id() is None:
            return "Choose the observer whose work to export."
        if self.scope_value() == "since_last" and self.since_last_to() is None:
            return "Type the name of the person the file is for (Last sent to)."
        if not self.signer.text().strip():
            return "Type your name: the importer sees it with the file."
        if len(self.passphrase.text().strip()) < MIN_PASSPHRASE_CHARS:
            return f"The file passphrase needs at least {MIN_PASSPHRASE_CHARS} characters."
        if self.passphrase.text() != self.repeat.text():
            return "The two passphrases differ; type them again."
        if not self.path.text().strip():
            return "Choose the file to write."
        return None

    def _check(self) -> None:
        problem = self.problem()
        if problem:
            self.error.setText(problem)
            return
        self.accept()


class ImportDialog(QDialog):
    """The file and its passphrase (blank: open it with this installation's key)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import observations")
        self.setAccessibleName("Import observations")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel("Choose the .sendobs file you were given and type the passphrase you "
                       "agreed. Nothing is imported until you have seen what it contains.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName("File to import")
        browse = QPushButton("Choose…")
        browse.setAccessibleName("Choose the file to import")
        browse.clicked.connect(self._browse)
        self.passphrase = PasswordField()
        self.passphrase.setAccessibleName("File passphrase")
        self.passphrase.setPlaceholderText("blank if it was sent to this installation's key")
        form.addRow("&File:", _path_row(self.path, browse))
        form.addRow("File &passphrase:", self.passphrase)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        layout.addWidget(self.error)
        layout.addWidget(act_or_cancel(self, "Open and check", self._check,
                                       name="Open and check the file"))

    def _browse(self) -> None:
        name, _f = QFileDialog.getOpenFileName(self, "Import", str(Path.home()),
                                               f"Exchange files (*{SUFFIX});;All files (*)",
                                               options=FILE_DIALOG_OPTIONS)
        if name:
            self.path.setText(name)

    def _check(self) -> None:
        if not self.path.text().strip():
            self.error.setText("Choose the file to import.")
            return
        self.accept()


_STATUS_WORDS = {
    "new": ("First time seen", "Compare this fingerprint with them (by phone or in person) "
            "before you import."),
    "known": ("Already known", ""),
    "this_installation": ("This installation", "The file was exported here."),
}


class ImportPreviewDialog(QDialog):
    """Who signed, what will be added or changed, and conflicts; Import or Cancel."""

    def __init__(self, preview: Any, file_name: str, parent: QWidget | None = None) -> None:
        from sendobserve.exchange.merge import ObservationAction

        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(f"Import {file_name}?")
        self.setAccessibleName(f"Import preview of {file_name}")
        remember_geometry(self, "import-preview", QSize(640, 600))
        layout = QVBoxLayout(self)
        s = preview.signer
        status, advice = _STATUS_WORDS[s.status.value]
        if s.status.value == "known" and s.first_seen_at is not None:
            status = f"Already known (first seen {day_text(s.first_seen_at)})"
        self.head = QLabel(f"<b>Signed by {html.escape(s.name)}</b> — {html.escape(status)}")
        self.head.setAccessibleName(f"Signed by {s.name}, {status}")
        self.head.setWordWrap(True)
        layout.addWidget(self.head)
        self.fingerprint = QLabel("  ".join(s.fingerprint.split()))  # as the identity shows it
        self.fingerprint.setFont(_mono(15))
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setAccessibleName(f"Fingerprint {s.fingerprint}")
        layout.addWidget(self.fingerprint)
        warnings = []
        if advice:
            warnings.append(advice)
        if s.known_as and s.known_as != s.name:
            warnings.append(f"This key last signed as {s.known_as!r}.")
        if s.name_used_by_other_key:
            warnings.append(f"Files signed as {s.name!r} came from another key before: check "
                            "the fingerprint with them before importing.")
        if warnings:
            note = QLabel(" ".join(warnings))
            note.setWordWrap(True)
            if s.status.value == "new" or s.name_used_by_other_key:
                note.setStyleSheet("font-weight: bold;")
            layout.addWidget(note)
        counts = (f"{preview.count(ObservationAction.ADD)} new · "
                  f"{preview.count(ObservationAction.UPDATE)} updated · "
                  f"{preview.count(ObservationAction.CONFLICT)} in conflict · "
                  f"{preview.count(ObservationAction.ALREADY_HERE)} already here")
        n = len(preview.observations)
        heading = plural(n, "observation")
        self.summary = QLabel(f"<b>{heading}:</b> {html.escape(counts)}")
        self.summary.setAccessibleName(f"{heading}: {counts}")
        layout.addWidget(self.summary)
        self.records_summary: QLabel | None = None
        if preview.record_counts:
            parts = [f"{c.label}: {c.added} new, {c.updated} updated, {c.conflicts} in "
                     f"conflict" for c in preview.record_counts]
            self.records_summary = QLabel("<b>The rest of the record:</b> "
                                          + html.escape(" · ".join(parts)))
            self.records_summary.setWordWrap(True)
            self.records_summary.setAccessibleName("The rest of the record: "
                                                   + "; ".join(parts))
            layout.addWidget(self.records_summary)
        if preview.record_conflicts:
            kept = QLabel("A record in conflict was edited differently on the two machines: "
                          "this store's version stays, the other is kept beside it until "
                          "someone decides (sendobserve conflicts).")
            kept.setWordWrap(True)
            layout.addWidget(kept)
        if preview.count(ObservationAction.CONFLICT):
            conflict = QLabel("An observation in conflict was amended differently on the two "
                              "machines: both versions are kept, and this store's stays current.")
            conflict.setWordWrap(True)
            layout.addWidget(conflict)
        self.details = QPlainTextEdit("\n".join(preview.lines()))
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Everything the file will add or change")
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName("Import the file")
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel: import nothing")
        self.import_button.setAutoDefault(False)
        cancel.setDefault(True)  # importing is a decision, not an Enter press
        cancel.setFocus()
        if not preview.changes_store and preview.already_imported_at is not None:
            self.import_button.setEnabled(False)  # imported before: nothing would change
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class IdentityDialog(QDialog):
    """The fingerprint in eight groups, large enough to read aloud over the phone."""

    def __init__(self, card: IdentityCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("This installation's identity")
        self.setAccessibleName("This installation's identity")
        self.setMinimumWidth(680)
        layout = QVBoxLayout(self)
        who = card.name or "no name set yet (it is asked for at your first export)"
        layout.addWidget(QLabel(f"This installation signs its exports as: <b>"
                                f"{html.escape(who)}</b>"))
        explain = QLabel("Read these eight groups to the person importing your files; they "
                         "compare them with what their import preview shows.")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        groups = card.fingerprint.split()
        text = "  ".join(groups[:4]) + "\n" + "  ".join(groups[4:])
        self.fingerprint = QLabel(text)
        self.fingerprint.setFont(_mono(22))
        self.fingerprint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setAccessibleName("Fingerprint " + ", ".join(groups))
        self.fingerprint.setStyleSheet("padding: 12px; border: 1px solid palette(mid);")
        layout.addWidget(self.fingerprint)
        key = QLabel("Exchange key (give it to people who send you files; it is public):")
        key.setWordWrap(True)
        layout.addWidget(key)
        self.exchange_key = QLineEdit(card.exchange_key)
        self.exchange_key.setReadOnly(True)
        self.exchange_key.setFont(_mono(10))
        self.exchange_key.setAccessibleName("Exchange key")
        layout.addWidget(self.exchange_key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ExchangeController(QObject):
    """Runs the exchange steps off the GUI thread; dialogs are kept as attributes
    (``export_dialog``, ``import_dialog``, ``preview_dialog``, ``identity_dialog``,
    ``message``) for the window and for tests."""

    exported = Signal(object)  # ExportSummary
    imported = Signal(object)  # ImportResult
    failed = Signal(str)

    def __init__(self, store: Store, runner: Runner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner if runner is not None else Runner(self)
        self.parent_widget = parent
        self.export_dialog: ExportDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self.preview_dialog: ImportPreviewDialog | None = None
        self.identity_dialog: IdentityDialog | None = None
        self.message: QMessageBox | None = None
        self.progress: ProgressDialog | None = None

    # --- export -----------------------------------------------------------------------
    def start_export(self, current: uuid.UUID | None = None) -> None:
        from sendobserve.services.exchange import export_counts
        from sendobserve.services.screens_reads import export_choices

        store = self.store

        def count(mediator_id: uuid.UUID, scope: str, observer_id: uuid.UUID | None,
                  since_last_to: str | None) -> dict[str, int]:
            return export_counts(self.store, mediator_id, scope, observer_id, since_last_to)

        def ask(loaded: tuple[tuple[Mediator, ...], str, tuple[Observer, ...]]) -> None:
            mediators, name, observers = loaded
            dialog = ExportDialog(mediators, name, current, self.parent_widget,
                                  observers=observers, count=count, runner=self.runner)
            self.export_dialog = dialog
            dialog.accepted.connect(lambda: self._export(dialog))
            dialog.open()

        self.runner.op(lambda: export_choices(store)).success(ask).failure(self._failed).run()

    def _export(self, dialog: ExportDialog) -> None:
        from sendobserve.services.exchange import export_to_file

        mediator_id = dialog.mediator_id()
        assert mediator_id is not None
        path, passphrase, name = (dialog.path.text().strip(), dialog.passphrase.text(),
                                  dialog.signer.text())
        scope, observer_id = dialog.scope_value(), dialog.observer_id()
        since_last_to = dialog.since_last_to()

        def done(summary: ExportSummary) -> None:
            from sendobserve.services.exchange import counts_text

            what = (f"{summary.observations} finalised observation(s)"
                    if summary.scope == "observations" else counts_text(summary.counts))
            if since_last_to:
                what += f" (what {since_last_to} had not been sent yet)"
            self._inform("Exported",
                         f"Wrote {what} to {summary.path} ({summary.size:,} bytes).",
                         f"Signed by {summary.signed_as}, fingerprint {summary.fingerprint}. "
                         "Tell the recipient the passphrase by another way than the file.")
            self.exported.emit(summary)

        self._busy("Encrypting and signing",
                   lambda: export_to_file(self.store, mediator_id, path, passphrase=passphrase,
                                          exported_by=name, scope=scope,
                                          observer_id=observer_id,
                                          since_last_to=since_last_to), done)

    # --- import -----------------------------------------------------------------------
    def start_import(self) -> None:
        dialog = ImportDialog(self.parent_widget)
        self.import_dialog = dialog
        dialog.accepted.connect(lambda: self.check_file(dialog.path.text().strip(),
                                                        dialog.passphrase.text()))
        dialog.open()

    def check_file(self, path: str, passphrase: str) -> None:
        """Open and check the whole file, then show the preview (nothing written)."""
        from sendobserve.services.exchange import open_for_import

        def show(pending: PendingImport) -> None:
            dialog = ImportPreviewDialog(pending.preview, Path(path).name, self.parent_widget)
            self.preview_dialog = dialog
            dialog.accepted.connect(lambda: self.apply(pending))
            dialog.open()

        self._busy("Opening and checking the file",
                   lambda: open_for_import(self.store, path, passphrase or None), show)

    def apply(self, pending: PendingImport) -> None:
        """Import it; the open screens showing its trainees refresh on the change signal
        (the runner emits the result's ``changes``)."""
        from sendobserve.services.exchange import apply_pending

        def done(outcome: ImportDone) -> None:
            result = outcome.result
            self._inform("Imported",
                         f"Imported: {result.added} new, {result.updated} updated, "
                         f"{result.conflicts} in conflict (both versions kept), "
                         f"{result.unchanged} already here.", "")
            self.imported.emit(result)

        self._busy("Importing", lambda: apply_pending(self.store, pending), done)

    # --- identity ---------------------------------------------------------------------
    def show_identity(self) -> None:
        from sendobserve.services.exchange import identity_card

        def show(card: IdentityCard) -> None:
            dialog = IdentityDialog(card, self.parent_widget)
            self.identity_dialog = dialog
            dialog.open()

        self.runner.op(lambda: identity_card(self.store).value).success(show) \
            .failure(self._failed).run()

    # --- plumbing ---------------------------------------------------------------------
    def _busy(self, title: str, work: Any, then: Any) -> None:
        self.progress = run_behind_progress(self.runner.op(work), title, self.parent_widget,
                                            then, self._failed, cancellable=False)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            text, hint = exc.message, exc.hint or ""
        else:
            log.error("exchange failed", exc_info=exc)
            text, hint = f"Something went wrong: {exc}. Nothing was changed.", ""
        self._message(QMessageBox.Icon.Warning, "Nothing was changed", text, hint)
        self.failed.emit(text)

    def _inform(self, title: str, text: str, hint: str) -> None:
        self._message(QMessageBox.Icon.Information, title, text, hint)

    def _message(self, icon: QMessageBox.Icon, title: str, text: str, hint: str) -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.parent_widget)
        box.setTextFormat(Qt.TextFormat.PlainText)
        if hint:
            box.setInformativeText(hint)
        box.setAccessibleName(title)
        box.setAccessibleDescription(f"{text} {hint}".strip())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()

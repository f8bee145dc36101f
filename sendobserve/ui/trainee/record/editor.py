"""The trainee's record: training, cases, reflection, mentoring and supervision, CPD and
recorded discretions, one tab each.

Add and Edit open a form; Delete asks first and then offers Undo (the entry is added
back unchanged, same id). Every committed change emits ``changed(Changes)``, which the
trainee screen puts on the window's change signal, so the readiness tab (and any other
screen showing this trainee) re-assesses without being reopened. Reads and writes go
through the trainee page's door (``TraineeRecord``) and are single small repository
calls (a few ms), so they run on the GUI thread: a write must be on disk before the
table shows it anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.model.domain import Observer, TraineeRole, TrainingKind
from sendobserve.model.evidence import EntryKind, EvidenceFile
from sendobserve.model.outcome import fmt_hours
from sendobserve.model.renewal import last_twelve_months
from sendobserve.services import Done
from sendobserve.services.changes import Changes
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.ui.common.a11y import row_table
from sendobserve.ui.common.tasks import Runner
from sendobserve.ui.trainee.record.details import MediatorDetails
from sendobserve.ui.trainee.record.dialog import EntryDialog
from sendobserve.ui.trainee.record.models import RecordTableModel
from sendobserve.ui.trainee.record.specs import KINDS, KindSpec

# The tabs whose entries can carry evidence files (certificates, course outlines: §1.1).
EVIDENCE_ENTRIES = {"training": EntryKind.TRAINING, "cpd": EntryKind.CPD,
                    "cases": EntryKind.CASE}


def _ask(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(
        parent, title, question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def _sum(values: Any) -> Decimal:
    return sum(values, Decimal(0))


@dataclass
class _Page:
    spec: KindSpec
    widget: QWidget
    model: RecordTableModel
    table: QTableView
    summary: QLabel
    message: QLabel
    undo_button: QPushButton
    edit_button: QPushButton
    delete_button: QPushButton
    evidence_button: QPushButton | None = None


class RecordEditor(QWidget):
    """``door``: the trainee page's reads and writes. ``today`` is the date future
    dates are refused against. ``confirm(title, question) -> bool`` asks before a
    delete (a Yes/No message box by default)."""

    changed = Signal(object)  # Changes: what the committed edit changed

    def __init__(
        self,
        door: TraineeRecord,
        mediator_id: uuid.UUID,
        *,
        today: Callable[[], date] = date.today,
        runner: Runner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.door = door
        self.mediator_id = mediator_id
        self._today = today
        self.confirm: Callable[[str, str], bool] = lambda t, q: _ask(self, t, q)
        self._undo: tuple[KindSpec, Any] | None = None
        self._undo_files: list[tuple[EvidenceFile, bytes]] = []
        self.evidence_dialog: Any = None
        self.setObjectName("recordEditor")

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("The trainee's record")
        self.tabs.tabBar().setAccessibleName("The trainee's record")
        self.pages: dict[str, _Page] = {}
        for spec in KINDS:
            page = self._make_page(spec)
            self.pages[spec.key] = page
            self.tabs.addTab(page.widget, spec.tab)
        self.details = MediatorDetails(door.save_mediator, today, leaving=door, runner=runner)
        self.details.changed.connect(self._details_saved)
        self.tabs.addTab(self.details, "Mediator detai&ls")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.activated.connect(self.undo_delete)
        self.reload()

    def _make_page(self, spec: KindSpec) -> _Page:
        widget = QWidget()
        model = RecordTableModel(spec, widget)
        table = row_table(model, spec.tab.replace("&", ""))
        table.setObjectName(f"table:{spec.key}")
        header = table.horizontalHeader()
        header.setStretchLastSection(False)  # the spec says which columns stretch
        for col, column in enumerate(spec.columns):
            if column.stretch:
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        table.activated.connect(lambda _i, s=spec: self.edit(s.key))
        add = QPushButton(f"Add {spec.noun}…")
        add.setAccessibleName(f"Add {spec.noun}")
        add.clicked.connect(lambda _=False, s=spec: self.add(s.key))
        edit = QPushButton("Edit…")
        edit.setAccessibleName(f"Edit the selected {spec.noun}")
        edit.clicked.connect(lambda _=False, s=spec: self.edit(s.key))
        delete = QPushButton("Delete…")
        delete.setAccessibleName(f"Delete the selected {spec.noun}")
        delete.clicked.connect(lambda _=False, s=spec: self.delete(s.key))
        undo = QPushButton("&Undo delete")
        undo.setAccessibleName("Undo the delete")
        undo.setVisible(False)
        undo.clicked.connect(self.undo_delete)
        evidence: QPushButton | None = None
        if spec.key in EVIDENCE_ENTRIES:
            evidence = QPushButton("Evidence…")
            evidence.setAccessibleName(f"Evidence files of the selected {spec.noun}")
            evidence.clicked.connect(lambda _=False, s=spec: self.show_evidence(s.key))
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(lambda s=spec: self.delete(s.key))
        summary = QLabel()
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        message = QLabel()
        message.setTextFormat(Qt.TextFormat.PlainText)
        message.setWordWrap(True)
        message.setObjectName(f"message:{spec.key}")
        buttons = QHBoxLayout()
        for b in (add, edit, delete, *([evidence] if evidence else [])):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(message, 3)
        buttons.addWidget(undo)
        layout = QVBoxLayout(widget)
        layout.addWidget(summary)
        layout.addWidget(table, 1)
        layout.addLayout(buttons)
        page = _Page(spec, widget, model, table, summary, message, undo, edit, delete,
                     evidence)
        table.selectionModel().currentRowChanged.connect(lambda *_: self._enable(page))
        return page

    # --- data ---------------------------------------------------------------------------
    def list_items(self, spec: KindSpec) -> tuple[Any, ...]:
        return self.door.entries(spec.type_, self.mediator_id)

    def _write(self, item: Any, *, new: bool) -> Done[Any]:
        today = self._today()
        return (self.door.add_entry(item, today=today) if new
                else self.door.update_entry(item, today=today))

    def reload(self) -> None:
        """Read every list again (after an import, say); keeps each table's selection."""
        try:
            mediator = self.door.mediator(self.mediator_id)
        except UserError as exc:
            self.title.setText(exc.message)
            return
        self.details.show_mediator(mediator)
        self.title.setText(f"The record of {mediator.name}")
        self.title.setAccessibleName(self.title.text())
        for page in self.pages.values():
            self._reload_page(page)

    def _reload_page(self, page: _Page, select: object = None) -> None:
        current = page.table.currentIndex()
        keep = select if select is not None else (
            page.model.item(current.row()).id if current.isValid() else None)
        page.model.set_items(self.list_items(page.spec))
        page.table.resizeRowsToContents()
        row = page.model.row_of(keep) if keep is not None else -1
        if row >= 0:
            page.table.selectRow(row)
            page.table.setCurrentIndex(page.model.index(row, 0))
        page.summary.setText(self._summary(page))
        self._enable(page)

    def _details_saved(self, changes: Changes) -> None:
        self.title.setText(f"The record of {self.details.name.text().strip()}")
        self.changed.emit(changes)

    def _enable(self, page: _Page) -> None:
        has = page.table.currentIndex().isValid()
        page.edit_button.setEnabled(has)
        page.delete_button.setEnabled(has)
        if page.evidence_button is not None:
            page.evidence_button.setEnabled(has)

    def _summary(self, page: _Page) -> str:
        items = page.model.items()
        key = page.spec.key
        if key == "training":
            f = _sum(t.hours for t in items if t.kind is TrainingKind.FOUNDATION)
            s = _sum(t.hours for t in items if t.kind is TrainingKind.SEND)
            return f"Foundation training {fmt_hours(f)} h (40 needed); SEND-specific" \
                f" {fmt_hours(s)} h (12 needed)."
        if key == "cases":
            active = _sum(c.casework_hours for c in items
                          if c.trainee_role is not TraineeRole.OBSERVING)
            observing = _sum(c.casework_hours for c in items
                             if c.trainee_role is TraineeRole.OBSERVING)
            return f"Casework in co-mediated or led cases: {fmt_hours(active)} h (12 needed);" \
                f" observing {fmt_hours(observing)} h (not counted)."
        if key == "reflections":
            return f"Reflection: {fmt_hours(_sum(r.hours for r in items))} h (2 needed)."
        if key == "cpd":
            window = last_twelve_months(self._today())
            recent = _sum(c.hours for c in items if c.done_on in window)
            return f"CPD in the last 12 months: {fmt_hours(recent)} h (20 needed each year" \
                " after accreditation)."
        if key == "contacts":
            return f"{len(items)} mentoring or supervision contact" \
                f"{'s' if len(items) != 1 else ''} recorded."
        return "A discretion needs who decided, their role and the reason; Form 4 prints it."

    def observers(self) -> tuple[Observer, ...]:
        return self.door.observers()

    # --- actions ------------------------------------------------------------------------
    def page(self, key: str) -> _Page:
        return self.pages[key]

    def selected(self, key: str) -> Any:
        page = self.pages[key]
        index = page.table.currentIndex()
        return page.model.item(index.row()) if index.isValid() else None

    def select(self, key: str, row: int) -> None:
        page = self.pages[key]
        self.tabs.setCurrentWidget(page.widget)
        page.table.setCurrentIndex(page.model.index(row, 0))

    def entry_dialog(self, key: str, item: Any = None) -> EntryDialog:
        """The add (``item`` None) or edit form, not yet shown; saving commits and reloads."""
        spec = self.pages[key].spec
        new = item is None

        written: list[Done[Any]] = []

        def save(built: Any) -> Any:
            written.append(self._write(built, new=new))
            return written[-1].value

        dialog = EntryDialog(spec, self.mediator_id, save, item=item,
                             observers=self.observers(), today=self._today(), parent=self)
        dialog.saved.connect(
            lambda saved, s=spec: self._after_save(s, saved, new, written[-1].changes))
        return dialog

    def add(self, key: str) -> None:
        self.entry_dialog(key).exec()

    def edit(self, key: str) -> None:
        item = self.selected(key)
        if item is not None:
            self.entry_dialog(key, item).exec()

    def _after_save(self, spec: KindSpec, saved: Any, new: bool, changes: Changes) -> None:
        page = self.pages[spec.key]
        self._reload_page(page, select=saved.id)
        page.message.setText(f"{'Added' if new else 'Saved'} the {spec.describe(saved)}.")
        self._set_undo(None)
        self.changed.emit(changes)

    def delete(self, key: str) -> bool:
        """Ask, delete, offer Undo; False if nothing was deleted."""
        page = self.pages[key]
        item = self.selected(key)
        if item is None:
            return False
        what = page.spec.describe(item)
        files = self._files_of(key, item.id)
        also = "" if not files else (
            " Its evidence file goes with it (Undo brings it back)." if len(files) == 1
            else f" Its {len(files)} evidence files go with it (Undo brings them back).")
        if not self.confirm(f"Delete {page.spec.noun}", f"Delete the {what}?{also}"):
            return False
        try:
            gone = self.door.delete_entry(item)
        except UserError as exc:
            page.message.setText(f"⚠ {exc.message}." + (f" {exc.hint}" if exc.hint else ""))
            return False
        self._reload_page(page)
        page.message.setText(f"Deleted the {what}.")
        self._set_undo((page.spec, gone.value))
        self._undo_files = files
        self.changed.emit(gone.changes)
        return True

    def _files_of(self, key: str, entry_id: uuid.UUID) -> list[tuple[EvidenceFile, bytes]]:
        """The entry's evidence files with their content (kept for Undo of a delete)."""
        if key not in EVIDENCE_ENTRIES:
            return []
        from sendobserve.services.evidence import keep_for_undo

        return keep_for_undo(self.door.store, EVIDENCE_ENTRIES[key], entry_id)

    def show_evidence(self, key: str) -> Any:
        """The evidence dialog of the selected entry (opened, not modal), or None."""
        from sendobserve.ui.trainee.record.evidence import EvidenceDialog

        page = self.pages[key]
        item = self.selected(key)
        if item is None or key not in EVIDENCE_ENTRIES:
            page.message.setText("Choose an entry first.")
            return None
        runner = getattr(self.window(), "runner", None)
        dialog = EvidenceDialog(self.door.store, EVIDENCE_ENTRIES[key], item.id,
                                page.spec.describe(item), added_by=self._added_by(),
                                runner=runner if isinstance(runner, Runner) else None,
                                parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.evidence_dialog = dialog
        dialog.open()
        return dialog

    def _added_by(self) -> str:
        try:
            return self.door.mediator(self.mediator_id).name
        except UserError:
            return "the trainee"

    def _set_undo(self, undo: tuple[KindSpec, Any] | None) -> None:
        self._undo = undo
        if undo is None:
            self._undo_files = []
        for page in self.pages.values():
            page.undo_button.setVisible(undo is not None and undo[0] is page.spec)

    def undo_delete(self) -> bool:
        """Put the last deleted entry back, unchanged (same id)."""
        if self._undo is None:
            return False
        spec, item = self._undo
        page = self.pages[spec.key]
        try:
            # Back as it was: validated against the day it was first entered on.
            restored = self._write(item, new=True)
            changes = restored.changes
            if self._undo_files:
                from sendobserve.services.evidence import put_back

                changes = changes | put_back(self.door.store, self._undo_files)
        except UserError as exc:
            page.message.setText(f"⚠ Could not restore it: {exc.message}")
            return False
        self._set_undo(None)
        self._undo_files = []
        self._reload_page(page, select=item.id)
        page.message.setText(f"Restored the {spec.describe(item)}.")
        self.changed.emit(changes)
        return True

"""The observation page: checklist, save state, progress, notes, de-brief, amendments.

Layout only; the behaviour is ``ObservationSession``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from sendobserve.model.domain import Amendment, Mark, MarkState, Observation
from sendobserve.model.vocabulary import moment_text
from sendobserve.services.workspace import MarkEdit
from sendobserve.ui.common.a11y import (
    LiveLabel,
    named,
    on_back,
    on_keys,
    plain_text,
    save_or_cancel,
    tell,
)
from sendobserve.ui.common.minimisation import minimisation_label, watch
from sendobserve.ui.common.states import state_colour, state_label
from sendobserve.ui.observation.checklist_view import ChecklistView
from sendobserve.ui.observation.session import ObservationSession, SaveStatus

DEBOUNCE_MS = 1000
HELP_FINAL = ("Finalised: read only · arrows and J/K move · Ctrl+E amend the current item "
              "(with a reason; the original is kept) · Esc back · Ctrl+L lock")
HELP = ("Space/1 Demonstrated · 2 Development needed · 3 Not applicable · Backspace Clear · "
        "J/K next/previous · Enter note · Ctrl+Z undo · Ctrl+Shift+Z redo · "
        "Ctrl+Return review and sign · Esc back · Ctrl+L lock")




class NoteDialog(QDialog):
    """Edit the note on one item; Ctrl+Return saves, Escape cancels."""

    def __init__(self, item_text: str, note: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Note")
        layout = QVBoxLayout(self)
        label = QLabel(f"Note on: {item_text}")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        self.editor = QPlainTextEdit(note)
        self.editor.setTabChangesFocus(True)
        named(self.editor, f"Note on {item_text}", "Ctrl+Return saves, Escape cancels.")
        label.setBuddy(self.editor)
        # Return makes a new line in the note, so the way to save is said where it is seen.
        keys = QLabel("Ctrl+Return saves the note · Esc cancels")
        buttons = save_or_cancel(self, self.accept)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.accept)
        self.privacy = minimisation_label()
        watch(self.editor, self.privacy)
        layout.addWidget(label)
        layout.addWidget(self.editor)
        layout.addWidget(self.privacy)
        layout.addWidget(keys)
        layout.addWidget(buttons)
        self.editor.setFocus()

    def text(self) -> str:
        return self.editor.toPlainText().strip()


class DebriefPanel(QWidget):
    """One text area per de-brief topic, saved as you type (debounced) and on focus-out."""

    def __init__(self, session: ObservationSession, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self.editors: dict[str, QPlainTextEdit] = {}
        self.warnings: dict[str, LiveLabel] = {}  # the privacy check under each editor
        self._timers: dict[str, QTimer] = {}
        self._saved_text: dict[str, str] = {}
        notes = session.service.debrief_notes(session.id)
        outer = QVBoxLayout(self)
        title = QLabel("<b>De-brief</b> — saved as you type")
        outer.addWidget(title)
        inner = QWidget()
        form = QVBoxLayout(inner)
        for crit in session.form.criteria():
            if not crit.notes_prompt:
                continue
            label = QLabel(crit.text.rstrip(":"))
            label.setWordWrap(True)
            editor = QPlainTextEdit()
            editor.setTabChangesFocus(True)
            editor.setMinimumHeight(90)
            text = notes[crit.id].text if crit.id in notes else ""
            editor.setPlainText(text)
            editor.setReadOnly(session.is_final)
            named(editor, f"De-brief: {crit.text.rstrip(':')}",
                        "Saved about a second after you stop typing, and when you leave it.")
            label.setBuddy(editor)
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(DEBOUNCE_MS)
            timer.timeout.connect(lambda cid=crit.id: self.save(cid))
            editor.textChanged.connect(timer.start)
            editor.installEventFilter(self)
            self.editors[crit.id] = editor
            self._timers[crit.id] = timer
            self._saved_text[crit.id] = text
            warning = minimisation_label()
            watch(editor, warning)
            self.warnings[crit.id] = warning
            form.addWidget(label)
            form.addWidget(editor)
            form.addWidget(warning)
        form.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer.addWidget(scroll)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            for cid, editor in self.editors.items():
                if editor is watched:
                    self.save(cid)
        return False

    def save(self, criterion_id: str) -> None:
        self._timers[criterion_id].stop()
        text = self.editors[criterion_id].toPlainText()
        if text == self._saved_text[criterion_id]:
            return
        if self._session.save_debrief(criterion_id, text):
            self._saved_text[criterion_id] = text

    def flush(self) -> None:
        """Save whatever is pending now (closing, locking, leaving the page)."""
        for cid in self.editors:
            self.save(cid)

    def set_read_only(self, read_only: bool) -> None:
        for editor in self.editors.values():
            editor.setReadOnly(read_only)


class HistoryModel(QAbstractTableModel):
    """Amendments, one row per changed item: when, who, what, old → new, why."""

    HEADERS = ("When", "Who", "Item", "Change", "Reason")

    def __init__(self, item_text: Callable[[str], str], parent: QObject | None = None):
        super().__init__(parent)
        self._item_text = item_text
        self._rows: list[tuple[str, str, str, str, str]] = []

    def set_amendments(self, amendments: Sequence[Amendment]) -> None:
        self.beginResetModel()
        self._rows = []
        for amendment in sorted(amendments, key=lambda a: a.amended_at):
            for change in amendment.changes:
                old = state_label(change.old_state)
                new = state_label(change.new_state)
                text = f"{old} → {new}"
                if change.old_note != change.new_note:
                    if not change.old_note:
                        text += f"\nnote added: “{change.new_note}”"
                    elif not change.new_note:
                        text += f"\nnote removed: “{change.old_note}”"
                    else:
                        text += f"\nnote “{change.old_note}” → “{change.new_note}”"
                self._rows.append((
                    moment_text(amendment.amended_at.astimezone()),
                    amendment.amended_by, self._item_text(change.criterion_id), text,
                    amendment.reason))
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            row = self._rows[index.row()]
            change = row[3].replace("\n", "; ")
            return f"{row[0]}, {row[1]} changed {row[2]}: {change}. Reason: {row[4]}"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class AmendDialog(QDialog):
    """Correct one item of a finalised observation; the reason is required."""

    def __init__(self, item_text: str, state: MarkState, note: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Amend a finalised observation")
        layout = QFormLayout(self)
        intro = QLabel(f"<b>{html.escape(item_text)}</b><br>Now: {state_label(state)}. "
                       "The original is kept "
                       "in the history.")
        intro.setAccessibleName(plain_text(intro.text()))
        intro.setWordWrap(True)
        layout.addRow(intro)
        self.state = QComboBox()
        for s in MarkState:
            self.state.addItem(state_label(s), s.value)
        self.state.setCurrentIndex(list(MarkState).index(state))
        self.note = QLineEdit(note)
        self.reason = QLineEdit()
        self.by = QLineEdit()
        for widget, label in ((self.state, "New &state"), (self.note, "&Note"),
                              (self.reason, "&Reason for the change"),
                              (self.by, "&Amended by")):
            named(widget, label.replace("&", ""), f"Amending {item_text}")
            layout.addRow(f"{label}:", widget)
        self.error = LiveLabel("Problem", alert=True)
        self.error.setWordWrap(True)
        layout.addRow(self.error)
        layout.addRow(save_or_cancel(self, self._check))
        self.reason.setFocus()

    def _check(self) -> None:
        if not self.reason.text().strip():
            self.error.setText("Give a reason: an amendment without one is not kept.")
            self.reason.setFocus()
            return
        if not self.by.text().strip():
            self.error.setText("Say who is amending it.")
            self.by.setFocus()
            return
        self.accept()

    def edit(self, item_id: str) -> MarkEdit:
        return MarkEdit(item_id, MarkState(self.state.currentData()), self.note.text().strip())


class ObservationPage(QWidget):
    reviewRequested = Signal()
    closeRequested = Signal()
    printRequested = Signal()  # the window's Print ▸ Observation (Ctrl+P) for this one

    def __init__(self, session: ObservationSession, heading: str, observer_name: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.observer_name = observer_name
        self.note_dialog: NoteDialog | None = None
        self.amend_dialog: AmendDialog | None = None

        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.state_label = LiveLabel("Observation state")
        self.progress = LiveLabel("Progress", session.model.progress_text())
        self.save_state = LiveLabel("Save state", "Saved")
        self.save_state.setMinimumWidth(160)
        self.undo_button = named(QPushButton("&Undo"), "Undo the last mark",
                                       "Ctrl+Z. Undo is saved too.")
        self.redo_button = named(QPushButton("&Redo"), "Redo", "Ctrl+Shift+Z")
        self.review_button = named(QPushButton("Re&view and sign…"),
                                         "Review what was not seen, then finalise and sign",
                                         "Ctrl+Return")
        self.amend_button = named(QPushButton("A&mend…"), "Amend the current item",
                                        "Ctrl+E. Corrections to a finalised observation "
                                        "keep the original and a reason.")
        self.close_button = named(QPushButton("&Back"),
                                        "Back: close this observation",
                                        "Esc. Everything is saved.")
        # Alt+P opens the Print menu, so the button's mnemonic is I; Ctrl+P is the menu's.
        self.print_button = named(QPushButton("Pr&int…"), "Print this observation",
                                        "Ctrl+P. Preview, print or save it as a PDF.")
        self.print_button.setToolTip("Preview, print or save this observation as a PDF (Ctrl+P)")
        for button in (self.undo_button, self.redo_button, self.review_button,
                       self.amend_button, self.close_button, self.print_button):
            button.setMinimumHeight(40)

        self.view = ChecklistView()
        self.view.setModel(session.model)
        self.view.setAccessibleName(f"Checklist: Form {session.form.number}, "
                                    f"{session.form.title}")

        self.debrief: DebriefPanel | None = None
        if any(c.notes_prompt for c in session.form.criteria()):
            self.debrief = DebriefPanel(session)

        self.history_model = HistoryModel(self._item_text, self)
        self.history = QTreeView()
        self.history.setModel(self.history_model)
        self.history.setRootIsDecorated(False)
        self.history.setAlternatingRowColors(True)
        self.history.setWordWrap(True)
        self.history.setUniformRowHeights(False)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.history.header()
        header.setStretchLastSection(False)
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 2
                                      + (QHeaderView.ResizeMode.Stretch,) * 3):
            header.setSectionResizeMode(column, mode)
        named(self.history, "Amendment history", "Who changed what, when, and why.")
        self.history_label = QLabel("<b>Amendment history</b>")

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.state_label)
        top.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)
        bar = QHBoxLayout()
        bar.addWidget(self.progress)
        bar.addSpacing(16)
        bar.addWidget(self.save_state, 1)
        for button in (self.undo_button, self.redo_button, self.amend_button,
                       self.review_button, self.close_button):
            bar.addWidget(button)

        checklist = QWidget()
        c_layout = QVBoxLayout(checklist)
        c_layout.setContentsMargins(0, 0, 0, 0)
        c_layout.addWidget(self.view, 3)
        c_layout.addWidget(self.history_label)
        c_layout.addWidget(self.history, 1)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(checklist)
        if self.debrief is not None:
            body.addWidget(self.debrief)
            body.setStretchFactor(0, 3)
            body.setStretchFactor(1, 2)
        self.help_line = help_line = QLabel(HELP)
        help_line.setWordWrap(True)


        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(body, 1)
        layout.addWidget(help_line)

        self.view.markRequested.connect(self._mark)
        self.view.noteRequested.connect(self.edit_note)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.review_button.clicked.connect(self._review)
        self.amend_button.clicked.connect(self.amend_current)
        self.close_button.clicked.connect(self.close_observation)
        self.print_button.clicked.connect(self.printRequested)
        session.saveStatusChanged.connect(self._show_status)
        session.progressChanged.connect(self.progress.setText)
        session.observationChanged.connect(self._observation_changed)
        for keys, slot in (("Ctrl+Z", self.undo), ("Ctrl+Shift+Z", self.redo),
                           ("Ctrl+Y", self.redo), ("Ctrl+Return", self._review),
                           ("Ctrl+E", self.amend_current), ("Ctrl+W", self.close_observation)):
            on_keys(self, keys, slot)
        on_back(self, self.close_observation)
        self._observation_changed(session.observation)
        self._show_status(session.status.value, session.status_text)

    # --- behaviour hooks ------------------------------------------------------------------
    def _item_text(self, item_id: str) -> str:
        index = self.session.model.index_of(item_id)
        return index.data(Qt.ItemDataRole.AccessibleTextRole).split(":")[0] if index.isValid() \
            else item_id

    def _mark(self, item_id: str, state: str) -> None:
        self.session.set_state(item_id, MarkState(state))

    def undo(self) -> None:
        self._stepped(self.session.undo())

    def redo(self) -> None:
        self._stepped(self.session.redo())

    def _stepped(self, mark: Mark | None) -> None:
        """After undo or redo: the item it changed is selected (a finalised observation
        says how it is changed instead)."""
        if mark is None and self.session.is_final:
            tell(self, "A finalised observation is changed by amending it (Ctrl+E).")
        if mark is not None:
            self.view.select_item(mark.criterion_id)

    def edit_note(self, item_id: str) -> None:
        if self.session.is_final:
            self.amend_current()
            return
        dialog = NoteDialog(self._item_text(item_id), self.session.model.note_of(item_id), self)
        self.note_dialog = dialog

        def done(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.session.set_note(item_id, dialog.text())
            self.note_dialog = None
            self.view.setFocus()

        dialog.finished.connect(done)
        dialog.open()

    def amend_current(self) -> None:
        item_id = self.view.current_item_id()
        index = self.view.currentIndex()
        if not self.session.is_final:
            tell(self, "Amend is for finalised observations; a draft is changed by ticking.")
            return
        if item_id is None or self.view.model().rowCount(index):
            tell(self, "Choose one item to amend (a heading is amended through its parts).")
            return
        dialog = AmendDialog(self._item_text(item_id), self.session.model.state_of(item_id),
                             self.session.model.note_of(item_id), self)
        dialog.by.setText(self.observer_name)
        self.amend_dialog = dialog

        def done(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.session.amend([dialog.edit(item_id)], dialog.reason.text().strip(),
                                   dialog.by.text().strip())
            self.amend_dialog = None
            self.view.setFocus()

        dialog.finished.connect(done)
        dialog.open()

    def _review(self) -> None:
        if not self.session.is_final:
            self.flush()
            self.reviewRequested.emit()
        else:
            tell(self, "This observation is already finalised and signed: Ctrl+E amends it.")

    def close_observation(self) -> None:
        self.flush()
        self.closeRequested.emit()

    def flush(self) -> None:
        if self.debrief is not None:
            self.debrief.flush()

    def _show_status(self, status: str, text: str) -> None:
        if status == SaveStatus.SAVING:
            # Every write commits on this thread before the next event is read, so nothing
            # is painted between "Saving…" and the outcome: the word could never be seen,
            # and setting it would re-lay the bar out twice per tick. The outcome replaces
            # the line when it differs ("Saved" after "Saved" is left as it is).
            return
        glyph = {SaveStatus.SAVED: "✓", SaveStatus.SAVING: "…", SaveStatus.FAILED: "⚠"}
        shown = f"{glyph[SaveStatus(status)]} {html.escape(text)}"
        if status == SaveStatus.FAILED:  # rich text, no style sheet: follows palette changes
            colour = state_colour(MarkState.DEVELOPMENT_NEEDED, self.palette(),
                                  QPalette.ColorRole.Window).name()
            shown = f'<span style="color:{colour}">{shown}</span>'
        self.save_state.setText(f"<b>{shown}</b>")
        self.save_state.setAccessibleDescription(text)

    def _observation_changed(self, observation: Observation) -> None:
        final = self.session.is_final
        if final:
            signer = observation.signature.name if observation.signature else ""
            signed = f", signed by {html.escape(signer)}" if signer else ""
            self.state_label.setText(f"<b>Finalised</b> — read only{signed}")
        else:
            self.state_label.setText("Draft")
        self.undo_button.setEnabled(not final)
        self.redo_button.setEnabled(not final)
        self.review_button.setVisible(not final)
        self.amend_button.setVisible(final)
        self.help_line.setText(HELP_FINAL if final else HELP)
        if self.debrief is not None:
            self.debrief.set_read_only(final)
        amendments = self.session.service.history(self.session.id) if final else []
        self.history_model.set_amendments(amendments)
        self.history.setVisible(bool(amendments))
        self.history_label.setVisible(bool(amendments))
        self.view.viewport().update()


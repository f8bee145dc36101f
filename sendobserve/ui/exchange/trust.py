"""File ▸ Known signers… and File ▸ Conflicts…: trust between installations.

``KnownSignersDialog`` lists every installation whose files this store imported: name,
fingerprint in groups of four (to read aloud and compare), first seen, last import, and a
REVOKED mark with its date. *Revoke…* asks from when, why and who decides, then asks once
more before recording it (a lost laptop: files it signs from then on are refused).

``ConflictsDialog`` lists every conflict held here (``services.conflict_views``: an
observation or a record edited in two ways, a record deleted on one laptop and edited on
another, two certificates for one trainee and form): which record, its versions side by
side, field by field, what differs first, who wrote each and when; a person whose role
may decide keeps one (or writes a merged record) with their name and a reason. Both lists
are Qt item models; reads and decisions run on the window's runner, whose change signal
carries what a decision changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimeZone,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.model.vocabulary import day_text, moment_text, plural
from sendobserve.services.changes import Changes
from sendobserve.services.conflict_views import ConflictView
from sendobserve.services.trust import SignerLine
from sendobserve.ui.common.a11y import LiveLabel, row_table
from sendobserve.ui.common.tasks import ChangeFollower, Runner

_ROOT = QModelIndex()
_DISPLAY = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


def _emit(widget: QWidget, changes: Any) -> None:
    """Tell the open screens what a decision here changed, on the window's runner."""
    parent = widget.parentWidget()
    runner = getattr(parent.window(), "runner", None) if parent is not None else None
    if isinstance(runner, Runner):
        runner.announce(changes)


class _Table(QAbstractTableModel):
    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _DISPLAY:
            return None
        text = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.headers[index.column()]}: {text or 'none'}"
        return text

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role in _DISPLAY:
            return self.headers[section]
        return None


class SignersModel(_Table):
    headers = ("Name", "Fingerprint", "First seen", "Last import", "Revoked")

    def set_signers(self, signers: list[SignerLine]) -> None:
        self.signers = signers
        self.set_rows([(
            s.name + (" (this installation)" if s.this_installation else ""),
            s.fingerprint, day_text(s.first_seen_at), day_text(s.last_import_at),
            (f"REVOKED from {moment_text(s.revoked_from)} UTC ({s.revoked_reason}; "
             f"{s.revoked_by})" if s.revoked_from else "—"))
            for s in signers])


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    return row_table(model, name)


class KnownSignersDialog(QDialog):
    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Known signers")
        self.setObjectName("knownSigners")
        intro = QLabel("Installations whose files this store has imported. Read a "
                       "fingerprint aloud, four characters at a time, to check it with its "
                       "owner. Revoke one that is lost or stolen: files it signs from then "
                       "on are refused; what it signed before stays, marked.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.model = SignersModel(self)
        self.table = _table(self.model, "Known signers")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.revoke_button = QPushButton("&Revoke…")
        self.revoke_button.clicked.connect(self.ask_revoke)
        close = QPushButton("Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)
        self.message = LiveLabel("Known signers", alert=True)
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(960, 420)
        self.reload()
        self.table.setFocus()

    def reload(self) -> None:
        from sendobserve.services import trust

        self.model.set_signers(trust.signers(self.store))
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))
        if not self.model.rowCount():
            self.message.setText("No file has been imported yet, so no signer is known.")
        self._enable()

    def current(self) -> SignerLine | None:
        index = self.table.currentIndex()
        return self.model.signers[index.row()] if index.isValid() else None

    def _enable(self) -> None:
        s = self.current()
        ok = s is not None and not s.this_installation and s.revoked_from is None
        self.revoke_button.setEnabled(ok)
        self.revoke_button.setAccessibleName(
            f"Revoke {s.name}'s installation" if ok and s else
            "Revoke (choose a known signer that is not revoked)")

    def ask_revoke(self) -> QDialog | None:
        signer = self.current()
        if signer is None or signer.this_installation:
            return None
        dialog = RevokeDialog(signer, self)
        dialog.revoke.connect(lambda when, reason, by: self.revoke(signer, when, reason, by))
        self.revoke_dialog = dialog
        dialog.open()
        return dialog

    def revoke(self, signer: SignerLine, when: datetime, reason: str, by: str) -> bool:
        from sendobserve.services import trust

        try:
            changes = trust.revoke(self.store, signer.fingerprint, revoked_from=when,
                                   reason=reason, decided_by=by)
        except UserError as exc:
            self.message.setText(f"⚠ {exc.message}")
            return False
        self.reload()
        self.message.setText(f"Revoked {signer.name}'s installation from "
                             f"{moment_text(when)} UTC.")
        _emit(self, changes)
        return True


class RevokeDialog(QDialog):
    """From when, why, who decides; then one more question before ``revoke`` is emitted."""

    revoke = Signal(object, str, str)

    def __init__(self, signer: SignerLine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.signer = signer
        self.setWindowTitle(f"Revoke {signer.name}'s installation")
        self.confirm = self._ask
        self.when = QDateTimeEdit(QDateTime.currentDateTimeUtc())
        self.when.setTimeZone(QTimeZone.utc())
        self.when.setDisplayFormat("d MMM yyyy HH:mm")
        self.when.setCalendarPopup(True)
        self.when.setAccessibleName("Revoked from (UTC)")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Why")
        self.reason.setPlaceholderText("Laptop lost on 3 March")
        self.by = QLineEdit()
        self.by.setAccessibleName("Who decides")
        self.message = LiveLabel("Revoke", alert=True)
        form = QFormLayout()
        form.addRow(QLabel(f"Installation: {signer.name}, fingerprint {signer.fingerprint}"))
        form.addRow("Revoked &from (UTC):", self.when)
        form.addRow("&Why:", self.reason)
        form.addRow("Who &decides:", self.by)
        ok = QPushButton("Re&voke")
        ok.setAccessibleName("Revoke")
        ok.clicked.connect(self.submit)
        cancel = QPushButton("Cancel")
        cancel.setAccessibleName("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(ok)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reason.setFocus()

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(
            self, self.windowTitle(), question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def submit(self) -> bool:
        reason, by = self.reason.text().strip(), self.by.text().strip()
        if not reason or not by:
            self.message.setText("⚠ Say why, and who decides.")
            return False
        when: Any = self.when.dateTime().toPython()
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        if not self.confirm(f"Revoke {self.signer.name}'s installation from "
                            f"{moment_text(when)} UTC? Files it signs from then on will be "
                            "refused here and, once this store's files reach them, on other "
                            "laptops. This cannot be undone."):
            return False
        self.revoke.emit(when, reason, by)
        self.accept()
        return True


class ConflictListModel(_Table):
    """One row per conflict held here, of every kind."""

    headers = ("Kind", "Trainee", "Record", "Versions")

    def set_views(self, views: list[ConflictView]) -> None:
        self.views = views
        self.set_rows([(v.kind_label, v.trainee, v.what, str(len(v.versions)))
                       for v in views])


class SideBySideModel(QAbstractTableModel):
    """A conflict's versions side by side, one column each, field by field (what differs
    first, marked in words and in bold). In a record conflict between two versions a
    field that differs can be ticked (Space): a merged version takes B's value there and
    A's everywhere else."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.view: ConflictView | None = None
        self.take_b: set[str] = set()

    def set_view(self, view: ConflictView | None) -> None:
        self.beginResetModel()
        self.view = view
        self.take_b = set()
        self.endResetModel()

    @property
    def fields(self) -> tuple[Any, ...]:
        return self.view.fields if self.view is not None else ()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.fields)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        if parent.isValid() or self.view is None:
            return 0
        return 1 + len(self.view.versions)

    def _tickable(self, row: int) -> bool:
        return self.view is not None and self.view.mergeable and self.fields[row].differs

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role not in _DISPLAY \
                or self.view is None:
            return None
        if section == 0:
            return "Field (ticked: merged takes B)" if self.view.mergeable else "Field"
        v = self.view.versions[section - 1]
        return f"{v.letter}: {v.title}"

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == 0 and self._tickable(index.row()):
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.view is None:
            return None
        field = self.fields[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.FontRole and field.differs:
            font = QFont()
            font.setBold(True)
            return font
        if column == 0:
            taken = field.name in self.take_b
            if role == Qt.ItemDataRole.CheckStateRole and self._tickable(index.row()):
                return Qt.CheckState.Checked if taken else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DisplayRole:
                return field.name + (" — differs" if field.differs else "")
            if role == Qt.ItemDataRole.AccessibleTextRole:
                if not field.differs:
                    return f"{field.name}: the same in every version"
                if self._tickable(index.row()):
                    return (f"{field.name}: differs; a merged version takes "
                            f"{'B' if taken else 'A'}")
                return f"{field.name}: differs"
            return None
        if role in _DISPLAY:
            text = field.values[column - 1]
            if role == Qt.ItemDataRole.AccessibleTextRole:
                v = self.view.versions[column - 1]
                return f"{v.letter}, {v.title}, {field.name}: {text}"
            return text
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0 \
                or not self._tickable(index.row()):
            return False
        name = self.fields[index.row()].name
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.take_b.add(name)
        else:
            self.take_b.discard(name)
        self.dataChanged.emit(index, index, [role, Qt.ItemDataRole.AccessibleTextRole])
        return True


class ConflictsDialog(QDialog):
    """File ▸ Conflicts…: every conflict held here (observations, records, deletions,
    certificates), each with its versions side by side; a person whose role may decide
    keeps one (or writes a merged record) with a reason. Reads and decisions run on the
    window's runner; a decision's ``Changes`` reach the open screens through it."""

    def __init__(self, store: Any, parent: QWidget | None = None, *,
                 runner: Runner | None = None) -> None:
        super().__init__(parent)
        self.store = store
        found = getattr(parent.window(), "runner", None) if parent is not None else None
        self.runner = runner or (found if isinstance(found, Runner)
                                 else Runner(self, synchronous=True))
        self.views: list[ConflictView] = []
        # An import or a hub sync that lands while the screen is open (the sync runs every
        # ten minutes) can add or settle a conflict: the list follows it. Its own
        # decisions reload with their sentence instead (``_decided``).
        self.follower = ChangeFollower(self, self.runner, self._cares, self.reload,
                                       skip_own=True)
        self.setWindowTitle("Conflicts")
        self.setObjectName("conflicts")
        intro = QLabel("What two laptops hold differently is kept in both versions until a "
                       "person decides: an observation or a record edited in two ways, a "
                       "record deleted on one laptop and edited on another, two certificates "
                       "issued for one trainee. Compare the versions, keep one (or merge a "
                       "record) and say why: the decision is signed by this installation and "
                       "travels with its next whole-record file.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.list_model = ConflictListModel(self)
        self.list = _table(self.list_model, "Conflicts")
        self.list.selectionModel().currentRowChanged.connect(lambda *_: self._show())
        self.list.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.list.setMinimumHeight(self.list.fontMetrics().lineSpacing() * 8)
        list_label = QLabel("&Conflicts:")
        list_label.setBuddy(self.list)
        self.who = QLabel()
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.who.setWordWrap(True)
        self.versions = SideBySideModel(self)
        self.versions.dataChanged.connect(lambda *_: self._enable())
        self.table = _table(self.versions, "Both versions, field by field")
        table_label = QLabel("Both &versions, field by field:")
        table_label.setBuddy(self.table)
        self.keep = QComboBox()
        self.keep.setAccessibleName("Keep (which version stays)")
        self.keep.currentIndexChanged.connect(lambda _i: self._enable())
        self.decided_by = QLineEdit()
        self.decided_by.setAccessibleName("Who decides (an observer held here)")
        self.decided_by.setPlaceholderText("A PPC, mentor, manager or experienced SEND "
                                           "mediator held here")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the decision")
        form = QFormLayout()
        form.addRow("&Keep:", self.keep)
        form.addRow("&Who decides:", self.decided_by)
        form.addRow("Reaso&n:", self.reason)
        self.decide_button = QPushButton("&Decide")
        self.decide_button.clicked.connect(self.decide)
        self.merge = QPushButton("Write a &merged version")
        self.merge.clicked.connect(self.decide_merged)
        close = QPushButton("Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)
        for button in (self.decide_button, self.merge, close):
            button.setAutoDefault(False)
        self.message = LiveLabel("Conflicts", alert=True)
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.decide_button)
        buttons.addWidget(self.merge)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(list_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.who)
        layout.addWidget(table_label)
        layout.addWidget(self.table, 2)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(1000, 680)
        self.busy = False
        self._show()
        self.reload()
        self.list.setFocus()

    # --- reading ------------------------------------------------------------------------
    def reload(self, then: str = "") -> None:
        """Read every conflict on the runner; ``then`` is said once they are shown."""
        from sendobserve.services.conflict_views import conflict_views

        store = self.store
        self.runner.op(lambda: conflict_views(store)).success(
            lambda views: self._loaded(views, then)).failure(self._failed).owned_by(self).run()

    def _loaded(self, views: tuple[ConflictView, ...], then: str) -> None:
        previous = self.current()
        row = self.list.currentIndex().row()
        self.views = list(views)
        self.list_model.set_views(self.views)
        keys = [v.key for v in self.views]
        if previous is not None and previous.key in keys:
            row = keys.index(previous.key)
        if self.views:
            self.list.setCurrentIndex(self.list_model.index(
                min(max(row, 0), len(self.views) - 1), 0))
        self.list.setAccessibleName(
            f"Conflicts: {plural(len(self.views), 'to decide', 'to decide')}"
            if self.views else "Conflicts: none")
        self._show()
        if then:
            self.message.setText(then)
        elif not self.views:
            self.message.setText("No conflict: every record has one version here.")

    def current(self) -> ConflictView | None:
        index = self.list.currentIndex()
        return self.views[index.row()] if index.isValid() and index.row() < len(
            self.views) else None

    def _show(self) -> None:
        view = self.current()
        self.versions.set_view(view)
        self.keep.blockSignals(True)
        self.keep.clear()
        if view is not None:
            for v in view.versions:
                self.keep.addItem(v.choice, v.keep)
        self.keep.blockSignals(False)
        if view is None:
            self.who.setText("Choose a conflict above." if self.views else
                             "No record is in conflict.")
            self.table.setAccessibleName("Both versions, field by field: no conflict chosen")
        else:
            self.who.setText("\n".join(f"{v.letter}: {v.title}: {v.source}."
                                       for v in view.versions))
            self.table.setAccessibleName(
                f"Both versions of {view.trainee}'s {view.kind_label.lower()}, field by "
                f"field: {plural(view.differing, 'field differs', 'fields differ')}")
        self._enable()

    def _enable(self) -> None:
        view = self.current()
        ready = view is not None and not self.busy
        for widget in (self.keep, self.decided_by, self.reason, self.decide_button):
            widget.setEnabled(ready)
        self.merge.setEnabled(ready and view is not None and view.mergeable)
        self.table.setEnabled(view is not None)
        if view is None:
            self.decide_button.setAccessibleName("Decide (choose a conflict first)")
        else:
            self.decide_button.setAccessibleName(
                f"Decide: {self.keep.currentText()}, for {view.trainee}'s "
                f"{view.kind_label.lower()}")
        if view is not None and view.mergeable:
            self.merge.setAccessibleName(
                "Write a merged version: A, with the ticked fields from B "
                f"({plural(len(self.versions.take_b), 'field')} ticked)")
        else:
            self.merge.setAccessibleName("Write a merged version (only for a record kept "
                                         "in two versions)")

    # --- deciding -----------------------------------------------------------------------
    def decide(self) -> None:
        """Keep the version chosen in Keep, for the chosen conflict."""
        from sendobserve.services import conflict_views

        view, keep = self.current(), self.keep.currentData()
        if view is None or not isinstance(keep, str):
            return
        store, by, reason = self.store, self.decided_by.text(), self.reason.text()
        self._run(lambda: conflict_views.decide(store, view, keep, decided_by=by,
                                                reason=reason))

    def decide_merged(self) -> None:
        from sendobserve.services import conflict_views

        view = self.current()
        if view is None:
            return
        store, by, reason = self.store, self.decided_by.text(), self.reason.text()
        take_b = frozenset(self.versions.take_b)
        self._run(lambda: conflict_views.decide_merged(store, view, take_b, decided_by=by,
                                                       reason=reason))

    def _run(self, work: Any) -> None:
        self.busy = True
        self._enable()
        self.message.setText("Deciding…")
        self.runner.op(work).success(self._decided).failure(self._refused) \
            .owned_by(self).run()

    def _cares(self, changes: Changes) -> bool:
        return changes.everything or changes.trust or changes.observations or \
            changes.record or changes.cases or changes.people or changes.certificates

    def _decided(self, done: Any) -> None:
        self.busy = False
        self.reason.clear()
        self.reload(then=f"{done.value}. The decision is signed by this installation and "
                    "travels with its next whole-record file.")

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        self._enable()
        self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            hint = f" {exc.hint}" if exc.hint else ""
            self.message.setText(f"⚠ Nothing was decided: {exc.message.rstrip('.')}.{hint}")
        else:
            self.message.setText(f"⚠ Nothing was decided: {exc}")

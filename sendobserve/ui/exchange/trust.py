"""File ▸ Known signers… and File ▸ Conflicts…: trust between installations.

``KnownSignersDialog`` lists every installation whose files this store imported: name,
fingerprint in groups of four (to read aloud and compare), first seen, last import, and a
REVOKED mark with its date. *Revoke…* asks from when, why and who decides, then asks once
more before recording it (a lost laptop: files it signs from then on are refused).

``ConflictsDialog`` lists the records kept in conflict after imports: which record, the
version held here (A) and the one kept from a file (B) side by side, field by field, with
who sent each and when; a person keeps A or B with their name and a reason. Both are Qt item
models; writes go through ``services.trust`` and emit the window's change signal.
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
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from sendobserve.services.trust import SignerLine
from sendobserve.ui.common.a11y import LiveLabel
from sendobserve.ui.common.tasks import Runner

_ROOT = QModelIndex()
_DISPLAY = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
KIND_WORDS = {"training": "Training", "reflections": "Reflection", "cpd": "CPD",
              "contacts": "Mentoring or supervision", "discretions": "Discretion",
              "mediator": "Mediator details"}


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
            s.fingerprint, f"{s.first_seen_at:%-d %b %Y}", f"{s.last_import_at:%-d %b %Y}",
            (f"REVOKED from {s.revoked_from:%-d %b %Y %H:%M} UTC ({s.revoked_reason}; "
             f"{s.revoked_by})" if s.revoked_from else "—"))
            for s in signers])


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.setWordWrap(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


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
                             f"{when:%-d %b %Y %H:%M} UTC.")
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
                            f"{when:%-d %b %Y %H:%M} UTC? Files it signs from then on will be "
                            "refused here and, once this store's files reach them, on other "
                            "laptops. This cannot be undone."):
            return False
        self.revoke.emit(when, reason, by)
        self.accept()
        return True


class VersionsModel(_Table):
    """The two versions field by field. A field that differs can be ticked (Space): a
    merged version takes B's value there and A's everywhere else."""

    headers = ("Field (ticked: merged takes B)", "A: held here", "B: kept from a file")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.fields: list[str] = []
        self.take_b: set[str] = set()

    def set_versions(self, rows: list[tuple[str, str, str]]) -> None:
        """(field, A, B) rows; what differs first."""
        rows = sorted(rows, key=lambda r: r[1] == r[2])
        self.fields = [r[0] for r in rows]
        self.take_b = set()
        self.set_rows([(f.replace("_", " ") + (" — differs" if a != b else ""), a, b)
                       for f, a, b in rows])

    def differs(self, row: int) -> bool:
        return self.rows[row][1] != self.rows[row][2]

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == 0 and self.differs(index.row()):
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if index.column() == 0 and self.differs(row):
            taken = self.fields[row] in self.take_b
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if taken else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return (f"{self.fields[row].replace('_', ' ')}: differs; a merged version takes "
                        f"{'B' if taken else 'A'}")
        if role == Qt.ItemDataRole.AccessibleTextRole and index.column() == 0:
            return f"{self.fields[row].replace('_', ' ')}: the same in both"
        return super().data(index, role)

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0 \
                or not self.differs(index.row()):
            return False
        field = self.fields[index.row()]
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.take_b.add(field)
        else:
            self.take_b.discard(field)
        self.dataChanged.emit(index, index, [role, Qt.ItemDataRole.AccessibleTextRole])
        return True


class ConflictsDialog(QDialog):
    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Conflicts")
        self.setObjectName("conflicts")
        intro = QLabel("A record edited on two laptops in different ways is kept in both "
                       "versions until a person decides. Compare them, keep one or merge them, and "
                       "say why: "
                       "the decision travels with this store's next whole-record file.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.choice = QComboBox()
        self.choice.setAccessibleName("Record in conflict")
        self.choice.currentIndexChanged.connect(lambda _i: self._show())
        choice_label = QLabel("&Record in conflict:")
        choice_label.setBuddy(self.choice)
        self.who = QLabel()
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.who.setWordWrap(True)
        self.versions = VersionsModel(self)
        self.table = _table(self.versions, "Both versions, field by field")
        self.decided_by = QLineEdit()
        self.decided_by.setAccessibleName("Who decides")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the decision")
        form = QFormLayout()
        form.addRow("&Who decides:", self.decided_by)
        form.addRow("Reaso&n:", self.reason)
        self.keep_a = QPushButton("Keep &A (held here)")
        self.keep_a.clicked.connect(lambda: self.decide("current"))
        self.keep_b = QPushButton("Keep &B (from the file)")
        self.keep_b.clicked.connect(lambda: self.decide(self._kept_digest()))
        self.merge = QPushButton("Write a &merged version")
        self.merge.setAccessibleName("Write a merged version: A, with the ticked fields "
                                     "from B")
        self.merge.clicked.connect(self.decide_merged)
        close = QPushButton("Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)
        self.message = LiveLabel("Conflicts", alert=True)
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(choice_label)
        row.addWidget(self.choice, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_a)
        buttons.addWidget(self.keep_b)
        buttons.addWidget(self.merge)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.who)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(980, 560)
        self.reload()
        self.choice.setFocus()

    def reload(self) -> None:
        from sendobserve.services import trust

        self.conflicts = list(trust.record_conflicts(self.store))
        self.observation_conflicts = len(trust.observation_conflicts(self.store))
        self.choice.blockSignals(True)
        self.choice.clear()
        for c in self.conflicts:
            self.choice.addItem(f"{c.mediator_name}: {KIND_WORDS.get(c.kind, c.kind)} "
                                f"({len(c.kept)} other version{'s' if len(c.kept) != 1 else ''})")
        self.choice.blockSignals(False)
        self._show()

    def current(self) -> Any:
        i = self.choice.currentIndex()
        return self.conflicts[i] if 0 <= i < len(self.conflicts) else None

    def _kept_digest(self) -> str:
        c = self.current()
        return c.kept[0].digest if c is not None and c.kept else ""

    def _show(self) -> None:
        c = self.current()
        has = c is not None
        for widget in (self.keep_a, self.keep_b, self.merge, self.table, self.decided_by,
                       self.reason):
            widget.setEnabled(has)
        if c is None:
            self.versions.set_rows([])
            observations = (f" {self.observation_conflicts} observation(s) amended differently "
                            "on two laptops are kept in both versions; they cannot be decided "
                            "on this screen yet." if self.observation_conflicts else "")
            self.who.setText("No record is in conflict." + observations)
            return
        kept = c.kept[0]
        self.who.setText(f"A: the version held here. B: received on "
                         f"{kept.received_at:%-d %b %Y %H:%M} UTC in a file signed by "
                         f"installation {kept.signer_fingerprint}.")
        names = sorted(set(c.current) | set(kept.fields))
        rows = [(name, _text(c.current.get(name)), _text(kept.fields.get(name)))
                for name in names if name not in ("id", "mediator_id")]
        self.versions.set_versions(rows)
        self.merge.setEnabled(len(c.kept) == 1)
        differ = sum(1 for r in rows if r[1] != r[2])
        self.table.setAccessibleName(f"Both versions, field by field: {differ} field"
                                     f"{'s' if differ != 1 else ''} differ")

    def decide_merged(self) -> bool:
        from sendobserve.services import trust

        c = self.current()
        if c is None:
            return False
        try:
            changes = trust.decide_merged(self.store, c.kind, c.record_id,
                                          from_kept=frozenset(self.versions.take_b),
                                          decided_by=self.decided_by.text(),
                                          reason=self.reason.text())
        except UserError as exc:
            self.message.setText(f"⚠ {exc.message}")
            return False
        self.reason.clear()
        self.reload()
        self.message.setText("Wrote the merged version; it travels with the next file.")
        _emit(self, changes)
        return True

    def decide(self, keep: str) -> bool:
        from sendobserve.services import trust

        c = self.current()
        if c is None or not keep:
            return False
        try:
            changes = trust.decide(self.store, c.kind, c.record_id, keep=keep,
                                   decided_by=self.decided_by.text(), reason=self.reason.text())
        except UserError as exc:
            self.message.setText(f"⚠ {exc.message}")
            return False
        self.reason.clear()
        self.reload()
        self.message.setText(f"Kept {'A, the version held here' if keep == 'current' else 'B'}"
                             " for that record; the decision travels with the next file.")
        _emit(self, changes)
        return True


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

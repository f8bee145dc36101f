"""File ▸ Organisation…: the admin's decisions about who belongs to the organisation's hub.

The admin sees every installation that asked to join (its name, its fingerprint in the
groups of four people read aloud, when it asked, its status and role), compares the
fingerprint aloud with the person at that computer, and approves it with a role and the
trainees it may see (a checkable list with a search), or refuses it; a member can be
revoked (a lost or retired laptop), after a confirmation that says what happens.

Everything that talks to the hub runs on the window's task runner, never on the GUI
thread; the decisions themselves are ``sendobserve.hub.sync``'s (the same as ``hub
approve`` and ``hub revoke``): this screen only gathers them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendobserve.errors import UserError
from sendobserve.hub.protocol import Role, Status, spaced
from sendobserve.model.vocabulary import moment_text
from sendobserve.services.changes import Changes
from sendobserve.ui.common.a11y import LiveLabel, clear_on_escape

if TYPE_CHECKING:
    from sendobserve.storage.db import Store
    from sendobserve.ui.common.tasks import Runner

Index = QModelIndex | QPersistentModelIndex

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Admin",
    Role.PPC: "PPC or mentor",
    Role.OBSERVER: "Observer",
    Role.TRAINEE: "Trainee",
    Role.ASSESSOR: "External assessor (read-only)",
}
STATUS_LABELS: dict[str, str] = {
    Status.PENDING: "Waiting for approval",
    Status.APPROVED: "Member",
    Status.REVOKED: "Revoked",
}


@dataclass(frozen=True, slots=True)
class Trainee:
    id: str  # hex, as approvals name trainees
    name: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the screen shows: the hub's list of installations, this store's trainees."""

    installations: tuple[dict[str, Any], ...]
    trainees: tuple[Trainee, ...]
    own_fingerprint: str


def load_snapshot(store: Store) -> Snapshot:
    """Runs on the task runner: the hub's list (admin only) and this store's trainees."""
    from sendobserve.hub import sync
    from sendobserve.services.screens_reads import mediators as trainees

    with sync.client_for(store) as client:
        me = client.me()
        rows = client.installations()
    mediators = trainees(store)
    order = {Status.PENDING: 0, Status.APPROVED: 1, Status.REVOKED: 2}
    rows.sort(key=lambda r: (order.get(r["status"], 3), r["requested_at"]))
    return Snapshot(tuple(rows), tuple(sorted((Trainee(m.id.hex, m.name) for m in mediators),
                                              key=lambda t: t.name.casefold())),
                    str(me["fingerprint"]))


def _asked(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text).astimezone()
    except ValueError:
        return text
    return moment_text(moment)


class InstallationsModel(QAbstractTableModel):
    """One row per installation that asked to join."""

    HEADERS = ("Name", "Status", "Role", "Fingerprint", "Asked")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.trainee_names: dict[str, str] = {}

    def reset(self, rows: Sequence[dict[str, Any]], trainee_names: dict[str, str]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.trainee_names = trainee_names
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def role_text(self, row: dict[str, Any]) -> str:
        if row["role"] is None:
            return "—"
        text = ROLE_LABELS[Role(row["role"])]
        if row["status"] == Status.APPROVED and row["role"] != Role.ADMIN:
            seen = row["trainees"]
            text += ", every trainee" if seen is None else f", {len(seen)} trainee(s)"
        return text

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            column = index.column()
            if column == 0:
                return row["name"]
            if column == 1:
                return STATUS_LABELS.get(row["status"], row["status"])
            if column == 2:
                return self.role_text(row)
            if column == 3:
                return spaced(row["fingerprint"])
            return _asked(row["requested_at"])
        if role == Qt.ItemDataRole.FontRole and index.column() == 3:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.Monospace)
            return font
        return None


class TraineeScope(QWidget):
    """The trainees an installation may see: "All trainees", or a checkable list with a
    search (Space ticks the current trainee)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.everyone = QCheckBox("All &trainees, including those added later")
        self.everyone.setAccessibleName("All trainees, including those added later")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type part of a name")
        self.search.setAccessibleName("Search trainees")
        clear_on_escape(self.search)
        search_label = QLabel("&Search trainees:")
        search_label.setBuddy(self.search)
        self.model = QStandardItemModel(self)
        self.filter = QSortFilterProxyModel(self)
        self.filter.setSourceModel(self.model)
        self.filter.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list = QListView()
        self.list.setModel(self.filter)
        self.list.setAccessibleName("Trainees it may see (Space ticks or unticks)")
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.count = LiveLabel("Trainees ticked")
        self.search.textChanged.connect(self.filter.setFilterFixedString)
        self.search.returnPressed.connect(self.list.setFocus)
        self.everyone.toggled.connect(self._everyone_toggled)
        self.model.itemChanged.connect(lambda _item: self._count())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.everyone)
        row = QHBoxLayout()
        row.addWidget(search_label)
        row.addWidget(self.search, 1)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count)

    def set_trainees(self, trainees: Sequence[Trainee]) -> None:
        self.model.clear()
        for t in trainees:
            item = QStandardItem(t.name)
            item.setData(t.id, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            self.model.appendRow(item)
        self._count()

    def show_scope(self, trainees: Sequence[str] | None) -> None:
        """Tick what an approval gives (None: every trainee)."""
        chosen = set(trainees or ())
        for i in range(self.model.rowCount()):
            item = self.model.item(i)
            item.setCheckState(Qt.CheckState.Checked
                               if item.data(Qt.ItemDataRole.UserRole) in chosen
                               else Qt.CheckState.Unchecked)
        self.everyone.setChecked(trainees is None)
        self._count()

    def chosen(self) -> tuple[str, ...] | None:
        """The ticked trainees' ids; None for every trainee."""
        if self.everyone.isChecked():
            return None
        return tuple(sorted(
            str(self.model.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.model.rowCount())
            if self.model.item(i).checkState() == Qt.CheckState.Checked))

    def _everyone_toggled(self, on: bool) -> None:
        self.search.setEnabled(not on)
        self.list.setEnabled(not on)
        self._count()

    def _count(self) -> None:
        if self.everyone.isChecked():
            self.count.setText("Every trainee, now and later")
            return
        chosen = self.chosen() or ()
        self.count.setText(f"{len(chosen)} of {self.model.rowCount()} trainee(s) ticked")


class RevokeDialog(QDialog):
    """The confirmation: what revoking does, and why (kept in every member's record)."""

    def __init__(self, name: str, fingerprint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Revoke {name}?")
        text = (f"Revoke {name} ({spaced(fingerprint)})?\n\n"
                "The hub refuses it from now on. The next sync (started now) sends a "
                "signed revocation to every member: whatever that computer signs from this "
                "moment is refused everywhere, through the hub or in a file. What it sent "
                "before stays in everyone's records, marked as from a revoked "
                "installation; nothing is deleted.\n\n"
                "This cannot be undone: to come back, that computer joins again and is "
                "approved as a new installation.")
        self.explanation = explanation = QLabel(text)
        explanation.setWordWrap(True)
        explanation.setAccessibleName(text)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. laptop lost on 3 March")
        self.reason.setAccessibleName("Why (kept in every member's record)")
        reason_label = QLabel("&Why:")
        reason_label.setBuddy(self.reason)
        buttons = QDialogButtonBox()
        self.revoke_button = buttons.addButton("&Revoke", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("&Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.revoke_button.setEnabled(False)
        self.cancel_button.setDefault(True)
        self.reason.textChanged.connect(
            lambda text: self.revoke_button.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        form = QFormLayout()
        form.addRow(reason_label, self.reason)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.reason.setFocus()


class OrganisationDialog(QDialog):
    """The admin's screen. ``load``, ``approve``, ``refuse`` and ``revoke`` run on the
    runner (network); their defaults are ``sendobserve.hub.sync``'s on ``store``."""

    changed = Signal(object)  # a Changes, after a decision that wrote to the store
    revoked = Signal()  # a revocation is recorded: the window syncs to send it

    def __init__(self, store: Store, runner: Runner, parent: QWidget | None = None, *,
                 load: Callable[[], Snapshot] | None = None) -> None:
        super().__init__(parent)
        from sendobserve.hub import sync

        self.store = store
        self.runner = runner
        self._load = load or (lambda: load_snapshot(store))
        self._sync = sync
        self.snapshot: Snapshot | None = None
        self.busy = False
        self.revoke_dialog: RevokeDialog | None = None
        self.decision = ""  # the last decision, said with the refreshed list
        self.setWindowTitle("Organisation: members and requests to join")
        self.resize(1180, 660)

        self.status = LiveLabel("Organisation", "Asking the hub…")
        self.status.setWordWrap(True)
        self.model = InstallationsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAccessibleName("Installations of the organisation")
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        table_label = QLabel("&Installations:")
        table_label.setBuddy(self.table)

        self.title = LiveLabel("Selected", "")
        self.title.setWordWrap(True)
        self.fingerprint = LiveLabel("Fingerprint, in groups to read aloud", "")
        big = QFont("monospace")
        big.setStyleHint(QFont.StyleHint.Monospace)
        big.setPointSizeF(big.pointSizeF() * 1.5 if big.pointSizeF() > 0 else 14)
        self.fingerprint.setFont(big)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.compared = QCheckBox("I &compared this fingerprint aloud with the person at "
                                  "that computer")
        self.compared.setAccessibleName("I compared this fingerprint aloud with the person "
                                        "at that computer")
        self.role = QComboBox()
        for role, label in ROLE_LABELS.items():
            self.role.addItem(label, role.value)
        self.role.setAccessibleName("Role")
        role_label = QLabel("&Role:")
        role_label.setBuddy(self.role)
        self.scope = TraineeScope()
        self.approve_button = QPushButton("&Approve")
        self.refuse_button = QPushButton("Re&fuse…")
        self.revoke_button = QPushButton("Re&voke…")
        self.refresh_button = QPushButton("Refres&h")
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        for button in (self.approve_button, self.refuse_button, self.revoke_button,
                       self.refresh_button):
            button.setAutoDefault(False)
        self.why = LiveLabel("Why not", "")
        self.why.setWordWrap(True)

        details = QVBoxLayout()
        details.addWidget(self.title)
        details.addWidget(self.fingerprint)
        details.addWidget(self.compared)
        form = QFormLayout()
        form.addRow(role_label, self.role)
        details.addLayout(form)
        details.addWidget(self.scope, 1)
        details.addWidget(self.why)
        buttons = QHBoxLayout()
        for button in (self.approve_button, self.refuse_button, self.revoke_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.close_button)
        left = QVBoxLayout()
        left.addWidget(table_label)
        left.addWidget(self.table, 1)
        body = QHBoxLayout()
        body.addLayout(left, 5)
        body.addLayout(details, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.compared.toggled.connect(lambda _on: self._update_buttons())
        self.role.currentIndexChanged.connect(lambda _i: self._role_changed())
        self.scope.model.itemChanged.connect(lambda _item: self._update_buttons())
        self.scope.everyone.toggled.connect(lambda _on: self._update_buttons())
        self.approve_button.clicked.connect(self.approve)
        self.refuse_button.clicked.connect(self.refuse)
        self.revoke_button.clicked.connect(self.ask_revoke)
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self.reject)
        self.setTabOrder(self.table, self.compared)
        self._show_selected()
        self.table.setFocus()
        self.refresh()

    # --- reading ----------------------------------------------------------------------
    def refresh(self, *, keep: str | None = None) -> None:
        if self.busy:
            return
        selected = keep or (self.selected() or {}).get("fingerprint")
        self._working("Asking the hub…")
        (self.runner.op(self._load).success(lambda snap: self._loaded(snap, selected))
         .failure(self._failed).owned_by(self).run())

    def _loaded(self, snapshot: Snapshot, selected: str | None) -> None:
        self.busy = False
        self.snapshot = snapshot
        self.scope.set_trainees(snapshot.trainees)
        self.model.reset(snapshot.installations, {t.id: t.name for t in snapshot.trainees})
        self.table.resizeColumnsToContents()
        waiting = sum(r["status"] == Status.PENDING for r in snapshot.installations)
        members = sum(r["status"] == Status.APPROVED for r in snapshot.installations)
        summary = (f"{waiting} waiting for approval, {members} member(s). Compare each "
                   "fingerprint aloud with the person at that computer before approving it.")
        self.status.setText(f"{self.decision} {summary}" if self.decision else summary)
        self.decision = ""
        rows = [i for i, r in enumerate(snapshot.installations)
                if r["fingerprint"] == selected] or ([0] if snapshot.installations else [])
        if rows:
            self.table.selectRow(rows[0])
            self.table.setCurrentIndex(self.model.index(rows[0], 0))
        self._show_selected()

    def selected(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def _show_selected(self) -> None:
        row = self.selected()
        self.compared.setChecked(False)
        if row is None:
            self.title.setText("Nothing selected" if self.snapshot else "")
            self.fingerprint.setText("")
            self._update_buttons()
            return
        status = STATUS_LABELS.get(row["status"], row["status"])
        self.title.setText(f"{row['name']}: {status.lower()}, asked {_asked(row['requested_at'])}")
        self.fingerprint.setText(spaced(row["fingerprint"]))
        if row["role"] is not None:
            self.role.setCurrentIndex(self.role.findData(row["role"]))
        else:
            self.role.setCurrentIndex(self.role.findData(Role.OBSERVER.value))
        self.scope.show_scope(row["trainees"] if row["status"] == Status.APPROVED else ())
        self._role_changed()

    def _role_changed(self) -> None:
        admin = self.role.currentData() == Role.ADMIN.value
        if admin:
            self.scope.everyone.setChecked(True)  # an admin sees every trainee
        self.scope.everyone.setEnabled(not admin)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected()
        mine = row is not None and self.snapshot is not None \
            and row["fingerprint"] == self.snapshot.own_fingerprint
        status = None if row is None else row["status"]
        decidable = row is not None and status != Status.REVOKED and not mine
        scope = self.scope.chosen()
        reasons = []
        if row is None:
            reasons.append("Select an installation.")
        elif mine:
            reasons.append("This is this installation: another admin decides about it.")
        elif status == Status.REVOKED:
            reasons.append("Revoked: to come back it joins again with a new identity.")
        else:
            if not self.compared.isChecked():
                reasons.append("Compare the fingerprint aloud, then tick that you did.")
            if scope == ():
                reasons.append("Tick the trainees it may see (or all trainees).")
        can_approve = decidable and self.compared.isChecked() and scope != ()
        self.approve_button.setEnabled(can_approve and not self.busy)
        self.approve_button.setText("&Approve" if status != Status.APPROVED
                                    else "&Approve changes")
        self.refuse_button.setEnabled(decidable and status == Status.PENDING and not self.busy)
        self.revoke_button.setEnabled(decidable and status == Status.APPROVED and not self.busy)
        for control in (self.compared, self.role, self.scope):
            control.setEnabled(decidable and not self.busy)
        if decidable and self.role.currentData() == Role.ADMIN.value:
            self.scope.everyone.setEnabled(False)
        self.why.setText(" ".join(reasons) if decidable or row is None or mine
                         or status == Status.REVOKED else "")

    # --- deciding ---------------------------------------------------------------------
    def approve(self) -> None:
        row = self.selected()
        if row is None or not self.approve_button.isEnabled():
            return
        role = Role(self.role.currentData())
        trainees = None if role is Role.ADMIN else self.scope.chosen()
        fp, name = row["fingerprint"], row["name"]
        store, sync = self.store, self._sync
        self._working(f"Approving {name}…")
        (self.runner.op(lambda: sync.approve(store, fp, role, trainees))
         .success(lambda answer: self._decided(
             f"Approved {answer['name']} as {ROLE_LABELS[role].lower()}"
             f"{self._scope_words(trainees, role)}. It receives what it may "
             "see from its next sync.", fp))
         .failure(self._failed).owned_by(self).run())

    @staticmethod
    def _scope_words(trainees: tuple[str, ...] | None, role: Role) -> str:
        if role is Role.ADMIN or trainees is None:
            return ", seeing every trainee"
        return f", seeing {len(trainees)} trainee(s)"

    def refuse(self) -> None:
        row = self.selected()
        if row is None or not self.refuse_button.isEnabled():
            return
        answer = QMessageBox.question(
            self, "Refuse the request?",
            f"Refuse {row['name']} ({spaced(row['fingerprint'])})? The hub refuses it from "
            "now on; nothing of it is in anyone's records. To ask again, that computer needs "
            "a new identity.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        fp, name = row["fingerprint"], row["name"]
        store, sync = self.store, self._sync
        self._working(f"Refusing {name}…")
        (self.runner.op(lambda: sync.refuse(store, fp))
         .success(lambda _answer: self._decided(f"Refused {name}.", fp))
         .failure(self._failed).owned_by(self).run())

    def ask_revoke(self) -> None:
        row = self.selected()
        if row is None or not self.revoke_button.isEnabled():
            return
        dialog = RevokeDialog(row["name"], row["fingerprint"], self)
        self.revoke_dialog = dialog
        dialog.accepted.connect(lambda: self.revoke(row["fingerprint"], row["name"],
                                                    dialog.reason.text()))
        dialog.open()

    def revoke(self, fingerprint: str, name: str, reason: str) -> None:
        store, sync = self.store, self._sync
        self._working(f"Revoking {name}…")

        def done(_answer: Any) -> None:
            self._decided(f"Revoked {name}. The revocation goes to every member with the "
                          "sync that starts now.", fingerprint)
            self.changed.emit(Changes(trust=True))
            self.runner.announce(Changes(trust=True))  # every open screen hears of it
            self.revoked.emit()

        (self.runner.op(lambda: sync.revoke(store, fingerprint, reason)).success(done)
         .failure(self._failed).owned_by(self).run())

    # --- plumbing ---------------------------------------------------------------------
    def _working(self, text: str) -> None:
        self.busy = True
        self.status.setText(text)
        self._update_buttons()

    def _decided(self, text: str, fingerprint: str) -> None:
        self.busy = False
        self.decision = text  # shown with the refreshed list
        self.refresh(keep=fingerprint)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.decision = ""
        message = exc.message if isinstance(exc, UserError) else f"Something went wrong: {exc}"
        hint = exc.hint if isinstance(exc, UserError) and exc.hint else ""
        self.status.setText(f"{message} {hint}".strip())
        self._update_buttons()

"""Find or add a trainee and a case, see their observations, start Form 1, 2 or 3.

Keyboard path: type in the search box (accent- and case-insensitive: "siobhan" finds
"Siobhán"), Down or Enter moves into the list, Tab through cases, the observer's name,
the form and the suggested ordinal, then Start. Ctrl+N adds a trainee, Ctrl+Shift+N a case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from sendobserve.forms.definition import FormDefinition
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Mediator,
    Observation,
    ObservationState,
    Observer,
    TraineeRole,
)
from sendobserve.model.vocabulary import (
    CASE_KIND_LABELS,
    TRAINEE_ROLE_LABELS,
    day_text,
    fold_name,
    name_matches,
    ordinal,
)
from sendobserve.services.changes import Changes
from sendobserve.services.workspace import WorkspaceService
from sendobserve.ui.common.a11y import (
    LiveLabel,
    clear_on_escape,
    named,
    on_keys,
    save_or_cancel,
)
from sendobserve.ui.common.minimisation import minimisation_label, watch
from sendobserve.ui.common.settings import ROLE_LABELS, WorkspaceSettings
from sendobserve.ui.common.tasks import ChangeFollower, Runner

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
ID_ROLE = Qt.ItemDataRole.UserRole + 1
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 2


ordinal_text = ordinal


class _RecordListModel(QAbstractListModel):
    """Records with an ``id``, one a row: ``text`` is what a row says and reads aloud; the
    row's record and its id are there for the page (``OBJECT_ROLE``, ``ID_ROLE``)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def _reset(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def text(self, record: Any) -> str:
        raise NotImplementedError

    def row_of(self, record_id: uuid.UUID) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == record_id), -1)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(record)
        if role == ID_ROLE:
            return str(record.id)
        if role == OBJECT_ROLE:
            return record
        return None


class MediatorListModel(_RecordListModel):
    def set_mediators(self, mediators: Sequence[Mediator]) -> None:
        self._reset(sorted(mediators, key=lambda m: fold_name(m.name)))

    def add(self, mediator: Mediator) -> QModelIndex:
        row = sum(1 for m in self._rows if fold_name(m.name) <= fold_name(mediator.name))
        self.beginInsertRows(_ROOT, row, row)
        self._rows.insert(row, mediator)
        self.endInsertRows()
        return self.index(row, 0)

    def mediator(self, row: int) -> Mediator:
        return cast(Mediator, self._rows[row])

    def text(self, record: Any) -> str:
        return str(record.name)


class AccentInsensitiveFilter(QSortFilterProxyModel):
    """Keeps the names a search for the typed text finds (``model.vocabulary``: every
    typed word begins a word of the name, in any order; accents, case and apostrophes
    ignored), the same rule as the store's type-ahead and the command line."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._text = ""

    def set_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+: invalidateFilter is deprecated
            self.beginFilterChange()
            self._text = text
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._text = text
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        return name_matches(self._text, str(index.data(Qt.ItemDataRole.DisplayRole)))


class CaseListModel(_RecordListModel):
    def set_cases(self, cases: Sequence[Case]) -> None:
        self._reset(sorted(cases, key=lambda c: (c.case_date, c.reference)))

    def case(self, row: int) -> Case:
        return cast(Case, self._rows[row])

    def text(self, record: Any) -> str:
        return (f"{record.reference}\n{day_text(record.case_date)} · "
                f"{TRAINEE_ROLE_LABELS[record.trainee_role].lower()} · "
                f"{CASE_KIND_LABELS[record.kind].lower()}")


class ObservationListModel(QAbstractListModel):
    """The trainee's observations, two lines each so nothing is cut off at 200 %."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[tuple[Observation, str, str]] = []  # observation, case ref, observer

    def set_rows(self, rows: Sequence[tuple[Observation, str, str]]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda r: (r[0].observed_on, r[0].form_id, r[0].ordinal))
        self.endResetModel()

    def observation(self, row: int) -> Observation:
        return self._rows[row][0]

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def _lines(self, row: int) -> tuple[str, str]:
        obs, ref, observer = self._rows[row]
        number = obs.form_id.removeprefix("form")
        word = "case" if obs.form_id == "form1" else "observation"
        state = {ObservationState.DRAFT: "draft", ObservationState.FINALISED: "finalised",
                 ObservationState.AMENDED: "finalised, amended"}[obs.state]
        return (f"Form {number}, {ordinal_text(obs.ordinal)} {word} — {state}",
                f"{ref} · {day_text(obs.observed_on)} · {observer}")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "\n".join(self._lines(index.row()))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return ", ".join(self._lines(index.row()))
        if role == OBJECT_ROLE:
            return self._rows[index.row()][0]
        return None


class RowDelegate(QStyledItemDelegate):
    """List rows at least 44 px high: a finger-sized target, with room for two lines."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), max(44, hint.height() + 12))


def _list_view(name: str, model: QAbstractItemModel, description: str = "") -> QListView:
    view = QListView()
    view.setModel(model)
    view.setAccessibleName(name)
    if description:
        view.setAccessibleDescription(description)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.setAlternatingRowColors(True)
    view.setItemDelegate(RowDelegate(view))
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return view


class OrdinalSpinBox(QSpinBox):
    """Shows "2nd observation" (or "2nd case" on Form 1) rather than a bare number."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.word = "observation"
        self.setRange(1, 99)

    def textFromValue(self, value: int) -> str:
        return f"{ordinal_text(value)} {self.word}"

    def valueFromText(self, text: str) -> int:
        digits = "".join(c for c in text if c.isdigit())
        return int(digits) if digits else 1

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        ok = any(c.isdigit() for c in text)
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos


W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str, description: str = "") -> W:
    named(widget, name, description).setMinimumHeight(36)
    return widget


class AddTraineeDialog(QDialog):
    def __init__(self, name: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a trainee")
        layout = QFormLayout(self)
        self.name = QLineEdit(name)
        _named(self.name, "Trainee's full name")
        layout.addRow("&Full name:", self.name)
        self.error = LiveLabel("Problem", alert=True)
        layout.addRow(self.error)
        layout.addRow(save_or_cancel(self, self._check))

    def _check(self) -> None:
        if not self.name.text().strip():
            self.error.setText("Type the trainee's name.")
            return
        self.accept()


class AddCaseDialog(QDialog):
    """A case carries a reference only: never a child's or a family's name."""

    def __init__(self, trainee: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Add a case for {trainee}")
        layout = QFormLayout(self)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("e.g. SEN-2026-014")
        _named(self.reference, "Case reference",
               "The service's reference for the case. Never a child's or family's name.")
        self.case_date = QDateEdit(QDate.currentDate())
        self.case_date.setCalendarPopup(True)
        self.case_date.setDisplayFormat("d MMMM yyyy")
        _named(self.case_date, "Case date")
        self.kind = QComboBox()
        for kind, label in CASE_KIND_LABELS.items():
            self.kind.addItem(label, kind.value)
        _named(self.kind, "Kind of case")
        self.role = QComboBox()
        for role, label in TRAINEE_ROLE_LABELS.items():
            self.role.addItem(label, role.value)
        self.role.setCurrentIndex(1)
        _named(self.role, "Trainee's role in the case")
        self.hours = QLineEdit("0")
        _named(self.hours, "Casework hours", "Hours, e.g. 4.5")
        hint = QLabel("Use the service's case reference — never a child's or family's name.")
        hint.setWordWrap(True)
        layout.addRow(hint)
        layout.addRow("Case &reference:", self.reference)
        self.privacy = minimisation_label()
        layout.addRow(self.privacy)
        watch(self.reference, self.privacy, is_reference=True)
        layout.addRow("&Date:", self.case_date)
        layout.addRow("&Kind:", self.kind)
        layout.addRow("Trainee's r&ole:", self.role)
        layout.addRow("Casework &hours:", self.hours)
        self.error = LiveLabel("Problem", alert=True)
        layout.addRow(self.error)
        layout.addRow(save_or_cancel(self, self._check))

    def hours_value(self) -> Decimal | None:
        try:
            value = Decimal(self.hours.text().strip() or "0")
        except InvalidOperation:
            return None
        return value if value >= 0 and value.is_finite() else None

    def date_value(self) -> date:
        q = self.case_date.date()
        return date(q.year(), q.month(), q.day())

    def _check(self) -> None:
        if not self.reference.text().strip():
            self.error.setText("Give the case reference.")
            self.reference.setFocus()
            return
        if self.hours_value() is None:
            self.error.setText("Casework hours must be a number such as 4.5.")
            self.hours.setFocus()
            return
        self.accept()


class NavigationWidget(QWidget):
    observationOpened = Signal(object, object, object)  # Observation, Mediator, Case
    traineeScreenRequested = Signal(object)  # Mediator: the readiness view and record
    idleMinutesChanged = Signal(int)

    def __init__(self, service: WorkspaceService, runner: Runner,
                 settings: WorkspaceSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.settings = settings
        self.dialog: QDialog | None = None
        self._forms: list[FormDefinition] = []

        self.mediators = MediatorListModel(self)
        self.filter = AccentInsensitiveFilter(self)
        self.filter.setSourceModel(self.mediators)
        self.cases = CaseListModel(self)
        self.observations = ObservationListModel(self)

        self.search = _named(QLineEdit(), "Search trainees",
                             "Type part of a name; accents and capitals do not matter. "
                             "Down or Enter moves to the list.")
        self.search.setPlaceholderText("Type a name…")
        self.search.setClearButtonEnabled(True)
        clear_on_escape(self.search)
        self.trainee_list = _list_view("Trainees", self.filter, "Enter moves to the cases.")
        self.add_trainee_button = _named(QPushButton("Add &trainee…"), "Add a trainee",
                                         "Ctrl+N")
        self.readiness_button = _named(
            QPushButton("Rea&diness and record…"), "Readiness and record of the selected trainee",
            "Ctrl+R. What the trainee has shown, what is still needed, and their hours.")
        self.case_list = _list_view("Cases of the selected trainee", self.cases,
                                    "Enter moves to starting an observation.")
        self.add_case_button = _named(QPushButton("Add &case…"), "Add a case",
                                      "Ctrl+Shift+N. Uses a case reference only.")
        self.observer_name = _named(QLineEdit(settings.observer_name), "Your name (observer)",
                                    "Remembered on this computer.")
        self.observer_role = QComboBox()
        for role, label in ROLE_LABELS.items():
            self.observer_role.addItem(label, role.value)
        self.observer_role.setCurrentIndex(list(ROLE_LABELS).index(settings.observer_role))
        _named(self.observer_role, "Your role")
        self.form_choice = _named(QComboBox(), "Form to start")
        self.ordinal = _named(OrdinalSpinBox(), "Which observation",
                              "Suggested from the trainee's observations on this form.")
        self.idle_minutes = _named(QSpinBox(), "Lock after this many idle minutes",
                                   "Remembered on this computer. Ctrl+L locks at once.")
        self.idle_minutes.setRange(0, 120)
        self.idle_minutes.setSuffix(" min idle")
        self.idle_minutes.setSpecialValueText("never (Ctrl+L only)")
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        self.advance = QCheckBox("After a tick, mo&ve to the next item")
        self.advance.setAccessibleName("After a tick, move to the next item")
        self.advance.setAccessibleDescription("Remembered on this computer.")
        self.advance.setChecked(settings.advance_after_tick)
        self.advance.toggled.connect(self._advance_changed)
        self.observed_on = QDateEdit(QDate.currentDate())
        self.observed_on.setCalendarPopup(True)
        self.observed_on.setDisplayFormat("d MMMM yyyy")
        _named(self.observed_on, "Date observed")
        self.start_button = _named(QPushButton("&Start observation"), "Start observation")
        self.observation_list = _list_view("Observations of the selected trainee",
                                            self.observations, "Enter opens the observation.")
        self.open_button = _named(QPushButton("Ope&n observation"),
                                  "Open the selected observation")
        self.delete_button = _named(QPushButton("De&lete draft"),
                                    "Delete the selected draft observation",
                                    "Delete key. Ctrl+Z puts it back; a finalised observation "
                                    "is never deleted, only amended.")
        self.undo_delete_button = _named(QPushButton("&Undo delete"),
                                         "Put back the draft just deleted", "Ctrl+Z")
        self.undo_delete_button.setVisible(False)
        self._deleted: list[tuple[Any, str]] = []  # what undo puts back, newest last
        self.message = LiveLabel("Message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # names are never markup
        self._cases_label = QLabel("Cases")
        self._cases_label.setTextFormat(Qt.TextFormat.PlainText)

        trainees = QGroupBox("Trainees")
        t_layout = QVBoxLayout(trainees)
        search_label = QLabel("F&ind:")  # Alt+F is the File menu's
        search_label.setBuddy(self.search)
        t_layout.addWidget(search_label)
        t_layout.addWidget(self.search)
        t_layout.addWidget(self.trainee_list, 1)
        t_layout.addWidget(self.add_trainee_button)
        t_layout.addWidget(self.readiness_button)
        cases = QGroupBox("Cases")
        c_layout = QVBoxLayout(cases)
        c_layout.addWidget(self._cases_label)
        c_layout.addWidget(self.case_list, 1)
        c_layout.addWidget(self.add_case_button)
        start = QGroupBox("Start an observation of the selected case")
        s_layout = QGridLayout(start)
        for row, (label, widget) in enumerate((("You&r name:", self.observer_name),
                                               ("Your r&ole:", self.observer_role),
                                               ("For&m:", self.form_choice),
                                               ("&Which:", self.ordinal),
                                               ("Dat&e:", self.observed_on))):
            caption = QLabel(label)
            caption.setBuddy(widget)
            s_layout.addWidget(caption, row, 0)
            s_layout.addWidget(widget, row, 1)
        s_layout.addWidget(self.start_button, 5, 0, 1, 2)
        lock_label = QLabel("Loc&k after:")
        lock_label.setBuddy(self.idle_minutes)
        s_layout.addWidget(lock_label, 6, 0)
        s_layout.addWidget(self.idle_minutes, 6, 1)
        s_layout.addWidget(self.advance, 7, 0, 1, 2)
        observations = QGroupBox("Observations")
        o_layout = QVBoxLayout(observations)
        o_layout.addWidget(self.observation_list, 1)
        o_buttons = QHBoxLayout()
        o_buttons.addWidget(self.open_button, 1)
        o_buttons.addWidget(self.delete_button)
        o_buttons.addWidget(self.undo_delete_button)
        o_layout.addLayout(o_buttons)
        right = QVBoxLayout()
        right.addWidget(start)
        right.addWidget(observations, 1)
        columns = QHBoxLayout()
        columns.addWidget(trainees, 2)
        columns.addWidget(cases, 2)
        columns.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)

        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.trainee_list.selectionModel().currentChanged.connect(self._trainee_changed)
        self.trainee_list.activated.connect(lambda _i: self.case_list.setFocus())
        self.case_list.activated.connect(lambda _i: self.observer_name.setFocus())
        self.case_list.selectionModel().currentChanged.connect(lambda *_: self._case_changed())
        self.form_choice.currentIndexChanged.connect(lambda _i: self._suggest_ordinal())
        self.add_trainee_button.clicked.connect(self.add_trainee)
        self.readiness_button.clicked.connect(self.open_trainee_screen)
        self.add_case_button.clicked.connect(self.add_case)
        self.start_button.clicked.connect(self.start)
        self.idle_minutes.valueChanged.connect(self._idle_minutes_changed)
        self.open_button.clicked.connect(self.open_selected)
        self.observer_name.returnPressed.connect(self.start)
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_delete_button.clicked.connect(self.undo_delete)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.observation_list)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_selected)
        on_keys(self, QKeySequence.StandardKey.Undo, self.undo_delete)
        self.observation_list.activated.connect(lambda _i: self.open_selected())
        for keys, slot in (("Ctrl+N", self.add_trainee), ("Ctrl+Shift+N", self.add_case),
                           ("Ctrl+F", self.search.setFocus),
                           ("Ctrl+R", self.open_trainee_screen)):
            on_keys(self, keys, slot)
        self.setTabOrder(self.search, self.trainee_list)
        # The lists follow the one change signal: people → the trainee list; a trainee's
        # cases and observations → their lists (now if showing, else when shown again).
        self._announcing = False  # its own writes: it has shown them already
        self.people_follower = ChangeFollower(
            self, runner, lambda c: not self._announcing and (c.everything or c.people),
            self.reload)
        self.trainee_follower = ChangeFollower(self, runner, self._shows, self.refresh_trainee)
        self.reload()

    # --- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        def load() -> tuple[Sequence[Mediator], Sequence[FormDefinition]]:
            return self.service.mediators(), self.service.startable_forms()

        def show(result: tuple[Sequence[Mediator], Sequence[FormDefinition]]) -> None:
            mediators, forms = result
            chosen = self.current_mediator()
            self.mediators.set_mediators(mediators)
            # The lists below belonged to the trainee selected before: reloaded next.
            self.cases.set_cases([])
            self.observations.set_rows([])
            self._forms = list(forms)
            self.form_choice.clear()
            for form in self._forms:
                self.form_choice.addItem(f"Form {form.number}: {form.title}", form.form_id)
            default = next((i for i, f in enumerate(self._forms) if f.form_id == "form2"), 0)
            self.form_choice.setCurrentIndex(default)
            # The trainee chosen before stays chosen (a reload after an import or a sync).
            row = self.mediators.row_of(chosen.id) if chosen is not None else -1
            if row >= 0:
                self.trainee_list.setCurrentIndex(
                    self.filter.mapFromSource(self.mediators.index(row, 0)))
            self._select_first()

        self.runner.op(load).success(show).failure(self._failed).owned_by(self).run()

    def _shows(self, changes: Changes) -> bool:
        """Whether a change concerns the chosen trainee's cases or observations."""
        mediator = self.current_mediator()
        if mediator is None or self._announcing or changes.people or changes.everything:
            return False  # nobody chosen, its own write, or the reload above does it
        return (changes.cases or changes.observations or changes.marks) \
            and changes.touches(mediator.id)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(f"Could not load: {exc}")

    def open_trainee_screen(self) -> None:
        mediator = self.current_mediator()
        if mediator is None:
            self.message.setText("Choose a trainee first.")
            return
        self.traineeScreenRequested.emit(mediator)

    def current_mediator(self) -> Mediator | None:
        index = self.trainee_list.currentIndex()
        return index.data(OBJECT_ROLE) if index.isValid() else None

    def current_case(self) -> Case | None:
        index = self.case_list.currentIndex()
        return index.data(OBJECT_ROLE) if index.isValid() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.filter.rowCount() == 0 and event.key() != Qt.Key.Key_Down:
                    self.add_trainee()
                    return True
                self._select_first()
                self.trainee_list.setFocus()
                return True
        return False

    def _filter(self, text: str) -> None:
        self.filter.set_text(text)
        self._select_first()

    def _select_first(self) -> None:
        if self.filter.rowCount() and not self.trainee_list.currentIndex().isValid():
            self.trainee_list.setCurrentIndex(self.filter.index(0, 0))
        elif self.filter.rowCount() == 0:
            self._trainee_changed(QModelIndex())

    def _trainee_changed(self, current: Index, _previous: Index | None = None) -> None:
        mediator = current.data(OBJECT_ROLE) if current.isValid() else None
        self._cases_label.setText(f"Cases of {mediator.name}" if mediator else
                                  "No trainee selected")
        self.add_case_button.setEnabled(mediator is not None)
        if mediator is None:
            self.cases.set_cases([])
            self.observations.set_rows([])
            self._update_start()
            return
        self.runner.op(lambda: self._load_trainee(mediator.id)).success(self._show_trainee) \
            .failure(self._failed).owned_by(self).run()

    def _load_trainee(self, mediator_id: uuid.UUID) -> tuple[uuid.UUID, Sequence[Case],
                                                             list[tuple[Observation, str, str]]]:
        cases = self.service.cases(mediator_id)
        refs = {c.id: c.reference for c in cases}
        observers: dict[uuid.UUID, Observer] = {}
        rows = []
        for obs in self.service.observations(mediator_id):
            if obs.observer_id not in observers:
                observers[obs.observer_id] = self.service.observer(obs.observer_id)
            rows.append((obs, refs.get(obs.case_id, ""), observers[obs.observer_id].name))
        return mediator_id, cases, rows

    def _show_trainee(self, loaded: tuple[uuid.UUID, Sequence[Case],
                                          list[tuple[Observation, str, str]]]) -> None:
        mediator_id, cases, rows = loaded
        current = self.current_mediator()
        if current is None or current.id != mediator_id:
            return  # the user moved on while this loaded
        self.cases.set_cases(cases)
        self.observations.set_rows(rows)
        if self.cases.rowCount():
            self.case_list.setCurrentIndex(self.cases.index(self.cases.rowCount() - 1, 0))
        self._suggest_ordinal()
        self._update_start()

    def _case_changed(self) -> None:
        self._suggest_ordinal()
        self._update_start()

    def _suggest_ordinal(self) -> None:
        case = self.current_case()
        form_id = self.form_choice.currentData()
        self.ordinal.word = "case" if form_id == "form1" else "observation"
        self.ordinal.setValue(self.ordinal.value())
        self.ordinal.lineEdit().setText(self.ordinal.textFromValue(self.ordinal.value()))
        if case is not None and form_id:
            self.ordinal.setValue(self.service.suggest_ordinal(case.id, form_id))

    def _update_start(self) -> None:
        self.start_button.setEnabled(self.current_case() is not None)

    def _advance_changed(self, on: bool) -> None:
        self.settings.advance_after_tick = on

    def _idle_minutes_changed(self, minutes: int) -> None:
        self.settings.idle_lock_minutes = minutes
        self.idleMinutesChanged.emit(minutes)

    # --- actions --------------------------------------------------------------------------
    def add_trainee(self) -> None:
        dialog = AddTraineeDialog(self.search.text().strip(), self)
        self.dialog = dialog

        def done(result: int) -> None:
            self.dialog = None
            if result != QDialog.DialogCode.Accepted:
                return
            try:
                with self._own_write():
                    mediator = self.service.add_mediator(dialog.name.text().strip())
            except Exception as exc:
                self.message.setText(f"Trainee not added — {exc}")
                return
            self.search.clear()
            index = self.mediators.add(mediator)
            self.trainee_list.setCurrentIndex(self.filter.mapFromSource(index))
            self.message.setText(f"Added {mediator.name}.")
            self.add_case_button.setFocus()

        dialog.finished.connect(done)
        dialog.open()

    def add_case(self) -> None:
        mediator = self.current_mediator()
        if mediator is None:
            self.message.setText("Choose a trainee first.")
            return
        dialog = AddCaseDialog(mediator.name, self)
        self.dialog = dialog

        def done(result: int) -> None:
            self.dialog = None
            if result != QDialog.DialogCode.Accepted:
                return
            hours = dialog.hours_value()
            assert hours is not None
            try:
                with self._own_write():
                    case = self.service.add_case(
                        mediator.id, dialog.reference.text().strip(), dialog.date_value(),
                        CaseKind(dialog.kind.currentData()),
                        TraineeRole(dialog.role.currentData()), hours)
            except Exception as exc:
                self.message.setText(f"Case not added — {exc}")
                return
            self.cases.set_cases([*[self.cases.case(r) for r in range(self.cases.rowCount())],
                                  case])
            self.case_list.setCurrentIndex(self.cases.index(self.cases.row_of(case.id), 0))
            self.message.setText(f"Added case {case.reference}.")
            self._update_start()
            self.observer_name.setFocus()

        dialog.finished.connect(done)
        dialog.open()

    def start(self) -> None:
        mediator, case = self.current_mediator(), self.current_case()
        name = self.observer_name.text().strip()
        if mediator is None or case is None:
            self.message.setText("Choose a trainee and a case first.")
            return
        if not name:
            self.message.setText("Type your name: it goes on the form as the observer.")
            self.observer_name.setFocus()
            return
        role = list(ROLE_LABELS)[self.observer_role.currentIndex()]
        self.settings.observer_name = name
        self.settings.observer_role = role
        q = self.observed_on.date()
        try:
            with self._own_write():
                observer = self.service.observer_named(name, role)
                observation = self.service.start_observation(
                    case.id, observer.id, self.form_choice.currentData(),
                    self.ordinal.value(), date(q.year(), q.month(), q.day()))
        except Exception as exc:
            self.message.setText(f"Not started — {exc}")
            return
        # The observation list shows the new one when this page is shown again, not
        # now: a reload started here would read the store on the worker while the
        # observation opens on the GUI thread.
        self.trainee_follower.stale = True
        self.message.clear()
        self.observationOpened.emit(observation, mediator, case)

    def open_selected(self) -> None:
        index = self.observation_list.currentIndex()
        mediator = self.current_mediator()
        if mediator is None:
            self.message.setText("Choose a trainee first.")
            return
        if not index.isValid():
            self.message.setText(
                f"Choose one of {mediator.name}'s observations in the list first."
                if self.observations.rowCount() else
                f"{mediator.name} has no observations yet: start one above.")
            return
        observation = self.observations.observation(index.row())
        case = next((self.cases.case(r) for r in range(self.cases.rowCount())
                     if self.cases.case(r).id == observation.case_id), None)
        self.observationOpened.emit(observation, mediator, case)

    def delete_selected(self) -> None:
        """Delete the selected draft (after it, Ctrl+Z or Undo delete puts it back)."""
        index = self.observation_list.currentIndex()
        if not index.isValid():
            self.message.setText("Choose a draft observation in the list first.")
            return
        observation = self.observations.observation(index.row())
        what = self.observations.data(index, Qt.ItemDataRole.AccessibleTextRole).split(" — ")[0]
        if observation.state is not ObservationState.DRAFT:
            self.message.setText(f"{what} is finalised: it is never deleted. Open it and "
                                 "amend it (Ctrl+E) if something is wrong.")
            return
        try:
            with self._own_write():
                copy = self.service.discard_draft(observation.id)
        except Exception as exc:
            self.message.setText(f"Not deleted — {exc}")
            return
        self._deleted.append((copy, what))
        self.undo_delete_button.setVisible(True)
        self.message.setText(f"Deleted the draft {what}. Ctrl+Z or Undo delete puts it back.")
        self.refresh_trainee()

    def undo_delete(self) -> None:
        if not self._deleted:
            self.message.setText("No deleted draft to put back.")
            return
        copy, what = self._deleted.pop()
        try:
            with self._own_write():
                self.service.restore_draft(copy)
        except Exception as exc:
            self.message.setText(f"Not put back — {exc}")
            return
        self.undo_delete_button.setVisible(bool(self._deleted))
        self.message.setText(f"Put back the draft {what}.")
        self.refresh_trainee()

    def refresh_trainee(self) -> None:
        self._trainee_changed(self.trainee_list.currentIndex())

    @contextmanager
    def _own_write(self) -> Iterator[None]:
        """A write made here through the door: the door announces it on the window's
        runner for the other screens, and this one, which shows it already, lets it
        pass."""
        self._announcing = True
        try:
            yield
        finally:
            self._announcing = False

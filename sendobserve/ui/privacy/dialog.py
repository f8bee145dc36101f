"""Data protection in the app: what is kept and why, the retention plan, and one person's
subject access and erasure.

Everything here calls the same functions as ``sendobserve retention``,
``sendobserve subject-access`` and ``sendobserve erase`` (``model.retention``,
``storage.retention``, ``storage.erasure``); the slow steps run on the window's task runner.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from sendobserve.model.retention import KIND_WORDS, Kind, RetentionPlan, Rule
from sendobserve.model.vocabulary import day_text
from sendobserve.storage.db import Store
from sendobserve.ui.common.lock import FILE_DIALOG_OPTIONS
from sendobserve.ui.common.tasks import Runner

INTRO = (
    "<p>Everything this app stores is encrypted on this computer. Cases carry a reference, "
    "never a child's name. The provider decides how long each kind of record is kept; a "
    "person named in the records can ask for a copy of everything about them, or for it "
    "to be erased.</p>"
)


def schedule_html(schedule: dict[Kind, Rule]) -> str:
    rows = "".join(
        f"<tr><td><b>{KIND_WORDS[kind]}</b></td><td>{rule.describe()}</td>"
        f"<td>{rule.reason}</td></tr>"
        for kind, rule in schedule.items()
    )
    return (f"{INTRO}<h3>How long records are kept</h3>"
            f"<table cellpadding='4'><tr><th align='left'>What</th><th align='left'>Kept for"
            f"</th><th align='left'>Why</th></tr>{rows}</table>"
            "<p>Records removed by retention leave the rolling backups within seven days. "
            "Erasure rewrites the backups at once.</p>")


class _Status(QLabel):
    """A status line whose text is its accessible name, announced when it changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                     | Qt.TextInteractionFlag.TextSelectableByMouse)

    def say(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleName(text)
        QAccessible.updateAccessibility(
            QAccessibleEvent(self, QAccessible.Event.NameChanged))


class PrivacyDialog(QDialog):
    """File ▸ Data protection…: three tabs, each doing one thing."""

    changed = Signal()  # records were removed: open screens should refresh

    def __init__(self, store: Store, runner: Runner, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Data protection")
        self.setAccessibleName("Data protection")
        self.store = store
        self.runner = runner
        self.today = today or date.today()
        self.plan: RetentionPlan | None = None

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Data protection sections")

        self.about = QTextBrowser(self)
        self.about.setAccessibleName("What is kept and why")
        self.tabs.addTab(self.about, "What is &kept")

        retention = QWidget(self)
        self.plan_model = QStringListModel(self)
        self.plan_view = QListView(retention)
        self.plan_view.setModel(self.plan_model)
        self.plan_view.setAccessibleName("What the retention schedule removes today")
        self.apply_button = QPushButton("&Apply retention now…", retention)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self._confirm_apply)
        self.retention_status = _Status(retention)
        box = QVBoxLayout(retention)
        box.addWidget(QLabel(f"As of {day_text(self.today, long=True)}:", retention))
        box.addWidget(self.plan_view)
        box.addWidget(self.apply_button, alignment=Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.retention_status)
        self.tabs.addTab(retention, "&Retention")

        person = QWidget(self)
        self.people = QComboBox(person)
        self.people.setAccessibleName("Mediator")
        chooser = QLabel("&Mediator:", person)
        chooser.setBuddy(self.people)
        self.access_button = QPushButton("Save a &subject-access report…", person)
        self.access_button.clicked.connect(self._save_access)
        self.erase_button = QPushButton("&Erase this mediator…", person)
        self.erase_button.clicked.connect(self._confirm_erase)
        self.person_status = _Status(person)
        row = QHBoxLayout()
        row.addWidget(chooser)
        row.addWidget(self.people, 1)
        box = QVBoxLayout(person)
        box.addLayout(row)
        box.addWidget(QLabel(
            "A subject-access report lists every record about the mediator, with where each "
            "came from, as a readable PDF and as JSON. Erasure removes them from this store "
            "and from every backup; certificates already issued are kept with the name as a "
            "register fact the provider may have to keep. It also keeps an erasure record "
            "signed by this installation (the mediator's id, never the name): every file "
            "this store exports and its next hub sync carry it, so laptops that allow this "
            "installation to erase apply it and the hub drops its files about the mediator. "
            "Files already exported stay as they are, but a laptop that has the record "
            "refuses them.", person, wordWrap=True))
        box.addWidget(self.access_button, alignment=Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.erase_button, alignment=Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.person_status)
        box.addStretch(1)
        self.tabs.addTab(person, "A &person's data")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(760, 520)
        self.tabs.tabBar().setAccessibleName("Data protection sections")
        self.about.setFocus()  # the page's text, not the unnamed row of tabs
        self.refresh()

    # --- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        from sendobserve.services.screens_reads import retention_choices

        store, today = self.store, self.today
        self.runner.op(lambda: retention_choices(store, today=today)) \
            .success(self._loaded).failure(self._failed).owned_by(self).run()

    def _loaded(self, loaded: tuple[RetentionPlan, list[Any]]) -> None:
        plan, mediators = loaded
        self.plan = plan
        self.about.setHtml(schedule_html(dict(plan.schedule)))
        self.plan_model.setStringList(plan.lines())
        self.apply_button.setEnabled(bool(plan.items))
        self.apply_button.setToolTip("" if plan.items else "Nothing is due to go today.")
        current = self.people.currentData()
        self.people.clear()
        for mediator in mediators:
            self.people.addItem(mediator.name, mediator.id)
        if current is not None:
            index = self.people.findData(current)
            self.people.setCurrentIndex(max(index, 0))
        has_people = bool(mediators)
        self.access_button.setEnabled(has_people)
        self.erase_button.setEnabled(has_people)
        if not has_people:
            self.person_status.say("There are no mediators in this store.")

    def _failed(self, exc: BaseException) -> None:
        message = getattr(exc, "message", None) or str(exc)
        self.person_status.say(f"That did not work: {message}")
        self.retention_status.say(f"That did not work: {message}")

    # --- retention ---------------------------------------------------------------------
    def _confirm_apply(self) -> None:
        plan = self.plan
        if plan is None or not plan.items:
            self.retention_status.say("Nothing is due to go today.")
            return
        answer = QMessageBox.question(
            self, "Apply retention",
            f"Remove {len(plan.items)} records that the schedule says are due? This cannot "
            "be undone; the privacy log keeps only how many went.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        from sendobserve.services.screens_writes import apply_retention

        store = self.store
        self.apply_button.setEnabled(False)
        self.runner.op(lambda: apply_retention(store, plan)) \
            .success(lambda written: self._applied(written.value)) \
            .failure(self._failed).owned_by(self).run()

    def _applied(self, done: dict[str, int]) -> None:
        self.retention_status.say(f"Removed or cleared {sum(done.values())} records.")
        self.changed.emit()
        self.refresh()

    # --- one person ----------------------------------------------------------------------
    def _chosen(self) -> tuple[Any, str] | None:
        """The mediator chosen (id, name), or None having said to choose one."""
        mediator_id = self.people.currentData()
        if mediator_id is None:
            self.person_status.say("Choose a mediator first.")
            return None
        return mediator_id, self.people.currentText()

    def _save_access(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        mediator_id, name = chosen
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the subject-access report", f"subject-access-{date.today()}.pdf",
            "PDF (*.pdf)", options=FILE_DIALOG_OPTIONS)
        if not path:
            return
        from sendobserve.services.screens_reads import save_subject_access

        store, target = self.store, Path(path)
        self.runner.op(lambda: save_subject_access(store, mediator_id, name, target,
                                                   made_on=date.today())) \
            .success(lambda n: self.person_status.say(
                f"Saved {n} records about {name} to {target.name} and "
                f"{target.with_suffix('.json').name}.")) \
            .failure(self._failed).owned_by(self).run()

    def _confirm_erase(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        mediator_id, name = chosen
        typed, ok = QInputDialog.getText(
            self, "Erase a mediator",
            f"Every record about {name} will be removed from this store and every backup. "
            "This cannot be undone.\n\nType the mediator's name to confirm:")
        if not ok:
            return
        if typed.strip().casefold() != name.casefold():
            self.person_status.say("The name did not match; nothing was erased.")
            return
        from sendobserve.services.screens_writes import erase_mediator

        store = self.store
        self.runner.op(lambda: erase_mediator(store, mediator_id)) \
            .success(lambda written: self._erased(written.value)) \
            .failure(self._failed).owned_by(self).run()

    def _erased(self, result: Any) -> None:
        self.person_status.say(" ".join(result.summary_lines()))
        self.changed.emit()
        self.refresh()

"""One mediator's screen for the main window: readiness and the record, on two tabs.

Both read and write through the trainee page's door (``TraineeRecord``). The screen
follows the window's change signal: any write touching this mediator's evidence (an edit
in the record, a tick, an import, a hub sync, a certificate) reloads the record and
re-assesses, at once if the screen is showing, else when it is next shown; a write about
another trainee leaves it alone. ``openObservationRequested`` goes to the workspace.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from sendobserve.services.changes import Changes
from sendobserve.services.screens_trainee import TraineeRecord
from sendobserve.ui.common.tasks import ChangeFollower, Runner
from sendobserve.ui.trainee.readiness.view import ReadinessView
from sendobserve.ui.trainee.record.editor import RecordEditor


def changes_evidence(changes: Changes) -> bool:
    """Whether a change set may change what a trainee page shows (of someone)."""
    return (changes.everything or changes.people or changes.cases or changes.observations
            or changes.marks or changes.record or changes.certificates or changes.forms)


class TraineeScreen(QWidget):
    openObservationRequested = Signal(str, str)  # observation id, tick item id
    recordChanged = Signal()  # the record editor committed a change

    def __init__(
        self,
        door: TraineeRecord,
        mediator_id: uuid.UUID,
        *,
        runner: Runner | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.mediator_id = mediator_id
        self.runner = runner if runner is not None else Runner(self)
        self.readiness = ReadinessView(door, mediator_id, runner=self.runner, today=today)
        self.record = RecordEditor(door, mediator_id, today=today, runner=self.runner)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Readiness and record")
        self.tabs.tabBar().setAccessibleName("Readiness and record")
        self.tabs.addTab(self.readiness, "Readiness")
        self.tabs.addTab(self.record, "Record")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.readiness.openObservationRequested.connect(self.openObservationRequested)
        # The editor's writes go out on the one signal, like everyone else's; each tab
        # follows it, so a hidden tab catches up when it is shown.
        self.record.changed.connect(self.runner.announce)
        self.record.changed.connect(lambda _changes: self.recordChanged.emit())
        self.readiness_follower = ChangeFollower(self.readiness, self.runner, self.cares,
                                                 self.readiness.refresh)
        self.record_follower = ChangeFollower(self.record, self.runner, self.cares,
                                              self.record.reload)

    def cares(self, changes: Changes) -> bool:
        return changes_evidence(changes) and changes.touches(self.mediator_id)

    def refresh(self) -> None:
        """Re-read the record and re-assess (the Reload a person asks for)."""
        self.record.reload()
        self.readiness.refresh()

    def set_mediator(self, mediator_id: uuid.UUID) -> None:
        self.mediator_id = mediator_id
        self.record.mediator_id = mediator_id
        self.record.reload()
        self.readiness.set_mediator(mediator_id)

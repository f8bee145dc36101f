"""One mediator's screen for the main window: readiness and the record, on two tabs.

An edit in the record re-assesses the readiness tabs at once (``changed`` →
``refresh``); the host calls ``refresh()`` after anything else changes the data (a
mark, an import) and connects ``openObservationRequested`` to the workspace.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from sendobserve.model.readiness import FormLookup
from sendobserve.ui.trainee.readiness.data import Runner
from sendobserve.ui.trainee.readiness.view import ReadinessView
from sendobserve.ui.trainee.record.editor import RecordEditor


class TraineeScreen(QWidget):
    openObservationRequested = Signal(str, str)  # observation id, tick item id
    recordChanged = Signal()  # the record editor committed a change

    def __init__(
        self,
        source: Any,
        mediator_id: uuid.UUID,
        *,
        forms: FormLookup | None = None,
        runner: Runner | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.readiness = ReadinessView(source, mediator_id, forms=forms, runner=runner,
                                       today=today)
        self.record = RecordEditor(source, mediator_id, today=today)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Readiness and record")
        self.tabs.tabBar().setAccessibleName("Readiness and record")
        self.tabs.addTab(self.readiness, "Readiness")
        self.tabs.addTab(self.record, "Record")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.readiness.openObservationRequested.connect(self.openObservationRequested)
        self.record.changed.connect(self.readiness.refresh)
        self.record.changed.connect(self.recordChanged)

    def refresh(self) -> None:
        """Re-read the record and re-assess (after a mark, an import…)."""
        self.record.reload()
        self.readiness.refresh()

    def set_mediator(self, mediator_id: uuid.UUID) -> None:
        self.record.mediator_id = mediator_id
        self.record.reload()
        self.readiness.set_mediator(mediator_id)

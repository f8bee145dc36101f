"""One open observation: commits marks, notes and de-brief text, and reports the save state.

This is the behaviour behind the observation page (the page only lays out widgets).

A mark write is committed synchronously on the GUI thread, by choice: the product
promises that each tick is on disk before the next key press, and inline that is true
by construction (the next key event is not even read until the commit returns), and
"Saved" can never be shown early. The cost is one short transaction whose commit is an
fsync (``synchronous=FULL``): ``tools/bench_ticks.py`` measures key press → committed →
shown at a median of 4–5 ms on an idle two-core machine and 12 ms (95th percentile
24 ms) with the machine loaded by other work: inside or about one 60 Hz frame, never a
visible stall. Lists, unlocking and anything else slow go through the window's runner.

Every committed write is announced by the door itself, once: the workspace's
``StoreWorkspaceService`` is built with ``changed=runner.announce`` (``build_workspace``),
so the trainee page and the lists follow it: a tick is a ``marks`` change of this
observation's trainee; finalising, amending and deleting are ``observations``. The
session adds no announcement of its own (a tick would be announced twice).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from sendobserve.errors import UserError
from sendobserve.model.domain import (
    Amendment,
    Mark,
    MarkState,
    Observation,
    ObservationState,
    Signature,
)
from sendobserve.services.workspace import MarkEdit, WorkspaceService
from sendobserve.ui.observation.checklist_model import ChecklistModel

log = logging.getLogger(__name__)
T = TypeVar("T")


class SaveStatus(StrEnum):
    SAVED = "saved"
    SAVING = "saving"
    FAILED = "failed"


def reason_of(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return exc.message
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


class ObservationSession(QObject):
    saveStatusChanged = Signal(str, str)  # SaveStatus value, text to show
    progressChanged = Signal(str)
    observationChanged = Signal(object)  # Observation (finalised / amended)

    def __init__(self, service: WorkspaceService, observation: Observation,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self.observation = service.observation(observation.id)  # never a stale copy
        self.form = service.form(observation.form_id, observation.form_version)
        self.model = ChecklistModel(self.form, service.marks(observation.id).values(), self)
        self.model.set_read_only(self.is_final)
        self.last_write_ms = 0.0
        self.status = SaveStatus.SAVED
        self.status_text = "Saved"

    @property
    def id(self) -> uuid.UUID:
        return self.observation.id

    @property
    def is_final(self) -> bool:
        return self.observation.state is not ObservationState.DRAFT

    # --- writes -----------------------------------------------------------------------
    def _status(self, status: SaveStatus, text: str) -> None:
        self.status, self.status_text = status, text
        self.saveStatusChanged.emit(status.value, text)

    def _commit(self, what: str, write: Callable[[], T]) -> T | None:
        """Run one write; show "Saving…", then "Saved" only once it returned (the door
        says what it changed)."""
        self._status(SaveStatus.SAVING, "Saving…")
        started = time.perf_counter()
        try:
            result = write()
        except Exception as exc:
            log.warning("%s not saved", what, exc_info=exc)
            self._status(SaveStatus.FAILED, f"Not saved — {reason_of(exc)}")
            return None
        self.last_write_ms = (time.perf_counter() - started) * 1000
        self._status(SaveStatus.SAVED, "Saved")
        return result

    def _show(self, mark: Mark | None) -> None:
        if mark is not None:
            self.model.apply_mark(mark)
            self.progressChanged.emit(self.model.progress_text())

    def set_state(self, item_id: str, state: MarkState) -> Mark | None:
        if self.is_final:
            self._status(SaveStatus.FAILED, "Not saved — this observation is finalised; amend it")
            return None
        if self.model.state_of(item_id) is state:
            return None
        note = self.model.note_of(item_id)
        mark = self._commit("mark", lambda: self.service.set_mark(self.id, item_id, state, note))
        self._show(mark)
        return mark

    def set_note(self, item_id: str, note: str) -> Mark | None:
        if self.is_final:
            self._status(SaveStatus.FAILED, "Not saved — this observation is finalised; amend it")
            return None
        state = self.model.state_of(item_id)
        mark = self._commit("note", lambda: self.service.set_mark(self.id, item_id, state, note))
        self._show(mark)
        return mark

    def undo(self) -> Mark | None:
        return self._step("undo", lambda: self.service.undo(self.id))

    def redo(self) -> Mark | None:
        return self._step("redo", lambda: self.service.redo(self.id))

    def _step(self, what: str, write: Callable[[], Mark | None]) -> Mark | None:
        """Undo or redo one tick of a draft; says so when there is nothing to ``what``."""
        if self.is_final:
            return None
        mark = self._commit(what, write)
        if mark is None and self.status is SaveStatus.SAVED:
            self._status(SaveStatus.SAVED, f"Saved — nothing to {what}")
        self._show(mark)
        return mark

    def save_debrief(self, criterion_id: str, text: str) -> bool:
        if self.is_final:
            return False
        saved = self._commit(
            "de-brief note", lambda: self.service.save_debrief_note(self.id, criterion_id, text))
        return saved is not None

    def finalise(self, signature: Signature) -> Observation | None:
        done = self._commit("finalise", lambda: self.service.finalise(self.id, signature))
        if isinstance(done, Observation):
            self.observation = done
            self.model.set_read_only(True)
            self.observationChanged.emit(done)
            return done
        return None

    def amend(self, edits: Sequence[MarkEdit], reason: str, amended_by: str) -> Amendment | None:
        done = self._commit(
            "amendment", lambda: self.service.amend(self.id, edits, reason, amended_by))
        if not isinstance(done, Amendment):
            return None
        for change in done.changes:
            self.model.apply_mark(Mark(self.id, change.criterion_id, change.new_state,
                                       change.new_note, done.amended_at))
        self.observation = self.service.observation(self.id)
        self.progressChanged.emit(self.model.progress_text())
        self.observationChanged.emit(self.observation)
        return done

    # --- changed elsewhere ------------------------------------------------------------
    def reload(self) -> None:
        """Read the observation and its marks again (an import or a sync amended it)."""
        self.observation = self.service.observation(self.id)
        for mark in self.service.marks(self.id).values():
            self.model.apply_mark(mark)
        self.model.set_read_only(self.is_final)
        self.progressChanged.emit(self.model.progress_text())
        self.observationChanged.emit(self.observation)

"""Everything the workspace screens ask of the data, in one small interface (Qt-free).

The views receive a ``WorkspaceService`` rather than reaching for repositories or a
global window, so each screen can be built and tested on its own. Every write returns
the committed domain object: a view shows "Saved" only for what came back from here.
Every write also reports what it changed (``Changes``) to the callback the service was
built with, so the window can emit it on its one signal. ``StoreWorkspaceService``
(``services.store_workspace``) is the implementation on the real store.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sendobserve.forms.definition import FormDefinition
from sendobserve.model.domain import (
    Amendment,
    Case,
    CaseKind,
    DebriefNote,
    Mark,
    MarkState,
    Mediator,
    Observation,
    Observer,
    ObserverRole,
    Signature,
    TraineeRole,
)


@dataclass(frozen=True, slots=True)
class MarkEdit:
    """A requested change to one tick item, for an amendment."""

    criterion_id: str  # the tick item's id
    state: MarkState
    note: str = ""


class WorkspaceService(ABC):
    # --- trainees, cases, observers -------------------------------------------------
    @abstractmethod
    def mediators(self) -> Sequence[Mediator]:
        """Every mediator, sorted by name (the list filters as you type)."""

    @abstractmethod
    def find_mediators(self, text: str) -> Sequence[Mediator]:
        """Type-ahead search in the store (accent- and case-insensitive)."""

    @abstractmethod
    def add_mediator(self, name: str) -> Mediator: ...

    @abstractmethod
    def cases(self, mediator_id: uuid.UUID) -> Sequence[Case]: ...

    @abstractmethod
    def add_case(
        self,
        mediator_id: uuid.UUID,
        reference: str,
        case_date: date,
        kind: CaseKind,
        trainee_role: TraineeRole,
        casework_hours: Decimal,
    ) -> Case: ...

    @abstractmethod
    def observations(self, mediator_id: uuid.UUID) -> Sequence[Observation]: ...

    @abstractmethod
    def observer_named(self, name: str, role: ObserverRole) -> Observer:
        """The observer with this name and role, added on first use."""

    @abstractmethod
    def observer(self, observer_id: uuid.UUID) -> Observer: ...

    # --- forms ------------------------------------------------------------------------
    @abstractmethod
    def startable_forms(self) -> Sequence[FormDefinition]:
        """The latest version of each form an observer can start (Forms 1–3)."""

    @abstractmethod
    def form(self, form_id: str, version: str) -> FormDefinition:
        """The exact definition an observation was made on."""

    @abstractmethod
    def suggest_ordinal(self, case_id: uuid.UUID, form_id: str) -> int:
        """1st / 2nd / 3rd: the case's own number on this form, else the trainee's next."""

    # --- one observation --------------------------------------------------------------
    @abstractmethod
    def start_observation(
        self,
        case_id: uuid.UUID,
        observer_id: uuid.UUID,
        form_id: str,
        ordinal: int,
        observed_on: date,
    ) -> Observation: ...

    @abstractmethod
    def observation(self, observation_id: uuid.UUID) -> Observation: ...

    @abstractmethod
    def discard_draft(self, observation_id: uuid.UUID) -> Any:
        """Delete a draft (never a finalised observation); returns what undo needs."""

    @abstractmethod
    def restore_draft(self, copy: Any) -> Observation:
        """Undo ``discard_draft``: the draft back exactly as it was."""

    @abstractmethod
    def marks(self, observation_id: uuid.UUID) -> Mapping[str, Mark]:
        """The current mark of every item that has one, by item id."""

    @abstractmethod
    def set_mark(
        self, observation_id: uuid.UUID, item_id: str, state: MarkState, note: str
    ) -> Mark:
        """Commit one mark; returns only once it is on disk."""

    @abstractmethod
    def undo(self, observation_id: uuid.UUID) -> Mark | None:
        """Durably undo the last mark change; the item's mark now, or None if nothing to undo."""

    @abstractmethod
    def redo(self, observation_id: uuid.UUID) -> Mark | None: ...

    @abstractmethod
    def debrief_notes(self, observation_id: uuid.UUID) -> Mapping[str, DebriefNote]: ...

    @abstractmethod
    def save_debrief_note(
        self, observation_id: uuid.UUID, criterion_id: str, text: str
    ) -> DebriefNote: ...

    @abstractmethod
    def finalise(self, observation_id: uuid.UUID, signature: Signature) -> Observation: ...

    @abstractmethod
    def amend(
        self,
        observation_id: uuid.UUID,
        edits: Sequence[MarkEdit],
        reason: str,
        amended_by: str,
    ) -> Amendment: ...

    @abstractmethod
    def history(self, observation_id: uuid.UUID) -> Sequence[Amendment]: ...

    # --- lock -------------------------------------------------------------------------
    @abstractmethod
    def verify_passphrase(self, passphrase: str) -> bool:
        """True when the passphrase opens this installation's key file."""

"""``WorkspaceService`` on the real encrypted store: the repositories and the form registry.

Every write goes through a repository method that has COMMITTED when it returns, so
what the workspace shows as saved is on disk; only then is ``changed`` told what the write
changed (the tick included: a plain call, no extra query). ``actor`` names who is acting
(the observer's name, for the mark history); ``verify_passphrase`` is the key file's check.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sendobserve.forms.definition import FormDefinition
from sendobserve.forms.registry import FormRegistry
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
    new_id,
)
from sendobserve.services.changes import Changes
from sendobserve.services.workspace import MarkEdit, WorkspaceService
from sendobserve.storage import repositories as repo

STARTABLE = ("form1", "form2", "form3")


class StoreWorkspaceService(WorkspaceService):
    def __init__(
        self,
        sessions: repo.SessionFactory,
        forms: FormRegistry,
        verify_passphrase: Callable[[str], bool],
        actor: Callable[[], str] = lambda: "observer",
        changed: Callable[[Changes], None] | None = None,
    ):
        self._forms = forms
        self._changed = changed
        # Which trainee each observation shown belongs to, so a tick names its trainee
        # without another query.
        self._mediator_of: dict[uuid.UUID, uuid.UUID] = {}
        self._verify = verify_passphrase
        self._actor = actor
        self.mediator_repo = repo.MediatorRepository(sessions)
        self.observer_repo = repo.ObserverRepository(sessions)
        self.case_repo = repo.CaseRepository(sessions)
        self.observation_repo = repo.ObservationRepository(sessions)
        self.form_repo = repo.FormVersionRepository(sessions)

    def _by(self) -> str:
        return self._actor().strip() or "observer"

    def _tell(self, changes: Changes) -> None:
        if self._changed is not None:
            self._changed(changes)

    def _seen(self, observation: Observation) -> Observation:
        self._mediator_of[observation.id] = observation.mediator_id
        return observation

    def _of(self, observation_id: uuid.UUID) -> frozenset[uuid.UUID]:
        mediator_id = self._mediator_of.get(observation_id)
        return frozenset() if mediator_id is None else frozenset({mediator_id})

    # --- people and cases ---------------------------------------------------------------
    def mediators(self) -> Sequence[Mediator]:
        return self.mediator_repo.list()

    def find_mediators(self, text: str) -> Sequence[Mediator]:
        return self.mediator_repo.find(text)

    def add_mediator(self, name: str) -> Mediator:
        mediator = self.mediator_repo.add(Mediator(id=new_id(), name=name))
        self._tell(Changes(people=True, mediators=frozenset({mediator.id})))
        return mediator

    def cases(self, mediator_id: uuid.UUID) -> Sequence[Case]:
        return self.case_repo.list_for_mediator(mediator_id)

    def add_case(self, mediator_id: uuid.UUID, reference: str, case_date: date, kind: CaseKind,
                 trainee_role: TraineeRole, casework_hours: Decimal) -> Case:
        case = self.case_repo.add(Case(
            id=new_id(), mediator_id=mediator_id, reference=reference, case_date=case_date,
            kind=kind, trainee_role=trainee_role, casework_hours=casework_hours))
        self._tell(Changes(cases=True, mediators=frozenset({mediator_id})))
        return case

    def observations(self, mediator_id: uuid.UUID) -> Sequence[Observation]:
        return [self._seen(o) for o in self.observation_repo.list_for_mediator(mediator_id)]

    def observer_named(self, name: str, role: ObserverRole) -> Observer:
        wanted = repo.fold_name(name)
        for observer in self.observer_repo.find(name):
            if repo.fold_name(observer.name) == wanted and observer.role is role:
                return observer
        observer = self.observer_repo.add(Observer(id=new_id(), name=name.strip(), role=role))
        self._tell(Changes(people=True))
        return observer

    def observer(self, observer_id: uuid.UUID) -> Observer:
        return self.observer_repo.get(observer_id)

    # --- forms ----------------------------------------------------------------------------
    def startable_forms(self) -> Sequence[FormDefinition]:
        return [self._forms.latest(f) for f in STARTABLE if f in self._forms.form_ids()]

    def form(self, form_id: str, version: str) -> FormDefinition:
        return self._forms.get(form_id, version)

    def suggest_ordinal(self, case_id: uuid.UUID, form_id: str) -> int:
        return self.observation_repo.suggest_ordinal(case_id, form_id)

    def _ensure_form_stored(self, form: FormDefinition) -> None:
        """The store keeps the exact text of every form version it has observations on."""
        self.form_repo.ensure(form)

    # --- one observation -----------------------------------------------------------------
    def start_observation(self, case_id: uuid.UUID, observer_id: uuid.UUID, form_id: str,
                          ordinal: int, observed_on: date) -> Observation:
        form = self._forms.latest(form_id)
        self._ensure_form_stored(form)
        started = self._seen(self.observation_repo.start(
            case_id, observer_id, form.form_id, form.version, observed_on=observed_on,
            ordinal=ordinal))
        self._tell(Changes(observations=True, mediators=self._of(started.id)))
        return started

    def observation(self, observation_id: uuid.UUID) -> Observation:
        return self._seen(self.observation_repo.get(observation_id))

    def discard_draft(self, observation_id: uuid.UUID) -> Any:
        copy = self.observation_repo.discard_draft(observation_id)
        self._tell(Changes(observations=True, marks=True, mediators=self._of(observation_id)))
        return copy

    def restore_draft(self, copy: Any) -> Observation:
        restored = self._seen(self.observation_repo.restore_draft(copy))
        self._tell(Changes(observations=True, marks=True, mediators=self._of(restored.id)))
        return restored

    def marks(self, observation_id: uuid.UUID) -> Mapping[str, Mark]:
        return {m.criterion_id: m for m in self.observation_repo.marks(observation_id)}

    def set_mark(self, observation_id: uuid.UUID, item_id: str, state: MarkState,
                 note: str) -> Mark:
        mark = self.observation_repo.set_mark(observation_id, item_id, state, note,
                                              by=self._by())
        self._tell(Changes(marks=True, mediators=self._of(observation_id)))
        return mark

    def undo(self, observation_id: uuid.UUID) -> Mark | None:
        mark = self.observation_repo.undo(observation_id, by=self._by())
        if mark is not None:
            self._tell(Changes(marks=True, mediators=self._of(observation_id)))
        return mark

    def redo(self, observation_id: uuid.UUID) -> Mark | None:
        mark = self.observation_repo.redo(observation_id, by=self._by())
        if mark is not None:
            self._tell(Changes(marks=True, mediators=self._of(observation_id)))
        return mark

    def debrief_notes(self, observation_id: uuid.UUID) -> Mapping[str, DebriefNote]:
        return {n.criterion_id: n for n in self.observation_repo.debrief_notes(observation_id)}

    def save_debrief_note(self, observation_id: uuid.UUID, criterion_id: str,
                          text: str) -> DebriefNote:
        note = self.observation_repo.set_debrief_note(observation_id, criterion_id, text)
        self._tell(Changes(marks=True, mediators=self._of(observation_id)))
        return note

    def finalise(self, observation_id: uuid.UUID, signature: Signature) -> Observation:
        finalised = self._seen(self.observation_repo.finalise(observation_id, signature))
        self._tell(Changes(observations=True, mediators=self._of(observation_id)))
        return finalised

    def amend(self, observation_id: uuid.UUID, edits: Sequence[MarkEdit], reason: str,
              amended_by: str) -> Amendment:
        changes = [repo.MarkEdit(e.criterion_id, e.state, e.note) for e in edits]
        amendment = self.observation_repo.amend(observation_id, changes, reason, by=amended_by)
        self._tell(Changes(observations=True, marks=True, mediators=self._of(observation_id)))
        return amendment

    def history(self, observation_id: uuid.UUID) -> Sequence[Amendment]:
        return self.observation_repo.amendments(observation_id)

    def verify_passphrase(self, passphrase: str) -> bool:
        return self._verify(passphrase)

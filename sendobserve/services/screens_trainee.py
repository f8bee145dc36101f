"""The trainee page's one door: what the readiness view and the record editor read and
write for one mediator (Qt-free).

``TraineeRecord`` is built once per open store (``TraineeRecord.of(store, forms)``) and
handed to the screens; they never build a session or a repository themselves. Reads
return frozen domain objects; every write returns ``Done``: what was stored plus the
``Changes`` it made, which the app emits on its one change signal so every open screen
that shows this mediator refreshes (and a page showing another trainee stays put).

``readiness`` loads the practice record in one unit of work (a fixed number of queries)
and runs the three pure assessments; it is safe on a worker thread.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import Case, Mediator, Observer
from sendobserve.model.readiness import FormLookup
from sendobserve.services import Done, Sessions, readiness
from sendobserve.services.changes import Changes
from sendobserve.services.readiness import ReadinessData
from sendobserve.storage.repositories import (
    CaseRepository,
    MediatorRepository,
    ObserverRepository,
    PracticeRepository,
    SessionFactory,
)

_standard: FormRegistry | None = None


def standard_forms() -> FormRegistry:
    """The shipped forms, loaded once per process (parsing the YAML takes a moment)."""
    global _standard
    if _standard is None:
        _standard = FormRegistry.standard()
    return _standard


class _Opened:
    """An open store as the services see it (``services.Sessions``), from its factory."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.session = sessions


def load_readiness(sessions: SessionFactory, mediator_id: uuid.UUID, forms: FormLookup,
                   today: date) -> ReadinessData:
    """One mediator's record, read in one unit of work, and its three assessments: the
    one load (``services.readiness.load_readiness``) the CLI and the print gates use."""
    return readiness.load_readiness(_Opened(sessions), mediator_id, today=today, forms=forms)


def record_changes(item: Any) -> Changes:
    """What adding, editing or deleting one entry of a trainee's record changes."""
    if isinstance(item, Case):
        return Changes(cases=True, mediators=frozenset({item.mediator_id}))
    if isinstance(item, Mediator):
        return Changes(people=True, mediators=frozenset({item.id}))
    return Changes(record=True, mediators=frozenset({item.mediator_id}))


class TraineeRecord:
    """Reads and writes for one trainee's page, on one store.

    ``sessions``: the store's session factory; ``forms``: the registry the readiness
    rules read the observations with (the shipped forms when None).
    """

    def __init__(self, sessions: SessionFactory, forms: FormLookup | None = None) -> None:
        self._sessions = sessions
        self.store: Sessions = _Opened(sessions)  # for the services that take a store
        self.forms: FormLookup = forms if forms is not None else standard_forms()
        self._practice = PracticeRepository(sessions)
        self._cases = CaseRepository(sessions)
        self._observers = ObserverRepository(sessions)
        self._mediators = MediatorRepository(sessions)

    @classmethod
    def of(cls, store: Any, forms: FormLookup | None = None) -> TraineeRecord:
        """The door for an open ``Store`` (anything with a ``session`` factory)."""
        return cls(store.session, forms)

    # --- reads ----------------------------------------------------------------------
    def readiness(self, mediator_id: uuid.UUID, today: date) -> ReadinessData:
        return load_readiness(self._sessions, mediator_id, self.forms, today)

    def mediator(self, mediator_id: uuid.UUID) -> Mediator:
        return self._mediators.get(mediator_id)

    def entries(self, kind_of: type[Any], mediator_id: uuid.UUID) -> tuple[Any, ...]:
        """Every entry of one kind (``Case``, ``Training``, ``Cpd``…) for the mediator."""
        if kind_of is Case:
            return self._cases.list_for_mediator(mediator_id)
        return tuple(self._practice.list(kind_of, mediator_id))

    def observers(self) -> tuple[Observer, ...]:
        return self._observers.list()

    # --- writes (each committed on return) -------------------------------------------
    def save_mediator(self, mediator: Mediator, *, today: date) -> Done[Mediator]:
        saved = self._mediators.update(mediator, today=today)
        return Done(saved, record_changes(saved))

    def left_panel_on(self, mediator_id: uuid.UUID) -> date | None:
        """The day the mediator left the provider's panel, if recorded (a retention event)."""
        from sendobserve.services.privacy import left_panel_on

        return left_panel_on(self.store, mediator_id)

    def set_left_panel(self, mediator_id: uuid.UUID, day: date | None, *,
                       today: date) -> Done[date | None]:
        """Record (or clear) the leaving day; a day after ``today`` is refused (the same
        as ``sendobserve left-panel``)."""
        from sendobserve.services.privacy import set_left_panel

        return set_left_panel(self.store, mediator_id, day, today=today)

    def add_entry(self, item: Any, *, today: date) -> Done[Any]:
        saved: Any = (self._cases.add(item, today=today) if isinstance(item, Case)
                      else self._practice.add(item, today=today))
        return Done(saved, record_changes(saved))

    def update_entry(self, item: Any, *, today: date) -> Done[Any]:
        saved: Any = (self._cases.update(item, today=today) if isinstance(item, Case)
                      else self._practice.update(item, today=today))
        return Done(saved, record_changes(saved))

    def delete_entry(self, item: Any) -> Done[Any]:
        """Delete ``item`` (by its id); the value is what was deleted, for Undo."""
        gone: Any = (self._cases.delete(item.id) if isinstance(item, Case)
                     else self._practice.delete(type(item), item.id))
        return Done(gone, record_changes(gone))

"""What the app's other screens read, one function each (Qt-free).

The dialogs and the panel call these (on the window's runner) rather than building
sessions or repositories themselves: the list of mediators a dialog offers, the export
dialog's choices, the panel's verdicts, the data-protection dialog's plan, and the
store's own private settings (``StoreMeta``). Each takes an open store.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendobserve.services.panel import verdicts as panel  # the dashboard's; and the CLI's

if TYPE_CHECKING:
    from sendobserve.model.domain import Mediator, Observer
    from sendobserve.model.retention import RetentionPlan
    from sendobserve.storage.db import Store


def mediators(store: Store) -> tuple[Mediator, ...]:
    """Every mediator, sorted by name."""
    from sendobserve.storage.repositories import MediatorRepository

    return MediatorRepository(store.session).list()


def mediator(store: Store, mediator_id: uuid.UUID) -> Mediator:
    from sendobserve.storage.repositories import MediatorRepository

    return MediatorRepository(store.session).get(mediator_id)


def export_choices(store: Store) -> tuple[tuple[Mediator, ...], str, tuple[Observer, ...]]:
    """The mediators one can export, the name this installation signs as ("" if none
    is set yet), and the observers an export may be scoped to."""
    from sendobserve.storage import exchange as stored
    from sendobserve.storage.repositories import ObserverRepository

    with store.session() as session:
        name = stored.identity_name(session) or ""
    return mediators(store), name, ObserverRepository(store.session).list()


def retention_choices(store: Store, *, today: date) -> tuple[RetentionPlan, list[Mediator]]:
    """What the retention schedule says may go today, and the people one may ask about."""
    from sendobserve.services.privacy import retention_plan

    return retention_plan(store, today=today), list(mediators(store))


def save_subject_access(store: Store, mediator_id: uuid.UUID, name: str, target: Path, *,
                        made_on: date) -> int:
    """Write a mediator's subject-access report (PDF, and the same as JSON beside it:
    ``services.privacy.subject_access``, as ``sendobserve subject-access`` writes it);
    returns how many records it lists. Reads the store only."""
    from sendobserve.services.files import write_file
    from sendobserve.services.privacy import Person, subject_access

    answer = subject_access(store, Person(name, mediator_id), made_on=made_on)
    write_file(target, answer.pdf_bytes())
    write_file(target.with_suffix(".json"), answer.json_bytes())
    return answer.count


class StoreMeta:
    """The settings' private values, in the store's ``store_meta`` table: encrypted with
    everything else. Read once, then served from memory (the mark history asks for the
    observer's name at every tick, on the worker thread)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._cache: dict[str, str | None] = {}

    def get(self, key: str) -> str | None:
        if key not in self._cache:
            from sendobserve.storage.meta import get_meta

            with self._store.session() as session:
                self._cache[key] = get_meta(session, key)
        return self._cache[key]

    def set(self, key: str, value: str) -> None:
        from sendobserve.storage.meta import set_meta

        with self._store.session() as session:
            set_meta(session, key, value)
        self._cache[key] = value


__all__ = ["StoreMeta", "export_choices", "mediator", "mediators", "panel",
           "retention_choices", "save_subject_access"]

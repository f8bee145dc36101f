"""What the app's other screens read, one function each (Qt-free).

The dialogs and the panel call these (on the window's runner) rather than building
sessions or repositories themselves: the list of mediators a dialog offers, the export
dialog's choices, the panel's verdicts, the data-protection dialog's plan, and the
store's own private settings (``StoreMeta``). Each takes an open store.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sendobserve.model.domain import Mediator, Observer
    from sendobserve.model.panel import Verdict
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


def panel(store: Store, *, today: date,
          progress: Callable[[int, int], None] | None = None) -> list[Verdict]:
    """Every mediator's verdict: the stored ones, and the stale ones assessed again."""
    from sendobserve.storage.repositories import load_registry, panel_verdicts

    forms = load_registry(store.session)
    return panel_verdicts(store.session, forms, today=today, progress=progress)


def retention_choices(store: Store, *, today: date) -> tuple[RetentionPlan, list[Mediator]]:
    """What the retention schedule says may go today, and the people one may ask about."""
    from sendobserve.storage.retention import plan_for_store

    return plan_for_store(store, today=today), list(mediators(store))


def save_subject_access(store: Store, mediator_id: uuid.UUID, name: str, target: Path, *,
                        made_on: date) -> int:
    """Write a person's subject-access report (PDF, and the same as JSON beside it);
    returns how many records it lists. Reads the store only."""
    from sendobserve.reports.subject_access import subject_access_pdf
    from sendobserve.storage.erasure import subject_access
    from sendobserve.storage.fsutil import atomic_write_bytes

    held = subject_access(store, mediator_id)
    atomic_write_bytes(target, subject_access_pdf(name, held, made_on=made_on))
    atomic_write_bytes(target.with_suffix(".json"), json.dumps(
        {"person": name, "mediator_id": str(mediator_id), "records": held},
        indent=2, ensure_ascii=False, default=str).encode("utf-8"))
    return sum(len(rows) for rows in held.values())


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

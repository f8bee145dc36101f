"""Edits to a trainee's record, the use cases the record editor and the CLI share: cases,
training, reflections, CPD, contacts and discretions (the log), and the mediator's own
details (passporting facts, the rules edition of their practice period). Qt-free.

Each write is validated by the model's rules and committed by its repository before it
returns (a refused one stores nothing) and returns the stored object with what it
changed, naming the trainee.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sendobserve.model.domain import (
    Case,
    Contact,
    Cpd,
    Discretion,
    Mediator,
    Reflection,
    Training,
)
from sendobserve.services import Done
from sendobserve.services.changes import Changes

if TYPE_CHECKING:
    from sendobserve.services import Sessions
    from sendobserve.storage.repositories import PracticeItem

# A case or a log record (``storage.repositories.PracticeItem``).
Item = TypeVar("Item", Case, Training, Reflection, Cpd, Contact, Discretion)


def _changed(item: Case | PracticeItem) -> Changes:
    trainee = frozenset({item.mediator_id})
    if isinstance(item, Case):
        return Changes(cases=True, mediators=trainee)
    return Changes(record=True, mediators=trainee)


def items(store: Sessions, kind: type[Item], mediator_id: uuid.UUID) -> tuple[Item, ...]:
    """The trainee's cases (``kind`` is ``Case``) or log records of one kind."""
    from sendobserve.storage.repositories import CaseRepository, PracticeRepository

    found: tuple[object, ...]
    if kind is Case:
        found = tuple(CaseRepository(store.session).list_for_mediator(mediator_id))
    else:
        found = PracticeRepository(store.session).list(cast(Any, kind), mediator_id)
    return cast("tuple[Item, ...]", found)


def save_item(store: Sessions, item: Item, *, new: bool, today: date | None = None
              ) -> Done[Item]:
    """Add (``new``) or change a case or a log record; ``today`` bounds future dates."""
    from sendobserve.storage.repositories import CaseRepository, PracticeRepository

    if isinstance(item, Case):
        cases = CaseRepository(store.session)
        saved = cases.add(item, today=today) if new else cases.update(item, today=today)
    else:
        log = PracticeRepository(store.session)
        saved = log.add(item, today=today) if new else log.update(item, today=today)
    return Done(saved, _changed(saved))


def delete_item(store: Sessions, kind: type[Item], item_id: uuid.UUID) -> Done[Item]:
    """Remove a case or a log record entered by mistake; the removed one is returned (to
    add back for undo)."""
    from sendobserve.storage.repositories import CaseRepository, PracticeRepository

    removed: Case | PracticeItem
    if kind is Case:
        removed = CaseRepository(store.session).delete(item_id)
    else:
        removed = PracticeRepository(store.session).delete(cast(Any, kind), item_id)
    return Done(cast(Item, removed), _changed(removed))


def update_mediator(store: Sessions, mediator: Mediator, *, today: date | None = None
                    ) -> Done[Mediator]:
    """Change the mediator's own details (name, body, passporting facts, edition…)."""
    from sendobserve.storage.repositories import MediatorRepository

    saved = MediatorRepository(store.session).update(mediator, today=today)
    return Done(saved, Changes(people=True, mediators=frozenset({saved.id})))


def set_rules_edition(store: Sessions, mediator_id: uuid.UUID, edition: str | None
                      ) -> Done[Mediator]:
    """Record the edition of the Standards the trainee's practice period is judged under
    (None: the one in force when it began). An unknown edition is refused clearly."""
    from sendobserve.model.rulebook import shipped_rulebook
    from sendobserve.storage.repositories import MediatorRepository

    if edition is not None:
        shipped_rulebook().get(edition)  # a clear error for an unknown edition
    mediator = MediatorRepository(store.session).get(mediator_id)
    return update_mediator(store, replace(mediator, rules_edition=edition))

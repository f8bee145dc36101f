"""Finding the people a command or a dialog names: a trainee (mediator) or an observer,
by id, by name or by the unique start of a name (accent- and case-insensitive, the
store's one folding rule). Reads only."""

from __future__ import annotations

import contextlib
import uuid
from typing import TYPE_CHECKING

from sendobserve.errors import UserError
from sendobserve.model.vocabulary import fold_name

if TYPE_CHECKING:
    from sendobserve.model.domain import Mediator, Observer
    from sendobserve.services import Sessions


def resolve_mediator(store: Sessions, name_or_id: str) -> Mediator:
    """A mediator from a name (or its unique start) or an id, as typed on a command line."""
    from sendobserve.storage.repositories import MediatorRepository

    return MediatorRepository(store.session).resolve(name_or_id)


def resolve_observer(store: Sessions, name_or_id: str) -> Observer:
    """An observer from an id, an exact name among the matches, or the only match."""
    from sendobserve.storage.repositories import ObserverRepository

    observers = ObserverRepository(store.session)
    as_id = None
    with contextlib.suppress(ValueError):
        as_id = uuid.UUID(name_or_id.strip())
    if as_id is not None:
        return observers.get(as_id)
    matches = observers.find(name_or_id, limit=11)
    exact = [o for o in matches if fold_name(o.name) == fold_name(name_or_id)]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or list(matches))[0]
    if not matches:
        raise UserError(f"No observer called {name_or_id!r}")
    raise UserError(f"{name_or_id!r} matches more than one observer: "
                    + ", ".join(o.name for o in matches[:10]),
                    hint="Type more of the name, or give the id.")


def ppcs(store: Sessions) -> tuple[Observer, ...]:
    """The Professional Practice Consultants on record (who may verify a portfolio)."""
    from sendobserve.model.readiness import is_ppc
    from sendobserve.storage.repositories import ObserverRepository

    return tuple(o for o in ObserverRepository(store.session).list() if is_ppc(o))

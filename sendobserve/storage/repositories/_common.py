"""What every repository shares: how it gets a session, its errors, name patterns."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy.orm import Session

from sendobserve.errors import UserError

# The one folding rule lives in ``model.vocabulary``; re-exported for the repositories.
from sendobserve.model.vocabulary import fold_name as fold_name
from sendobserve.model.vocabulary import query_words as query_words

SessionFactory = Callable[[], AbstractContextManager[Session]]
"""Opens one unit of work: a ``with`` block yielding a Session that commits when the block
ends without an exception and rolls back otherwise (``Store.session`` is one)."""


def in_session(session: Session) -> SessionFactory:
    """A factory that reuses ``session`` instead of opening (and committing) its own.

    For callers that need several repository calls in ONE transaction (an import applies
    everything or nothing): the caller's own ``with store.session()`` block commits once
    at its end. Each call still flushes, so constraint errors surface at the call.
    """

    @contextmanager
    def reuse() -> Iterator[Session]:
        yield session
        session.flush()

    return reuse


class RecordNotFound(UserError):
    """An id that names nothing in this store."""

    def __init__(self, what: str, record_id: object):
        super().__init__(f"No {what} with id {record_id} in this store")
        self.what = what
        self.record_id = record_id


class ObservationLocked(UserError):
    """A finalised (or amended) observation is read-only; corrections are amendments."""

    def __init__(self, observation_id: uuid.UUID, state: str):
        super().__init__(
            f"This observation is {state} and cannot be changed",
            hint="Record a correction as an amendment with a reason.",
        )
        self.observation_id = observation_id
        self.state = state


def like_prefix(folded: str) -> str:
    """A LIKE pattern for names starting with ``folded`` (``\\`` escapes wildcards)."""
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None

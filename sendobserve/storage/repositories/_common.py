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

Sessions = Session | SessionFactory
"""What every repository and every function of ``storage.repositories`` takes: the unit
of work to run in. Either the open ``Session`` of the caller's unit of work (``with
store.session() as s:``), which the call joins (flushing, so constraint errors surface at
the call) and the caller's block commits once; or ``store.session`` itself, and then
each call is its own unit of work, committed when it returns (a tick that shows *Saved*
is on disk)."""


@contextmanager
def unit_of_work(sessions: Sessions) -> Iterator[Session]:
    """The session to work in: the caller's (joined), or a new one committed on exit."""
    if isinstance(sessions, Session):
        yield sessions
        sessions.flush()
    else:
        with sessions() as session:
            yield session


def as_factory(sessions: Sessions) -> SessionFactory:
    """``sessions`` as a factory: a repository keeps one and opens it per call."""
    return in_session(sessions) if isinstance(sessions, Session) else sessions


def in_session(session: Session) -> SessionFactory:
    """A factory that reuses ``session`` instead of opening (and committing) its own.

    Kept for callers written before repositories took a ``Session`` directly (pass the
    session itself: ``MediatorRepository(s)``).
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

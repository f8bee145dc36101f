"""Use cases shared by the CLI and the app: the one door to the data (Qt-free).

Each use case takes an open store (and plain arguments), does its work in one unit of
work and returns domain objects plus a ``Changes`` saying what it changed, so every open
screen can refresh only what it shows.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from sendobserve.services.changes import NOTHING, Changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")


class Sessions(Protocol):
    """An open store as the services see it: ``Store`` is one. ``session()`` opens one
    unit of work that commits when its block ends and rolls back on an exception."""

    def session(self) -> AbstractContextManager[Session]: ...


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """What a write returns when it has no result type of its own: the value it stored
    and what it changed."""

    value: T
    changes: Changes = NOTHING


__all__ = ["Changes", "Done", "Sessions"]

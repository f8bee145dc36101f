"""What the readiness screens show, loaded in one go: the record and its three reports.

The load is ``services.readiness.load_readiness`` (the one the CLI and the print gates
use too): Qt-free, so it runs on a worker thread. ``load_readiness`` here only lets the
screens pass a session factory as well as a store. The widgets only ever receive the
finished ``ReadinessData``.

Measured on the demo store (75 criteria, 6–9 observations per trainee, a 2-core machine
shared with other work): loading the record and assessing it takes a median of 10–28 ms
(up to ~50 ms when the disk is busy); showing the result on the GUI thread ~25 ms plus
painting. The load is too close to a visible stall to run on the GUI thread after every
tick, so the view loads through a runner (``BackgroundRunner`` by default; the
workspace's ``TaskRunner`` fits; ``InlineRunner`` in tests) and only the showing runs on
the GUI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

import shiboken6
from PySide6.QtCore import QObject

from sendobserve.forms.registry import FormRegistry
from sendobserve.model.readiness import FormLookup
from sendobserve.services import readiness as service
from sendobserve.services.readiness import ReadinessData

__all__ = ["ReadinessData", "load_readiness"]

SessionFactory = Callable[[], AbstractContextManager[Session]]
Today = Callable[[], date]


def sessions_of(source: Any) -> SessionFactory:
    """Accept a ``Store`` (anything with ``.session``) or a session factory itself."""
    factory = getattr(source, "session", source)
    if not callable(factory):
        raise TypeError(f"expected a Store or a session factory, got {type(source).__name__}")
    return factory  # type: ignore[no-any-return]


class _Opened:
    """A session factory seen as an open store (what the services take)."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.session = sessions


def load_readiness(
    sessions: SessionFactory, mediator_id: uuid.UUID, forms: FormLookup, today: date
) -> ReadinessData:
    return service.load_readiness(_Opened(sessions), mediator_id, today=today, forms=forms)


_standard: FormRegistry | None = None


def standard_forms() -> FormRegistry:
    """The shipped forms, loaded once per process (parsing the YAML takes a moment)."""
    global _standard
    if _standard is None:
        _standard = FormRegistry.standard()
    return _standard


# --- running the load -------------------------------------------------------------------


class Runner(Protocol):
    """What the widgets need to run work off the GUI thread.

    ``sendobserve.ui.common.tasks.TaskRunner`` satisfies it; so do the two below.
    """

    def run(
        self,
        fn: Callable[[], Any],
        success: Callable[[Any], None],
        failure: Callable[[BaseException], None] = ...,
        *,
        owner: QObject | None = None,
    ) -> None: ...


def _raise(exc: BaseException) -> None:
    raise exc


class InlineRunner:
    """Runs the work at once on the calling thread: for tests, and for quick reads."""

    def run(
        self,
        fn: Callable[[], Any],
        success: Callable[[Any], None],
        failure: Callable[[BaseException], None] = _raise,
        *,
        owner: QObject | None = None,
    ) -> None:
        try:
            value = fn()
        except Exception as exc:
            failure(exc)
        else:
            success(value)


class BackgroundRunner:
    """Qt's global thread pool through ``tasks.run_in_background``; results for a widget
    that has been deleted meanwhile are dropped."""

    def run(
        self,
        fn: Callable[[], Any],
        success: Callable[[Any], None],
        failure: Callable[[BaseException], None] = _raise,
        *,
        owner: QObject | None = None,
    ) -> None:
        from sendobserve.ui.common.tasks import run_in_background

        def alive() -> bool:
            return owner is None or shiboken6.isValid(owner)

        run_in_background(
            fn,
            lambda value: success(value) if alive() else None,
            lambda exc: failure(exc) if alive() else None,
        )

"""The panel: every mediator's stored verdict, and the check of those verdicts (Qt-free).

The dashboard (``ui/panel``) and ``sendobserve panel`` read the same ``verdicts``;
``sendobserve check`` compares every stored verdict with a full assessment. Both read
only (a stale verdict is assessed again, and kept, by ``storage.repositories.panel``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sendobserve.model.panel import Verdict
    from sendobserve.services import Sessions
    from sendobserve.storage.repositories.panel import CheckResult


def verdicts(store: Sessions, *, today: date,
             progress: Callable[[int, int], None] | None = None) -> list[Verdict]:
    """Every mediator's verdict: the stored ones, and the stale ones assessed again."""
    from sendobserve.storage.repositories import load_registry, panel_verdicts

    forms = load_registry(store.session)
    return panel_verdicts(store.session, forms, today=today, progress=progress)


def check(store: Sessions, *, today: date) -> CheckResult:
    """Assess every mediator from the evidence and compare with the stored verdict the
    panel would show (``CheckResult.ok``, ``mismatches``). Writes nothing."""
    from sendobserve.storage.repositories import check_verdicts, load_registry

    forms = load_registry(store.session)
    with store.session() as session:
        return check_verdicts(session, forms, today=today)


def members(store: Sessions) -> int:
    """How many mediators are on the panel (accredited or passported): what a spot check
    draws from and a register pack covers."""
    from sqlalchemy import func, select

    from sendobserve.storage.records import MediatorRecord

    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(MediatorRecord).where(
            MediatorRecord.accredited_on.is_not(None))) or 0)


__all__ = ["check", "members", "verdicts"]

"""The panel's verdicts: read the stored ones, assess again those that do not hold.

``panel_verdicts(session, forms, today=)`` is what the dashboard and ``sendobserve
panel`` read: every mediator's verdict, the stored one where it is current (not flagged
stale by a write, same rules, holds for ``today``), else assessed again by the rules
engine from the practice record and stored in the same transaction. ``check_verdicts``
is the consistency check behind ``sendobserve check``: it assesses every mediator from
the evidence and compares with what the table would have shown.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sendobserve.model.panel import RULES_FINGERPRINT, Verdict, assess_verdict
from sendobserve.model.readiness import FormLookup
from sendobserve.storage.records import MediatorRecord
from sendobserve.storage.repositories._common import RecordNotFound, SessionFactory
from sendobserve.storage.repositories.loading import load_practice_records
from sendobserve.storage.verdicts import PanelVerdictRecord

# Records loaded at once while assessing: bounds memory at any panel size.
BATCH = 100
_ATTEMPTS = 3

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class StoredVerdict:
    verdict: Verdict | None  # None when the JSON does not read (shown nowhere)
    stale: bool

    def current_on(self, today: date) -> bool:
        return not self.stale and self.verdict is not None and self.verdict.current_on(today)



def stored_verdicts(session: Session) -> dict[uuid.UUID, StoredVerdict]:
    """Every stored verdict as it is, current or not (one query: the floor of a panel)."""
    found: dict[uuid.UUID, StoredVerdict] = {}
    for mid, stale, text in session.execute(
        select(PanelVerdictRecord.mediator_id, PanelVerdictRecord.stale,
               PanelVerdictRecord.verdict)
    ):
        try:
            verdict: Verdict | None = Verdict.from_json(json.loads(text))
        except (ValueError, KeyError, TypeError):
            verdict = None
        found[mid] = StoredVerdict(verdict, bool(stale))
    return found


def assess_verdicts(
    session: Session, forms: FormLookup, mediator_ids: Collection[uuid.UUID], *, today: date,
    progress: Progress | None = None,
) -> dict[uuid.UUID, Verdict]:
    """Assess these mediators from their records (in batches) and store the verdicts."""
    ids = list(mediator_ids)
    done: dict[uuid.UUID, Verdict] = {}
    for start in range(0, len(ids), BATCH):
        records = load_practice_records(session, ids[start:start + BATCH])
        for mid, record in records.items():
            verdict = assess_verdict(record, forms, today=today)
            done[mid] = verdict
            _store(session, verdict)
        session.flush()
        if progress is not None:
            progress(min(len(ids), start + BATCH), len(ids))
    return done


def _store(session: Session, verdict: Verdict) -> None:
    values = {
        "rules": verdict.rules, "assessed_on": verdict.assessed_on,
        "valid_until": verdict.valid_until, "stale": False,
        "verdict": json.dumps(verdict.to_json(), ensure_ascii=False, separators=(",", ":")),
    }
    row = session.get(PanelVerdictRecord, verdict.mediator_id)
    if row is None:
        session.add(PanelVerdictRecord(mediator_id=verdict.mediator_id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)


def _current_texts(session: Session, today: date) -> tuple[list[str], dict[str, str]]:
    """Every mediator's id (hex) and the JSON of each verdict that holds for ``today``.

    Plain SQL, no ORM types: whether a verdict is current is decided on its columns
    (stale flag, rules, ISO dates compare as text), and only those are parsed."""
    connection = session.connection()
    mediators = [r[0] for r in connection.exec_driver_sql("SELECT id FROM mediators").fetchall()]
    day = today.isoformat()
    rows = connection.exec_driver_sql(
        "SELECT mediator_id, verdict FROM panel_verdicts WHERE stale = 0 AND rules = ?"
        " AND assessed_on <= ? AND valid_until >= ?", (RULES_FINGERPRINT, day, day)).fetchall()
    return mediators, dict(rows)


def panel_verdicts(
    sessions: SessionFactory, forms: FormLookup, *, today: date,
    progress: Progress | None = None,
) -> list[Verdict]:
    """Every mediator's current verdict, assessing again only those that need it.

    Each batch is assessed and stored in its own short transaction, so a tick made
    meanwhile waits for one batch at most. SQLite refuses to commit a batch read before
    a write that flagged it stale (the snapshot is out of date): that batch is simply
    read and assessed again.
    """
    with sessions() as s:
        mediators, texts = _current_texts(s, today)
    fresh: dict[uuid.UUID, Verdict] = {}
    need: list[uuid.UUID] = []
    for mid in mediators:
        text = texts.get(mid)
        verdict = _parse(text) if text is not None else None
        if verdict is not None and verdict.current_on(today):
            fresh[verdict.mediator_id] = verdict
        else:
            need.append(uuid.UUID(hex=mid))
    for start in range(0, len(need), BATCH):
        batch = need[start:start + BATCH]
        for attempt in range(_ATTEMPTS):
            try:
                with sessions() as s:
                    fresh.update(assess_verdicts(s, forms, batch, today=today))
                break
            except OperationalError:
                if attempt == _ATTEMPTS - 1:
                    raise
        if progress is not None:
            progress(min(len(need), start + BATCH), len(need))
    verdicts = list(fresh.values())
    verdicts.sort(key=lambda v: (v.name.casefold(), v.mediator_id.int))  # str(uuid) is slow
    return verdicts


def _parse(text: str) -> Verdict | None:
    try:
        return Verdict.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


def verdict_for(session: Session, forms: FormLookup, mediator_id: uuid.UUID, *,
                today: date) -> Verdict:
    """One mediator's current verdict (stored if current, else assessed and stored)."""
    row = session.get(PanelVerdictRecord, mediator_id)
    if row is not None and not row.stale:
        try:
            verdict = Verdict.from_json(json.loads(row.verdict))
        except (ValueError, KeyError, TypeError):
            verdict = None
        if verdict is not None and verdict.current_on(today):
            return verdict
    made = assess_verdicts(session, forms, [mediator_id], today=today)
    if mediator_id not in made:
        raise RecordNotFound("mediator", mediator_id)
    return made[mediator_id]


@dataclass(frozen=True, slots=True)
class CheckResult:
    mediators: int
    current: int  # stored verdicts the panel would show as they are
    to_assess: int  # missing, stale, other rules or out of date: assessed again when read
    mismatches: tuple[tuple[uuid.UUID, str, tuple[str, ...]], ...]  # id, name, fields

    @property
    def ok(self) -> bool:
        return not self.mismatches


def check_verdicts(
    session: Session, forms: FormLookup, *, today: date, progress: Progress | None = None
) -> CheckResult:
    """Assess every mediator from the evidence and compare with every stored verdict
    that would be shown as it is. Writes nothing."""
    stored = stored_verdicts(session)
    ids = list(session.scalars(select(MediatorRecord.id)))
    current = 0
    mismatches: list[tuple[uuid.UUID, str, tuple[str, ...]]] = []
    for start in range(0, len(ids), BATCH):
        records = load_practice_records(session, ids[start:start + BATCH])
        for mid, record in records.items():
            s = stored.get(mid)
            if s is None or not s.current_on(today) or s.verdict is None:
                continue
            current += 1
            # The stored verdict claims to hold on every day from its assessment to
            # today: assess on both and compare.
            for day in {s.verdict.assessed_on, today}:
                full = assess_verdict(record, forms, today=day)
                differ = _differences(s.verdict, full)
                if differ:
                    mismatches.append((mid, record.mediator.name, differ))
                    break
        if progress is not None:
            progress(min(len(ids), start + BATCH), len(ids))
    return CheckResult(len(ids), current, len(ids) - current, tuple(mismatches))


def _differences(stored: Verdict, full: Verdict) -> tuple[str, ...]:
    a, b = stored.to_json(), full.to_json()
    ignore = {"assessed_on", "valid_until"}
    return tuple(k for k in a if k not in ignore and a[k] != b[k])

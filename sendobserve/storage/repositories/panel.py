"""The panel's verdicts: read the stored ones, assess again those that do not hold.

``panel_verdicts(session, forms, today=)`` is what the dashboard and ``sendobserve
panel`` read: every mediator's verdict, the stored one where it is current (not flagged
stale by a write, same rules, holds for ``today``), else assessed again by the rules
engine from the practice record and stored in the same transaction. ``check_verdicts``
is the consistency check behind ``sendobserve check``: it assesses every mediator from
the evidence and compares with what the table would have shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sendobserve.model.panel import RULES_FINGERPRINT, Verdict, assess_verdict
from sendobserve.model.readiness import FormLookup
from sendobserve.storage.base import uuid_from_hex
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
    verdict: Verdict
    stale: bool

    def current_on(self, today: date) -> bool:
        return not self.stale and self.verdict.current_on(today)


# The stored columns, in the order of ``Verdict``'s fields after the id (``_verdict``).
_FIELDS = ("name", "rules", "assessed_on", "valid_until", "ready_to_certify", "still_needed",
           "accredited_on", "passported", "renewal_met", "renewal_needed",
           "met_at_last_anniversary", "last_observation", "ppc", "mentor", "cases",
           "finalised_observations")
# What the dashboard reads: one scan of the table, every column as the driver gives it.
SELECT_VERDICTS = ("SELECT mediator_id, stale, " + ", ".join(_FIELDS)
                   + " FROM panel_verdicts")


def join_lines(lines: tuple[str, ...]) -> str:
    """Sentences as stored: one a line, a backslash or line break inside one escaped, an
    empty one written ``\\e`` (so that no sentences and one empty one differ)."""
    return "\n".join(line.replace("\\", "\\\\").replace("\n", "\\n") or "\\e"
                     for line in lines)


def split_lines(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    lines = text.split("\n")
    if "\\" not in text:
        return tuple(lines)
    return tuple(_unescape(line) for line in lines)


def _unescape(line: str) -> str:
    out: list[str] = []
    chars = iter(line)
    for c in chars:
        if c == "\\":
            c = next(chars, "")
            out.append("\n" if c == "n" else "" if c == "e" else c)
        else:
            out.append(c)
    return "".join(out)


_day = date.fromisoformat


def _verdict(row: Sequence[Any]) -> Verdict:
    """A ``Verdict`` from a row of ``SELECT_VERDICTS`` (positional: this is the hot path
    of the dashboard, 5,000 rows)."""
    (mid, _stale, name, rules, assessed_on, valid_until, ready, still_needed, accredited_on,
     passported, renewal_met, renewal_needed, met_at_last, last_observation, ppc, mentor,
     cases, finalised) = row
    return Verdict(
        uuid_from_hex(mid), name, rules, _day(assessed_on), _day(valid_until), bool(ready),
        split_lines(still_needed), None if accredited_on is None else _day(accredited_on),
        bool(passported), bool(renewal_met), split_lines(renewal_needed),
        None if met_at_last is None else bool(met_at_last),
        None if last_observation is None else _day(last_observation), ppc, mentor, cases,
        finalised)


def stored_verdicts(session: Session) -> dict[uuid.UUID, StoredVerdict]:
    """Every stored verdict as it is, current or not (one query)."""
    rows = session.connection().exec_driver_sql(SELECT_VERDICTS).fetchall()
    return {(v := _verdict(r)).mediator_id: StoredVerdict(v, bool(r[1])) for r in rows}


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
    v = verdict
    session.merge(PanelVerdictRecord(
        mediator_id=v.mediator_id, stale=False, name=v.name, rules=v.rules,
        assessed_on=v.assessed_on, valid_until=v.valid_until,
        ready_to_certify=v.ready_to_certify, still_needed=join_lines(v.still_needed),
        accredited_on=v.accredited_on, passported=v.passported, renewal_met=v.renewal_met,
        renewal_needed=join_lines(v.renewal_needed),
        met_at_last_anniversary=v.met_at_last_anniversary,
        last_observation=v.last_observation, ppc=v.ppc, mentor=v.mentor, cases=v.cases,
        finalised_observations=v.finalised_observations))


def _read(session: Session, today: date) -> tuple[list[Verdict], list[uuid.UUID]]:
    """The current verdicts, and the mediators whose verdict must be assessed again.

    One scan of ``panel_verdicts`` (whether a row is current is decided on its text:
    the stale flag, the rules, ISO dates compare as strings) and a count of the
    mediators; the mediators' ids are read only when some have no current verdict."""
    connection = session.connection()
    rows = connection.exec_driver_sql(SELECT_VERDICTS).cursor.fetchall()
    day, rules = today.isoformat(), RULES_FINGERPRINT
    current = [r for r in rows
               if not r[1] and r[3] == rules and r[4] <= day <= r[5]]
    verdicts = [_verdict(r) for r in current]
    (mediators,) = connection.exec_driver_sql("SELECT count(*) FROM mediators").one()
    if mediators == len(verdicts):
        return verdicts, []
    have = {r[0] for r in current}
    need = [uuid.UUID(hex=m) for (m,) in connection.exec_driver_sql(
        "SELECT id FROM mediators").cursor.fetchall() if m not in have]
    return verdicts, need


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
        verdicts, need = _read(s, today)
    for start in range(0, len(need), BATCH):
        batch = need[start:start + BATCH]
        for attempt in range(_ATTEMPTS):
            try:
                with sessions() as s:
                    verdicts.extend(assess_verdicts(s, forms, batch, today=today).values())
                break
            except OperationalError:
                if attempt == _ATTEMPTS - 1:
                    raise
        if progress is not None:
            progress(min(len(need), start + BATCH), len(need))
    verdicts.sort(key=lambda v: (v.name.casefold(), v.mediator_id.int))  # str(uuid) is slow
    return verdicts


def verdict_for(session: Session, forms: FormLookup, mediator_id: uuid.UUID, *,
                today: date) -> Verdict:
    """One mediator's current verdict (stored if current, else assessed and stored)."""
    row = session.connection().exec_driver_sql(
        SELECT_VERDICTS + " WHERE mediator_id = ?", (mediator_id.hex,)).fetchone()
    if row is not None and not row[1]:
        verdict = _verdict(row)
        if verdict.current_on(today):
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
            if s is None or not s.current_on(today):
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

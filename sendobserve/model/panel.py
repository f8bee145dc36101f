"""The panel at a glance: one verdict per mediator, derived from the rules engine.

A provider's admin or lead PPC sees the whole panel: who is in training and what they
still need, who is ready for Form 4, who is accredited or passported, whose annual
re-registration (§1.4.3) is due or has lapsed. Nothing here decides a requirement: every
fact comes from ``assess_readiness`` and ``assess_renewal``; this module only names the
stage and shortens what is still needed to a few words.

A ``Verdict`` is what the store keeps per mediator (``storage.verdicts``). It is a
function of the practice record and of the day it was assessed on, and it stays the same
for every later day up to ``valid_until``: the engine reads today's date only by comparing
it (and the same date whole years earlier) with dates in the record, so the verdict can
change only on a day next to an anniversary of one of those dates. ``valid_until`` is the
day before the first such day. A property test holds the engine to that.

``RULES_FINGERPRINT`` changes with the code of the rules: a verdict stored under another
fingerprint is never shown, it is assessed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sendobserve.model.domain import (
    ContactKind,
    ObservationState,
    ObserverRole,
    PracticeRecord,
)
from sendobserve.model.readiness import FormLookup, assess_readiness
from sendobserve.model.renewal import PassportReport, assess_passport, assess_renewal

VERDICT_FORMAT = 1
# How close the yearly re-registration date must be before the panel says it is due.
DUE_WITHIN_DAYS = 90
# A verdict is assessed again at least this often, whatever its dates say.
LONGEST_VALIDITY_DAYS = 366
_RULE_MODULES = (
    "sendobserve.model.readiness",
    "sendobserve.model.renewal",
    "sendobserve.model.requirements",
    "sendobserve.model.outcome",
    "sendobserve.model.panel",
)


def _rules_fingerprint() -> str:
    """A short hash of the rules' code (and, where the source is not on disk, the
    package version): any change to a rule invalidates every stored verdict."""
    from sendobserve import __version__

    digest = hashlib.sha256(f"{VERDICT_FORMAT}/{__version__}".encode())
    for name in _RULE_MODULES:
        module = importlib.import_module(name)
        digest.update(name.encode())
        file = getattr(module, "__file__", None)
        # In a frozen app there is no source: the package version above stands for it.
        with contextlib.suppress(OSError):
            digest.update(Path(file).read_bytes() if file else b"")
        for attr in ("RULEBOOK_VERSION", "EDITION", "EDITIONS"):
            if hasattr(module, attr):
                digest.update(repr(getattr(module, attr)).encode())
    return digest.hexdigest()[:16]


RULES_FINGERPRINT = _rules_fingerprint()


class PanelStatus(StrEnum):
    IN_TRAINING = "in training"
    READY = "ready for Form 4"  # or Form 5 for a passported mediator
    ACCREDITED = "accredited"
    PASSPORTED = "passported"
    DUE = "re-registration due"
    LAPSED = "lapsed"


# Order of the stages along the path, for sorting and the chart.
STATUS_ORDER = {s: i for i, s in enumerate(PanelStatus)}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the panel shows for one mediator, as assessed on ``assessed_on``."""

    mediator_id: uuid.UUID
    name: str
    rules: str  # RULES_FINGERPRINT of the code that assessed it
    assessed_on: date
    valid_until: date
    ready_to_certify: bool
    still_needed: tuple[str, ...]  # for Form 4 (Form 5 for a passported mediator)
    accredited_on: date | None
    passported: bool
    renewal_met: bool  # the 12 months up to assessed_on
    renewal_needed: tuple[str, ...]
    met_at_last_anniversary: bool | None  # None before the first anniversary
    last_observation: date | None
    ppc: str | None
    mentor: str | None
    cases: int
    finalised_observations: int

    def to_json(self) -> dict[str, Any]:
        return {
            "format": VERDICT_FORMAT,
            "mediator_id": str(self.mediator_id),
            "name": self.name,
            "rules": self.rules,
            "assessed_on": self.assessed_on.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "ready_to_certify": self.ready_to_certify,
            "still_needed": list(self.still_needed),
            "accredited_on": _iso(self.accredited_on),
            "passported": self.passported,
            "renewal_met": self.renewal_met,
            "renewal_needed": list(self.renewal_needed),
            "met_at_last_anniversary": self.met_at_last_anniversary,
            "last_observation": _iso(self.last_observation),
            "ppc": self.ppc,
            "mentor": self.mentor,
            "cases": self.cases,
            "finalised_observations": self.finalised_observations,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        if data.get("format") != VERDICT_FORMAT:
            raise ValueError(f"unknown verdict format {data.get('format')!r}")
        return cls(
            mediator_id=uuid.UUID(data["mediator_id"]),
            name=data["name"],
            rules=data["rules"],
            assessed_on=date.fromisoformat(data["assessed_on"]),
            valid_until=date.fromisoformat(data["valid_until"]),
            ready_to_certify=bool(data["ready_to_certify"]),
            still_needed=tuple(data["still_needed"]),
            accredited_on=_date(data["accredited_on"]),
            passported=bool(data["passported"]),
            renewal_met=bool(data["renewal_met"]),
            renewal_needed=tuple(data["renewal_needed"]),
            met_at_last_anniversary=data["met_at_last_anniversary"],
            last_observation=_date(data["last_observation"]),
            ppc=data["ppc"],
            mentor=data["mentor"],
            cases=int(data["cases"]),
            finalised_observations=int(data["finalised_observations"]),
        )

    def current_on(self, today: date) -> bool:
        """Whether this verdict still says what a full assessment on ``today`` would."""
        return self.rules == RULES_FINGERPRINT and self.assessed_on <= today <= self.valid_until


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def add_years(day: date, years: int) -> date:
    """The same calendar date ``years`` later (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_anniversary(accredited_on: date, today: date) -> date | None:
    """The latest anniversary of accreditation on or before ``today`` (None in year one)."""
    years = today.year - accredited_on.year
    if years > 0 and add_years(accredited_on, years) > today:
        years -= 1
    return add_years(accredited_on, years) if years >= 1 else None


def next_anniversary(accredited_on: date, today: date) -> date:
    """The first anniversary of accreditation after ``today``: the next re-registration."""
    years = max(1, today.year - accredited_on.year)
    while add_years(accredited_on, years) <= today:
        years += 1
    return add_years(accredited_on, years)


def record_dates(record: PracticeRecord) -> Iterator[date]:
    """Every date in the record that the rules could compare with today."""
    m = record.mediator
    for d in (m.send_practice_since, m.lead_since, m.accredited_on):
        if d is not None:
            yield d
    yield from (c.case_date for c in record.cases)
    for o in record.observations:
        yield o.observed_on
        if o.signature is not None:
            yield o.signature.signed_on
    for t in record.training:
        yield t.start_date
        yield t.end_date
    yield from (r.reflected_on for r in record.reflections)
    yield from (c.done_on for c in record.cpd)
    yield from (c.met_on for c in record.contacts)
    yield from (d.decided_on for d in record.discretions)


def valid_until(dates: Iterable[date], today: date) -> date:
    """The last day on which a verdict assessed on ``today`` still holds.

    A verdict may change on a day one of the record's dates, or a whole number of years
    after it, is crossed (give or take a day for the ends of a 12-month window and for
    29 February). The verdict holds up to the day before the first such day.
    """
    limit = today + timedelta(days=LONGEST_VALIDITY_DAYS)
    first = limit + timedelta(days=1)
    for d in set(dates):
        base = max(0, today.year - d.year - 1)
        for years in range(base, base + 3):
            anniversary = add_years(d, years)
            for edge in (anniversary - timedelta(days=1), anniversary,
                         anniversary + timedelta(days=1)):
                if today < edge < first:
                    first = edge
            if years and d.month == 2 and d.day == 29:  # the 28th above, and 1 March
                march = date(d.year + years, 3, 1)
                if today < march < first:
                    first = march
    return min(limit, first - timedelta(days=1))


def _ppc(record: PracticeRecord, today: date) -> str | None:
    """The PPC who observed the trainee most recently (the register's PPC for them)."""
    observers = {o.id: o for o in record.observers}
    seen = sorted(
        (o for o in record.observations
         if o.state is not ObservationState.DRAFT and o.observed_on <= today
         and o.observer_id in observers and observers[o.observer_id].role is ObserverRole.PPC),
        key=lambda o: (o.observed_on, str(o.id)),
    )
    return observers[seen[-1].observer_id].name if seen else None


def _mentor(record: PracticeRecord, today: date) -> str | None:
    met = sorted(
        (c for c in record.contacts if c.kind is ContactKind.MENTORING and c.met_on <= today),
        key=lambda c: (c.met_on, str(c.id)),
    )
    return met[-1].with_whom if met else None


def assess_verdict(record: PracticeRecord, forms: FormLookup, *, today: date) -> Verdict:
    """The panel's verdict for one mediator on ``today``, from the rules engine.

    It claims to hold up to ``valid_until``. Beyond the record's dates and their
    anniversaries, some of the engine's sentences name today's 12-month window ("Lead 3
    more cases for 2025-06-04 to 2026-06-03"): those change every day, so the verdict is
    assessed on its last claimed day too, and holds for today only if that differs.
    """
    verdict = _assess(record, forms, today, valid_until(record_dates(record), today))
    if verdict.valid_until > today:
        last = _assess(record, forms, verdict.valid_until, verdict.valid_until)
        if _comparable(last) != _comparable(verdict):
            verdict = replace(verdict, valid_until=today)
    return verdict


def _comparable(verdict: Verdict) -> dict[str, Any]:
    data = verdict.to_json()
    del data["assessed_on"], data["valid_until"]
    return data


def _assess(record: PracticeRecord, forms: FormLookup, today: date, until: date) -> Verdict:
    m = record.mediator
    # A passported mediator is certified by Form 5 (§1.6), everyone else by Form 4.
    certify = (assess_passport(record, today=today) if m.passported
               else assess_readiness(record, forms, today=today))
    renewal = assess_renewal(record, today=today)
    at_anniversary: bool | None = None
    if m.accredited_on is not None:
        anniversary = last_anniversary(m.accredited_on, today)
        if anniversary is not None:
            at_anniversary = assess_renewal(record, today=anniversary).ready
    counted = [o for o in record.observations
               if o.state is not ObservationState.DRAFT and o.observed_on <= today]
    ready = certify.eligible if isinstance(certify, PassportReport) else certify.ready
    return Verdict(
        mediator_id=m.id,
        name=m.name,
        rules=RULES_FINGERPRINT,
        assessed_on=today,
        valid_until=until,
        ready_to_certify=ready,
        still_needed=certify.still_needed,
        accredited_on=m.accredited_on,
        passported=m.passported,
        renewal_met=renewal.ready,
        renewal_needed=renewal.still_needed,
        met_at_last_anniversary=at_anniversary,
        last_observation=max((o.observed_on for o in counted), default=None),
        ppc=_ppc(record, today),
        mentor=_mentor(record, today),
        cases=sum(1 for c in record.cases if c.case_date <= today),
        finalised_observations=len(counted),
    )


@dataclass(frozen=True, slots=True)
class PanelRow:
    """One line of the dashboard: the verdict read on ``today``."""

    verdict: Verdict
    status: PanelStatus
    due_on: date | None  # the next re-registration date (accredited or passported)
    due_in_days: int | None
    needed: str  # what is still needed, in a few words ("" when nothing is)

    @property
    def status_text(self) -> str:
        if self.status is PanelStatus.DUE and self.due_in_days is not None:
            return f"re-registration due in {self.due_in_days} days"
        if self.status is PanelStatus.READY and self.verdict.passported:
            return "ready for Form 5"
        return self.status.value

    def to_json(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "id": str(v.mediator_id),
            "name": v.name,
            "status": self.status.value,
            "status_text": self.status_text,
            "needed": self.needed,
            "still_needed": list(v.renewal_needed if v.accredited_on else v.still_needed),
            "accredited_on": _iso(v.accredited_on),
            "passported": v.passported,
            "re_registration_due": _iso(self.due_on),
            "due_in_days": self.due_in_days,
            "last_observation": _iso(v.last_observation),
            "ppc": v.ppc,
            "mentor": v.mentor,
            "cases": v.cases,
            "assessed_on": v.assessed_on.isoformat(),
        }


def few_words(lines: tuple[str, ...], *, limit: int = 70) -> str:
    """The first thing still needed, cut to ``limit`` characters, and how many more."""
    if not lines:
        return ""
    first = lines[0].rstrip(".")
    if len(first) > limit:
        first = first[: limit - 1].rstrip() + "…"
    return first if len(lines) == 1 else f"{first} (+{len(lines) - 1} more)"


def panel_row(verdict: Verdict, today: date) -> PanelRow:
    """Name the stage of one mediator on ``today`` from their (current) verdict."""
    v = verdict
    if v.accredited_on is None:
        if v.ready_to_certify:
            return PanelRow(v, PanelStatus.READY, None, None, "")
        return PanelRow(v, PanelStatus.IN_TRAINING, None, None, few_words(v.still_needed))
    due = next_anniversary(v.accredited_on, today)
    days = (due - today).days
    needed = "" if v.renewal_met else few_words(v.renewal_needed)
    if v.met_at_last_anniversary is False and not v.renewal_met:
        return PanelRow(v, PanelStatus.LAPSED, due, days, needed)
    if days <= DUE_WITHIN_DAYS:
        return PanelRow(v, PanelStatus.DUE, due, days, needed)
    stage = PanelStatus.PASSPORTED if v.passported else PanelStatus.ACCREDITED
    return PanelRow(v, stage, due, days, needed)


def renewals_by_month(rows: Iterable[PanelRow], today: date, months: int = 12) -> list[
    tuple[date, int]
]:
    """How many re-registrations fall due in each of the next ``months`` months."""
    firsts: list[date] = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    counts = dict.fromkeys(firsts, 0)
    for row in rows:
        if row.due_on is not None:
            key = date(row.due_on.year, row.due_on.month, 1)
            if key in counts:
                counts[key] += 1
    return list(counts.items())


def count_by_status(rows: Iterable[PanelRow]) -> dict[PanelStatus, int]:
    counts = dict.fromkeys(PanelStatus, 0)
    for row in rows:
        counts[row.status] += 1
    return counts

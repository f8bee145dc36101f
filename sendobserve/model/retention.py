"""The retention schedule: how long each kind of record is kept, counted from which event.

A provider keeps personal data no longer than needed (UK GDPR Art. 5(1)(e)); the
Standards require providers to comply with data protection law (Appendix D 1.2). The
schedule is data: per kind of record a period in years (or ``None``: kept) and the event it
is counted from. ``plan_retention`` is pure — records in, what would go and why out — so
``sendobserve retention --dry-run``, the screen and the apply step read the same plan.

Events:
- ``record``: the item's own date (an observation's date, a CPD entry's date, an import's).
- ``accreditation``: the mediator's accreditation date (Form 4 or Form 5); nothing is due
  for a mediator who is not accredited.
- ``last_activity``: the latest date anywhere in the mediator's record, so nothing of a
  practice period still going on is ever due.
- ``left_panel``: the day the mediator left the provider's panel, as the provider recorded
  it (the record editor, ``sendobserve left-panel``); nothing is due for a mediator still on
  the panel.

The defaults and their reasons are in ``DEFAULT_SCHEDULE``; every one can be changed by the
provider (``sendobserve retention --set KIND=YEARS[@EVENT]``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import partial

from sendobserve.errors import UserError
from sendobserve.model.domain import PracticeRecord


class Event(StrEnum):
    RECORD = "record"
    ACCREDITATION = "accreditation"
    LAST_ACTIVITY = "last_activity"
    LEFT_PANEL = "left_panel"


class Kind(StrEnum):
    OBSERVATIONS = "observations"  # Forms 1–3 with their marks, history and de-brief notes
    NOTES = "notes"  # the free text: notes on marks and de-brief text (cleared, not deleted)
    CASES = "cases"
    PRACTICE_LOGS = "practice_logs"  # training, reflection, CPD, mentoring and supervision
    CERTIFICATES = "certificates"  # Form 4/5 issued, and their print log
    IMPORT_LOG = "import_log"  # which files were imported, from whom, when


KIND_WORDS = {
    Kind.OBSERVATIONS: "observations and their marks",
    Kind.NOTES: "notes and de-brief text",
    Kind.CASES: "cases",
    Kind.PRACTICE_LOGS: "training, reflection, CPD and mentoring logs",
    Kind.CERTIFICATES: "certificates issued",
    Kind.IMPORT_LOG: "the log of imported files",
}


# Evidence files (``model.evidence``) are not a kind of their own: each goes with the entry
# it is attached to (the store's foreign key cascades), so a certificate is kept exactly as
# long as the training or CPD entry it evidences, and a case's documents as long as the
# case. Applying the schedule counts them in the privacy log as ``evidence_files``.
EVIDENCE_FOLLOWS = {"training": Kind.PRACTICE_LOGS, "cpd": Kind.PRACTICE_LOGS,
                    "case": Kind.CASES}


@dataclass(frozen=True, slots=True)
class Rule:
    years: int | None  # None: kept (not removed by retention; erasure can still remove it)
    counted_from: Event
    reason: str

    def describe(self) -> str:
        if self.years is None:
            return "kept"
        event = {Event.RECORD: "the record's own date", Event.ACCREDITATION: "accreditation",
                 Event.LAST_ACTIVITY: "the mediator's last activity",
                 Event.LEFT_PANEL: "the mediator left the panel"}[self.counted_from]
        return f"{self.years} year{'s' if self.years != 1 else ''} after {event}"


DEFAULT_SCHEDULE: Mapping[Kind, Rule] = {
    Kind.OBSERVATIONS: Rule(
        6, Event.LAST_ACTIVITY,
        "The evidence behind an accreditation may be needed to answer a complaint or a claim; "
        "six years is the usual limitation period in England (Limitation Act 1980, s. 5). "
        "Counted from the last activity so a practice period still going on is never cut.",
    ),
    Kind.NOTES: Rule(
        2, Event.ACCREDITATION,
        "Free text is where a detail about a family most easily slips in. Once the mediator "
        "is accredited the marks remain the evidence; the notes have served the de-brief.",
    ),
    Kind.CASES: Rule(
        6, Event.LAST_ACTIVITY,
        "A case is the frame of its observations: kept as long as they are (and never "
        "before an observation of it goes).",
    ),
    Kind.PRACTICE_LOGS: Rule(
        6, Event.LAST_ACTIVITY,
        "Training, reflection, CPD and supervision are the evidence for accreditation and "
        "each year's re-registration (§1.4.3); kept for the same six years.",
    ),
    Kind.CERTIFICATES: Rule(
        None, Event.RECORD,
        "A certificate issued is a register fact the provider may have to show for as long as "
        "the mediator is on a register; remove one only by an erasure decision.",
    ),
    Kind.IMPORT_LOG: Rule(
        2, Event.RECORD,
        "Which files were imported, from which installation, matters while a question about "
        "a record's origin can still arise; two years covers the practice period.",
    ),
}


@dataclass(frozen=True, slots=True)
class DueItem:
    kind: Kind
    table: str
    item_id: uuid.UUID | str
    mediator_id: uuid.UUID | None
    due_since: date


@dataclass(frozen=True, slots=True)
class RetentionPlan:
    today: date
    schedule: Mapping[Kind, Rule]
    items: tuple[DueItem, ...]

    def counts(self) -> dict[Kind, int]:
        out: dict[Kind, int] = {}
        for item in self.items:
            out[item.kind] = out.get(item.kind, 0) + 1
        return out

    def lines(self) -> list[str]:
        """What would go and why, one line per kind (no content, no names)."""
        counts = self.counts()
        lines = []
        for kind in Kind:
            rule = self.schedule[kind]
            n = counts.get(kind, 0)
            what = KIND_WORDS[kind]
            if rule.years is None:
                lines.append(f"{what}: kept.")
            elif n:
                lines.append(f"{what}: {n} due to go ({rule.describe()}).")
            else:
                lines.append(f"{what}: nothing due ({rule.describe()}).")
        return lines


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_activity(record: PracticeRecord) -> date | None:
    dates: list[date] = [c.case_date for c in record.cases]
    dates += [o.observed_on for o in record.observations]
    dates += [o.signature.signed_on for o in record.observations if o.signature]
    dates += [t.end_date for t in record.training]
    dates += [r.reflected_on for r in record.reflections]
    dates += [c.done_on for c in record.cpd]
    dates += [c.met_on for c in record.contacts]
    if record.mediator.accredited_on:
        dates.append(record.mediator.accredited_on)
    return max(dates) if dates else None


def _due(rule: Rule, *, own: date | None, record: PracticeRecord, today: date,
         left_on: date | None = None) -> date | None:
    """The date the item became due to go, or None if it is not due today."""
    if rule.years is None:
        return None
    if rule.counted_from is Event.RECORD:
        start = own
    elif rule.counted_from is Event.ACCREDITATION:
        start = record.mediator.accredited_on
    elif rule.counted_from is Event.LEFT_PANEL:
        start = left_on
    else:
        start = last_activity(record)
    if start is None:
        return None
    due = add_years(start, rule.years)
    return due if due <= today else None


def plan_retention(records: Iterable[PracticeRecord], schedule: Mapping[Kind, Rule], *,
                   today: date,
                   import_log: Iterable[tuple[str, date]] = (),
                   left_panel: Mapping[uuid.UUID, date] | None = None) -> RetentionPlan:
    """Everything due to go under ``schedule`` on ``today``.

    ``import_log``: (payload hash, date imported) of each imported file. ``left_panel``:
    mediator id -> the day they left the panel (the ``left_panel`` event). Notes are listed
    per observation (their text is cleared, the marks stay). A case is due only when it is
    due itself and every observation of it is due too.
    """
    items: list[DueItem] = []
    left = left_panel or {}
    for record in records:
        mid = record.mediator.id
        due_of = partial(_due, record=record, today=today, left_on=left.get(mid))
        going_obs: set[uuid.UUID] = set()
        for obs in record.observations:
            due = due_of(schedule[Kind.OBSERVATIONS], own=obs.observed_on)
            if due:
                going_obs.add(obs.id)
                items.append(DueItem(Kind.OBSERVATIONS, "observations", obs.id, mid, due))
        noted = {m.observation_id for m in record.marks if m.note}
        noted |= {n.observation_id for n in record.debrief_notes if n.text}
        for obs in record.observations:
            if obs.id in noted and obs.id not in going_obs:
                due = due_of(schedule[Kind.NOTES], own=obs.observed_on)
                if due:
                    items.append(DueItem(Kind.NOTES, "observations", obs.id, mid, due))
        for case in record.cases:
            due = due_of(schedule[Kind.CASES], own=case.case_date)
            of_case = [o.id for o in record.observations if o.case_id == case.id]
            if due and all(o in going_obs for o in of_case):
                items.append(DueItem(Kind.CASES, "cases", case.id, mid, due))
        logs: list[tuple[str, uuid.UUID, date]] = (
            [("training", t.id, t.end_date) for t in record.training]
            + [("reflections", r.id, r.reflected_on) for r in record.reflections]
            + [("cpd", c.id, c.done_on) for c in record.cpd]
            + [("contacts", c.id, c.met_on) for c in record.contacts]
        )
        for table, item_id, own in logs:
            due = due_of(schedule[Kind.PRACTICE_LOGS], own=own)
            if due:
                items.append(DueItem(Kind.PRACTICE_LOGS, table, item_id, mid, due))
    rule = schedule[Kind.IMPORT_LOG]
    for payload, imported_on in import_log:
        if rule.years is not None and add_years(imported_on, rule.years) <= today:
            items.append(DueItem(Kind.IMPORT_LOG, "exchange_imports", payload, None,
                                 add_years(imported_on, rule.years)))
    return RetentionPlan(today, dict(schedule), tuple(items))


# --- the provider's schedule, stored as JSON ------------------------------------------------


def schedule_to_json(schedule: Mapping[Kind, Rule]) -> str:
    return json.dumps({k.value: {"years": r.years, "counted_from": r.counted_from.value}
                       for k, r in schedule.items()}, sort_keys=True)


def schedule_from_json(text: str | None) -> dict[Kind, Rule]:
    """The stored schedule over the defaults (a kind not stored keeps its default)."""
    schedule = dict(DEFAULT_SCHEDULE)
    if not text:
        return schedule
    for key, value in json.loads(text).items():
        kind = Kind(key)
        schedule[kind] = replace(schedule[kind], years=value["years"],
                                 counted_from=Event(value["counted_from"]),
                                 reason="Set by the provider.")
    return schedule


def parse_setting(text: str) -> tuple[Kind, int | None, Event | None]:
    """``KIND=YEARS[@EVENT]`` or ``KIND=keep`` from the command line, checked."""
    kind_text, sep, rest = text.partition("=")
    kinds = ", ".join(k.value for k in Kind)
    try:
        kind = Kind(kind_text.strip())
    except ValueError:
        raise UserError(f"Unknown kind of record {kind_text!r}; the kinds are: {kinds}") from None
    if not sep or not rest.strip():
        raise UserError(f"Give a period for {kind.value}, e.g. {kind.value}=6@last_activity")
    years_text, _, event_text = rest.strip().partition("@")
    if years_text == "keep":
        return kind, None, None
    if not years_text.isdigit() or not 1 <= int(years_text) <= 100:
        raise UserError(f"The period for {kind.value} must be a whole number of years from 1 "
                        f"to 100, or 'keep'; got {years_text!r}")
    event = None
    if event_text:
        try:
            event = Event(event_text)
        except ValueError:
            events = ", ".join(e.value for e in Event)
            raise UserError(f"Unknown event {event_text!r}; the events are: {events}") from None
    if kind is Kind.IMPORT_LOG and event not in (None, Event.RECORD):
        raise UserError("The import log can only be counted from each import's own date")
    return kind, int(years_text), event

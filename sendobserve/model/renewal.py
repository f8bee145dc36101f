"""Annual re-registration (§1.4.3, §1.5) and passporting (§1.6, Form 5), as of a date.

Same shape as readiness: each requirement has a status (met, not met, met by a recorded
discretion), a detail with the numbers and plain sentences for what is still needed.

Decisions:

* **The 12 months up to today** run from the same date a year earlier (exclusive) to
  today (inclusive); 29 February falls back to the 28th.
* **Cases for re-registration** are cases the mediator co-mediated or led, mediation or
  disagreement resolution alike (both are the SEND casework providers run); a case only
  observed is not "completed" by the mediator.
* **Passporting, "lead SEND mediator since *date* and maintain a caseload of 3 cases per
  year minimum"**: years are counted back from today in 12-month periods. The last 12
  months are always judged ("maintain" is the present). An earlier period is judged only
  if it lies wholly after both ``lead_since`` and the earliest case on record, because
  before the records begin the store can show nothing either way ("as far as the records
  go"). Each judged period needs at least three led cases.
* **Passporting, annual CPD**: Form 5 asks that they "undertake relevant CPD on an annual
  basis" without a figure; any CPD in each judged period (and in the last 12 months) meets
  it. The 20-hour figure belongs to re-registration, which is checked separately.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    Case,
    ContactKind,
    PracticeRecord,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.outcome import (
    Figure,
    RequirementResult,
    TrainingFact,
    figure_json,
    fmt_hours,
    one_year_before,
    plural,
    render_requirements,
    settle,
    training_facts,
)

_ACTIVE = frozenset({TraineeRole.CO_MEDIATING, TraineeRole.LEADING})


@dataclass(frozen=True, slots=True)
class Window:
    """A 12-month period: ``start`` exclusive, ``end`` inclusive."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start < day <= self.end

    def label(self) -> str:
        return f"{(self.start + timedelta(days=1)).isoformat()} to {self.end.isoformat()}"

    def to_json(self) -> dict[str, str]:
        return {"from": (self.start + timedelta(days=1)).isoformat(), "to": self.end.isoformat()}


def last_twelve_months(today: date) -> Window:
    return Window(one_year_before(today), today)


@dataclass(frozen=True, slots=True)
class RenewalReport:
    mediator_id: uuid.UUID
    mediator_name: str
    as_of: date
    window: Window
    requirements: tuple[RequirementResult, ...]
    figures: Mapping[str, Figure] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(r.satisfied for r in self.requirements)

    @property
    def still_needed(self) -> tuple[str, ...]:
        return tuple(s for r in self.requirements for s in r.still_needed)

    def requirement(self, requirement_id: str) -> RequirementResult:
        return next(r for r in self.requirements if r.id == requirement_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "mediator": {"id": str(self.mediator_id), "name": self.mediator_name},
            "as_of": self.as_of.isoformat(),
            "window": self.window.to_json(),
            "ready": self.ready,
            "requirements": [r.to_json() for r in self.requirements],
            "figures": {k: figure_json(v) for k, v in self.figures.items()},
            "still_needed": list(self.still_needed),
        }


def assess_renewal(record: PracticeRecord, *, today: date) -> RenewalReport:
    """The annual re-registration check of §1.4.3 for the 12 months up to ``today``."""
    window = last_twelve_months(today)
    discretions = [d for d in record.discretions if d.decided_on <= today]

    cpd = [c for c in record.cpd if c.done_on in window]
    cpd_hours = sum((c.hours for c in cpd), Decimal(0))
    kinds = sorted({c.kind.value.replace("_", " ") for c in cpd})
    short = R.RENEWAL_CPD_MIN_HOURS - cpd_hours
    cpd_result = settle(
        R.RENEWAL_CPD_HOURS,
        met=cpd_hours >= R.RENEWAL_CPD_MIN_HOURS,
        detail=(
            f"{fmt_hours(cpd_hours)} of {fmt_hours(R.RENEWAL_CPD_MIN_HOURS)} hours of CPD"
            f" from {window.label()}"
            + (f" ({', '.join(kinds)})." if kinds else ".")
        ),
        still_needed=[
            f"Log {fmt_hours(short)} more {'hour' if short == 1 else 'hours'} of CPD"
            " (role play, reading, training, team discussion, conferences …)"
        ],
        figures={"cpd_hours": cpd_hours},
        discretions=discretions,
    )

    cases = [c for c in record.cases if c.trainee_role in _ACTIVE and c.case_date in window]
    n = len(cases)
    cases_result = settle(
        R.RENEWAL_CASES,
        met=n >= R.RENEWAL_MIN_CASES,
        detail=f"{plural(n, 'case')} co-mediated or led from {window.label()}"
        f" ({R.RENEWAL_MIN_CASES} needed).",
        still_needed=[f"Complete {plural(R.RENEWAL_MIN_CASES - n, 'more case')}"],
        figures={"cases": n},
        discretions=discretions,
    )

    contacts = sorted(
        (c for c in record.contacts if c.met_on in window), key=lambda c: (c.met_on, str(c.id))
    )
    mentoring = sum(1 for c in contacts if c.kind is ContactKind.MENTORING)
    supervision = len(contacts) - mentoring
    if contacts:
        latest = contacts[-1]
        detail = (
            f"{plural(mentoring, 'mentoring contact')} and"
            f" {plural(supervision, 'supervision contact')} from {window.label()};"
            f" latest {latest.met_on.isoformat()} with {latest.with_whom}."
        )
    else:
        detail = f"No mentoring or supervision recorded from {window.label()}."
    support_result = settle(
        R.RENEWAL_SUPPORT,
        met=bool(contacts),
        detail=detail,
        still_needed=["Record a mentoring or supervision contact"],
        figures={"mentoring_contacts": mentoring, "supervision_contacts": supervision},
        discretions=discretions,
    )

    results = (cpd_result, cases_result, support_result)
    figures: dict[str, Figure] = {}
    for r in results:
        figures.update(r.figures)
    return RenewalReport(
        mediator_id=record.mediator.id,
        mediator_name=record.mediator.name,
        as_of=today,
        window=window,
        requirements=results,
        figures=figures,
    )


# --- Passporting (Form 5) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearFacts:
    window: Window
    cases_led: int
    cpd_hours: Decimal
    judged: bool  # wholly inside what the records cover

    def to_json(self) -> dict[str, Any]:
        return {
            **self.window.to_json(),
            "cases_led": self.cases_led,
            "cpd_hours": fmt_hours(self.cpd_hours),
            "judged": self.judged,
        }


@dataclass(frozen=True, slots=True)
class PassportReport:
    mediator_id: uuid.UUID
    mediator_name: str
    as_of: date
    send_practice_since: date | None
    lead_since: date | None
    records_since: date | None  # the earliest case on record
    foundation_training: tuple[TrainingFact, ...]
    send_training: tuple[TrainingFact, ...]
    years: tuple[YearFacts, ...]  # most recent first
    requirements: tuple[RequirementResult, ...]

    @property
    def eligible(self) -> bool:
        return all(r.satisfied for r in self.requirements)

    @property
    def still_needed(self) -> tuple[str, ...]:
        return tuple(s for r in self.requirements for s in r.still_needed)

    def requirement(self, requirement_id: str) -> RequirementResult:
        return next(r for r in self.requirements if r.id == requirement_id)

    def to_json(self) -> dict[str, Any]:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "mediator": {"id": str(self.mediator_id), "name": self.mediator_name},
            "as_of": self.as_of.isoformat(),
            "eligible": self.eligible,
            "send_practice_since": iso(self.send_practice_since),
            "lead_since": iso(self.lead_since),
            "records_since": iso(self.records_since),
            "foundation_training": [t.to_json() for t in self.foundation_training],
            "send_training": [t.to_json() for t in self.send_training],
            "years": [y.to_json() for y in self.years],
            "requirements": [r.to_json() for r in self.requirements],
            "still_needed": list(self.still_needed),
        }


def _years(
    today: date, lead_since: date | None, records_since: date | None, cases: list[Case],
    record: PracticeRecord,
) -> tuple[YearFacts, ...]:
    """12-month periods back from today, as far back as lead_since (or the records) go."""
    if lead_since is None or lead_since > today:
        return ()
    # With no case on record, nothing is covered: no period can be judged either way.
    coverage = max(lead_since, records_since) if records_since else None
    out: list[YearFacts] = []
    end = today
    while end >= lead_since:
        w = Window(one_year_before(end), end)
        led = sum(
            1 for c in cases if c.trainee_role is TraineeRole.LEADING and c.case_date in w
        )
        cpd = sum((c.hours for c in record.cpd if c.done_on in w), Decimal(0))
        # The last 12 months always; earlier ones only if the records cover them whole.
        judged = not out or (coverage is not None and w.start + timedelta(days=1) >= coverage)
        out.append(YearFacts(w, led, cpd, judged))
        end = w.start
    return tuple(out)


def assess_passport(record: PracticeRecord, *, today: date) -> PassportReport:
    """Form 5's facts and whether the record supports them, as of ``today`` (§1.6)."""
    m = record.mediator
    discretions = [d for d in record.discretions if d.decided_on <= today]
    cases = sorted(
        (c for c in record.cases if c.case_date <= today), key=lambda c: (c.case_date, str(c.id))
    )
    records_since = cases[0].case_date if cases else None
    foundation = training_facts(
        t for t in record.training if t.kind is TrainingKind.FOUNDATION and t.end_date <= today
    )
    send = training_facts(
        t for t in record.training if t.kind is TrainingKind.SEND and t.end_date <= today
    )

    since_ok = m.send_practice_since is not None and m.send_practice_since <= today
    since = settle(
        R.PASSPORT_SEND_PRACTICE_SINCE,
        met=since_ok,
        detail=(
            f"Working as a SEND mediator since {m.send_practice_since.isoformat()}."
            if since_ok and m.send_practice_since
            else "The date since when they have worked as a SEND mediator is not recorded."
        ),
        still_needed=["Record since when they have worked as a SEND mediator"],
        figures={"send_practice_since": m.send_practice_since},
        discretions=discretions,
    )

    f_hours = sum((t.hours for t in foundation), Decimal(0))
    f_need = R.PASSPORT_FOUNDATION_MIN_HOURS
    if foundation:
        courses = "; ".join(f"{t.end_date.isoformat()}, {t.provider}" for t in foundation)
        f_detail = f"{fmt_hours(f_hours)} of {fmt_hours(f_need)} hours ({courses})."
    else:
        f_detail = "No foundation training recorded."
    found = settle(
        R.PASSPORT_FOUNDATION_TRAINING,
        met=f_hours >= f_need,
        detail=f_detail,
        still_needed=[
            "Record the foundation training in mediation (date, provider, at least 40 hours),"
            " or a reasoned discretion for a pioneer who pre-dates it"
        ],
        figures={"foundation_hours": f_hours},
        discretions=discretions,
    )

    years = _years(today, m.lead_since, records_since, cases, record)
    judged = [y for y in years if y.judged]
    short = [y for y in judged if y.cases_led < R.PASSPORT_MIN_LED_CASES_PER_YEAR]
    per_year = ", ".join(f"{y.window.label()}: {y.cases_led}" for y in judged)
    if m.lead_since is None:
        lead_detail, lead_needed = (
            "The date since when they have led SEND cases is not recorded.",
            "Record since when they have worked as lead SEND mediator",
        )
    elif not judged:
        lead_detail = f"Lead SEND mediator since {m.lead_since.isoformat()}, after today."
        lead_needed = "Correct the date since when they have worked as lead SEND mediator"
    else:
        lead_detail = (
            f"Lead SEND mediator since {m.lead_since.isoformat()}; cases led per year"
            f" (as far as the records go): {per_year}."
        )
        lead_needed = "; ".join(
            f"Lead {R.PASSPORT_MIN_LED_CASES_PER_YEAR - y.cases_led} more"
            f" {'case' if R.PASSPORT_MIN_LED_CASES_PER_YEAR - y.cases_led == 1 else 'cases'}"
            f" for {y.window.label()}, or record them"
            for y in short
        )
    lead = settle(
        R.PASSPORT_LEAD_CASES,
        met=m.lead_since is not None and bool(judged) and not short,
        detail=lead_detail,
        still_needed=[lead_needed] if lead_needed else [],
        figures={"lead_since": m.lead_since, "years_judged": len(judged)},
        discretions=discretions,
    )

    last = last_twelve_months(today)
    recent = sum((c.hours for c in record.cpd if c.done_on in last), Decimal(0))
    no_cpd = [y for y in judged if not y.cpd_hours]
    cpd_ok = recent > 0 and not no_cpd
    cpd_detail = f"{fmt_hours(recent)} hours of CPD from {last.label()}"
    if no_cpd:
        cpd_detail += "; none in " + ", ".join(y.window.label() for y in no_cpd)
    cpd = settle(
        R.PASSPORT_ANNUAL_CPD,
        met=cpd_ok,
        detail=cpd_detail + ".",
        still_needed=["Record CPD for every year"] if no_cpd else [
            "Record CPD for the last 12 months"
        ],
        figures={"cpd_hours_last_12_months": recent},
        discretions=discretions,
    )

    return PassportReport(
        mediator_id=m.id,
        mediator_name=m.name,
        as_of=today,
        send_practice_since=m.send_practice_since,
        lead_since=m.lead_since,
        records_since=records_since,
        foundation_training=foundation,
        send_training=send,
        years=years,
        requirements=(since, found, lead, cpd),
    )


# --- Plain text -------------------------------------------------------------------------


def render_renewal_text(report: RenewalReport) -> str:
    verdict = "meets" if report.ready else "does NOT yet meet"
    lines = [
        f"Re-registration of {report.mediator_name} as of {report.as_of.isoformat()}:"
        f" {verdict} the annual requirements ({report.window.label()})",
        "",
        *render_requirements(report.requirements),
        "",
        "Still needed" if report.still_needed else "Nothing more is needed.",
        *(f"  - {s}" for s in report.still_needed),
    ]
    return "\n".join(lines) + "\n"


def render_passport_text(report: PassportReport) -> str:
    verdict = "eligible" if report.eligible else "NOT yet eligible"
    lines = [
        f"Passporting (Form 5) of {report.mediator_name} as of {report.as_of.isoformat()}:"
        f" {verdict}",
        "",
        *render_requirements(report.requirements),
    ]
    if report.send_training:
        lines += ["", "Specialised SEND training"]
        lines += [f"  {t.end_date.isoformat()}  {t.provider}" for t in report.send_training]
    judged = [y for y in report.years if y.judged]
    if judged:
        lines += ["", "Year (as far as the records go)   led  CPD h"]
        lines += [
            f"  {y.window.label()}         {y.cases_led:>3}  {fmt_hours(y.cpd_hours):>5}"
            for y in judged
        ]
        if len(judged) < len(report.years):
            earlier = len(report.years) - len(judged)
            lines.append(f"  ({plural(earlier, 'earlier year')} before the records begin)")
    lines += ["", "Still needed" if report.still_needed else "Nothing more is needed."]
    lines += [f"  - {s}" for s in report.still_needed]
    return "\n".join(lines) + "\n"

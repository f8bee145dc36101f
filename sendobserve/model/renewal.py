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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    Case,
    ContactKind,
    Discretion,
    Observer,
    ObserverRole,
    PassportRoute,
    PracticeRecord,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.outcome import (
    Figure,
    Judged,
    RequirementResult,
    TrainingFact,
    certificate_refusal,
    figure_json,
    fmt_hours,
    one_year_before,
    plural,
    render_requirements,
    training_facts,
)
from sendobserve.model.outcome import settle as _settle
from sendobserve.model.rulebook import Edition, Rulebook, shipped_rulebook
from sendobserve.model.validation import validate_record_hours

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
    """The one definition of "the last 12 months" (re-registration, passporting, Form 5):
    from the day after the same date a year earlier to today, both included; a year
    before 29 February is 28 February."""
    return Window(one_year_before(today), today)


def edition_today(
    record: PracticeRecord, today: date, rulebook: Rulebook | None = None
) -> Edition:
    """Re-registration and passporting: the recorded edition, else the one in force today."""
    book = rulebook or shipped_rulebook()
    if record.mediator.rules_edition:
        return book.get(record.mediator.rules_edition)
    return book.in_force_on(today)


def _judge(
    discretions: list[Discretion], edition: Edition
) -> Callable[..., RequirementResult]:
    def settle(requirement_id: str, **kw: Any) -> RequirementResult:
        kw.pop("discretions", None)
        return _settle(requirement_id, discretions=discretions, edition=edition, **kw)

    return settle


@dataclass(frozen=True, slots=True)
class RenewalReport(Judged):
    mediator_id: uuid.UUID
    mediator_name: str
    as_of: date
    window: Window
    requirements: tuple[RequirementResult, ...]
    figures: Mapping[str, Figure] = field(default_factory=dict)
    edition: Edition | None = None

    @property
    def ready(self) -> bool:
        return self.all_met

    def to_json(self) -> dict[str, Any]:
        return {
            "mediator": {"id": str(self.mediator_id), "name": self.mediator_name},
            "as_of": self.as_of.isoformat(),
            "window": self.window.to_json(),
            "ready": self.ready,
            "requirements": [r.to_json() for r in self.requirements],
            "figures": {k: figure_json(v) for k, v in self.figures.items()},
            "still_needed": list(self.still_needed),
            "edition": self.edition.to_json() if self.edition else None,
        }


def assess_renewal(
    record: PracticeRecord, *, today: date, edition: Edition | None = None
) -> RenewalReport:
    """The annual re-registration check of §1.4.3 for the 12 months up to ``today``.

    There is no discretion over these minimums (§1.4.3): a recorded one is not applied.
    """
    validate_record_hours(record)
    ed = edition or edition_today(record, today)
    window = last_twelve_months(today)
    discretions = [d for d in record.discretions if d.decided_on <= today]
    settle = _judge(discretions, ed)
    cpd_min = ed.threshold(R.RENEWAL_CPD_HOURS)
    cases_min = ed.count(R.RENEWAL_CASES)

    cpd = [c for c in record.cpd if c.done_on in window]
    cpd_hours = sum((c.hours for c in cpd), Decimal(0))
    kinds = sorted({c.kind.value.replace("_", " ") for c in cpd})
    short = cpd_min - cpd_hours
    cpd_result = settle(
        R.RENEWAL_CPD_HOURS,
        met=cpd_hours >= cpd_min,
        detail=(
            f"{fmt_hours(cpd_hours)} of {fmt_hours(cpd_min)} hours of CPD"
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
        met=n >= cases_min,
        detail=f"{plural(n, 'case')} co-mediated or led from {window.label()}"
        f" ({cases_min} needed).",
        still_needed=[f"Complete {plural(cases_min - n, 'more case')}"],
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
        edition=ed,
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
class PassportReport(Judged):
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
    edition: Edition | None = None
    route: PassportRoute | None = None
    panel_confirmed_by: str | None = None
    panel_confirmed_on: date | None = None

    @property
    def eligible(self) -> bool:
        return self.all_met

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
            "edition": self.edition.to_json() if self.edition else None,
            "route": self.route.value if self.route else None,
            "panel_confirmed_by": self.panel_confirmed_by,
            "panel_confirmed_on": iso(self.panel_confirmed_on),
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


def assess_passport(
    record: PracticeRecord, *, today: date, edition: Edition | None = None
) -> PassportReport:
    """Form 5's facts and whether the record supports them, as of ``today`` (§1.6).

    The same assessment is the Form 5 print gate (``form5_refusal``).
    """
    validate_record_hours(record)
    ed = edition or edition_today(record, today)
    m = record.mediator
    recorded = [d for d in record.discretions if d.decided_on <= today]
    settle = _judge(recorded, ed)
    # §1.6 (B): the pioneers' discretion; not open on route (A) (decision passport_route_default).
    pioneer = m.passport_route is PassportRoute.PIONEER
    settle_found = _judge(
        recorded if pioneer else
        [d for d in recorded if d.requirement_id != R.PASSPORT_FOUNDATION_TRAINING], ed)
    discretions = recorded

    if not m.passported:
        route_ok, route_detail, route_needed = (
            False, f"{m.name} is not recorded as a passported mediator.",
            f"{m.name} is not recorded as a passported mediator: record them as passported"
            " (§1.6), with the route (A) or (B)")
    elif m.passport_route is None:
        route_ok, route_detail, route_needed = (
            False, "The passporting route, (A) or (B), is not recorded.",
            "Record the route: (A) on a provider's panel, or (B) a pioneer")
    elif m.passport_route is PassportRoute.PANEL:
        route_ok = bool((m.panel_confirmed_by or "").strip()) and (
            m.panel_confirmed_on is not None and m.panel_confirmed_on <= today)
        route_detail = (
            f"Route (A): the provider's confirmation that they are on its panel, by"
            f" {m.panel_confirmed_by} on {m.panel_confirmed_on.isoformat()}."
            if route_ok and m.panel_confirmed_on else
            "Route (A): the provider's confirmation that they are on its panel is not"
            " recorded."
        )
        route_needed = ("Record who confirmed for the provider that they are on its panel,"
                        " and when (§1.6 (A))")
    else:
        route_ok, route_detail, route_needed = (
            True, "Route (B): a pioneer with a long history of SEND mediation.", "")
    route = settle(
        R.PASSPORT_ROUTE,
        met=route_ok,
        detail=route_detail,
        still_needed=[route_needed] if route_needed else [],
        figures={"passport_route": m.passport_route.value if m.passport_route else None},
    )
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
        still_needed=["Record the date they have worked as an SEND mediator since"],
        figures={"send_practice_since": m.send_practice_since},
    )

    f_hours = sum((t.hours for t in foundation), Decimal(0))
    f_need = ed.threshold(R.PASSPORT_FOUNDATION_TRAINING)
    if foundation:
        courses = "; ".join(f"{t.end_date.isoformat()}, {t.provider}" for t in foundation)
        f_detail = f"{fmt_hours(f_hours)} of {fmt_hours(f_need)} hours ({courses})."
    else:
        f_detail = "No foundation training recorded."
    found = settle_found(
        R.PASSPORT_FOUNDATION_TRAINING,
        met=f_hours >= f_need,
        detail=f_detail,
        still_needed=[
            f"Record the foundation training in mediation (date, provider, at least"
            f" {fmt_hours(f_need)} hours), or for a pioneer (route B) a §1.6 (B) discretion"
            " agreed by the assessor and the provider"
        ],
        figures={"foundation_hours": f_hours},
        discretions=discretions,
    )
    unused = [d for d in recorded if d.requirement_id == R.PASSPORT_FOUNDATION_TRAINING]
    if not pioneer and unused and not found.satisfied:
        found = replace(found, detail=found.detail + (
            f" The §1.6 (B) discretion recorded by {unused[0].decided_by} is not applied: it"
            " is for pioneers (route B) only."))

    per_year_min = ed.count(R.PASSPORT_LEAD_CASES)
    years = _years(today, m.lead_since, records_since, cases, record)
    judged = [y for y in years if y.judged]
    short = [y for y in judged if y.cases_led < per_year_min]
    per_year = ", ".join(f"{y.window.label()}: {y.cases_led}" for y in judged)
    if m.lead_since is None:
        lead_detail, lead_needed = (
            "The date since when they have led SEND cases is not recorded.",
            "Record the date they have worked as lead SEND mediator since",
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
            f"Lead {per_year_min - y.cases_led} more"
            f" {'case' if per_year_min - y.cases_led == 1 else 'cases'}"
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
        requirements=(route, since, found, lead, cpd),
        edition=ed,
        route=m.passport_route,
        panel_confirmed_by=m.panel_confirmed_by,
        panel_confirmed_on=m.panel_confirmed_on,
    )


FORM5_SIGNER_ROLES = frozenset(
    {ObserverRole.PPC, ObserverRole.REGIONAL_MANAGER, ObserverRole.SERVICE_DIRECTOR}
)


def passport_signer_refusal(report: PassportReport, signer: Observer) -> str | None:
    """§1.6: "An experienced mediator, PPC or manager of the relevant Mediation Provider
    Organisation must provide a declaration of competence" — not any co-mediator."""
    if (signer.experienced_send or signer.role in FORM5_SIGNER_ROLES
            or (signer.ppc_register_entry or "").strip()):
        return None
    return (f"{signer.name} cannot sign Form 5 for {report.mediator_name}: the declaration of"
            " competence is given by an experienced mediator, a PPC or a manager of the"
            " provider (§1.6)")


def form5_refusal(report: PassportReport, signer: Observer | None = None) -> str | None:
    """Why Form 5 may not be issued now, or None: the print gate is this assessment."""
    return certificate_refusal(
        "Form 5", report, lambda: passport_signer_refusal(report, signer) if signer else None)


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

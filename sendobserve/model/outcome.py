"""What every check returns: a requirement's status, its detail with numbers, what is missing.

Shared by readiness (Form 4), re-registration and passporting (Form 5) so that the UI,
the CLI and the certificates read one shape. A recorded discretion (§1.3 "at the
discretion of the assessor, the provider and the mediator"; §1.6 "Discretion may be
exercised") turns a requirement that is not met into ``discretion`` — never silently
into ``met`` — and the detail names who decided and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sendobserve.model.domain import Discretion, ObserverRole, Training
from sendobserve.model.requirements import REQUIREMENTS

Figure = Decimal | int | str | bool | date | None


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    DISCRETION = "discretion"  # not met on the evidence; met by a recorded, reasoned discretion


@dataclass(frozen=True, slots=True)
class DiscretionUsed:
    decided_by: str
    role: ObserverRole
    reason: str
    decided_on: date

    def to_json(self) -> dict[str, Any]:
        return {
            "decided_by": self.decided_by,
            "role": self.role.value,
            "reason": self.reason,
            "decided_on": self.decided_on.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class RequirementResult:
    id: str
    status: Status
    detail: str  # one or two plain sentences, with the numbers
    still_needed: tuple[str, ...] = ()  # empty unless status is NOT_MET
    figures: Mapping[str, Figure] = field(default_factory=dict)
    discretion: tuple[DiscretionUsed, ...] = ()  # non-empty only when status is DISCRETION

    @property
    def title(self) -> str:
        return REQUIREMENTS[self.id].title

    @property
    def paragraph(self) -> str:
        return REQUIREMENTS[self.id].paragraph

    @property
    def satisfied(self) -> bool:
        return self.status is not Status.NOT_MET

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "paragraph": self.paragraph,
            "status": self.status.value,
            "detail": self.detail,
            "figures": {k: figure_json(v) for k, v in self.figures.items()},
            "discretion": [d.to_json() for d in self.discretion],
        }


def settle(
    requirement_id: str,
    *,
    met: bool,
    detail: str,
    still_needed: Iterable[str] = (),
    figures: Mapping[str, Figure] | None = None,
    discretions: Iterable[Discretion] = (),
) -> RequirementResult:
    """Build a result, applying any discretion recorded for this requirement.

    A discretion on a requirement that is met changes nothing: the evidence stands on
    its own, and the certificate should not claim a discretion that was not needed.
    """
    figs: Mapping[str, Figure] = dict(figures or {})
    if met:
        return RequirementResult(requirement_id, Status.MET, detail, (), figs)
    used = tuple(
        DiscretionUsed(d.decided_by, d.role, d.reason, d.decided_on)
        for d in sorted(
            (d for d in discretions if d.requirement_id == requirement_id),
            key=lambda d: (d.decided_on, d.decided_by, str(d.id)),
        )
    )
    if not used:
        return RequirementResult(
            requirement_id, Status.NOT_MET, detail, tuple(still_needed), figs
        )
    who = "; ".join(
        f"{u.decided_by} ({role_label(u.role)}) on {u.decided_on.isoformat()}: {u.reason}"
        for u in used
    )
    return RequirementResult(
        requirement_id,
        Status.DISCRETION,
        f"{detail} Met by discretion — {who}",
        (),
        figs,
        used,
    )


@dataclass(frozen=True, slots=True)
class TrainingFact:
    """A course as Form 5 prints it: date of training and provider."""

    title: str
    provider: str
    start_date: date
    end_date: date
    hours: Decimal
    recognising_body: str

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "provider": self.provider,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "hours": fmt_hours(self.hours),
            "recognising_body": self.recognising_body,
        }


def training_facts(courses: Iterable[Training]) -> tuple[TrainingFact, ...]:
    """Courses in the order they ended, as the certificates list them."""
    return tuple(
        TrainingFact(
            t.title, t.provider, t.start_date, t.end_date, t.hours, t.recognising_body.value
        )
        for t in sorted(courses, key=lambda t: (t.end_date, t.start_date, str(t.id)))
    )


ROLE_LABELS: dict[ObserverRole, str] = {
    ObserverRole.CO_MEDIATOR: "co-mediator",
    ObserverRole.PPC: "PPC",
    ObserverRole.REGIONAL_MANAGER: "regional manager",
    ObserverRole.SERVICE_DIRECTOR: "service director",
    ObserverRole.MENTOR: "mentor",
}


def role_label(role: ObserverRole) -> str:
    return ROLE_LABELS[role]


def fmt_hours(hours: Decimal) -> str:
    """12 → "12", 11.90 → "11.9", 2.50 → "2.5": exact, without float noise or trailing zeros."""
    if hours == hours.to_integral_value():
        return str(hours.quantize(Decimal(1)))
    return format(hours.normalize(), "f")


def hours_phrase(hours: Decimal) -> str:
    return f"{fmt_hours(hours)} hour" if hours == 1 else f"{fmt_hours(hours)} hours"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def figure_json(value: Figure) -> Any:
    """Hours go out as exact decimal strings ("11.9"); dates as ISO strings."""
    if isinstance(value, Decimal):
        return fmt_hours(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def one_year_before(day: date) -> date:
    """The same calendar date a year earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def render_requirements(results: Iterable[RequirementResult]) -> list[str]:
    marks = {Status.MET: "[met]", Status.NOT_MET: "[NOT MET]", Status.DISCRETION: "[discretion]"}
    lines: list[str] = []
    for r in results:
        lines.append(f"  {marks[r.status]:<13} {r.title}")
        lines.append(f"                {r.detail}")
    return lines

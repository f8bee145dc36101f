"""What every check returns: a requirement's status, its detail with numbers, what is missing.

Shared by readiness (Form 4), re-registration and passporting (Form 5) so that the UI,
the CLI and the certificates read one shape. A recorded discretion turns a requirement
that is not met into ``discretion`` — never silently into ``met`` — only where the
edition allows one (§1.3 "at the discretion of the assessor, the provider and the
mediator"; §1.6 (B) "Discretion may be exercised") and only with every party's agreement;
the detail names who agreed and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sendobserve.model.domain import Discretion, ObserverRole, Training
from sendobserve.model.requirements import REQUIREMENTS
from sendobserve.model.rulebook import PARTY_LABELS, Edition, default_edition

# The words live in ``model.vocabulary``; re-exported for the rules that write sentences.
from sendobserve.model.vocabulary import fmt_hours as fmt_hours
from sendobserve.model.vocabulary import hours_phrase as hours_phrase
from sendobserve.model.vocabulary import plural as plural
from sendobserve.model.vocabulary import role_label as role_label

Figure = Decimal | int | str | bool | date | None


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    DISCRETION = "discretion"  # not met on the evidence; met by a recorded, reasoned discretion


@dataclass(frozen=True, slots=True)
class DiscretionUsed:
    decided_by: str  # the assessor
    role: ObserverRole
    reason: str
    decided_on: date
    provider_agreed_by: str = ""
    mediator_agreed: bool = False
    paragraph: str = ""  # where the edition allows it ("§1.3", "§1.6 (B)")

    @property
    def parties_text(self) -> str:
        """"A. Nwosu (PPC), assessor; J. Rees for the provider; the mediator"."""
        parts = [f"{self.decided_by} ({role_label(self.role)}), assessor"]
        if self.provider_agreed_by.strip():
            parts.append(f"{self.provider_agreed_by} for the provider")
        if self.mediator_agreed:
            parts.append("the mediator")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "decided_by": self.decided_by,
            "role": self.role.value,
            "provider_agreed_by": self.provider_agreed_by,
            "mediator_agreed": self.mediator_agreed,
            "paragraph": self.paragraph,
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
    rule_title: str = ""  # from the edition the result was judged under
    rule_paragraph: str = ""
    decisions: tuple[str, ...] = ()  # "Decision of this program (§…): …" that apply here

    @property
    def title(self) -> str:
        return self.rule_title or REQUIREMENTS[self.id].title

    @property
    def paragraph(self) -> str:
        return self.rule_paragraph or REQUIREMENTS[self.id].paragraph

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
            "decisions": list(self.decisions),
        }


class Judged:
    """What every assessment (readiness, re-registration, passporting) answers about its
    ``requirements``: met (each satisfied), what is still needed, and one result by id."""

    __slots__ = ()
    mediator_name: str
    requirements: tuple[RequirementResult, ...]

    @property
    def all_met(self) -> bool:
        return all(r.satisfied for r in self.requirements)

    @property
    def still_needed(self) -> tuple[str, ...]:
        return tuple(s for r in self.requirements for s in r.still_needed)

    def requirement(self, requirement_id: str) -> RequirementResult:
        for r in self.requirements:
            if r.id == requirement_id:
                return r
        raise KeyError(requirement_id)


def certificate_refusal(form: str, report: Judged,
                        signer_problem: Callable[[], str | None]) -> str | None:
    """Why ``form`` (a certificate) may not be issued now, or None: the print gate is the
    assessment ``report`` (every requirement met), then ``signer_problem()``."""
    if not report.all_met:
        return (f"{form} cannot be issued for {report.mediator_name}: "
                + "; ".join(report.still_needed) + ".")
    why = signer_problem()
    return why + "." if why else None


def discretion_problem(d: Discretion, edition: Edition) -> str | None:
    """Why ``d`` cannot stand under ``edition`` (a sentence naming the paragraph), or None.

    Discretion exists only where the edition places it (§1.3, §1.6 (B) in 2018), and only
    with the agreement of every party the place names.
    """
    place = edition.discretion_for(d.requirement_id)
    if place is None:
        return edition.no_discretion_sentence(d.requirement_id)
    missing = [PARTY_LABELS[p] for p in place.parties if not d.agreed(p)]
    if missing:
        return (
            f"a discretion under {place.paragraph} is at the discretion of"
            f" {place.parties_text}: the agreement of {' and '.join(missing)} is not recorded"
        )
    if not d.reason.strip():
        return f"a discretion under {place.paragraph} needs its reason recorded"
    return None


def settle(
    requirement_id: str,
    *,
    met: bool,
    detail: str,
    still_needed: Iterable[str] = (),
    figures: Mapping[str, Figure] | None = None,
    discretions: Iterable[Discretion] = (),
    edition: Edition | None = None,
) -> RequirementResult:
    """Build a result under ``edition``, applying a discretion only where it allows one.

    A discretion on a requirement that is met changes nothing: the evidence stands on
    its own, and the certificate should not claim a discretion that was not needed. A
    recorded discretion the edition does not allow (wrong place, a party missing) is not
    applied, and the detail says why, naming the paragraph.
    """
    ed = edition or default_edition()
    rule = ed.requirements.get(requirement_id)
    title = rule.title if rule else ""
    paragraph = rule.paragraph if rule else ""
    decisions = tuple(d.sentence for d in ed.decisions_for(requirement_id))
    figs: Mapping[str, Figure] = dict(figures or {})
    if met:
        return RequirementResult(requirement_id, Status.MET, detail, (), figs, (), title,
                                 paragraph, decisions)
    place = ed.discretion_for(requirement_id)
    used: list[DiscretionUsed] = []
    refused: list[str] = []
    for d in sorted(
        (d for d in discretions if d.requirement_id == requirement_id),
        key=lambda d: (d.decided_on, d.decided_by, str(d.id)),
    ):
        why = discretion_problem(d, ed)
        if why:
            refused.append(
                f" The discretion recorded by {d.decided_by} on {d.decided_on.isoformat()} is"
                f" not applied: {why}."
            )
            continue
        used.append(DiscretionUsed(d.decided_by, d.role, d.reason, d.decided_on,
                                   d.provider_agreed_by, d.mediator_agreed,
                                   place.paragraph if place else ""))
    if not used:
        return RequirementResult(
            requirement_id, Status.NOT_MET, detail + "".join(refused), tuple(still_needed),
            figs, (), title, paragraph, decisions,
        )
    who = "; ".join(
        f"{u.parties_text} on {u.decided_on.isoformat()}: {u.reason}" for u in used
    )
    return RequirementResult(
        requirement_id,
        Status.DISCRETION,
        f"{detail} Met by discretion ({used[0].paragraph}) — {who}",
        (),
        figs,
        tuple(used),
        title,
        paragraph,
        decisions,
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
        lines += [f"                ({d[:1].lower()}{d[1:]})" for d in r.decisions]
    return lines

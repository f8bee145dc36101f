"""The readiness engine: is this trainee ready for Form 4, and if not, what is still needed?

A pure function of one mediator's records (``PracticeRecord``), the form definitions the
observations were made on, and today's date. No I/O, no Qt, no clock.

Decisions taken here, each for a reason:

* **Only finalised or amended observations are evidence.** A draft may still change; it
  is listed as "not counted" in the details so nobody wonders where a tick went.
* **Marks in the record are the current state.** An amended observation counts with its
  current marks; the ``Amendment`` rows are history (the original marks) and are only
  used to flag the observation as amended. When two marks exist for the same item in the
  same observation, the latest ``marked_at`` wins.
* **Forms and versions.** The criteria to demonstrate are the tick items of Forms 1–3 in
  every version that a counted observation was made on; for a form never used, its
  latest version. Item ids are stable across versions, so an item present in two versions
  is one row, and an item added in a provider's version must be demonstrated too.
  An observation is never re-mapped: a mark counts only for items of its own version.
* **Sub-items** (see ``sendobserve.forms.definition``): each sub-item is a tick item and
  must be demonstrated at least once over the period. The parent is listed in
  ``criterion_groups``: it is demonstrated when all of its sub-items have been, and its
  ``demonstrated_in`` lists the observations in which every sub-item was demonstrated.
* **Casework hours** count cases where the trainee co-mediated or led. §1.2 separates
  observing a case from working "actively in cases", and the three-case rule also counts
  active cases only; hours spent observing are reported but not counted.
* **Case order** is by date; on the same date an observed case sorts before a co-worked
  one, and a co-worked before a led one (the progression §1.2 expects).
* **The final case** is the chronologically last active case. It is observed "by an
  experienced mediator who has the authority" (§1.3): an observer marked as an
  experienced SEND mediator, or one with an entry on the College of Mediators' PPC
  register (whatever role they observed in).
* **Nothing dated after ``today``** counts (a booked course, a planned case): it is listed
  in ``notes``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from sendobserve.errors import UserError
from sendobserve.forms.definition import FormDefinition, SectionKind, TickItem
from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    Case,
    ContactKind,
    Discretion,
    Mark,
    MarkState,
    Observation,
    ObservationState,
    Observer,
    ObserverRole,
    PracticeRecord,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.outcome import (
    Figure,
    Judged,
    RequirementResult,
    Status,
    TrainingFact,
    certificate_refusal,
    figure_json,
    fmt_hours,
    plural,
    render_requirements,
    role_label,
    training_facts,
)
from sendobserve.model.outcome import settle as _settle
from sendobserve.model.rulebook import Edition, Rulebook, shipped_rulebook
from sendobserve.model.validation import validate_record_hours

STANDARD_FORMS: tuple[tuple[int, str], ...] = ((1, "form1"), (2, "form2"), (3, "form3"))
COUNTED_STATES = frozenset({ObservationState.FINALISED, ObservationState.AMENDED})
ACTIVE_ROLES = frozenset({TraineeRole.CO_MEDIATING, TraineeRole.LEADING})


@dataclass(frozen=True, slots=True)
class Discretions:
    """The recorded discretions and the edition that says where they may apply."""

    recorded: tuple[Discretion, ...]
    edition: Edition


def settle(requirement_id: str, *, discretions: Discretions, **kw: Any) -> RequirementResult:
    """``outcome.settle`` under the edition this assessment is judged by."""
    return _settle(requirement_id, discretions=discretions.recorded,
                   edition=discretions.edition, **kw)

RECOGNISED_SEND_BODIES = frozenset({RecognisingBody.CMC, RecognisingBody.COM})
_ROLE_ORDER = {TraineeRole.OBSERVING: 0, TraineeRole.CO_MEDIATING: 1, TraineeRole.LEADING: 2}


class FormLookup(Protocol):
    """What the engine needs from the form registry (``FormRegistry`` satisfies it).

    ``get`` raises ``LookupError`` or a ``UserError`` for a version it does not know;
    the engine then reports the observations made on it as not counted.
    """

    def get(self, form_id: str, version: str) -> FormDefinition: ...

    def latest(self, form_id: str) -> FormDefinition: ...


# --- Report types -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObservationRef:
    """Where and by whom something was seen: enough to print "Case 2, 3 March, A. Nwosu (PPC)"."""

    observation_id: uuid.UUID
    form_id: str
    form_number: int
    form_version: str
    observed_on: date
    ordinal: int
    state: ObservationState
    amended: bool
    case_id: uuid.UUID
    case_reference: str | None  # None when the case is not in the record
    observer_id: uuid.UUID
    observer_name: str
    observer_role: ObserverRole | None  # None when the observer is not in the record

    @property
    def observer_label(self) -> str:
        if self.observer_role is None:
            return self.observer_name
        return f"{self.observer_name} ({role_label(self.observer_role)})"

    def to_json(self) -> dict[str, Any]:
        return {
            "observation_id": str(self.observation_id),
            "form": self.form_id,
            "form_number": self.form_number,
            "version": self.form_version,
            "date": self.observed_on.isoformat(),
            "ordinal": self.ordinal,
            "state": self.state.value,
            "amended": self.amended,
            "case_id": str(self.case_id),
            "case_reference": self.case_reference,
            "observer_id": str(self.observer_id),
            "observer": self.observer_name,
            "observer_role": self.observer_role.value if self.observer_role else None,
        }


@dataclass(frozen=True, slots=True)
class Sighting:
    """One mark on one item in one counted observation."""

    observation: ObservationRef
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**self.observation.to_json(), "note": self.note}


class CriterionStatus(StrEnum):
    DEMONSTRATED = "demonstrated"
    DEVELOPMENT_NEEDED = "development_needed"  # seen, but only as needing development
    NOT_APPLICABLE = "not_applicable"  # only ever marked not applicable
    NOT_SEEN = "not_seen"


@dataclass(frozen=True, slots=True)
class CriterionProgress:
    """One tick item (a criterion, or a sub-item) over the whole practice period."""

    id: str
    form_number: int
    section: SectionKind
    text: str
    criterion_id: str  # the parent criterion; == id when there are no sub-items
    parent_text: str | None
    core: bool
    versions: tuple[str, ...]  # the versions in play that contain this item
    demonstrated_in: tuple[Sighting, ...] = ()
    development_needed: tuple[Sighting, ...] = ()
    not_applicable_in: tuple[Sighting, ...] = ()

    @property
    def form(self) -> str:
        return f"form{self.form_number}"

    @property
    def label(self) -> str:
        parent = (self.parent_text or "").strip()
        if not parent:
            return self.text
        # "Create a safe environment: Show confidence", "Identification of Skills gaps".
        return f"{parent} {self.text}"

    @property
    def demonstrated(self) -> bool:
        return bool(self.demonstrated_in)

    @property
    def status(self) -> CriterionStatus:
        if self.demonstrated_in:
            return CriterionStatus.DEMONSTRATED
        if self.development_needed:
            return CriterionStatus.DEVELOPMENT_NEEDED
        if self.not_applicable_in:
            return CriterionStatus.NOT_APPLICABLE
        return CriterionStatus.NOT_SEEN

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "form": self.form,
            "form_number": self.form_number,
            "section": self.section.value,
            "text": self.text,
            "label": self.label,
            "criterion_id": self.criterion_id,
            "parent_text": self.parent_text,
            "core": self.core,
            "versions": list(self.versions),
            "status": self.status.value,
            "demonstrated_in": [s.to_json() for s in self.demonstrated_in],
            "development_needed": [s.to_json() for s in self.development_needed],
            "not_applicable_in": [s.to_json() for s in self.not_applicable_in],
        }


@dataclass(frozen=True, slots=True)
class CriterionGroup:
    """A criterion with sub-items, kept visible as the heading over them."""

    id: str
    form_number: int
    text: str
    subitem_ids: tuple[str, ...]
    demonstrated: bool  # every sub-item demonstrated at least once over the period
    demonstrated_in: tuple[ObservationRef, ...]  # observations where all were seen together

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "form": f"form{self.form_number}",
            "text": self.text,
            "subitems": list(self.subitem_ids),
            "demonstrated": self.demonstrated,
            "demonstrated_in": [o.to_json() for o in self.demonstrated_in],
        }


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A case as Form 4 lists it: date, role, hours, and who observed it."""

    case_id: uuid.UUID
    reference: str
    case_date: date
    kind: str
    trainee_role: TraineeRole
    casework_hours: Decimal
    observations: tuple[ObservationRef, ...]  # counted observations only

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.case_id),
            "reference": self.reference,
            "date": self.case_date.isoformat(),
            "kind": self.kind,
            "trainee_role": self.trainee_role.value,
            "casework_hours": fmt_hours(self.casework_hours),
            "observations": [o.to_json() for o in self.observations],
        }


@dataclass(frozen=True, slots=True)
class ReadinessReport(Judged):
    mediator_id: uuid.UUID
    mediator_name: str
    as_of: date
    requirements: tuple[RequirementResult, ...]
    criteria: tuple[CriterionProgress, ...]
    criterion_groups: tuple[CriterionGroup, ...]
    cases: tuple[CaseSummary, ...]  # all cases up to today, in order
    forms_used: tuple[tuple[str, str, int], ...]  # (form_id, version, counted observations)
    # Form 4's facts, so the certificate prints what the verdict was based on.
    foundation_training: tuple[TrainingFact, ...] = ()
    send_training: tuple[TrainingFact, ...] = ()  # all SEND courses; see send_training detail
    final_case_id: uuid.UUID | None = None  # the chronologically last active case
    eligible_signers: tuple[Observer, ...] = ()  # experienced, observed, mentored
    figures: Mapping[str, Figure] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what was left out, and why
    edition: Edition | None = None  # the edition of the Standards it was judged under
    practice_start: date | None = None  # None: the practice period has not begun

    @property
    def ready(self) -> bool:
        return self.all_met

    @property
    def still_needed(self) -> tuple[str, ...]:
        return tuple(s for r in _merge_final_case(self.requirements) for s in r)

    def criterion(self, item_id: str, form_number: int | None = None) -> CriterionProgress:
        for c in self.criteria:
            if c.id == item_id and (form_number is None or c.form_number == form_number):
                return c
        raise KeyError(item_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "mediator": {"id": str(self.mediator_id), "name": self.mediator_name},
            "as_of": self.as_of.isoformat(),
            "ready": self.ready,
            "requirements": [r.to_json() for r in self.requirements],
            "criteria": [c.to_json() for c in self.criteria],
            "criterion_groups": [g.to_json() for g in self.criterion_groups],
            "cases": [c.to_json() for c in self.cases],
            "forms_used": [
                {"form": f, "version": v, "observations": n} for f, v, n in self.forms_used
            ],
            "foundation_training": [t.to_json() for t in self.foundation_training],
            "send_training": [t.to_json() for t in self.send_training],
            "final_case_id": str(self.final_case_id) if self.final_case_id else None,
            "eligible_signers": [
                {"id": str(o.id), "name": o.name, "role": o.role.value}
                for o in self.eligible_signers
            ],
            "figures": {k: figure_json(v) for k, v in self.figures.items()},
            "still_needed": list(self.still_needed),
            "notes": list(self.notes),
            "edition": self.edition.to_json() if self.edition else None,
            "practice_start": self.practice_start.isoformat() if self.practice_start else None,
        }


def _merge_final_case(results: Iterable[RequirementResult]) -> list[tuple[str, ...]]:
    """'Lead the final case' + 'have it observed' read better as one sentence."""
    by_id = {r.id: r for r in results}
    led = by_id.get(R.FINAL_CASE_LED)
    seen = by_id.get(R.FINAL_CASE_OBSERVED)
    both = (
        led is not None
        and seen is not None
        and led.status is Status.NOT_MET
        and seen.status is Status.NOT_MET
    )
    out: list[tuple[str, ...]] = []
    for r in by_id.values():
        if both and r.id == R.FINAL_CASE_LED:
            out.append(("Lead a case observed by a PPC or an experienced SEND mediator",))
        elif both and r.id == R.FINAL_CASE_OBSERVED:
            continue
        else:
            out.append(r.still_needed)
    return out


# --- The engine -------------------------------------------------------------------------


def case_order_key(case: Case) -> tuple[date, int, str]:
    return (case.case_date, _ROLE_ORDER[case.trainee_role], str(case.id))


def is_authorised_final_observer(observer: Observer | None) -> bool:
    """§1.3: an experienced SEND mediator, or a PPC on the College of Mediators' register."""
    if observer is None:
        return False
    return observer.experienced_send or bool((observer.ppc_register_entry or "").strip())


def is_ppc(observer: Observer) -> bool:
    """A Professional Practice Consultant: recorded in that role, or with an entry on the
    College of Mediators' register of PPCs (§1.3)."""
    return observer.role is ObserverRole.PPC or bool((observer.ppc_register_entry or "").strip())


def current_marks(marks: Iterable[Mark]) -> dict[tuple[uuid.UUID, str], Mark]:
    """The latest mark per (observation, item); ties broken on content so order never matters."""
    out: dict[tuple[uuid.UUID, str], Mark] = {}
    for m in marks:
        key = (m.observation_id, m.criterion_id)
        old = out.get(key)
        if old is None or (m.marked_at, m.state.value, m.note) > (
            old.marked_at,
            old.state.value,
            old.note,
        ):
            out[key] = m
    return out


def practice_start(record: PracticeRecord, edition: Edition, today: date) -> date | None:
    """The first day of the supported practice period, or None before it has begun.

    §1.2: "After having attended a specialised training programme, mediators will be
    required to engage in a period of supported practice". The period begins the day
    after the recognised SEND-specific courses, in the order they ended, reach the
    edition's hours (a case on the course's last day is not after it).
    """
    need = edition.threshold(R.SEND_TRAINING)
    total = Decimal(0)
    for t in sorted(
        (t for t in record.training if t.kind is TrainingKind.SEND
         and t.recognising_body in RECOGNISED_SEND_BODIES and t.end_date <= today),
        key=lambda t: (t.end_date, str(t.id)),
    ):
        total += t.hours
        if total >= need:
            return t.end_date + timedelta(days=1)
    return None


def edition_for_period(
    record: PracticeRecord, today: date, rulebook: Rulebook | None = None
) -> Edition:
    """The edition a trainee is judged under: the one recorded for their practice period,
    else the one in force on the day it began (today, before it begins)."""
    book = rulebook or shipped_rulebook()
    if record.mediator.rules_edition:
        return book.get(record.mediator.rules_edition)
    first = book.in_force_on(today)
    start = practice_start(record, first, today)
    if start is None:
        return first
    return book.in_force_on(start)


def assess_readiness(
    record: PracticeRecord,
    forms: FormLookup,
    *,
    today: date,
    edition: Edition | None = None,
    rulebook: Rulebook | None = None,
) -> ReadinessReport:
    """Assess one mediator's practice period against §1.1–1.3 and Appendix A, as of ``today``.

    Judged under ``edition`` if given, else the edition of the practice period (see
    ``edition_for_period``). Impossible hours are refused (``ValidationError``) with the
    sentence the store gives, never counted.
    """
    validate_record_hours(record)
    ed = edition or edition_for_period(record, today, rulebook)
    notes: list[str] = []
    observers = {o.id: o for o in record.observers}
    discretions = Discretions(
        tuple(d for d in record.discretions if d.decided_on <= today), ed
    )
    start = practice_start(record, ed, today)

    cases_all = sorted(record.cases, key=case_order_key)
    cases_known = [c for c in cases_all if c.case_date <= today]
    if len(cases_known) < len(cases_all):
        later = len(cases_all) - len(cases_known)
        notes.append(f"{plural(later, 'case')} dated after today not counted.")
    cases = [c for c in cases_known if start is not None and c.case_date >= start]
    before = [c for c in cases_known if start is None or c.case_date < start]
    if before:
        when = (
            f"before the practice period began on {start.isoformat()}" if start
            else "before the SEND-specific training was completed"
        )
        notes.append(
            f"{plural(len(before), 'case')} {when} not counted: supported practice comes"
            " after the SEND training (§1.2)."
        )
    pre_period = {c.id for c in before}
    case_by_id = {c.id: c for c in cases}
    active = [c for c in cases if c.trainee_role in ACTIVE_ROLES]

    drafts = [o for o in record.observations if o.state not in COUNTED_STATES]
    future_obs = [
        o for o in record.observations if o.state in COUNTED_STATES and o.observed_on > today
    ]
    counted_raw = [
        o for o in record.observations if o.state in COUNTED_STATES and o.observed_on <= today
        and o.case_id not in pre_period
    ]
    early = sum(1 for o in record.observations if o.case_id in pre_period)
    if early:
        notes.append(
            f"{plural(early, 'observation')} of cases before the practice period not counted."
        )
    if drafts:
        notes.append(f"{plural(len(drafts), 'draft observation')} not counted until finalised.")
    if future_obs:
        notes.append(f"{plural(len(future_obs), 'observation')} dated after today not counted.")
    draft_note = (
        f" ({plural(len(drafts), 'draft observation')} not counted.)" if drafts else ""
    )

    # Resolve each counted observation's form definition; one that cannot be found is
    # reported, not guessed at: re-mapping it onto another version would be silent.
    defs: dict[tuple[str, str], FormDefinition] = {}
    unknown: set[tuple[str, str]] = set()
    counted: list[tuple[Observation, FormDefinition]] = []
    for obs in counted_raw:
        key = (obs.form_id, obs.form_version)
        if key in unknown:
            continue
        if key not in defs:
            try:
                defs[key] = forms.get(*key)
            except (LookupError, UserError):
                unknown.add(key)
                continue
        counted.append((obs, defs[key]))
    for form_id, version in sorted(unknown):
        notes.append(f"Observations on unknown form {form_id} version {version} not counted.")
    counted = [(o, d) for o, d in counted if d.number in (1, 2, 3)]
    counted.sort(key=lambda od: (od[0].observed_on, od[1].number, od[0].ordinal, str(od[0].id)))

    amended_ids = {a.observation_id for a in record.amendments}
    refs: dict[uuid.UUID, ObservationRef] = {}
    for obs, d in counted:
        case = case_by_id.get(obs.case_id)
        observer = observers.get(obs.observer_id)
        refs[obs.id] = ObservationRef(
            observation_id=obs.id,
            form_id=obs.form_id,
            form_number=d.number,
            form_version=obs.form_version,
            observed_on=obs.observed_on,
            ordinal=obs.ordinal,
            state=obs.state,
            amended=obs.state is ObservationState.AMENDED or obs.id in amended_ids,
            case_id=obs.case_id,
            case_reference=case.reference if case else None,
            observer_id=obs.observer_id,
            observer_name=observer.name if observer else "unknown observer",
            observer_role=observer.role if observer else None,
        )

    # The versions in play per form: those used by counted observations, else the latest.
    # The Standards' own versions first, so their order and wording lead and a provider's
    # additions follow; then by version for a stable order.
    in_play: dict[int, list[FormDefinition]] = defaultdict(list)
    used = sorted({d.key: d for _, d in counted}.values(), key=_version_order)
    for d in used:
        in_play[d.number].append(d)
    # The edition's own version of each form is in play too (a revised edition can add a
    # criterion), unless the versions used are it or adaptations of it.
    for number, form_id in STANDARD_FORMS:
        used_here = in_play[number]
        if not used_here:
            in_play[number].append(_edition_form(forms, ed, form_id))
            continue
        own = _edition_version(forms, ed, form_id)
        if own is not None and not any(
            d.version == own.version or d.based_on == own.version for d in used_here
        ):
            in_play[number].append(own)

    criteria, groups = _criteria(in_play, counted, refs, current_marks(record.marks))

    results = [
        _foundation(record, today, discretions),
        _send_training(record, today, discretions),
        _casework(cases, active, discretions),
        _reflection(record, today, start, discretions),
        _observed_first(cases, active, discretions),
        _three_cases(active, discretions),
        _final_led(active, discretions),
        _final_observed(active, counted, observers, refs, discretions, draft_note),
        _debriefs(active, counted, discretions, draft_note),
        _criteria_requirement(criteria, discretions, draft_note),
        _signer(record, today, start, observers, counted, discretions, draft_note),
    ]

    case_summaries = tuple(
        CaseSummary(
            case_id=c.id,
            reference=c.reference,
            case_date=c.case_date,
            kind=c.kind.value,
            trainee_role=c.trainee_role,
            casework_hours=c.casework_hours,
            observations=tuple(refs[o.id] for o, _ in counted if o.case_id == c.id),
        )
        for c in cases
    )
    forms_used = tuple(
        (form_id, version, sum(1 for o, _ in counted if (o.form_id, o.form_version) == key))
        for key in sorted({(o.form_id, o.form_version) for o, _ in counted})
        for form_id, version in [key]
    )
    figures: dict[str, Figure] = {}
    for r in results:
        figures.update(r.figures)
    figures["observations_counted"] = len(counted)
    figures["draft_observations_not_counted"] = len(drafts)
    return ReadinessReport(
        mediator_id=record.mediator.id,
        mediator_name=record.mediator.name,
        as_of=today,
        requirements=tuple(results),
        criteria=criteria,
        criterion_groups=groups,
        cases=case_summaries,
        forms_used=forms_used,
        foundation_training=training_facts(
            t for t in record.training if t.kind is TrainingKind.FOUNDATION and t.end_date <= today
        ),
        send_training=training_facts(
            t for t in record.training if t.kind is TrainingKind.SEND and t.end_date <= today
        ),
        final_case_id=active[-1].id if active else None,
        eligible_signers=_eligible_signers(record, today, start, observers, counted),
        figures=figures,
        notes=tuple(notes),
        edition=ed,
        practice_start=start,
    )


def _edition_version(
    forms: FormLookup, edition: Edition, form_id: str
) -> FormDefinition | None:
    wanted = edition.forms.get(form_id)
    if wanted is None:
        return None
    try:
        return forms.get(form_id, wanted)
    except (LookupError, UserError):
        return None


def _edition_form(forms: FormLookup, edition: Edition, form_id: str) -> FormDefinition:
    """The edition's own version of a form; the registry's latest if it is not loaded.

    A provider's default adaptation (which keeps every core criterion of its base) still
    leads when it is based on the edition's version.
    """
    latest = forms.latest(form_id)
    wanted = edition.forms.get(form_id)
    if wanted is None or latest.version == wanted or latest.based_on == wanted:
        return latest
    try:
        return forms.get(form_id, wanted)
    except (LookupError, UserError):
        return latest


def _version_order(d: FormDefinition) -> tuple[bool, str, str]:
    return (d.provider is not None, d.version, d.form_id)


def _criteria(
    in_play: Mapping[int, list[FormDefinition]],
    counted: list[tuple[Observation, FormDefinition]],
    refs: Mapping[uuid.UUID, ObservationRef],
    marks: Mapping[tuple[uuid.UUID, str], Mark],
) -> tuple[tuple[CriterionProgress, ...], tuple[CriterionGroup, ...]]:
    items: dict[tuple[int, str], TickItem] = {}
    versions: dict[tuple[int, str], list[str]] = defaultdict(list)
    group_text: dict[tuple[int, str], str] = {}
    group_subs: dict[tuple[int, str], list[str]] = defaultdict(list)
    for number in sorted(in_play):
        for d in in_play[number]:
            for item in d.tick_items():
                key = (number, item.id)
                items.setdefault(key, item)
                versions[key].append(d.version)
                if item.parent_text is not None:
                    gkey = (number, item.criterion_id)
                    group_text.setdefault(gkey, item.parent_text)
                    if item.id not in group_subs[gkey]:
                        group_subs[gkey].append(item.id)

    seen: dict[tuple[int, str], dict[MarkState, list[Sighting]]] = defaultdict(
        lambda: defaultdict(list)
    )
    whole_groups: dict[tuple[int, str], list[ObservationRef]] = defaultdict(list)
    tick_cache: dict[tuple[str, str], tuple[TickItem, ...]] = {}
    for obs, d in counted:
        ticks = tick_cache.get(d.key)
        if ticks is None:
            ticks = tick_cache[d.key] = tuple(d.tick_items())
        ref = refs[obs.id]
        parents: dict[str, bool] = {}
        for item in ticks:
            mark = marks.get((obs.id, item.id))
            state = mark.state if mark else MarkState.NOT_YET_SEEN
            if item.parent_text is not None:
                parents[item.criterion_id] = parents.get(item.criterion_id, True) and (
                    state is MarkState.DEMONSTRATED
                )
            if mark is None or state is MarkState.NOT_YET_SEEN:
                continue
            seen[(d.number, item.id)][state].append(Sighting(ref, mark.note))
        for crit_id, whole in parents.items():
            if whole:
                whole_groups[(d.number, crit_id)].append(ref)

    progress: list[CriterionProgress] = []
    for key, item in items.items():
        by_state = seen.get(key, {})
        progress.append(
            CriterionProgress(
                id=item.id,
                form_number=key[0],
                section=item.section,
                text=item.text,
                criterion_id=item.criterion_id,
                parent_text=item.parent_text,
                core=item.core,
                versions=tuple(versions[key]),
                demonstrated_in=tuple(by_state.get(MarkState.DEMONSTRATED, ())),
                development_needed=tuple(by_state.get(MarkState.DEVELOPMENT_NEEDED, ())),
                not_applicable_in=tuple(by_state.get(MarkState.NOT_APPLICABLE, ())),
            )
        )
    demonstrated = {(p.form_number, p.id) for p in progress if p.demonstrated}
    groups = tuple(
        CriterionGroup(
            id=gkey[1],
            form_number=gkey[0],
            text=group_text[gkey],
            subitem_ids=tuple(subs),
            demonstrated=all((gkey[0], s) in demonstrated for s in subs),
            demonstrated_in=tuple(whole_groups.get(gkey, ())),
        )
        for gkey, subs in group_subs.items()
    )
    return tuple(progress), groups


def _more_hours(hours: Decimal) -> str:
    """2.5 → "2.5 more hours", 1 → "1 more hour"."""
    unit = "hour" if hours == 1 else "hours"
    return f"{fmt_hours(hours)} more {unit}"


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _hours_requirement(
    requirement_id: str,
    *,
    have: Decimal,
    need: Decimal,
    what: str,
    extra: str,
    needed_sentence: str,
    figure: str,
    discretions: Discretions,
) -> RequirementResult:
    met = have >= need
    detail = f"{fmt_hours(have)} of {fmt_hours(need)} hours of {what}.{extra}"
    return settle(
        requirement_id,
        met=met,
        detail=detail,
        still_needed=[needed_sentence.format(more=_more_hours(need - have))],
        figures={figure: have},
        discretions=discretions,
    )


def _foundation(record: PracticeRecord, today: date, discretions: Discretions) -> RequirementResult:
    foundation = [t for t in record.training if t.kind is TrainingKind.FOUNDATION]
    done = [t for t in foundation if t.end_date <= today]
    booked = [t for t in foundation if t.end_date > today]
    extra = f" {plural(len(booked), 'course')} ending after today not counted." if booked else ""
    return _hours_requirement(
        R.FOUNDATION_TRAINING,
        have=_sum(t.hours for t in done),
        need=discretions.edition.threshold(R.FOUNDATION_TRAINING),
        what="foundation training in mediation",
        extra=extra,
        needed_sentence="Log {more} of foundation training in mediation",
        figure="foundation_hours",
        discretions=discretions,
    )


def _send_training(
    record: PracticeRecord, today: date, discretions: Discretions
) -> RequirementResult:
    send = [t for t in record.training if t.kind is TrainingKind.SEND and t.end_date <= today]
    recognised = _sum(t.hours for t in send if t.recognising_body in RECOGNISED_SEND_BODIES)
    other = _sum(t.hours for t in send if t.recognising_body not in RECOGNISED_SEND_BODIES)
    extra = ""
    if other:
        extra = (
            f" {fmt_hours(other)} hours from providers not recognised by the CMC or the"
            " College of Mediators not counted."
        )
    result = _hours_requirement(
        R.SEND_TRAINING,
        have=recognised,
        need=discretions.edition.threshold(R.SEND_TRAINING),
        what="SEND-specific training by a CMC or College of Mediators recognised provider",
        extra=extra,
        needed_sentence=(
            "Log {more} of SEND-specific training by a provider recognised by the CMC"
            " or the College of Mediators"
        ),
        figure="send_training_hours",
        discretions=discretions,
    )
    return _with_figures(result, send_training_hours_not_recognised=other)


def _with_figures(result: RequirementResult, **more: Figure) -> RequirementResult:
    return replace(result, figures={**result.figures, **more})


def _casework(cases: list[Case], active: list[Case], discretions: Discretions) -> RequirementResult:
    observing = _sum(c.casework_hours for c in cases if c.trainee_role is TraineeRole.OBSERVING)
    extra = (
        f" {fmt_hours(observing)} hours observing not counted (only co-mediated or led cases"
        " count as casework)."
        if observing
        else ""
    )
    result = _hours_requirement(
        R.CASEWORK_HOURS,
        have=_sum(c.casework_hours for c in active),
        need=discretions.edition.threshold(R.CASEWORK_HOURS),
        what="casework in co-mediated or led cases",
        extra=extra,
        needed_sentence="Log {more} of casework",
        figure="casework_hours",
        discretions=discretions,
    )
    return _with_figures(result, observing_hours=observing)


def _in_period(day: date, start: date | None, today: date) -> bool:
    return start is not None and start <= day <= today


def _reflection(
    record: PracticeRecord, today: date, start: date | None, discretions: Discretions
) -> RequirementResult:
    early = _sum(r.hours for r in record.reflections
                 if r.reflected_on <= today and not _in_period(r.reflected_on, start, today))
    return _hours_requirement(
        R.REFLECTION_HOURS,
        have=_sum(r.hours for r in record.reflections
                  if _in_period(r.reflected_on, start, today)),
        need=discretions.edition.threshold(R.REFLECTION_HOURS),
        what="reflection on practice",
        extra=(f" {fmt_hours(early)} hours before the practice period not counted."
               if early else ""),
        needed_sentence="Log {more} of reflection on practice",
        figure="reflection_hours",
        discretions=discretions,
    )


def _case_label(case: Case) -> str:
    return f"{case.reference} ({case.case_date.isoformat()})"


def _observed_first(
    cases: list[Case], active: list[Case], discretions: Discretions
) -> RequirementResult:
    observed = [c for c in cases if c.trainee_role is TraineeRole.OBSERVING]
    if not observed:
        detail = "No observed case recorded."
        needed = "Observe a SEND case before co-working"
        met = False
    elif not active:
        detail = f"Observed {_case_label(observed[0])}; no active case yet."
        needed = ""
        met = True
    else:
        first_active = active[0]
        before = [c for c in observed if case_order_key(c) < case_order_key(first_active)]
        met = bool(before)
        if met:
            detail = (
                f"Observed {_case_label(before[0])} before the first active case"
                f" {_case_label(first_active)}."
            )
            needed = ""
        else:
            detail = (
                f"The first active case {_case_label(first_active)} came before any observed"
                f" case (first observed: {_case_label(observed[0])})."
            )
            needed = (
                "Observing a case should come before co-working: record a reasoned discretion"
                " for the order of cases"
            )
    return settle(
        R.OBSERVED_FIRST,
        met=met,
        detail=detail,
        still_needed=[needed] if needed else [],
        figures={"observed_cases": len(observed)},
        discretions=discretions,
    )


def _three_cases(active: list[Case], discretions: Discretions) -> RequirementResult:
    n = len(active)
    co = sum(1 for c in active if c.trainee_role is TraineeRole.CO_MEDIATING)
    led = n - co
    need = discretions.edition.count(R.THREE_ACTIVE_CASES)
    more = need - n
    return settle(
        R.THREE_ACTIVE_CASES,
        met=n >= need,
        detail=f"{plural(n, 'active case')} of {need} ({co} co-mediated, {led} led).",
        still_needed=[
            f"Take an active part (co-mediating or leading) in {plural(more, 'more case')}"
        ],
        figures={"active_cases": n, "co_mediated_cases": co, "led_cases": led},
        discretions=discretions,
    )


def _final_led(active: list[Case], discretions: Discretions) -> RequirementResult:
    if not active:
        return settle(
            R.FINAL_CASE_LED,
            met=False,
            detail="No active case yet.",
            still_needed=["Lead the final case"],
            discretions=discretions,
        )
    last = active[-1]
    met = last.trainee_role is TraineeRole.LEADING
    role = "led" if met else "co-mediated"
    return settle(
        R.FINAL_CASE_LED,
        met=met,
        detail=f"The last active case, {_case_label(last)}, was {role}.",
        still_needed=["Lead the final case"],
        figures={"final_case": last.reference},
        discretions=discretions,
    )


def _final_observed(
    active: list[Case],
    counted: list[tuple[Observation, FormDefinition]],
    observers: Mapping[uuid.UUID, Observer],
    refs: Mapping[uuid.UUID, ObservationRef],
    discretions: Discretions,
    draft_note: str,
) -> RequirementResult:
    needed = ["Have the final case observed by a PPC or an experienced SEND mediator"]
    if not active:
        return settle(
            R.FINAL_CASE_OBSERVED,
            met=False,
            detail="No active case yet." + draft_note,
            still_needed=needed,
            discretions=discretions,
        )
    last = active[-1]
    on_case = [o for o, _ in counted if o.case_id == last.id]
    good = sorted(
        {refs[o.id].observer_label for o in on_case if is_authorised_final_observer(
            observers.get(o.observer_id))}
    )
    if good:
        detail = f"The final case {_case_label(last)} was observed by {', '.join(good)}."
    elif on_case:
        others = ", ".join(sorted({refs[o.id].observer_label for o in on_case}))
        detail = (
            f"The final case {_case_label(last)} was observed only by {others}: none is an"
            " experienced SEND mediator or on the PPC register."
        )
    else:
        detail = f"The final case {_case_label(last)} has no counted observation."
    return settle(
        R.FINAL_CASE_OBSERVED,
        met=bool(good),
        detail=detail + draft_note,
        still_needed=needed,
        discretions=discretions,
    )


def _debriefs(
    active: list[Case],
    counted: list[tuple[Observation, FormDefinition]],
    discretions: Discretions,
    draft_note: str,
) -> RequirementResult:
    with_form3 = {o.case_id for o, d in counted if d.number == 3}
    missing = [c for c in active if c.id not in with_form3]
    n_ok = len(active) - len(missing)
    if not active:
        detail = "No active case yet."
    elif missing:
        detail = (
            f"Form 3 de-brief recorded for {n_ok} of {plural(len(active), 'active case')};"
            f" missing for {', '.join(_case_label(c) for c in missing)}."
        )
    else:
        detail = (
            "Form 3 de-brief recorded for the one active case."
            if len(active) == 1
            else f"Form 3 de-brief recorded for each of the {len(active)} active cases."
        )
    return settle(
        R.DEBRIEF_EACH_CASE,
        met=bool(active) and not missing,
        detail=detail + draft_note,
        still_needed=(
            [f"Record a Form 3 de-brief for case {_case_label(c)}" for c in missing]
            if active
            else ["Record a Form 3 de-brief after each active case"]
        ),
        figures={"cases_debriefed": n_ok},
        discretions=discretions,
    )


def _criteria_requirement(
    criteria: tuple[CriterionProgress, ...], discretions: Discretions, draft_note: str
) -> RequirementResult:
    missing = [c for c in criteria if not c.demonstrated]
    total = len(criteria)
    done = total - len(missing)
    detail = f"{done} of {total} criteria of Forms 1–3 demonstrated."
    if missing:
        dev = sum(1 for c in missing if c.status is CriterionStatus.DEVELOPMENT_NEEDED)
        detail += f" {len(missing)} not yet demonstrated"
        detail += f" ({dev} seen only as development needed)." if dev else "."
    return settle(
        R.CRITERIA_DEMONSTRATED,
        met=not missing,
        detail=detail + draft_note,
        still_needed=[f"Demonstrate: {c.label} (Form {c.form_number})" for c in missing],
        figures={"criteria_total": total, "criteria_demonstrated": done},
        discretions=discretions,
    )


def _signer_facts(
    record: PracticeRecord,
    today: date,
    start: date | None,
    observers: Mapping[uuid.UUID, Observer],
    counted: list[tuple[Observation, FormDefinition]],
) -> tuple[set[uuid.UUID], set[uuid.UUID], set[uuid.UUID], list[Observer]]:
    """Who observed the trainee, mentored them, supported their reflection, and who is
    experienced (Appendix A)."""
    observed_by = {o.observer_id for o, _ in counted}
    mentors = {
        c.observer_id
        for c in record.contacts
        if c.kind is ContactKind.MENTORING and c.observer_id is not None and c.met_on <= today
    }
    reflected_with = {
        r.with_whom.strip().casefold()
        for r in record.reflections
        if _in_period(r.reflected_on, start, today)
    }
    supported = {o.id for o in observers.values()
                 if o.name.strip().casefold() in reflected_with}
    experienced = sorted(
        (o for o in observers.values() if o.experienced_send), key=lambda o: (o.name, str(o.id))
    )
    return observed_by, mentors, supported, experienced


def _eligible_signers(
    record: PracticeRecord,
    today: date,
    start: date | None,
    observers: Mapping[uuid.UUID, Observer],
    counted: list[tuple[Observation, FormDefinition]],
) -> tuple[Observer, ...]:
    observed_by, mentors, supported, experienced = _signer_facts(
        record, today, start, observers, counted)
    return tuple(o for o in experienced
                 if o.id in observed_by and o.id in mentors and o.id in supported)


_FIND_SIGNER = (
    "Find a Form 4 signer: an experienced SEND mediator who observes you at least once,"
    " mentors you and supports your reflection"
)


def _signer(
    record: PracticeRecord,
    today: date,
    start: date | None,
    observers: Mapping[uuid.UUID, Observer],
    counted: list[tuple[Observation, FormDefinition]],
    discretions: Discretions,
    draft_note: str,
) -> RequirementResult:
    observed_by, mentors, supported, experienced = _signer_facts(
        record, today, start, observers, counted)
    eligible = [o for o in experienced
                if o.id in observed_by and o.id in mentors and o.id in supported]
    if eligible:
        names = ", ".join(f"{o.name} ({role_label(o.role)})" for o in eligible)
        return settle(
            R.FORM4_SIGNER,
            met=True,
            detail=f"Eligible to sign Form 4: {names}.",
            figures={"eligible_signers": len(eligible)},
            discretions=discretions,
        )
    if not experienced:
        detail = "No experienced SEND mediator is recorded among the observers."
        needed = _FIND_SIGNER
    else:
        gaps = []
        best: tuple[int, Observer, list[str]] | None = None
        for o in experienced:
            why = []
            todo = []
            if o.id not in observed_by:
                why.append("has not observed the trainee")
                todo.append(f"be observed at least once by {o.name}")
            if o.id not in mentors:
                why.append("has no mentoring of the trainee recorded")
                todo.append(f"record mentoring with {o.name}")
            if o.id not in supported:
                why.append("is not recorded as supporting a reflection in the practice period")
                todo.append(f"record a reflection with {o.name}")
            gaps.append(f"{o.name} {' and '.join(why)}")
            if best is None or len(todo) < best[0]:
                best = (len(todo), o, todo)
        detail = "No eligible Form 4 signer: " + "; ".join(gaps) + "."
        assert best is not None
        _, who, todo = best
        observed, mentored = who.id in observed_by, who.id in mentors
        if len(todo) == 3:
            needed = _FIND_SIGNER
        elif len(todo) == 1 and not observed:
            needed = (f"Be observed at least once by your mentor {who.name}, so that they can"
                      " sign Form 4")
        elif len(todo) == 1 and not mentored:
            needed = (f"Record mentoring with {who.name}, who has observed you, so that they"
                      " can sign Form 4")
        elif len(todo) == 1:
            needed = (f"Record a reflection on your practice supported by {who.name}, who has"
                      " observed and mentored you, so that they can sign Form 4")
        else:
            steps = "; ".join(todo)
            needed = (steps[:1].upper() + steps[1:]
                      + f", so that {who.name} can sign Form 4")
    return settle(
        R.FORM4_SIGNER,
        met=False,
        detail=detail + draft_note,
        still_needed=[needed],
        figures={"eligible_signers": 0},
        discretions=discretions,
    )


def signer_refusal(report: ReadinessReport, signer: Observer) -> str | None:
    """Why ``signer`` may not sign Form 4 for this report (Appendix A), or None.

    There is no discretion over the signer: only someone the assessment lists as eligible.
    """
    if any(o.id == signer.id for o in report.eligible_signers):
        return None
    names = ", ".join(o.name for o in report.eligible_signers) or "nobody yet"
    return (f"{signer.name} cannot sign Form 4 for {report.mediator_name}: the signer "
            "must be an experienced SEND mediator who observed them at least once, mentored "
            f"them and supported their reflection (Appendix A; eligible: {names})")


def form4_refusal(report: ReadinessReport, signer: Observer | None = None) -> str | None:
    """Why Form 4 may not be issued now, or None: the print gate is this assessment."""
    return certificate_refusal(
        "Form 4", report, lambda: signer_refusal(report, signer) if signer else None)


def portfolio_refusal(report: ReadinessReport, verifier: Observer) -> str | None:
    """Why a sole provider's portfolio may not be printed for submission, or None.

    §1.3: "a written portfolio … to be externally examined … with the verification of
    their PPC"; §1.4.2 i: "Individual applications are verified by a PPC". It is a
    submission for accreditation, so the practice requirements must be met too (see the
    edition's decision ``portfolio_gate``).
    """
    problems: list[str] = []
    if not is_ppc(verifier):
        problems.append(
            f"{verifier.name} is not a PPC: a sole provider's portfolio is verified by their"
            " PPC (§1.3, §1.4.2 i)"
        )
    if not report.ready:
        problems.append("still needed: " + "; ".join(report.still_needed))
    if not problems:
        return None
    return f"The portfolio of {report.mediator_name} cannot be printed: " + "; ".join(
        problems) + "."


# --- Plain text -------------------------------------------------------------------------


def _edition_lines(edition: Edition | None, start: date | None) -> list[str]:
    if edition is None:
        return []
    period = (f"; practice period from {start.isoformat()}" if start
              else "; the practice period has not begun (no completed SEND training)")
    return [f"Judged under the {edition.label} [{edition.id}]{period}"]

_STATUS_MARK = {
    CriterionStatus.DEMONSTRATED: "[x]",
    CriterionStatus.DEVELOPMENT_NEEDED: "[~]",
    CriterionStatus.NOT_APPLICABLE: "[-]",
    CriterionStatus.NOT_SEEN: "[ ]",
}


def render_readiness_text(report: ReadinessReport) -> str:
    """The report as the CLI prints it: requirements, criteria by form, then what is needed."""
    verdict = "READY for Form 4" if report.ready else "NOT READY for Form 4"
    lines = [
        f"Readiness of {report.mediator_name} as of {report.as_of.isoformat()}: {verdict}",
        *_edition_lines(report.edition, report.practice_start),
        "",
        "Requirements",
        *render_requirements(report.requirements),
        "",
        "Criteria  ([x] demonstrated  [~] development needed  [-] not applicable  [ ] not seen)",
    ]
    form = 0
    for c in report.criteria:
        if c.form_number != form:
            form = c.form_number
            lines.append(f"  Form {form}")
        seen = ", ".join(
            f"{s.observation.observed_on.isoformat()} {s.observation.observer_name}"
            for s in c.demonstrated_in
        )
        lines.append(f"    {_STATUS_MARK[c.status]} {c.label}" + (f" — {seen}" if seen else ""))
        for s in c.development_needed:
            if s.note:
                lines.append(
                    f"        development needed ({s.observation.observed_on.isoformat()},"
                    f" {s.observation.observer_name}): {s.note}"
                )
    needed = report.still_needed
    lines += ["", "Still needed" if needed else "Nothing more is needed."]
    lines += [f"  - {s}" for s in needed]
    if report.notes:
        lines += ["", "Notes", *(f"  {n}" for n in report.notes)]
    return "\n".join(lines) + "\n"

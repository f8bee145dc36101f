"""Small, hand-built forms and practice records for the rules tests.

The real Forms 1–3 live in YAML and are tested on their own; the rules are tested on
little forms built here so that each test can say exactly which item it is about.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sendobserve.forms.definition import (
    Criterion,
    FormDefinition,
    HeaderFields,
    Section,
    SectionKind,
    SubItem,
)
from sendobserve.model.domain import (
    Amendment,
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    Discretion,
    Mark,
    MarkChange,
    MarkState,
    Mediator,
    Observation,
    ObservationState,
    Observer,
    ObserverRole,
    PracticeRecord,
    RecognisingBody,
    Reflection,
    TraineeRole,
    Training,
    TrainingKind,
)

TODAY = date(2026, 6, 1)
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
H = Decimal

PM = SectionKind.PROCESS_MANAGEMENT
SK = SectionKind.SKILLS_AND_KNOWLEDGE
DS = SectionKind.DEBRIEF_AND_SUPERVISION


def crit(cid: str, text: str, *subs: tuple[str, str], core: bool = True) -> Criterion:
    return Criterion(cid, text, core, tuple(SubItem(i, t) for i, t in subs))


def form(
    number: int,
    sections: Iterable[tuple[SectionKind, Iterable[Criterion]]],
    *,
    version: str = "v1",
    form_id: str | None = None,
    provider: str | None = None,
) -> FormDefinition:
    label = "Case" if number == 1 else "Observation"
    return FormDefinition(
        form_id=form_id or f"form{number}",
        number=number,
        title=f"Form {number}",
        version=version,
        provider=provider,
        based_on=None,
        header=HeaderFields("Mediator", "Co-mediator / PPC / Manager / Mentor", "Date", label),
        sections=tuple(Section(k, k.value, tuple(cs)) for k, cs in sections),
    )


FORM1 = form(
    1,
    [
        (
            PM,
            [
                crit("f1.contact", "Make initial contact with parties"),
                crit(
                    "f1.determine",
                    "Determine:",
                    ("f1.determine.info", "information required from whom"),
                    ("f1.determine.attend", "who should attend the meeting"),
                ),
            ],
        ),
        (SK, [crit("f1.rapport", "Build trust and rapport")]),
    ],
)
FORM2 = form(
    2,
    [
        (PM, [crit("f2.arena", "Establish arena (incl. ground rules)")]),
        (
            SK,
            [
                crit("f2.reality", "Reality test proposals"),
                crit(
                    "f2.safe",
                    "Create a safe environment:",
                    ("f2.safe.welcome", "Positive welcome"),
                    ("f2.safe.confidence", "Show confidence"),
                ),
            ],
        ),
    ],
)
FORM3 = form(
    3,
    [
        (PM, [crit("f3.close", "Close file")]),
        (DS, [Criterion("f3.strengths", "Key Strengths", True, (), notes_prompt=True)]),
    ],
)
# A provider's version of Form 2 that adds a criterion.
FORM2_V2 = replace(
    FORM2,
    version="v2",
    provider="Acme Mediation",
    based_on="v1",
    sections=(
        *FORM2.sections,
        Section(SK, "Skills and Knowledge", (crit("f2.acme_local", "Explain local offer"),)),
    ),
)


class Forms:
    """A FormLookup over definitions given in order, the last of each form being the latest."""

    def __init__(self, *defs: FormDefinition) -> None:
        self.defs = {(d.form_id, d.version): d for d in defs}
        self.latest_ = {d.form_id: d for d in defs}

    def get(self, form_id: str, version: str) -> FormDefinition:
        return self.defs[(form_id, version)]

    def latest(self, form_id: str) -> FormDefinition:
        return self.latest_[form_id]


STANDARD = Forms(FORM1, FORM2, FORM3)


def uid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


@dataclass
class Builder:
    """A mutable practice record under construction; ``build()`` freezes it."""

    mediator: Mediator = field(default_factory=lambda: Mediator(uid(1), "Zoë Ó Briain"))
    observers: list[Observer] = field(default_factory=list)
    cases: dict[str, Case] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    training: list[Training] = field(default_factory=list)
    reflections: list[Reflection] = field(default_factory=list)
    cpd: list[Cpd] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    discretions: list[Discretion] = field(default_factory=list)
    next_id: int = 100

    def _id(self) -> uuid.UUID:
        self.next_id += 1
        return uid(self.next_id)

    def observer(
        self,
        name: str,
        role: ObserverRole = ObserverRole.CO_MEDIATOR,
        *,
        experienced: bool = False,
        ppc_entry: str | None = None,
    ) -> Observer:
        o = Observer(self._id(), name, role, experienced, ppc_entry)
        self.observers.append(o)
        return o

    def case(
        self,
        ref: str,
        on: date,
        role: TraineeRole,
        hours: str = "4",
        kind: CaseKind = CaseKind.MEDIATION,
    ) -> Case:
        c = Case(self._id(), self.mediator.id, ref, on, kind, role, H(hours))
        self.cases[ref] = c
        return c

    def set_case(self, ref: str, **changes: object) -> None:
        self.cases[ref] = replace(self.cases[ref], **changes)

    def observe(
        self,
        ref: str,
        observer: Observer,
        definition: FormDefinition,
        *,
        demonstrated: Iterable[str] | None = None,
        marks: dict[str, MarkState] | None = None,
        state: ObservationState = ObservationState.FINALISED,
        on: date | None = None,
        ordinal: int = 1,
        note: str = "",
    ) -> Observation:
        """Observe case ``ref``; by default every tick item is demonstrated."""
        case = self.cases[ref]
        obs = Observation(
            self._id(),
            case.id,
            self.mediator.id,
            observer.id,
            definition.form_id,
            definition.version,
            ordinal,
            on or case.case_date,
            state,
        )
        self.observations.append(obs)
        items = [t.id for t in definition.tick_items()] if demonstrated is None else demonstrated
        states = {i: MarkState.DEMONSTRATED for i in items} | dict(marks or {})
        for i, s in states.items():
            self.marks.append(Mark(obs.id, i, s, note, T0))
        return obs

    def course(
        self,
        kind: TrainingKind,
        hours: str,
        body: RecognisingBody = RecognisingBody.CMC,
        end: date = date(2025, 11, 1),
    ) -> None:
        self.training.append(
            Training(self._id(), self.mediator.id, kind, "Course", "Provider Ltd", body, end, end,
                     H(hours))
        )

    def reflect(self, hours: str, on: date = date(2026, 4, 1), with_whom: str = "Ama Nwosu"
                ) -> None:
        # Appendix A: the Form 4 signer "supported them to reflect on their practice", so
        # the baseline's reflection is with its signer, Ama Nwosu.
        self.reflections.append(
            Reflection(self._id(), self.mediator.id, on, H(hours), with_whom, "…"))

    def contact(
        self, observer: Observer | None, kind: ContactKind = ContactKind.MENTORING,
        on: date = date(2026, 3, 1),
    ) -> None:
        self.contacts.append(
            Contact(self._id(), self.mediator.id, kind, on,
                    observer.name if observer else "someone", observer.id if observer else None)
        )

    def log_cpd(self, hours: str, on: date, kind: CpdKind = CpdKind.TRAINING) -> None:
        self.cpd.append(Cpd(self._id(), self.mediator.id, on, H(hours), kind, "CPD"))

    def discretion(
        self, requirement_id: str, by: str = "Ama Nwosu", reason: str = "Complex case counted",
        on: date = date(2026, 5, 1), *, provider: str = "Jo Rees", mediator: bool = True,
    ) -> None:
        """By default agreed by all three parties §1.3 names: "at the discretion of the
        assessor, the provider and the mediator"."""
        self.discretions.append(
            Discretion(self._id(), self.mediator.id, requirement_id, by, ObserverRole.PPC, reason,
                       on, provider, mediator)
        )

    def amend(self, obs: Observation, changes: dict[str, tuple[MarkState, MarkState]]) -> None:
        """Amend ``obs``: the marks become the new states; the old ones go into history."""
        idx = self.observations.index(obs)
        self.observations[idx] = replace(obs, state=ObservationState.AMENDED)
        later = T0 + timedelta(days=1)
        for cid, (_old, new) in changes.items():
            self.marks = [
                m for m in self.marks if not (m.observation_id == obs.id and m.criterion_id == cid)
            ]
            self.marks.append(Mark(obs.id, cid, new, "amended", later))
        self.amendments.append(
            Amendment(
                self._id(), obs.id, "Mis-ticked", "Ama Nwosu", later,
                tuple(MarkChange(c, old, new) for c, (old, new) in changes.items()),
            )
        )

    def build(self) -> PracticeRecord:
        return PracticeRecord(
            mediator=self.mediator,
            observers=tuple(self.observers),
            cases=tuple(self.cases.values()),
            observations=tuple(self.observations),
            marks=tuple(self.marks),
            amendments=tuple(self.amendments),
            training=tuple(self.training),
            reflections=tuple(self.reflections),
            cpd=tuple(self.cpd),
            contacts=tuple(self.contacts),
            discretions=tuple(self.discretions),
        )


@dataclass
class Ready:
    b: Builder
    ppc: Observer  # experienced SEND mediator on the PPC register, mentor: signs Form 4
    co: Observer  # a co-mediator, not experienced


def ready_builder(*, observe_all: bool = True) -> Ready:
    """A trainee who meets every requirement (4.1 + 4.1 + 3.8 = 12 h of casework)."""
    b = Builder()
    ppc = b.observer("Ama Nwosu", ObserverRole.PPC, experienced=True, ppc_entry="COM-PPC-0042")
    co = b.observer("Seán O'Brien", ObserverRole.CO_MEDIATOR)
    b.course(TrainingKind.FOUNDATION, "40", RecognisingBody.OCN, date(2024, 5, 1))
    b.course(TrainingKind.SEND, "12", RecognisingBody.CMC, date(2025, 11, 1))
    b.case("OBS-1", date(2026, 1, 10), TraineeRole.OBSERVING, "3")
    b.case("C-1", date(2026, 2, 1), TraineeRole.CO_MEDIATING, "4.1")
    b.case("C-2", date(2026, 3, 1), TraineeRole.CO_MEDIATING, "4.1")
    b.case("C-3", date(2026, 4, 1), TraineeRole.LEADING, "3.8")
    if observe_all:
        for n, (ref, who) in enumerate([("C-1", co), ("C-2", co), ("C-3", ppc)], start=1):
            for d in (FORM1, FORM2, FORM3):
                b.observe(ref, who, d, ordinal=n)
    b.reflect("1.5")
    b.reflect("0.5")
    b.contact(ppc)
    return Ready(b, ppc, co)

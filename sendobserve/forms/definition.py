"""What a form *is*: sections, criteria and sub-items, as frozen data.

Loaded from the versioned YAML files in ``resources/forms/`` (or a provider's own
file) by ``sendobserve.forms.loader``. Ticking rule, decided once: a criterion with
sub-items is not ticked itself; each sub-item is ticked, and the parent counts as
demonstrated in an observation when every one of its sub-items is. The parent stays
visible as a heading over its sub-items.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum


class SectionKind(StrEnum):
    PROCESS_MANAGEMENT = "process_management"
    SKILLS_AND_KNOWLEDGE = "skills_and_knowledge"
    DEBRIEF_AND_SUPERVISION = "debrief_and_supervision"


SECTION_TITLES: dict[SectionKind, str] = {
    SectionKind.PROCESS_MANAGEMENT: "Process Management",
    SectionKind.SKILLS_AND_KNOWLEDGE: "Skills and Knowledge",
    SectionKind.DEBRIEF_AND_SUPERVISION: "De-brief and Supervision",
}


@dataclass(frozen=True, slots=True)
class SubItem:
    id: str  # stable across versions, e.g. "f2.sk.safe_environment.welcome"
    text: str


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str  # stable across versions, e.g. "f2.sk.reality_test"
    text: str
    core: bool  # a key skill / contextual knowledge component: adapted forms must keep it
    subitems: tuple[SubItem, ...] = ()
    notes_prompt: bool = False  # Form 3 de-brief topics: tickable *and* a prompt for notes


@dataclass(frozen=True, slots=True)
class Section:
    kind: SectionKind
    title: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class HeaderFields:
    """The form's header as the source prints it."""

    mediator_label: str  # "Mediator"
    observer_label: str  # "Co-mediator / PPC / Manager / Mentor"
    date_label: str  # "Date"
    ordinal_label: str  # "Case" on Form 1, "Observation" on Forms 2–3


@dataclass(frozen=True, slots=True)
class TickItem:
    """One thing that gets a mark: a criterion without sub-items, or a sub-item."""

    id: str
    text: str
    section: SectionKind
    criterion_id: str  # the parent criterion (== id when there are no sub-items)
    parent_text: str | None  # the parent's text when this is a sub-item
    core: bool
    notes_prompt: bool


@dataclass(frozen=True, slots=True)
class FormDefinition:
    form_id: str  # "form1" | "form2" | "form3"
    number: int  # 1, 2, 3
    title: str  # "Pre-mediation"
    version: str  # e.g. "standards-2018"; a provider's adaptation names its own
    provider: str | None  # None for the Standards' own forms
    based_on: str | None  # the version an adaptation derives from
    header: HeaderFields
    sections: tuple[Section, ...]
    source_note: str = ""  # transcription notes, typo fixes

    @property
    def key(self) -> tuple[str, str]:
        return (self.form_id, self.version)

    def criteria(self) -> Iterator[Criterion]:
        for section in self.sections:
            yield from section.criteria

    def tick_items(self) -> Iterator[TickItem]:
        for section in self.sections:
            for crit in section.criteria:
                if crit.subitems:
                    for sub in crit.subitems:
                        yield TickItem(
                            id=sub.id,
                            text=sub.text,
                            section=section.kind,
                            criterion_id=crit.id,
                            parent_text=crit.text,
                            core=crit.core,
                            notes_prompt=crit.notes_prompt,
                        )
                else:
                    yield TickItem(
                        id=crit.id,
                        text=crit.text,
                        section=section.kind,
                        criterion_id=crit.id,
                        parent_text=None,
                        core=crit.core,
                        notes_prompt=crit.notes_prompt,
                    )

    def criterion(self, criterion_id: str) -> Criterion:
        for crit in self.criteria():
            if crit.id == criterion_id:
                return crit
        raise KeyError(criterion_id)

"""What a write changed, so open screens refresh only what they show.

Every service write returns a ``Changes``; the window emits it on one signal and each
screen looks at the flags it cares about. A change set is a fact about the store, not an
instruction: combining two with ``|`` gives one that covers both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Changes:
    """Kinds of record a write touched, and which mediators' evidence it touched.

    ``mediators`` is empty when the kind flags say enough (a form installed, a setting);
    when a write touches a trainee's evidence it names them, so a page showing another
    trainee stays put. ``everything`` is for imports and syncs that touched too much to
    list (a screen then refreshes whatever it shows).
    """

    people: bool = False          # mediators, observers, their details
    cases: bool = False
    observations: bool = False    # started, finalised, amended, deleted drafts
    marks: bool = False           # ticks and notes inside an observation
    record: bool = False          # training, reflections, CPD, contacts, discretions
    certificates: bool = False    # Form 4 / Form 5 issued, register facts
    forms: bool = False
    settings: bool = False        # provider name and other store-wide settings
    trust: bool = False           # known signers, revocations, conflicts decided
    everything: bool = False
    mediators: frozenset[uuid.UUID] = frozenset()

    def __or__(self, other: Changes) -> Changes:
        values = {
            f.name: getattr(self, f.name) or getattr(other, f.name)
            for f in fields(self) if f.name != "mediators"
        }
        return Changes(**values, mediators=self.mediators | other.mediators)

    def touches(self, mediator_id: uuid.UUID | None) -> bool:
        """Whether a screen showing this mediator (or none) may now be out of date."""
        if self.everything:
            return True
        if mediator_id is None:
            return True
        return not self.mediators or mediator_id in self.mediators

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "mediators")


NOTHING = Changes()
EVERYTHING = Changes(everything=True)


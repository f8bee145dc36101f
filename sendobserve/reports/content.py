"""What each report prints, as plain frozen data.

The reports never read the store or run the rules: the app (or the CLI) fills these
objects from the domain and the readiness report, and the report modules turn them
into PDF bytes. That keeps every document testable with hand-made input, and keeps
decisions (is Form 4 allowed? which serial?) out of the layout code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from sendobserve.model.domain import MarkState

# Minimums from the Standards (§1.1, §1.2), printed next to the recorded figures.
FOUNDATION_MIN_HOURS = Decimal("40")
SEND_TRAINING_MIN_HOURS = Decimal("12")
CASEWORK_MIN_HOURS = Decimal("12")
REFLECTION_MIN_HOURS = Decimal("2")

CRITERIA_STATEMENT = (
    "The skills and knowledge criteria of Forms 1, 2 and 3 (pre-mediation, mediation and "
    "post-mediation) have been demonstrated over the period of supported practice, as "
    "recorded in the observations listed above."
)


@dataclass(frozen=True, slots=True)
class TrainingLine:
    title: str
    provider: str
    start_date: date
    end_date: date
    hours: Decimal
    recognised_by: str = ""  # "College of Mediators", "Civil Mediation Council", …


@dataclass(frozen=True, slots=True)
class EvidenceLine:
    """An evidence file listed in the portfolio (§1.1): named, not embedded."""

    name: str
    kind: str  # "Training certificate"
    attached_to: str  # "Training: Foundation course (3 Mar 2025)"
    file_type: str  # "PDF", "JPEG image"
    size: str  # "1.2 MB"
    sha256: str


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case of the practice period; ``reference`` is never a child's name."""

    reference: str
    case_date: date
    role: str  # the trainee's part, in words (``model.vocabulary.TRAINEE_ROLE_LABELS``)
    observed_by: tuple[str, ...]  # "Name (PPC)"
    casework_hours: Decimal = Decimal("0")
    kind: str = "Mediation"
    local_authority: str = ""  # the area the case arose in, when recorded


@dataclass(frozen=True, slots=True)
class ReflectionLine:
    reflected_on: date
    hours: Decimal
    with_whom: str
    summary: str = ""


@dataclass(frozen=True, slots=True)
class DiscretionLine:
    """A recorded, reasoned discretion (§1.3); the certificate states each one."""

    requirement: str  # human wording, e.g. "Final case led by the mediator"
    decided_by: str
    role: str
    reason: str
    decided_on: date
    paragraph: str = "§1.3"  # where the edition allows it
    parties: str = ""  # "A. Nwosu (PPC), assessor; J. Rees for the provider; the mediator"


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    name: str
    role: str  # printed under the line: "PPC", "Mediator", …
    drawing_png: bytes | None = None  # the drawn signature; a blank line when absent
    signed_on: date | None = None


class IssuedFacts(Protocol):
    """What a pack states about an issued Form 4 or 5 (the store's issued certificate
    satisfies it; reports read it, never the store)."""

    @property
    def form_number(self) -> int: ...
    @property
    def serial(self) -> str: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def signer_name(self) -> str: ...
    @property
    def verification_code(self) -> str: ...
    @property
    def issuer(self) -> str: ...  # the issuing installation's fingerprint ('' not known)


@dataclass(frozen=True, slots=True)
class CertificateIdentity:
    """Serial and verification code: assigned once per certificate, kept on re-print."""

    serial: str
    verification_code: str


@dataclass(frozen=True, slots=True)
class Form4Content:
    mediator_name: str
    signer: SignatureBlock  # PPC / Manager / Mentor who signs
    mediator: SignatureBlock
    issued_on: date
    identity: CertificateIdentity
    foundation: tuple[TrainingLine, ...]
    send_training: tuple[TrainingLine, ...]
    casework_hours: Decimal
    reflection_hours: Decimal
    cases: tuple[CaseLine, ...]
    final_case: CaseLine | None  # the case the mediator led, if any
    discretions: tuple[DiscretionLine, ...] = ()
    criteria_statement: str = CRITERIA_STATEMENT
    organisation: str = ""  # the Mediation Provider Organisation, printed small
    active_cases: int | None = None  # co-mediated or led; None: count non-observing cases
    edition: str = ""  # the edition of the Standards it was judged under


@dataclass(frozen=True, slots=True)
class Form5Content:
    mediator_name: str
    signer: SignatureBlock
    mediator: SignatureBlock
    issued_on: date
    identity: CertificateIdentity
    practice_since: date  # "working as an SEND Mediator to a high standard since"
    lead_since: date  # "worked as lead SEND mediator since"
    foundation: tuple[TrainingLine, ...]
    send_training: tuple[TrainingLine, ...] = ()  # "if applicable"
    cpd_note: str = ""  # e.g. "22 hours of CPD recorded in 2025–26"
    organisation: str = ""
    edition: str = ""  # the edition of the Standards it was judged under
    route_note: str = ""  # §1.6 (A) the provider's confirmation, or (B)
    discretions: tuple[DiscretionLine, ...] = ()  # §1.6 (B)


@dataclass(frozen=True, slots=True)
class MarkRow:
    """One line of a filled form: a criterion, a parent heading, or a sub-item."""

    text: str
    mark: MarkState | None  # None for a parent heading (its sub-items carry the marks)
    note: str = ""
    level: int = 0  # 0 criterion or parent, 1 sub-item


@dataclass(frozen=True, slots=True)
class SectionContent:
    title: str
    rows: tuple[MarkRow, ...]


@dataclass(frozen=True, slots=True)
class DebriefLine:
    topic: str
    text: str


@dataclass(frozen=True, slots=True)
class AmendmentLine:
    amended_on: date
    amended_by: str
    reason: str
    changes: tuple[str, ...]  # "Challenge appropriately: Not yet seen → Demonstrated"


@dataclass(frozen=True, slots=True)
class ObservationContent:
    form_number: int
    form_title: str  # "Pre-mediation"
    form_version: str
    mediator_name: str
    observer_name: str
    observer_role: str
    observed_on: date
    ordinal: int  # 1st / 2nd / 3rd …
    ordinal_label: str  # "Case" on Form 1, "Observation" on Forms 2–3
    case_reference: str
    state: str  # "Draft" | "Finalised" | "Amended"
    sections: tuple[SectionContent, ...]
    debrief: tuple[DebriefLine, ...] = ()
    signature: SignatureBlock | None = None
    amendments: tuple[AmendmentLine, ...] = ()
    observer_label: str = "Co-mediator / PPC / Manager / Mentor"


@dataclass(frozen=True, slots=True)
class MatrixColumn:
    label: str  # "1st", "2nd" …
    observed_on: date
    observer: str
    case_reference: str = ""


@dataclass(frozen=True, slots=True)
class MatrixRow:
    text: str
    cells: tuple[MarkState | None, ...]  # one per column; None: no mark recorded
    demonstrated: bool  # over the whole period
    level: int = 0
    heading: bool = False  # a parent shown above its sub-items; cells are empty


@dataclass(frozen=True, slots=True)
class MatrixGroup:
    """One form's criteria against the observations made on it."""

    title: str  # "Form 2 — Mediation"
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True, slots=True)
class RequirementLine:
    label: str  # "SEND training"
    required: str  # "12 h"
    recorded: str  # "14.5 h"
    status: str  # "Met" | "Not met" | "Met by discretion"
    met: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ReadinessContent:
    mediator_name: str
    as_of: date
    ready: bool
    requirements: tuple[RequirementLine, ...]
    groups: tuple[MatrixGroup, ...]
    still_needed: tuple[str, ...]
    discretions: tuple[DiscretionLine, ...] = ()


@dataclass(frozen=True, slots=True)
class DeclarationContent:
    title: str
    text: str
    signature: SignatureBlock


@dataclass(frozen=True, slots=True)
class PortfolioContent:
    """The written portfolio a sole provider submits to the assessor panel (§1.3)."""

    mediator_name: str
    prepared_on: date
    verified_by: str  # the PPC who verifies it, "Name (PPC)"
    training: tuple[TrainingLine, ...]
    cases: tuple[CaseLine, ...]
    reflections: tuple[ReflectionLine, ...]
    observations: tuple[ObservationContent, ...]
    readiness: ReadinessContent
    discretions: tuple[DiscretionLine, ...] = ()
    declarations: tuple[DeclarationContent, ...] = field(default_factory=tuple)
    organisation: str = ""
    evidence: tuple[EvidenceLine, ...] = ()  # listed after the declarations

"""The domain: plain, frozen records that every layer passes around.

Storage maps these to ORM rows (``…Record`` classes in ``sendobserve.storage``) and
hands them out; the readiness engine, the reports and the exchange format read
them; the UI shows them. Nothing here touches a database, a file or Qt.

Hours are ``Decimal`` so that 4.1 + 4.1 + 3.8 is exactly 12.0 (in floats it is
11.999999999999998, which would fail a trainee who met the requirement).
Timestamps are timezone-aware UTC; calendar dates are ``date``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum


def new_id() -> uuid.UUID:
    """Application-generated primary keys: stable across machines for exchange."""
    return uuid.uuid4()


def utcnow() -> datetime:
    return datetime.now(UTC)


class ProfessionalBody(StrEnum):
    CMC = "cmc"  # Civil Mediation Council
    COM = "com"  # College of Mediators
    NONE = "none"


class ObserverRole(StrEnum):
    """Who may complete Forms 1–3 (Appendix A), plus the mentor."""

    CO_MEDIATOR = "co_mediator"
    PPC = "ppc"
    REGIONAL_MANAGER = "regional_manager"
    SERVICE_DIRECTOR = "service_director"
    MENTOR = "mentor"


class CaseKind(StrEnum):
    MEDIATION = "mediation"
    DISAGREEMENT_RESOLUTION = "disagreement_resolution"


class TraineeRole(StrEnum):
    """The trainee's part in a case: observe first, then co-work, then lead (§1.2)."""

    OBSERVING = "observing"
    CO_MEDIATING = "co_mediating"
    LEADING = "leading"


class ObservationState(StrEnum):
    DRAFT = "draft"
    FINALISED = "finalised"
    AMENDED = "amended"  # finalised, then corrected with a recorded reason


class MarkState(StrEnum):
    DEMONSTRATED = "demonstrated"
    DEVELOPMENT_NEEDED = "development_needed"
    NOT_APPLICABLE = "not_applicable"
    NOT_YET_SEEN = "not_yet_seen"


class TrainingKind(StrEnum):
    FOUNDATION = "foundation"  # ≥ 40 h (§1.1)
    SEND = "send"  # SEND-specific, ≥ 12 h by a recognised provider (§1.1)
    OTHER = "other"


class RecognisingBody(StrEnum):
    CMC = "cmc"
    COM = "com"
    OCN = "ocn"  # Open College Network
    ILM = "ilm"  # Institute of Leadership and Management
    OTHER = "other"
    NONE = "none"


class CpdKind(StrEnum):
    """CPD activities named in §1.4.3 and §1.5."""

    ROLE_PLAY = "role_play"
    READING = "reading"
    TRAINING = "training"
    LEADING_TEAM_DISCUSSION = "leading_team_discussion"
    CONFERENCE = "conference"
    REFRESHER = "refresher"
    PEER_MODERATION = "peer_moderation"
    USER_FEEDBACK = "user_feedback"
    ACCESS_TO_PPC = "access_to_ppc"
    OTHER = "other"


class PassportRoute(StrEnum):
    """§1.6: (A) on a provider's panel when the Standards came in; (B) a pioneer."""

    PANEL = "a"
    PIONEER = "b"


class ContactKind(StrEnum):
    MENTORING = "mentoring"
    SUPERVISION = "supervision"


@dataclass(frozen=True, slots=True)
class Mediator:
    """The person being observed (a trainee) or an accredited / passported mediator."""

    id: uuid.UUID
    name: str
    professional_body: ProfessionalBody = ProfessionalBody.NONE
    passported: bool = False
    # Form 5 facts (passported mediators only, §1.6).
    send_practice_since: date | None = None  # "working as an SEND mediator … since"
    lead_since: date | None = None  # "worked as lead SEND mediator since"
    accredited_on: date | None = None  # set once Form 4 / Form 5 is issued
    created_at: datetime = field(default_factory=utcnow)
    # The edition of the Standards the practice period is judged under (an id of
    # ``model.rulebook``); None: the one in force when the period began.
    rules_edition: str | None = None
    # §1.6 (A) or (B); for (A), who confirmed for the provider that they are on its panel.
    passport_route: PassportRoute | None = None
    panel_confirmed_by: str | None = None
    panel_confirmed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Observer:
    """Someone who completes Forms 1–3 or signs Forms 4–5."""

    id: uuid.UUID
    name: str
    role: ObserverRole
    experienced_send: bool = False  # an experienced SEND mediator (Form 4 signer, §1.3)
    ppc_register_entry: str | None = None  # entry on the College of Mediators' PPC register
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, slots=True)
class Case:
    """A mediation or disagreement-resolution case. Carries a reference, never a child's name."""

    id: uuid.UUID
    mediator_id: uuid.UUID
    reference: str
    case_date: date
    kind: CaseKind
    trainee_role: TraineeRole
    casework_hours: Decimal
    created_at: datetime = field(default_factory=utcnow)
    # The local authority area the case arose in (e.g. "Leeds"): a provider works across
    # many and shares what it learns with each (Standards, Evaluation and Development).
    local_authority: str | None = None


@dataclass(frozen=True, slots=True)
class Signature:
    """An observer's sign-off on a finalised observation."""

    name: str
    role: ObserverRole
    signed_on: date
    drawing_png: bytes | None = None  # the drawn signature, as PNG bytes


@dataclass(frozen=True, slots=True)
class Observation:
    """One completed (or in-progress) Form 1, 2 or 3 for one case by one observer.

    ``form_id``/``form_version`` pin the exact definition it was made on; opening it
    later never re-maps it onto a newer version.
    """

    id: uuid.UUID
    case_id: uuid.UUID
    mediator_id: uuid.UUID
    observer_id: uuid.UUID
    form_id: str  # "form1" | "form2" | "form3" | a provider's own form id
    form_version: str
    ordinal: int  # 1st / 2nd / 3rd case (Form 1) or observation (Forms 2–3)
    observed_on: date
    state: ObservationState = ObservationState.DRAFT
    signature: Signature | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    finalised_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """The state of one tickable item (a criterion or a sub-item) in one observation."""

    observation_id: uuid.UUID
    criterion_id: str
    state: MarkState
    note: str = ""
    marked_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, slots=True)
class DebriefNote:
    """Written notes against a Form 3 de-brief topic."""

    observation_id: uuid.UUID
    criterion_id: str
    text: str
    updated_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, slots=True)
class MarkChange:
    criterion_id: str
    old_state: MarkState
    new_state: MarkState
    old_note: str = ""
    new_note: str = ""


@dataclass(frozen=True, slots=True)
class Amendment:
    """A correction to a finalised observation: the original marks are kept in ``changes``."""

    id: uuid.UUID
    observation_id: uuid.UUID
    reason: str
    amended_by: str
    amended_at: datetime
    changes: tuple[MarkChange, ...]


@dataclass(frozen=True, slots=True)
class Training:
    id: uuid.UUID
    mediator_id: uuid.UUID
    kind: TrainingKind
    title: str
    provider: str
    recognising_body: RecognisingBody
    start_date: date
    end_date: date
    hours: Decimal


@dataclass(frozen=True, slots=True)
class Reflection:
    """Reflection on practice (≥ 2 h in the practice period, §1.2)."""

    id: uuid.UUID
    mediator_id: uuid.UUID
    reflected_on: date
    hours: Decimal
    with_whom: str
    summary: str


@dataclass(frozen=True, slots=True)
class Cpd:
    id: uuid.UUID
    mediator_id: uuid.UUID
    done_on: date
    hours: Decimal
    kind: CpdKind
    description: str


@dataclass(frozen=True, slots=True)
class Contact:
    """A mentoring or supervision contact; ``observer_id`` links a mentor who also observes."""

    id: uuid.UUID
    mediator_id: uuid.UUID
    kind: ContactKind
    met_on: date
    with_whom: str
    observer_id: uuid.UUID | None = None
    hours: Decimal = Decimal("0")
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Discretion:
    """A recorded, reasoned discretion, only where the edition allows one (§1.3, §1.6 (B)).

    ``decided_by``/``role`` are the assessor; ``provider_agreed_by`` who agreed for the
    provider; ``mediator_agreed`` that the mediator agreed. The edition says which parties a
    place needs (§1.3: all three).
    """

    id: uuid.UUID
    mediator_id: uuid.UUID
    requirement_id: str
    decided_by: str
    role: ObserverRole
    reason: str
    decided_on: date
    provider_agreed_by: str = ""
    mediator_agreed: bool = False

    def agreed(self, party: str) -> bool:
        if party == "assessor":
            return bool(self.decided_by.strip())
        if party == "provider":
            return bool(self.provider_agreed_by.strip())
        if party == "mediator":
            return self.mediator_agreed
        raise ValueError(f"unknown party {party}")


@dataclass(frozen=True, slots=True)
class PracticeRecord:
    """Everything the rules need about one mediator: the readiness engine's input."""

    mediator: Mediator
    observers: tuple[Observer, ...] = ()
    cases: tuple[Case, ...] = ()
    observations: tuple[Observation, ...] = ()
    marks: tuple[Mark, ...] = ()
    debrief_notes: tuple[DebriefNote, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    training: tuple[Training, ...] = ()
    reflections: tuple[Reflection, ...] = ()
    cpd: tuple[Cpd, ...] = ()
    contacts: tuple[Contact, ...] = ()
    discretions: tuple[Discretion, ...] = ()


# The records of a trainee's log that can be edited after they are made, and with the
# mediator's own details, a case's and an observer's, what travels with a version history
# (``exchange.logs``).
LogRecord = Training | Reflection | Cpd | Contact | Discretion
Versioned = LogRecord | Mediator | Case | Observer

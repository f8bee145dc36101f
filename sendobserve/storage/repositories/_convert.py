"""ORM row → frozen domain dataclass. The only place that knows both shapes."""

from __future__ import annotations

from sendobserve.model.domain import (
    Amendment,
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    DebriefNote,
    Discretion,
    Mark,
    MarkChange,
    MarkState,
    Mediator,
    Observation,
    ObservationState,
    Observer,
    ObserverRole,
    PassportRoute,
    ProfessionalBody,
    RecognisingBody,
    Reflection,
    Signature,
    TraineeRole,
    Training,
    TrainingKind,
)
from sendobserve.storage.records import (
    AmendmentChangeRecord,
    AmendmentRecord,
    CaseRecord,
    ContactRecord,
    CpdRecord,
    DebriefNoteRecord,
    DiscretionRecord,
    MarkRecord,
    MediatorRecord,
    ObservationRecord,
    ObserverRecord,
    ReflectionRecord,
    TrainingRecord,
)


def mediator(r: MediatorRecord) -> Mediator:
    return Mediator(
        id=r.id,
        name=r.name,
        professional_body=ProfessionalBody(r.professional_body),
        passported=r.passported,
        send_practice_since=r.send_practice_since,
        lead_since=r.lead_since,
        accredited_on=r.accredited_on,
        created_at=r.created_at,
        rules_edition=r.rules_edition,
        passport_route=PassportRoute(r.passport_route) if r.passport_route else None,
        panel_confirmed_by=r.panel_confirmed_by,
        panel_confirmed_on=r.panel_confirmed_on,
    )


def observer(r: ObserverRecord) -> Observer:
    return Observer(
        id=r.id,
        name=r.name,
        role=ObserverRole(r.role),
        experienced_send=r.experienced_send,
        ppc_register_entry=r.ppc_register_entry,
        created_at=r.created_at,
    )


def case(r: CaseRecord) -> Case:
    return Case(
        id=r.id,
        mediator_id=r.mediator_id,
        reference=r.reference,
        case_date=r.case_date,
        kind=CaseKind(r.kind),
        trainee_role=TraineeRole(r.trainee_role),
        casework_hours=r.casework_hours,
        created_at=r.created_at,
    )


def observation(r: ObservationRecord) -> Observation:
    signature = None
    if r.signature_name is not None and r.signature_role is not None:
        assert r.signature_signed_on is not None  # the table's CHECK guarantees it
        signature = Signature(
            name=r.signature_name,
            role=ObserverRole(r.signature_role),
            signed_on=r.signature_signed_on,
            drawing_png=r.signature_png,
        )
    return Observation(
        id=r.id,
        case_id=r.case_id,
        mediator_id=r.mediator_id,
        observer_id=r.observer_id,
        form_id=r.form_id,
        form_version=r.form_version,
        ordinal=r.ordinal,
        observed_on=r.observed_on,
        state=ObservationState(r.state),
        signature=signature,
        created_at=r.created_at,
        updated_at=r.updated_at,
        finalised_at=r.finalised_at,
    )


def mark(r: MarkRecord) -> Mark:
    return Mark(
        observation_id=r.observation_id,
        criterion_id=r.criterion_id,
        state=MarkState(r.state),
        note=r.note,
        marked_at=r.marked_at,
    )


def debrief_note(r: DebriefNoteRecord) -> DebriefNote:
    return DebriefNote(
        observation_id=r.observation_id,
        criterion_id=r.criterion_id,
        text=r.text,
        updated_at=r.updated_at,
    )


def mark_change(r: AmendmentChangeRecord) -> MarkChange:
    return MarkChange(
        criterion_id=r.criterion_id,
        old_state=MarkState(r.old_state),
        new_state=MarkState(r.new_state),
        old_note=r.old_note,
        new_note=r.new_note,
    )


def amendment(r: AmendmentRecord, changes: list[AmendmentChangeRecord]) -> Amendment:
    return Amendment(
        id=r.id,
        observation_id=r.observation_id,
        reason=r.reason,
        amended_by=r.amended_by,
        amended_at=r.amended_at,
        changes=tuple(mark_change(c) for c in sorted(changes, key=lambda c: c.position)),
    )


def training(r: TrainingRecord) -> Training:
    return Training(
        id=r.id,
        mediator_id=r.mediator_id,
        kind=TrainingKind(r.kind),
        title=r.title,
        provider=r.provider,
        recognising_body=RecognisingBody(r.recognising_body),
        start_date=r.start_date,
        end_date=r.end_date,
        hours=r.hours,
    )


def reflection(r: ReflectionRecord) -> Reflection:
    return Reflection(
        id=r.id,
        mediator_id=r.mediator_id,
        reflected_on=r.reflected_on,
        hours=r.hours,
        with_whom=r.with_whom,
        summary=r.summary,
    )


def cpd(r: CpdRecord) -> Cpd:
    return Cpd(
        id=r.id,
        mediator_id=r.mediator_id,
        done_on=r.done_on,
        hours=r.hours,
        kind=CpdKind(r.kind),
        description=r.description,
    )


def contact(r: ContactRecord) -> Contact:
    return Contact(
        id=r.id,
        mediator_id=r.mediator_id,
        kind=ContactKind(r.kind),
        met_on=r.met_on,
        with_whom=r.with_whom,
        observer_id=r.observer_id,
        hours=r.hours,
        notes=r.notes,
    )


def discretion(r: DiscretionRecord) -> Discretion:
    return Discretion(
        id=r.id,
        mediator_id=r.mediator_id,
        requirement_id=r.requirement_id,
        decided_by=r.decided_by,
        role=ObserverRole(r.role),
        reason=r.reason,
        decided_on=r.decided_on,
        provider_agreed_by=r.provider_agreed_by,
        mediator_agreed=bool(r.mediator_agreed),
    )

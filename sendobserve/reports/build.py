"""Fill the report content objects from the domain records.

Only what needs no readiness decision lives here: a filled observation, the case and
training lines, certificate identities, and Form 5 (whose rule is about the
mediator's own facts). Form 4, readiness and portfolio content come from the
readiness report and are built where that engine is available.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from sendobserve.errors import UserError
from sendobserve.forms.definition import FormDefinition
from sendobserve.model.domain import (
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
from sendobserve.reports.content import (
    AmendmentLine,
    CaseLine,
    CertificateIdentity,
    DebriefLine,
    Form5Content,
    MarkRow,
    ObservationContent,
    SectionContent,
    SignatureBlock,
    TrainingLine,
)
from sendobserve.reports.pki import verification_code

ROLE_LABELS: dict[ObserverRole, str] = {
    ObserverRole.CO_MEDIATOR: "Co-mediator",
    ObserverRole.PPC: "PPC",
    ObserverRole.REGIONAL_MANAGER: "Regional manager",
    ObserverRole.SERVICE_DIRECTOR: "Service director",
    ObserverRole.MENTOR: "Mentor",
}
TRAINEE_ROLE_LABELS: dict[TraineeRole, str] = {
    TraineeRole.OBSERVING: "Observing",
    TraineeRole.CO_MEDIATING: "Co-mediating",
    TraineeRole.LEADING: "Leading",
}
BODY_LABELS: dict[RecognisingBody, str] = {
    RecognisingBody.CMC: "Civil Mediation Council",
    RecognisingBody.COM: "College of Mediators",
    RecognisingBody.OCN: "Open College Network",
    RecognisingBody.ILM: "Institute of Leadership and Management",
    RecognisingBody.OTHER: "",
    RecognisingBody.NONE: "",
}
STATE_LABELS: dict[ObservationState, str] = {
    ObservationState.DRAFT: "Draft",
    ObservationState.FINALISED: "Finalised",
    ObservationState.AMENDED: "Amended",
}
MARK_WORDS: dict[MarkState, str] = {
    MarkState.DEMONSTRATED: "Demonstrated",
    MarkState.DEVELOPMENT_NEEDED: "Development needed",
    MarkState.NOT_APPLICABLE: "Not applicable",
    MarkState.NOT_YET_SEEN: "Not yet seen",
}


class FormLookup(Protocol):
    def get(self, form_id: str, version: str) -> FormDefinition: ...


class CertificateRefused(UserError):
    """A certificate the rules do not allow yet; the message says what is missing."""


def observer_label(observer: Observer | None, fallback: str = "unknown observer") -> str:
    if observer is None:
        return fallback
    return f"{observer.name} ({ROLE_LABELS[observer.role]})"


def case_lines(record: PracticeRecord) -> tuple[CaseLine, ...]:
    """Cases by date, each with the people who observed it (from its observations)."""
    observers = {o.id: o for o in record.observers}
    seen_by: dict[uuid.UUID, list[str]] = {}
    for obs in sorted(record.observations, key=lambda o: (o.observed_on, o.ordinal)):
        label = observer_label(observers.get(obs.observer_id))
        names = seen_by.setdefault(obs.case_id, [])
        if label not in names:
            names.append(label)
    order = {TraineeRole.OBSERVING: 0, TraineeRole.CO_MEDIATING: 1, TraineeRole.LEADING: 2}
    return tuple(
        CaseLine(
            reference=c.reference,
            case_date=c.case_date,
            role=TRAINEE_ROLE_LABELS[c.trainee_role],
            observed_by=tuple(seen_by.get(c.id, ())),
            casework_hours=c.casework_hours,
            kind=c.kind.value.replace("_", " ").capitalize(),
        )
        for c in sorted(record.cases, key=lambda c: (c.case_date, order[c.trainee_role]))
    )


def training_lines(record: PracticeRecord, kind: TrainingKind) -> tuple[TrainingLine, ...]:
    return tuple(
        TrainingLine(
            title=t.title,
            provider=t.provider,
            start_date=t.start_date,
            end_date=t.end_date,
            hours=t.hours,
            recognised_by=BODY_LABELS[t.recognising_body],
        )
        for t in sorted(record.training, key=lambda t: t.start_date)
        if t.kind is kind
    )


def certificate_identity(
    serial: str,
    *,
    form_number: int,
    mediator_name: str,
    issued_on: date,
    signer_name: str,
    key: bytes,
) -> CertificateIdentity:
    """Serial plus the code that binds it to these facts (see ``pki.verification_code``)."""
    facts = (f"form{form_number}", mediator_name, issued_on.isoformat(), signer_name)
    return CertificateIdentity(serial=serial, verification_code=verification_code(
        serial, facts, key))


def _latest_marks(marks: Sequence[Mark], observation_id: uuid.UUID) -> dict[str, Mark]:
    latest: dict[str, Mark] = {}
    for m in marks:
        if m.observation_id != observation_id:
            continue
        if m.criterion_id not in latest or m.marked_at >= latest[m.criterion_id].marked_at:
            latest[m.criterion_id] = m
    return latest


def observation_content(
    record: PracticeRecord, observation_id: uuid.UUID, forms: FormLookup
) -> ObservationContent:
    """A filled Form 1, 2 or 3 on the exact form version it was made on."""
    try:
        obs: Observation = next(o for o in record.observations if o.id == observation_id)
    except StopIteration:
        raise UserError(f"no observation {observation_id} for {record.mediator.name}") from None
    form = forms.get(obs.form_id, obs.form_version)
    marks = _latest_marks(record.marks, obs.id)
    texts: dict[str, str] = {}
    sections: list[SectionContent] = []
    for section in form.sections:
        rows: list[MarkRow] = []
        for crit in section.criteria:
            texts[crit.id] = crit.text
            if crit.subitems:
                rows.append(MarkRow(crit.text, None, marks[crit.id].note if crit.id in marks
                                    else ""))
                for sub in crit.subitems:
                    texts[sub.id] = f"{crit.text} {sub.text}"
                    m = marks.get(sub.id)
                    rows.append(MarkRow(sub.text, m.state if m else MarkState.NOT_YET_SEEN,
                                        m.note if m else "", level=1))
            else:
                m = marks.get(crit.id)
                rows.append(MarkRow(crit.text, m.state if m else MarkState.NOT_YET_SEEN,
                                    m.note if m else ""))
        sections.append(SectionContent(section.title, tuple(rows)))
    debrief = tuple(
        DebriefLine(texts.get(n.criterion_id, n.criterion_id), n.text)
        for n in record.debrief_notes
        if n.observation_id == obs.id and n.text.strip()
    )
    amendments = tuple(
        AmendmentLine(
            amended_on=a.amended_at.date(),
            amended_by=a.amended_by,
            reason=a.reason,
            changes=tuple(
                f"{texts.get(ch.criterion_id, ch.criterion_id)}: "
                f"{MARK_WORDS[ch.old_state]} → {MARK_WORDS[ch.new_state]}"
                for ch in a.changes
            ),
        )
        for a in sorted(record.amendments, key=lambda a: a.amended_at)
        if a.observation_id == obs.id
    )
    observer = next((o for o in record.observers if o.id == obs.observer_id), None)
    case = next((c for c in record.cases if c.id == obs.case_id), None)
    signature = None
    if obs.signature is not None:
        sig = obs.signature
        signature = SignatureBlock(sig.name, ROLE_LABELS[sig.role], sig.drawing_png,
                                   sig.signed_on)
    return ObservationContent(
        form_number=form.number,
        form_title=form.title,
        form_version=form.version,
        mediator_name=record.mediator.name,
        observer_name=observer.name if observer else "unknown observer",
        observer_role=ROLE_LABELS[observer.role] if observer else "",
        observed_on=obs.observed_on,
        ordinal=obs.ordinal,
        ordinal_label=form.header.ordinal_label,
        case_reference=case.reference if case else "—",
        state=STATE_LABELS[obs.state],
        sections=tuple(sections),
        debrief=debrief,
        signature=signature,
        amendments=amendments,
        observer_label=form.header.observer_label,
    )


def form5_missing(record: PracticeRecord) -> list[str]:
    """What stops Form 5 being offered (§1.6): empty when it may be issued."""
    m = record.mediator
    missing: list[str] = []
    if not m.passported:
        missing.append(f"{m.name} is not recorded as a passported mediator")
        return missing
    if m.send_practice_since is None:
        missing.append("the date they have worked as an SEND mediator since")
    if m.lead_since is None:
        missing.append("the date they have worked as lead SEND mediator since")
    if not training_lines(record, TrainingKind.FOUNDATION):
        missing.append("their foundation training in mediation (date and provider)")
    return missing


def form5_content(
    record: PracticeRecord,
    *,
    signer: Observer,
    issued_on: date,
    identity: CertificateIdentity,
    signer_drawing: bytes | None = None,
    mediator_drawing: bytes | None = None,
    organisation: str = "",
) -> Form5Content:
    """Form 5 for a passported mediator; refused with the missing facts named."""
    missing = form5_missing(record)
    if missing:
        raise CertificateRefused(
            "Form 5 cannot be issued: " + "; ".join(missing) + ".",
            hint="Record the passporting facts on the mediator's page, then print again.",
        )
    m = record.mediator
    assert m.send_practice_since is not None and m.lead_since is not None
    year_ago = issued_on - timedelta(days=365)
    cpd_hours = sum((c.hours for c in record.cpd if year_ago < c.done_on <= issued_on),
                    start=Decimal(0))
    cpd_note = ""
    if cpd_hours:
        from sendobserve.reports.styles import fmt_hours

        cpd_note = f"{fmt_hours(cpd_hours)} hours of CPD recorded in the last 12 months."
    return Form5Content(
        mediator_name=m.name,
        signer=SignatureBlock(signer.name, ROLE_LABELS[signer.role], signer_drawing, issued_on),
        mediator=SignatureBlock(m.name, "Mediator", mediator_drawing, issued_on),
        issued_on=issued_on,
        identity=identity,
        practice_since=m.send_practice_since,
        lead_since=m.lead_since,
        foundation=training_lines(record, TrainingKind.FOUNDATION),
        send_training=training_lines(record, TrainingKind.SEND),
        cpd_note=cpd_note,
        organisation=organisation,
    )

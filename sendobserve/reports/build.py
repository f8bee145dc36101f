"""Fill the report content objects from the domain records and the readiness report.

No rule of the Standards lives here: Form 4, Form 5 and the portfolio are refused by
the functions of ``sendobserve.model`` that fill the screens (``form4_refusal``,
``form5_refusal``, ``portfolio_refusal``), and each certificate states the edition it
was judged under and every discretion applied. The reports just print what they are
given.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from sendobserve.errors import UserError
from sendobserve.forms.definition import FormDefinition
from sendobserve.model import requirements as R
from sendobserve.model.domain import (
    Case,
    Mark,
    MarkState,
    Observation,
    ObservationState,
    Observer,
    PassportRoute,
    PracticeRecord,
    RecognisingBody,
    TraineeRole,
    TrainingKind,
)
from sendobserve.model.outcome import Judged, RequirementResult, Status, TrainingFact
from sendobserve.model.readiness import (
    CriterionProgress,
    ObservationRef,
    ReadinessReport,
    case_order_key,
    form4_refusal,
    portfolio_refusal,
)
from sendobserve.model.renewal import (
    PassportReport,
    assess_passport,
    form5_refusal,
    last_twelve_months,
)
from sendobserve.model.rulebook import Edition, default_edition
from sendobserve.model.vocabulary import (
    BODY_NAMES,
    MARK_WORDS,
    OBSERVATION_STATE_LABELS,
    ROLE_LABELS,
    TRAINEE_ROLE_LABELS,
    fmt_hours,
)
from sendobserve.pki.certificates import verification_code
from sendobserve.reports.content import (
    AmendmentLine,
    CaseLine,
    CertificateIdentity,
    DebriefLine,
    DeclarationContent,
    DiscretionLine,
    EvidenceLine,
    Form4Content,
    Form5Content,
    MarkRow,
    MatrixColumn,
    MatrixGroup,
    MatrixRow,
    ObservationContent,
    PortfolioContent,
    ReadinessContent,
    ReflectionLine,
    RequirementLine,
    SectionContent,
    SignatureBlock,
    TrainingLine,
)

# Printed beside a course: a named body, or nothing.
BODY_LABELS: dict[RecognisingBody, str] = {b: BODY_NAMES.get(b, "") for b in RecognisingBody}



class FormLookup(Protocol):
    def get(self, form_id: str, version: str) -> FormDefinition: ...


class CertificateRefused(UserError):
    """A certificate the rules do not allow yet; the message says what is missing."""


FORM4_HINT = ("Complete what is listed. Only the shape of the practice period (observing "
              "first, the number of cases, leading the final case) can be met by a discretion "
              "(§1.3), agreed by the assessor, the provider and the mediator; the certificate "
              "then states it.")
PORTFOLIO_HINT = ("Complete what is listed, and choose the sole provider's PPC to verify "
                  "the portfolio (§1.3, §1.4.2 i).")


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
    return tuple(
        CaseLine(
            reference=c.reference,
            case_date=c.case_date,
            role=TRAINEE_ROLE_LABELS[c.trainee_role],
            observed_by=tuple(seen_by.get(c.id, ())),
            casework_hours=c.casework_hours,
            kind=c.kind.value.replace("_", " ").capitalize(),
        )
        for c in sorted(record.cases, key=case_order_key)
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
        state=OBSERVATION_STATE_LABELS[obs.state],
        sections=tuple(sections),
        debrief=debrief,
        signature=signature,
        amendments=amendments,
        observer_label=form.header.observer_label,
    )


def form5_missing(record: PracticeRecord, *, today: date | None = None) -> list[str]:
    """What stops Form 5 being issued (§1.6), from the passporting assessment: empty when
    it may be issued."""
    return list(assess_passport(record, today=today or date.today()).still_needed)


def _route_note(report: PassportReport) -> str:
    if report.route is PassportRoute.PANEL and report.panel_confirmed_on:
        return (f"(A) On the panel of a SEND Mediation Provider Organisation, confirmed by "
                f"{report.panel_confirmed_by} on {report.panel_confirmed_on.isoformat()}.")
    if report.route is PassportRoute.PIONEER:
        return "(B) A mediator with a long history of relevant work experience."
    return ""


def form5_content(
    record: PracticeRecord,
    *,
    signer: Observer,
    issued_on: date,
    identity: CertificateIdentity,
    signer_drawing: bytes | None = None,
    mediator_drawing: bytes | None = None,
    organisation: str = "",
    passport: PassportReport | None = None,
) -> Form5Content:
    """Form 5, refused unless the passporting assessment (the one the screen shows) says
    eligible and the signer may give the declaration (§1.6)."""
    report = passport or assess_passport(record, today=issued_on)
    if report.mediator_id != record.mediator.id:
        raise ValueError("the passporting report is for another mediator")
    refusal = form5_refusal(report, signer)
    if refusal:
        raise CertificateRefused(
            refusal,
            hint="Record the passporting facts on the mediator's page, then print again.",
        )
    m = record.mediator
    assert m.send_practice_since is not None and m.lead_since is not None
    window = last_twelve_months(issued_on)
    cpd_hours = sum((c.hours for c in record.cpd if c.done_on in window), start=Decimal(0))
    cpd_note = ""
    if cpd_hours:
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
        edition=report.edition.label if report.edition else "",
        route_note=_route_note(report),
        discretions=discretion_lines(report),
    )


# --- From the readiness report (Form 4, readiness, portfolio) ------------------------------

FORM_TITLES: dict[int, str] = {1: "Pre-mediation", 2: "Mediation", 3: "Post-mediation"}
STATUS_LABELS: dict[Status, str] = {
    Status.MET: "Met",
    Status.NOT_MET: "Not met",
    Status.DISCRETION: "Met by discretion",
}
_COUNTED = frozenset({ObservationState.FINALISED, ObservationState.AMENDED})
_ACTIVE = frozenset({TraineeRole.CO_MEDIATING, TraineeRole.LEADING})


def _ref_label(ref: ObservationRef) -> str:
    if ref.observer_role is None:
        return ref.observer_name
    return f"{ref.observer_name} ({ROLE_LABELS[ref.observer_role]})"


def _hours(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def _training_fact_lines(facts: Sequence[TrainingFact]) -> tuple[TrainingLine, ...]:
    def body(value: str) -> str:
        try:
            return BODY_LABELS[RecognisingBody(value)]
        except ValueError:
            return value

    return tuple(
        TrainingLine(f.title, f.provider, f.start_date, f.end_date, f.hours,
                     body(f.recognising_body))
        for f in facts
    )


def report_case_lines(report: ReadinessReport, cases: Sequence[Case] = ()
                      ) -> tuple[CaseLine, ...]:
    """The cases as the readiness engine counted them, each with its observers (and,
    from ``cases``, the records, its local authority)."""
    authority = {c.id: c.local_authority for c in cases}
    lines = []
    for c in report.cases:
        observers: list[str] = []
        for ref in c.observations:
            label = _ref_label(ref)
            if label not in observers:
                observers.append(label)
        lines.append(CaseLine(
            reference=c.reference,
            case_date=c.case_date,
            role=TRAINEE_ROLE_LABELS[c.trainee_role],
            observed_by=tuple(observers),
            casework_hours=c.casework_hours,
            kind=c.kind.replace("_", " ").capitalize(),
            local_authority=authority.get(c.case_id) or "",
        ))
    return tuple(lines)


def discretion_lines(report: Judged) -> tuple[DiscretionLine, ...]:
    """Each requirement met by a recorded discretion, with who decided and why."""
    return tuple(
        DiscretionLine(r.title, d.decided_by, ROLE_LABELS[d.role], d.reason, d.decided_on,
                       d.paragraph, d.parties_text)
        for r in report.requirements
        if r.status is Status.DISCRETION
        for d in r.discretion
    )


def _numbers(r: RequirementResult, edition: Edition) -> tuple[str, str]:
    """(required, recorded) for the requirements table, from the engine's figures."""
    f = r.figures
    hours = {
        R.FOUNDATION_TRAINING: "foundation_hours",
        R.SEND_TRAINING: "send_training_hours",
        R.CASEWORK_HOURS: "casework_hours",
        R.REFLECTION_HOURS: "reflection_hours",
    }
    if r.id in hours:
        need = edition.threshold(r.id)
        return f"{fmt_hours(need)} h", f"{fmt_hours(_hours(f.get(hours[r.id])))} h"
    counts = {
        R.THREE_ACTIVE_CASES: ("active_cases", str(edition.count(R.THREE_ACTIVE_CASES))),
        R.OBSERVED_FIRST: ("observed_cases", "1"),
        R.FORM4_SIGNER: ("eligible_signers", "1"),
    }
    if r.id in counts:
        figure, required = counts[r.id]
        return required, str(f.get(figure, "—"))
    if r.id == R.DEBRIEF_EACH_CASE:
        return "each case", str(f.get("cases_debriefed", "—"))
    if r.id == R.CRITERIA_DEMONSTRATED:
        return str(f.get("criteria_total", "—")), str(f.get("criteria_demonstrated", "—"))
    if r.id == R.FINAL_CASE_LED:
        return "led", str(f.get("final_case") or "—")
    return "", ""


def requirement_lines(report: ReadinessReport) -> tuple[RequirementLine, ...]:
    return tuple(
        RequirementLine(r.title, *_numbers(r, report.edition or default_edition()),
                        STATUS_LABELS[r.status], r.satisfied, r.detail)
        for r in report.requirements
    )


def _cell(progress: CriterionProgress, observation_id: uuid.UUID) -> MarkState | None:
    if any(s.observation.observation_id == observation_id for s in progress.demonstrated_in):
        return MarkState.DEMONSTRATED
    if any(s.observation.observation_id == observation_id
           for s in progress.development_needed):
        return MarkState.DEVELOPMENT_NEEDED
    if any(s.observation.observation_id == observation_id
           for s in progress.not_applicable_in):
        return MarkState.NOT_APPLICABLE
    return None


def readiness_content(report: ReadinessReport) -> ReadinessContent:
    """The matrix per form: its criteria against the counted observations made on it."""
    refs: dict[uuid.UUID, ObservationRef] = {}
    for case in report.cases:
        for ref in case.observations:
            refs[ref.observation_id] = ref
    for progress in report.criteria:
        for s in (*progress.demonstrated_in, *progress.development_needed,
                  *progress.not_applicable_in):
            refs.setdefault(s.observation.observation_id, s.observation)
    groups: list[MatrixGroup] = []
    for number in sorted({c.form_number for c in report.criteria}):
        observed = sorted((r for r in refs.values() if r.form_number == number),
                          key=lambda r: (r.observed_on, r.ordinal, str(r.observation_id)))
        columns = tuple(
            MatrixColumn(str(i), r.observed_on, _ref_label(r), r.case_reference or "")
            for i, r in enumerate(observed, start=1)
        )
        rows: list[MatrixRow] = []
        parent: str | None = None
        for progress in (c for c in report.criteria if c.form_number == number):
            if progress.parent_text and progress.parent_text != parent:
                rows.append(MatrixRow(progress.parent_text, (None,) * len(columns), False,
                                      heading=True))
            parent = progress.parent_text
            rows.append(MatrixRow(
                progress.text,
                tuple(_cell(progress, r.observation_id) for r in observed),
                progress.demonstrated,
                level=1 if progress.parent_text else 0,
            ))
        title = f"Form {number} — {FORM_TITLES.get(number, 'Observation')}"
        groups.append(MatrixGroup(title, columns, tuple(rows)))
    return ReadinessContent(
        mediator_name=report.mediator_name,
        as_of=report.as_of,
        ready=report.ready,
        requirements=requirement_lines(report),
        groups=tuple(groups),
        still_needed=report.still_needed,
        discretions=discretion_lines(report),
    )


def form4_content(
    record: PracticeRecord,
    report: ReadinessReport,
    *,
    signer: Observer,
    issued_on: date,
    identity: CertificateIdentity,
    signer_drawing: bytes | None = None,
    mediator_drawing: bytes | None = None,
    organisation: str = "",
) -> Form4Content:
    """Form 4, refused while the readiness report has gaps not covered by a discretion."""
    if report.mediator_id != record.mediator.id:
        raise ValueError("the readiness report is for another mediator")
    refusal = form4_refusal(report, signer)
    if refusal:
        raise CertificateRefused(refusal, hint=FORM4_HINT)
    cases = report_case_lines(report)
    final = next((line for line, c in zip(cases, report.cases, strict=True)
                  if c.case_id == report.final_case_id), None)
    figures = {k: v for r in report.requirements for k, v in r.figures.items()}
    return Form4Content(
        mediator_name=record.mediator.name,
        signer=SignatureBlock(signer.name, ROLE_LABELS[signer.role], signer_drawing, issued_on),
        mediator=SignatureBlock(record.mediator.name, "Mediator", mediator_drawing, issued_on),
        issued_on=issued_on,
        identity=identity,
        foundation=_training_fact_lines(report.foundation_training),
        send_training=_training_fact_lines(report.send_training),
        casework_hours=_hours(figures.get("casework_hours")),
        reflection_hours=_hours(figures.get("reflection_hours")),
        cases=cases,
        final_case=final,
        discretions=discretion_lines(report),
        organisation=organisation,
        active_cases=sum(1 for c in report.cases if c.trainee_role in _ACTIVE),
        edition=report.edition.label if report.edition else "",
    )


def portfolio_content(
    record: PracticeRecord,
    report: ReadinessReport,
    forms: FormLookup,
    *,
    verified_by: Observer,
    prepared_on: date,
    mediator_drawing: bytes | None = None,
    verifier_drawing: bytes | None = None,
    organisation: str = "",
    evidence: Sequence[EvidenceLine] = (),
) -> PortfolioContent:
    """The sole provider's portfolio: every counted observation, oldest first; refused
    unless the assessment is met and the verifier is a PPC (§1.3, §1.4.2 i)."""
    refusal = portfolio_refusal(report, verified_by)
    if refusal:
        raise CertificateRefused(refusal, hint=PORTFOLIO_HINT)
    observations = tuple(
        observation_content(record, o.id, forms)
        for o in sorted(record.observations, key=lambda o: (o.observed_on, o.form_id, o.ordinal))
        if o.state in _COUNTED and o.observed_on <= report.as_of
    )
    name = record.mediator.name
    verifier = f"{verified_by.name} ({ROLE_LABELS[verified_by.role]})"
    return PortfolioContent(
        mediator_name=name,
        prepared_on=prepared_on,
        verified_by=verifier,
        training=tuple(
            line for kind in (TrainingKind.FOUNDATION, TrainingKind.SEND, TrainingKind.OTHER)
            for line in training_lines(record, kind)
        ),
        cases=report_case_lines(report, record.cases),
        reflections=tuple(
            ReflectionLine(r.reflected_on, r.hours, r.with_whom, r.summary)
            for r in sorted(record.reflections, key=lambda r: r.reflected_on)
            if r.reflected_on <= report.as_of
        ),
        observations=observations,
        readiness=readiness_content(report),
        discretions=discretion_lines(report),
        declarations=(
            DeclarationContent(
                "Declaration by the mediator",
                f"I, {name}, confirm that this portfolio is a true record of my training and "
                "supported practice.",
                SignatureBlock(name, "Mediator", mediator_drawing, prepared_on),
            ),
            DeclarationContent(
                "Verification by the Professional Practice Consultant",
                f"I, {verified_by.name}, have verified this portfolio against the observation "
                "records.",
                SignatureBlock(verified_by.name, ROLE_LABELS[verified_by.role],
                               verifier_drawing, prepared_on),
            ),
        ),
        organisation=organisation,
        evidence=tuple(evidence),
    )

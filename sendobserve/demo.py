"""A realistic, fictional practice period for trying the app and for tests.

Every id is derived from a fixed namespace and a name (uuid5), so building the demo
twice gives the same records and ``sendobserve demo`` is idempotent. The people are
invented; names carry accents and apostrophes on purpose, so that every screen and
every PDF is exercised with them. Cases carry references, never a child's name.

Four mediators:
- Siobhán Ó Dálaigh: a trainee whose practice period is complete: ready for Form 4.
- Łucja Żak: a trainee part-way through, with gaps (two criteria never demonstrated,
  casework short, the final case not yet led).
- Aoife O'Brien: a passported mediator (Form 5).
- Rhys ap Dafydd: accredited last year, for the annual re-registration check.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from sendobserve.forms.definition import FormDefinition, TickItem
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    DebriefNote,
    Mark,
    MarkState,
    Mediator,
    Observation,
    ObservationState,
    Observer,
    ObserverRole,
    PassportRoute,
    PracticeRecord,
    ProfessionalBody,
    RecognisingBody,
    Reflection,
    Signature,
    TraineeRole,
    Training,
    TrainingKind,
)

if TYPE_CHECKING:
    from sendobserve.storage.db import Store

NAMESPACE = uuid.UUID("6f1c2a4e-5b0d-4c55-9a49-3c1f0e8d7b21")

# Criteria the trainee with gaps has not yet demonstrated: "Reality test proposals" and
# "Write clear SMART agreement" on Form 2. Ids, not texts: a provider may reword them.
GAP_IDS = ("f2.sk.reality_test", "f2.sk.smart_agreement")


class _Forms(Protocol):
    def latest(self, form_id: str) -> FormDefinition: ...


def demo_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


def _at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DemoData:
    observers: tuple[Observer, ...]
    records: tuple[PracticeRecord, ...]

    def by_name(self, name: str) -> PracticeRecord:
        for record in self.records:
            if record.mediator.name == name:
                return record
        raise KeyError(name)


READY = "Siobhán Ó Dálaigh"
GAPS = "Łucja Żak"
PASSPORTED = "Aoife O'Brien"
RENEWING = "Rhys ap Dafydd"


def _observers() -> dict[str, Observer]:
    people = [
        ("Anjali Patel", ObserverRole.PPC, True, "COM-PPC-0417"),
        ("Tomasz Wiśniewski", ObserverRole.MENTOR, True, None),
        ("Gareth Llewellyn", ObserverRole.CO_MEDIATOR, False, None),
        ("Chloé Martin-Dubois", ObserverRole.REGIONAL_MANAGER, True, None),
    ]
    return {
        name: Observer(
            id=demo_id("observer", name),
            name=name,
            role=role,
            experienced_send=experienced,
            ppc_register_entry=entry,
            created_at=_at(date(2025, 9, 1)),
        )
        for name, role, experienced, entry in people
    }


def _split(items: list[TickItem], parts: int) -> list[list[TickItem]]:
    """Spread items over ``parts`` observations so each criterion is seen somewhere."""
    return [items[i::parts] for i in range(parts)]


def _trainee(
    name: str,
    forms: _Forms,
    observers: dict[str, Observer],
    *,
    code: str,
    start: date,
    roles: list[tuple[TraineeRole, Decimal]],
    gaps: tuple[str, ...],
    reflection_hours: Decimal,
    mentor_contact: bool,
) -> PracticeRecord:
    mediator = Mediator(
        id=demo_id("mediator", name),
        name=name,
        professional_body=ProfessionalBody.COM,
        created_at=_at(start - timedelta(days=120)),
    )
    ppc = observers["Anjali Patel"]
    mentor = observers["Tomasz Wiśniewski"]
    co_mediator = observers["Gareth Llewellyn"]
    manager = observers["Chloé Martin-Dubois"]

    cases: list[Case] = []
    for index, (role, hours) in enumerate(roles, start=1):
        cases.append(
            Case(
                id=demo_id("case", name, str(index)),
                mediator_id=mediator.id,
                reference=f"SEND-{start.year % 100:02d}{code}-{index:02d}",
                case_date=start + timedelta(days=28 * (index - 1)),
                kind=CaseKind.DISAGREEMENT_RESOLUTION if index == 2 else CaseKind.MEDIATION,
                trainee_role=role,
                casework_hours=hours,
                created_at=_at(start + timedelta(days=28 * (index - 1)) - timedelta(days=3)),
            )
        )
    active = [c for c in cases if c.trainee_role is not TraineeRole.OBSERVING]

    observations: list[Observation] = []
    marks: list[Mark] = []
    notes: list[DebriefNote] = []
    for form_id in ("form1", "form2", "form3"):
        definition = forms.latest(form_id)
        items = [i for i in definition.tick_items() if i.id not in gaps]
        chunks = _split(items, len(active))
        for ordinal, (case, chunk) in enumerate(zip(active, chunks, strict=True), start=1):
            # The led (final) case is observed by the PPC; earlier ones by co-workers.
            if case.trainee_role is TraineeRole.LEADING:
                observer = ppc
            elif form_id == "form3":
                observer = mentor
            else:
                observer = co_mediator if ordinal % 2 else manager
            day = case.case_date + timedelta(days={"form1": -2, "form2": 0, "form3": 1}[form_id])
            obs = Observation(
                id=demo_id("observation", name, form_id, str(ordinal)),
                case_id=case.id,
                mediator_id=mediator.id,
                observer_id=observer.id,
                form_id=definition.form_id,
                form_version=definition.version,
                ordinal=ordinal,
                observed_on=day,
                state=ObservationState.FINALISED,
                signature=Signature(name=observer.name, role=observer.role, signed_on=day),
                created_at=_at(day, 9),
                updated_at=_at(day, 17),
                finalised_at=_at(day, 17),
            )
            observations.append(obs)
            for item in chunk:
                marks.append(
                    Mark(obs.id, item.id, MarkState.DEMONSTRATED, marked_at=_at(day, 11))
                )
            # Gaps are seen, but only as "development needed", with a note.
            for item in definition.tick_items():
                if item.id in gaps and ordinal == len(active):
                    marks.append(
                        Mark(
                            obs.id,
                            item.id,
                            MarkState.DEVELOPMENT_NEEDED,
                            note="Moved to agreement before testing whether it would work.",
                            marked_at=_at(day, 12),
                        )
                    )
            if form_id == "form3":
                for item in definition.tick_items():
                    if item.notes_prompt:
                        notes.append(
                            DebriefNote(
                                obs.id,
                                item.id,
                                _debrief_text(item.text, ordinal),
                                updated_at=_at(day, 16),
                            )
                        )

    training = (
        Training(
            id=demo_id("training", name, "foundation"),
            mediator_id=mediator.id,
            kind=TrainingKind.FOUNDATION,
            title="Foundation course in mediation",
            provider="Northern Mediation Training",
            recognising_body=RecognisingBody.COM,
            start_date=start - timedelta(days=400),
            end_date=start - timedelta(days=390),
            hours=Decimal("40"),
        ),
        Training(
            id=demo_id("training", name, "send"),
            mediator_id=mediator.id,
            kind=TrainingKind.SEND,
            title="SEND mediation: law, context and practice",
            provider="Pennine SEND Mediation Service",
            recognising_body=RecognisingBody.CMC,
            start_date=start - timedelta(days=60),
            end_date=start - timedelta(days=59),
            hours=Decimal("12.5"),
        ),
    )
    reflections = (
        Reflection(
            id=demo_id("reflection", name, "1"),
            mediator_id=mediator.id,
            reflected_on=start + timedelta(days=30),
            hours=reflection_hours,
            with_whom=mentor.name,
            summary="Reviewed how the pre-meeting shaped the agenda; noted where pace slipped.",
        ),
    )
    contacts = (
        (
            Contact(
                id=demo_id("contact", name, "mentoring"),
                mediator_id=mediator.id,
                kind=ContactKind.MENTORING,
                met_on=start + timedelta(days=31),
                with_whom=mentor.name,
                observer_id=mentor.id,
                hours=Decimal("1.5"),
                notes="Mentoring session after the co-worked case.",
            ),
        )
        if mentor_contact
        else ()
    )
    used = {o.observer_id for o in observations}
    return PracticeRecord(
        mediator=mediator,
        observers=tuple(o for o in observers.values() if o.id in used or o is mentor),
        cases=tuple(cases),
        observations=tuple(observations),
        marks=tuple(marks),
        debrief_notes=tuple(notes),
        training=training,
        reflections=reflections,
        contacts=contacts,
    )


def _debrief_text(topic: str, ordinal: int) -> str:
    texts = {
        "Key Strengths": "Calm, even-handed opening; both parties said they felt heard.",
        "Key breakthrough points": "The school's offer of a phased timetable unlocked the talks.",
        "Key challenges and learning points": (
            "Long exchanges on history; bring back to the agenda sooner."
        ),
        "Discussion of outcome": "Agreement on provision in section F; review meeting set.",
        "Skills gaps": "Reality testing of proposals before writing them down.",
        "Knowledge gaps": "Post-16 duties on further education colleges.",
        "Plan for meeting learning needs": "Shadow a PPC on a post-16 case; read COP chapter 8.",
    }
    for key, text in texts.items():
        if key.lower() in topic.lower():
            return f"Case {ordinal}: {text}"
    return f"Case {ordinal}: discussed at the de-brief."


def _passported(observers: dict[str, Observer], today: date) -> PracticeRecord:
    mediator = Mediator(
        id=demo_id("mediator", PASSPORTED),
        name=PASSPORTED,
        professional_body=ProfessionalBody.CMC,
        passported=True,
        send_practice_since=date(2009, 3, 1),
        lead_since=date(2011, 9, 1),
        created_at=_at(date(2025, 9, 1)),
        # §1.6 (A): on the provider's panel; the provider has confirmed it.
        passport_route=PassportRoute.PANEL,
        panel_confirmed_by="Chloé Martin-Dubois",
        panel_confirmed_on=date(2025, 9, 1),
    )
    cases = tuple(
        Case(
            id=demo_id("case", PASSPORTED, str(i)),
            mediator_id=mediator.id,
            reference=f"SEND-P-{i:03d}",
            case_date=today - timedelta(days=35 * i),
            kind=CaseKind.MEDIATION,
            trainee_role=TraineeRole.LEADING,
            casework_hours=Decimal("5"),
        )
        for i in range(1, 9)
    )
    cpd = tuple(
        Cpd(
            id=demo_id("cpd", PASSPORTED, str(i)),
            mediator_id=mediator.id,
            done_on=today - timedelta(days=40 * i + 10),
            hours=Decimal(h),
            kind=kind,
            description=desc,
        )
        for i, (h, kind, desc) in enumerate(
            [
                ("7", CpdKind.CONFERENCE, "Regional SEND mediation conference"),
                ("6", CpdKind.REFRESHER, "Refresher day: post-16 duties"),
                ("4", CpdKind.PEER_MODERATION, "Peer observation and moderation"),
                ("3.5", CpdKind.READING, "SEND Code of Practice updates"),
            ]
        )
    )
    training = (
        Training(
            id=demo_id("training", PASSPORTED, "foundation"),
            mediator_id=mediator.id,
            kind=TrainingKind.FOUNDATION,
            title="Family and community mediation foundation",
            provider="Mediation Training Collective",
            recognising_body=RecognisingBody.OCN,
            start_date=date(2007, 10, 1),
            end_date=date(2007, 11, 30),
            hours=Decimal("42"),
        ),
    )
    mentor = observers["Tomasz Wiśniewski"]
    contacts = (
        Contact(
            id=demo_id("contact", PASSPORTED, "supervision"),
            mediator_id=mediator.id,
            kind=ContactKind.SUPERVISION,
            met_on=today - timedelta(days=50),
            with_whom=mentor.name,
            observer_id=mentor.id,
            hours=Decimal("1"),
        ),
    )
    return PracticeRecord(
        mediator=mediator,
        observers=(mentor,),
        cases=cases,
        training=training,
        cpd=cpd,
        contacts=contacts,
    )


def _renewing(today: date) -> PracticeRecord:
    mediator = Mediator(
        id=demo_id("mediator", RENEWING),
        name=RENEWING,
        professional_body=ProfessionalBody.COM,
        accredited_on=today - timedelta(days=300),
        created_at=_at(date(2024, 6, 1)),
    )
    cases = tuple(
        Case(
            id=demo_id("case", RENEWING, str(i)),
            mediator_id=mediator.id,
            reference=f"SEND-R-{i:03d}",
            case_date=today - timedelta(days=90 * i),
            kind=CaseKind.MEDIATION,
            trainee_role=TraineeRole.LEADING,
            casework_hours=Decimal("4.5"),
        )
        for i in range(1, 4)
    )
    cpd: tuple[Cpd, ...] = (
        Cpd(
            id=demo_id("cpd", RENEWING, "1"),
            mediator_id=mediator.id,
            done_on=today - timedelta(days=100),
            hours=Decimal("12"),
            kind=CpdKind.TRAINING,
            description="Autism awareness for mediators",
        ),
        Cpd(
            id=demo_id("cpd", RENEWING, "2"),
            mediator_id=mediator.id,
            done_on=today - timedelta(days=200),
            hours=Decimal("4"),
            kind=CpdKind.ROLE_PLAY,
            description="Role-play evening: multi-party meetings",
        ),
    )
    cpd += (
        Cpd(
            id=demo_id("cpd", RENEWING, "3"),
            mediator_id=mediator.id,
            done_on=today - timedelta(days=45),
            hours=Decimal("5"),
            kind=CpdKind.PEER_MODERATION,
            description="Peer observation of a colleague's case, with written feedback",
        ),
    )
    contacts = (
        Contact(
            id=demo_id("contact", RENEWING, "supervision"),
            mediator_id=mediator.id,
            kind=ContactKind.SUPERVISION,
            met_on=today - timedelta(days=60),
            with_whom="Anjali Patel",
            hours=Decimal("1"),
            notes="Quarterly supervision.",
        ),
    )
    return PracticeRecord(mediator=mediator, cases=cases, cpd=cpd, contacts=contacts)


def build_demo(forms: _Forms, *, today: date) -> DemoData:
    """The demo practice periods, relative to ``today`` so renewal windows stay current."""
    observers = _observers()
    ready = _trainee(
        READY,
        forms,
        observers,
        code="SD",
        start=today - timedelta(days=150),
        roles=[
            (TraineeRole.OBSERVING, Decimal("3")),
            (TraineeRole.CO_MEDIATING, Decimal("4.5")),
            (TraineeRole.CO_MEDIATING, Decimal("3.75")),
            (TraineeRole.LEADING, Decimal("4.25")),
        ],
        gaps=(),
        reflection_hours=Decimal("2.5"),
        mentor_contact=True,
    )
    gapped = _trainee(
        GAPS,
        forms,
        observers,
        code="LZ",
        start=today - timedelta(days=90),
        roles=[
            (TraineeRole.OBSERVING, Decimal("3.5")),
            (TraineeRole.CO_MEDIATING, Decimal("5")),
            (TraineeRole.CO_MEDIATING, Decimal("4.5")),
        ],
        gaps=GAP_IDS,
        reflection_hours=Decimal("1"),
        mentor_contact=False,
    )
    return DemoData(
        observers=tuple(observers.values()),
        records=(ready, gapped, _passported(observers, today), _renewing(today)),
    )


# The provider's name a demo store prints on its certificates, unless one was set: it
# says what the certificates are, and ``remove_demo`` takes it away again.
DEMO_PROVIDER_NAME = "Demo provider (sample data, not a real organisation)"


def fill_store(store: Store, *, today: date) -> dict[str, int]:
    """Write the demo into ``store`` in one transaction; return rows added per table.

    Idempotent: records already present (by id) are left as they are. A store with no
    provider's name gets ``DEMO_PROVIDER_NAME`` (a real one set before or after wins).
    """
    from sendobserve.forms.registry import FormRegistry
    from sendobserve.storage.meta import META_PROVIDER_NAME, get_meta, set_meta
    from sendobserve.storage.repositories import (
        FormVersionRepository,
        put_practice_record,
    )

    forms = FormRegistry.standard()
    demo = build_demo(forms, today=today)
    added: dict[str, int] = {}
    with store.session() as session:
        form_versions = FormVersionRepository(session)
        for form_id in ("form1", "form2", "form3"):
            definition = forms.latest(form_id)
            if form_versions.get(form_id, definition.version) is None:
                form_versions.ensure(definition)
                added["form_versions"] = added.get("form_versions", 0) + 1
        for record in demo.records:
            result = put_practice_record(session, record, today=today)
            for table, count in result.added.items():
                added[table] = added.get(table, 0) + count
        if get_meta(session, META_PROVIDER_NAME) is None:
            set_meta(session, META_PROVIDER_NAME, DEMO_PROVIDER_NAME)
            added["store_meta"] = 1
    return {table: count for table, count in added.items() if count}


def remove_demo(store: Store, *, today: date) -> dict[str, int]:
    """Take the demo out of ``store`` in one transaction; return rows removed per table.

    Removes the four demo mediators with everything the demo recorded for them (cases,
    observations, marks, training, reflection, CPD, contacts, discretions, any
    certificate issued to them), the demo observers nobody else's records use and the
    demo's provider name (a real one is kept). If
    anything was added to a demo mediator since (a case, an observation, a training…),
    nothing is removed and ``UserError`` says what: it would otherwise be lost.
    """
    from sqlalchemy import delete, func, select, tuple_

    from sendobserve.errors import UserError
    from sendobserve.forms.registry import FormRegistry
    from sendobserve.storage.certificates import CertificatePrintRecord, CertificateRecord
    from sendobserve.storage.meta import META_PROVIDER_NAME, delete_meta, get_meta
    from sendobserve.storage.records import (
        CaseRecord,
        ContactRecord,
        CpdRecord,
        DiscretionRecord,
        MediatorRecord,
        ObservationRecord,
        ObserverRecord,
        ReflectionRecord,
        TrainingRecord,
    )

    demo = build_demo(FormRegistry.standard(), today=today)
    mediators = {r.mediator.id for r in demo.records}
    own: dict[Any, set[uuid.UUID]] = {
        ObservationRecord: {x.id for r in demo.records for x in r.observations},
        CaseRecord: {x.id for r in demo.records for x in r.cases},
        TrainingRecord: {x.id for r in demo.records for x in r.training},
        ReflectionRecord: {x.id for r in demo.records for x in r.reflections},
        CpdRecord: {x.id for r in demo.records for x in r.cpd},
        ContactRecord: {x.id for r in demo.records for x in r.contacts},
        DiscretionRecord: {x.id for r in demo.records for x in r.discretions},
    }
    removed: dict[str, int] = {}
    with store.session() as session:
        present = set(session.scalars(select(MediatorRecord.id).where(
            MediatorRecord.id.in_(mediators))))
        if not present:
            return {}
        added = {
            kind.__tablename__: n
            for kind, ids in own.items()
            if (n := session.scalar(select(func.count()).select_from(kind).where(
                kind.mediator_id.in_(present), kind.id.not_in(ids))) or 0)
        }
        from sendobserve.storage.evidence import list_evidence

        files = sum(len(list_evidence(session, m)) for m in present)
        if files:  # attached to demo entries: they would go with them
            added["evidence_files"] = files
        if added:
            what = ", ".join(f"{n} {table}" for table, n in sorted(added.items()))
            raise UserError(
                f"Nothing was removed: records were added to the demo mediators since ({what}), "
                "and removing the demo would lose them.",
                hint="Delete those records in the app first if they are not wanted.")
        # A certificate is known by its serial and issuer: another installation may have
        # issued the same serial to someone else.
        issued = [tuple(k) for k in session.execute(select(
            CertificateRecord.serial, CertificateRecord.issuer).where(
            CertificateRecord.mediator_id.in_(present)))]
        counts = [
            (CertificatePrintRecord, tuple_(CertificatePrintRecord.serial,
                                            CertificatePrintRecord.issuer).in_(issued)),
            (CertificateRecord, CertificateRecord.mediator_id.in_(present)),
            *((kind, kind.mediator_id.in_(present)) for kind in own),
            (MediatorRecord, MediatorRecord.id.in_(present)),
        ]
        def drop(kind: Any, where: Any) -> None:
            n = session.scalar(select(func.count()).select_from(kind).where(where)) or 0
            session.execute(delete(kind).where(where))
            if n:
                removed[kind.__tablename__] = n

        for kind, where in counts:
            drop(kind, where)
        demo_observers = {o.id for o in demo.observers}
        used = set(session.scalars(select(ObservationRecord.observer_id).where(
            ObservationRecord.observer_id.in_(demo_observers)))) | set(session.scalars(
                select(CertificateRecord.signer_id).where(
                    CertificateRecord.signer_id.in_(demo_observers))))
        drop(ObserverRecord, ObserverRecord.id.in_(demo_observers - used))
        if get_meta(session, META_PROVIDER_NAME) == DEMO_PROVIDER_NAME:
            delete_meta(session, META_PROVIDER_NAME)
            removed["store_meta"] = 1
    return removed

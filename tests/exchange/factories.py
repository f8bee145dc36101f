"""Realistic, deterministic exchange content for tests: finalised observations by two observers."""

from __future__ import annotations

import random
import struct
import uuid
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sendobserve.exchange.codec import ExportPayload, FormText
from sendobserve.model.domain import (
    Amendment,
    Case,
    CaseKind,
    DebriefNote,
    Mark,
    MarkChange,
    MarkState,
    Mediator,
    Observation,
    ObservationState,
    Observer,
    ObserverRole,
    ProfessionalBody,
    Signature,
    TraineeRole,
)
from sendobserve.paths import resources_dir

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def tiny_png(seed: int = 0) -> bytes:
    """A real 2x1 greyscale PNG (a drawn signature stand-in), different per seed."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    raw = bytes([0, seed % 256, (seed * 7) % 256])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def uid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


FORMS_DIR = resources_dir() / "forms"
FORM2_YAML = (FORMS_DIR / "form2-standards-2018.yaml").read_text(encoding="utf-8")
FORM3_YAML = (FORMS_DIR / "form3-standards-2018.yaml").read_text(encoding="utf-8")
FORM_VERSION = "standards-2018"


def mediator(rng: random.Random, name: str = "Siobhán Ó Dálaigh") -> Mediator:
    return Mediator(id=uid(rng), name=name, professional_body=ProfessionalBody.COM,
                    created_at=T0)


def observer(rng: random.Random, name: str, role: ObserverRole = ObserverRole.PPC) -> Observer:
    return Observer(id=uid(rng), name=name, role=role, experienced_send=True,
                    ppc_register_entry="COM-PPC-0042" if role is ObserverRole.PPC else None,
                    created_at=T0)


def case(rng: random.Random, med: Mediator, ref: str, hours: str = "4.1") -> Case:
    return Case(id=uid(rng), mediator_id=med.id, reference=ref, case_date=date(2026, 3, 2),
                kind=CaseKind.MEDIATION, trainee_role=TraineeRole.CO_MEDIATING,
                casework_hours=Decimal(hours), created_at=T0)


# Real item ids of the shipped Form 3: ticked items, and de-brief topics that take notes.
CRITERIA = ("f3.pm.final_paperwork", "f3.pm.case_records", "f3.sk.communicate_accessibly",
            "f3.sk.feedback_to_service")
DEBRIEF_TOPIC = "f3.db.strengths"


def observation(rng: random.Random, c: Case, obs: Observer, ordinal: int = 1,
                *, seed: int = 0) -> tuple[Observation, tuple[Mark, ...], tuple[DebriefNote, ...]]:
    o = Observation(
        id=uid(rng), case_id=c.id, mediator_id=c.mediator_id, observer_id=obs.id,
        form_id="form3", form_version=FORM_VERSION, ordinal=ordinal,
        observed_on=c.case_date, state=ObservationState.FINALISED,
        signature=Signature(name=obs.name, role=obs.role, signed_on=c.case_date,
                            drawing_png=tiny_png(seed)),
        created_at=T0, updated_at=T0 + timedelta(hours=2), finalised_at=T0 + timedelta(hours=2),
    )
    states = list(MarkState)
    marks = tuple(
        Mark(observation_id=o.id, criterion_id=crit, state=states[(i + seed) % len(states)],
             note="Clear summary;\nchecked understanding." if i == 0 else "",
             marked_at=T0 + timedelta(minutes=i))
        for i, crit in enumerate(CRITERIA)
    )
    notes = (DebriefNote(observation_id=o.id, criterion_id=DEBRIEF_TOPIC,
                         text="Calm, well paced.", updated_at=T0 + timedelta(hours=3)),)
    return o, marks, notes


def amend(o: Observation, marks: tuple[Mark, ...], rng: random.Random, *, criterion: str,
          new_state: MarkState, by: str, at: datetime, reason: str
          ) -> tuple[Observation, tuple[Mark, ...], Amendment]:
    """The same observation after an amendment: new marks plus the amendment record."""
    old = next(m for m in marks if m.criterion_id == criterion)
    change = MarkChange(criterion_id=criterion, old_state=old.state, new_state=new_state,
                        old_note=old.note, new_note=old.note)
    amendment = Amendment(id=uid(rng), observation_id=o.id, reason=reason, amended_by=by,
                          amended_at=at, changes=(change,))
    new_marks = tuple(replace(m, state=new_state, marked_at=at) if m.criterion_id == criterion
                      else m for m in marks)
    return replace(o, state=ObservationState.AMENDED, updated_at=at), new_marks, amendment


def sample_payload(seed: int = 1, n_observations: int = 2) -> ExportPayload:
    rng = random.Random(seed)
    med = mediator(rng)
    ppc = observer(rng, "Łucja Żak")
    co = observer(rng, "Dev Patel", ObserverRole.CO_MEDIATOR)
    observations, marks, notes, cases = [], [], [], []
    for i in range(n_observations):
        c = case(rng, med, f"LA-2026-{seed:03d}-{i}")
        o, ms, ns = observation(rng, c, ppc if i % 2 == 0 else co, i + 1, seed=seed + i)
        cases.append(c)
        observations.append(o)
        marks.extend(ms)
        notes.extend(ns)
    used = {o.observer_id for o in observations}
    return ExportPayload(
        created_at=T0 + timedelta(days=1), exported_by="Łucja Żak", mediators=(med,),
        observers=tuple(x for x in (ppc, co) if x.id in used), cases=tuple(cases),
        observations=tuple(observations), marks=tuple(marks), debrief_notes=tuple(notes),
        forms=(FormText("form3", FORM_VERSION, FORM3_YAML),),
    )

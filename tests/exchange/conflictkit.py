"""Two laptops that exchanged a trainee's whole record and then disagreed in every way a
store keeps as a conflict, for the Conflicts screen's tests: an observation amended
differently, a reflection edited differently, a training course deleted on A and edited
on B, and a Form 4 issued on each. B imports A's file and holds all four."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sendobserve.model.domain import MarkState, Mediator, Observer, ObserverRole, utcnow
from sendobserve.storage.repositories import PracticeRepository, in_session
from sendobserve.storage.repositories.certificates import CertificateRepository

from .factories import CRITERIA
from .storekit import (
    TempStore,
    add_finalised_observation,
    add_observer,
    add_people,
    amend_observation,
)
from .test_whole_record import _export_record, _fill_logs, _record


@dataclass
class Disagreement:
    a: TempStore
    b: TempStore
    trainee: Mediator
    ppc: Observer
    decider: Observer  # a PPC held on B, who may decide
    co_mediator: Observer  # held on B, who may not
    observation_id: uuid.UUID
    serials: tuple[str, str]  # the Form 4 issued on A, on B


def _issue(ts: TempStore, trainee: Mediator, ppc: Observer, code: str,
           days_before: int) -> str:
    with ts.session() as s:
        return CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=4, mediator_id=trainee.id, signer_id=ppc.id, signer_name=ppc.name,
            issued_on=utcnow().date() - timedelta(days=days_before),
            code_for=lambda _s: code)[0].serial


def disagreeing_laptops(tmp_path: Path) -> Disagreement:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    oid = add_finalised_observation(a, trainee, ppc, "LA-1")
    _fill_logs(a, trainee.id, ppc.id)
    b.import_bytes(_export_record(a, trainee.id, "Pat on laptop A"))
    record = _record(a, trainee.id)
    reflection, training = record.reflections[0], record.training[0]
    amend_observation(a, oid, CRITERIA[1], MarkState.DEMONSTRATED, "Łucja Żak")
    amend_observation(b, oid, CRITERIA[1], MarkState.NOT_APPLICABLE, "Łucja Żak")
    for ts, hours in ((a, "2"), (b, "2.5")):
        with ts.session() as s:
            PracticeRepository(in_session(s)).update(replace(reflection, hours=Decimal(hours)))
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(type(training), training.id)
    with b.session() as s:
        PracticeRepository(in_session(s)).update(replace(training, hours=Decimal("41")))
    serial_a = _issue(a, trainee, ppc, "AAAA1111", 0)
    serial_b = _issue(b, trainee, ppc, "BBBB2222", 366)  # another year: another serial
    b.import_bytes(_export_record(a, trainee.id, "Pat on laptop A"))
    decider = add_observer(b, "Dana Whitfield", ObserverRole.PPC)
    co = add_observer(b, "Ceri Jones", ObserverRole.CO_MEDIATOR)
    return Disagreement(a, b, trainee, ppc, decider, co, oid, (serial_a, serial_b))

"""One trainee's whole record as an exchange file: size, seal, open and import times.

    PYTHONPATH=$PWD python bench/exchange_record.py [--observations 60] [--repeat 3]

Builds, in a real encrypted store in a temp folder, a record of N finalised Form 3
observations (each with every item marked, a de-brief note, a 20 kB drawn signature and
its author's signature), one amendment in five, N/3 cases' worth of training, reflection,
CPD, mentoring and supervision contacts and a discretion, the Form 4 issued (with two
20 kB drawings), two signed deletions (a reflection and a case that had travelled) and a
person's signed decision on a conflict; exports it with the whole-record scope at the
production scrypt cost, and imports it into a second new store, then again (nothing to
do). Prints the median of ``--repeat`` runs of each step, and the size of a
"changed since the last export to" file after one edit.
Not part of the test suite: timings on a shared machine vary.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sendobserve.exchange.apply import apply_import
from sendobserve.exchange.bundle import open_bundle, seal
from sendobserve.exchange.codec import canonical_json
from sendobserve.exchange.decide import decide_record
from sendobserve.exchange.export import ExportScope, build_payload, payload_counts
from sendobserve.exchange.logs import record_digest, record_json
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    Discretion,
    MarkState,
    Mediator,
    Observer,
    ObserverRole,
    ProfessionalBody,
    RecognisingBody,
    Reflection,
    Signature,
    TraineeRole,
    Training,
    TrainingKind,
)
from sendobserve.pki.identity import load_or_create_identity
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MarkEdit,
    MediatorRepository,
    ObservationRepository,
    ObserverRepository,
    PracticeRepository,
    in_session,
    load_practice_record,
)
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.exchange.storekit import TempStore

PASS = "a long shared file passphrase"


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + os.urandom(20_000)


def build(ts: TempStore, n: int) -> uuid.UUID:
    forms = FormRegistry.standard()
    form3 = forms.latest("form3")
    items = [t.id for t in form3.tick_items()]
    today = datetime.now(UTC).date()
    start = today - timedelta(days=n + 30)
    trainee = Mediator(id=uuid.uuid4(), name="Siobhán Ó Dálaigh",
                       professional_body=ProfessionalBody.COM)
    ppc = Observer(id=uuid.uuid4(), name="Łucja Żak", role=ObserverRole.PPC,
                   experienced_send=True, ppc_register_entry="COM-PPC-7")
    with ts.session() as s:
        MediatorRepository(in_session(s)).add(trainee)
        ObserverRepository(in_session(s)).add(ppc)
        FormVersionRepository(in_session(s)).ensure(form3)
        cases = CaseRepository(in_session(s))
        observations = ObservationRepository(in_session(s))
        practice = PracticeRepository(in_session(s))
        states = [MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED,
                  MarkState.NOT_APPLICABLE]
        for i in range(n):
            day = start + timedelta(days=i)
            case = Case(uuid.uuid4(), trainee.id, f"LA-{i:04d}", day, CaseKind.MEDIATION,
                        TraineeRole.CO_MEDIATING, Decimal("3.5"))
            cases.add(case)
            obs = observations.start(case.id, ppc.id, "form3", form3.version)
            for k, item in enumerate(items):
                observations.set_mark(obs.id, item, states[(i + k) % 3],
                                      "Checked understanding." if k % 7 == 0 else None,
                                      by=ppc.name)
            topic = next(c.id for c in form3.criteria() if c.id.startswith("f3.db."))
            observations.set_debrief_note(obs.id, topic, "Calm and well paced; summarised "
                                          "each party's view before moving on.")
            observations.finalise(obs.id, Signature(ppc.name, ppc.role, today, _png()))
            if i % 5 == 0:
                observations.amend(obs.id, [MarkEdit(items[0], MarkState.DEMONSTRATED,
                                                     "Seen on review.")],
                                   "Corrected after the de-brief", by=ppc.name)
        for i in range(max(1, n // 3)):
            day = start + timedelta(days=i)
            practice.add(Training(uuid.uuid4(), trainee.id, TrainingKind.OTHER,
                                  f"Module {i}", "Acme", RecognisingBody.CMC, day, day,
                                  Decimal("3")))
            practice.add(Reflection(uuid.uuid4(), trainee.id, day, Decimal("0.5"),
                                    ppc.name, "What went well; what to change." * 4))
            practice.add(Cpd(uuid.uuid4(), trainee.id, day, Decimal("2"), CpdKind.READING,
                             "SEND Code of Practice, chapter 11"))
            practice.add(Contact(uuid.uuid4(), trainee.id, ContactKind.SUPERVISION, day,
                                 ppc.name, ppc.id, Decimal("1"), "Quarterly."))
        # §1.3: observing first is left to the assessor, the provider and the mediator.
        practice.add(Discretion(uuid.uuid4(), trainee.id, "observed_first", ppc.name,
                                ObserverRole.PPC, "Co-worked first: no observable case.",
                                today, provider_agreed_by="Pat Provider",
                                mediator_agreed=True))
        extra = Case(uuid.uuid4(), trainee.id, "LA-ENTERED-TWICE", start, CaseKind.MEDIATION,
                     TraineeRole.OBSERVING, Decimal("1"))
        cases.add(extra)
        CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=4, mediator_id=trainee.id, signer_id=ppc.id, signer_name=ppc.name,
            issued_on=today, code_for=lambda serial: "K7QF2XA9", signer_drawing=_png(),
            mediator_drawing=_png())
    with ts.session() as s:  # it travelled once: deletions now leave signed tombstones
        build_payload(s, trainee.id, exported_by="Łucja Żak", scope=ExportScope.RECORD)
    with ts.session() as s:
        record = load_practice_record(s, trainee.id)
        PracticeRepository(in_session(s)).delete(Reflection, record.reflections[0].id)
        CaseRepository(in_session(s)).delete(extra.id)
        training = record.training[0]
        other = replace(training, hours=Decimal("4"))
        stored.keep_record_conflict(s, "training", other, record_digest(other),
                                    canonical_json(record_json(other)), "AAAA BBBB",
                                    datetime.now(UTC))
        decide_record(s, "training", training.id, keep="current", decided_by=ppc.name,
                      reason="The course outline says 3 hours")
    return trainee.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"seal": [], "open": [], "import": [], "again": []}
    with tempfile.TemporaryDirectory() as folder:
        source = TempStore.create(Path(folder) / "source")
        t = time.perf_counter()
        trainee = build(source, args.observations)
        print(f"built the record in {time.perf_counter() - t:.1f} s")
        with source.session() as s:
            identity = load_or_create_identity(stored.StoredSigningKey(s))
            payload = build_payload(s, trainee, exported_by="Łucja Żak",
                                    scope=ExportScope.RECORD)
        counts = ", ".join(f"{n} {k}" for k, n in payload_counts(payload).items())
        size = 0
        for r in range(args.repeat):
            t = time.perf_counter()
            data = seal(payload, passphrase=PASS, signing_key=identity)
            times["seal"].append(time.perf_counter() - t)
            size = len(data)
            t = time.perf_counter()
            opened = open_bundle(data, passphrase=PASS)
            times["open"].append(time.perf_counter() - t)
            dest = TempStore.create(Path(folder) / f"dest-{r}")
            with dest.open() as store:
                t = time.perf_counter()
                with store.session() as s:
                    first = apply_import(s, opened)
                times["import"].append(time.perf_counter() - t)
                t = time.perf_counter()
                with store.session() as s:
                    again = apply_import(s, opened)
                times["again"].append(time.perf_counter() - t)
            assert first.added == args.observations and not again.written
        with source.session() as s:
            build_payload(s, trainee, exported_by="Łucja Żak", scope=ExportScope.SINCE_LAST,
                          since_last_to="Dev Patel")
            record = load_practice_record(s, trainee)
            PracticeRepository(in_session(s)).update(replace(
                record.cpd[0], description="SEND Code of Practice, chapters 9 and 11"))
            since = build_payload(s, trainee, exported_by="Łucja Żak",
                                  scope=ExportScope.SINCE_LAST, since_last_to="Dev Patel")
        since_size = len(seal(since, passphrase=PASS, signing_key=identity))
    print(f"whole record: {counts}")
    print(f"file: {size:,} bytes ({len(opened.payload_bytes):,} bytes of JSON before "
          "compression)")
    print(f"changed since the last export to a person, after one CPD edit: {since_size:,} "
          "bytes")
    for step, label in (("seal", "seal (scrypt 2^17, sign, compress, encrypt)"),
                        ("open", "open (scrypt 2^17, decrypt, inflate, verify, validate)"),
                        ("import", "import into a new store (one transaction)"),
                        ("again", "same file again (nothing written)")):
        values = times[step]
        print(f"{label}: median {statistics.median(values):.2f} s over {len(values)} "
              f"(min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()

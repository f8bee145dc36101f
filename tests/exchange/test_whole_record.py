"""The whole record travels (payload schema 2): every kind round-trips, edits merge by
history, independent edits are kept as conflicts, and a record split across three stores
converges by files alone to the same readiness everywhere."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sendobserve.demo import build_demo
from sendobserve.errors import UserError
from sendobserve.exchange.apply import apply_import, preview_import
from sendobserve.exchange.bundle import open_bundle, seal
from sendobserve.exchange.codec import PAYLOAD_SCHEMA
from sendobserve.exchange.conflicts import list_record_conflicts, resolve_record_conflict
from sendobserve.exchange.errors import ExchangeError
from sendobserve.exchange.export import ExportScope, build_payload, export_bundle, payload_counts
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    Discretion,
    ObserverRole,
    PassportRoute,
    PracticeRecord,
    RecognisingBody,
    Reflection,
    TraineeRole,
    Training,
    TrainingKind,
)
from sendobserve.model.readiness import assess_readiness, form4_refusal
from sendobserve.pki.identity import Identity, load_or_create_identity
from sendobserve.storage import exchange as stored
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MediatorRepository,
    ObserverRepository,
    PracticeRepository,
    in_session,
    load_practice_record,
    put_practice_record,
)
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.helpers import durable_snapshot

from .factories import sample_payload
from .storekit import FAST_KDF, PASS, TempStore, add_finalised_observation, add_people

TODAY = datetime.now(UTC).date()
LOG_FIELDS = ("training", "reflections", "cpd", "contacts", "discretions")


def _export_record(ts: TempStore, mediator_id: uuid.UUID, name: str = "Exporter") -> bytes:
    with ts.session() as s:
        identity = load_or_create_identity(stored.StoredSigningKey(s))
        data, _ = export_bundle(s, mediator_id, passphrase=PASS, identity=identity,
                                exported_by=name, kdf_log2_n=FAST_KDF,
                                scope=ExportScope.RECORD)
    return data


def _record(ts: TempStore, mediator_id: uuid.UUID) -> PracticeRecord:
    with ts.session() as s:
        return load_practice_record(s, mediator_id)


def _fill_logs(ts: TempStore, mediator_id: uuid.UUID, observer_id: uuid.UUID) -> None:
    d = TODAY - timedelta(days=20)
    with ts.session() as s:
        repo = PracticeRepository(in_session(s))
        repo.add(Training(uuid.uuid4(), mediator_id, TrainingKind.FOUNDATION, "Foundation",
                          "Acme Mediation", RecognisingBody.CMC, d - timedelta(days=5), d,
                          Decimal("40")))
        repo.add(Reflection(uuid.uuid4(), mediator_id, d, Decimal("1.5"), "Ann Lee",
                            "What went well;\nwhat to change."))
        repo.add(Cpd(uuid.uuid4(), mediator_id, d, Decimal("3"), CpdKind.READING,
                     "SEND Code of Practice, ch. 11"))
        repo.add(Contact(uuid.uuid4(), mediator_id, ContactKind.MENTORING, d, "Łucja Żak",
                         observer_id, Decimal("1"), "Monthly."))
        # §1.3: observing first is left to the assessor, the provider and the mediator.
        repo.add(Discretion(uuid.uuid4(), mediator_id, "observed_first", "Łucja Żak",
                            ObserverRole.PPC, "Co-worked first: no observable case in time.",
                            d, provider_agreed_by="Pat Provider", mediator_agreed=True))
        CaseRepository(in_session(s)).add(Case(
            uuid.uuid4(), mediator_id, "LA-NO-OBS", d, CaseKind.MEDIATION,
            TraineeRole.LEADING, Decimal("2.75")))
        mediators = MediatorRepository(in_session(s))
        m = mediators.get(mediator_id)
        mediators.update(replace(m, passported=True, accredited_on=d - timedelta(days=400),
                                 passport_route=PassportRoute.PANEL,
                                 panel_confirmed_by="Pat Provider", panel_confirmed_on=d,
                                 rules_edition="standards-2018-v1"))


def test_every_part_of_the_record_round_trips(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    _fill_logs(a, trainee.id, ppc.id)
    with a.session() as s:
        payload = build_payload(s, trainee.id, exported_by="x", scope=ExportScope.RECORD)
    assert payload.schema == PAYLOAD_SCHEMA == 2
    counts = payload_counts(payload)
    assert {k: counts[k] for k in (*LOG_FIELDS, "observations", "cases")} == {
        "training": 1, "reflections": 1, "cpd": 1, "contacts": 1, "discretions": 1,
        "observations": 1, "cases": 2}
    result = b.import_bytes(_export_record(a, trainee.id))
    assert result.written
    lines = "\n".join(result.preview.lines())
    assert "Training: 1 new, 0 updated, 0 in conflict, 0 already here" in lines
    ra, rb = _record(a, trainee.id), _record(b, trainee.id)
    for name in ("cases", "observations", "marks", "debrief_notes", *LOG_FIELDS):
        assert getattr(rb, name) == getattr(ra, name), name
    assert (rb.mediator.passported, rb.mediator.accredited_on) == (True, ra.mediator.accredited_on)
    # The rulebook's facts travel too: the route, the provider's confirmation, the edition.
    assert replace(rb.mediator, created_at=ra.mediator.created_at) == ra.mediator
    assert rb.discretions[0].agreed("provider") and rb.discretions[0].mediator_agreed
    report = assess_readiness
    forms = FormRegistry.standard()
    assert report(ra, forms, today=TODAY).to_json() == report(rb, forms, today=TODAY).to_json()


def test_an_edit_travels_and_independent_edits_are_kept_as_conflicts(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    _fill_logs(a, trainee.id, ppc.id)
    b.import_bytes(_export_record(a, trainee.id))
    training = _record(a, trainee.id).training[0]
    reflection = _record(a, trainee.id).reflections[0]

    # A corrects the training's hours; B, which never edited it, takes the correction.
    with a.session() as s:
        PracticeRepository(in_session(s)).update(replace(training, hours=Decimal("42")))
    result = b.import_bytes(_export_record(a, trainee.id))
    assert "Training: 0 new, 1 updated" in "\n".join(result.preview.lines())
    assert _record(b, trainee.id).training[0].hours == Decimal("42")

    # Both edit the reflection: each keeps its own and holds the other's beside it.
    for ts, hours in ((a, "2"), (b, "2.5")):
        with ts.session() as s:
            PracticeRepository(in_session(s)).update(replace(reflection, hours=Decimal(hours)))
    from_a, from_b = _export_record(a, trainee.id), _export_record(b, trainee.id)
    ra = a.import_bytes(from_b)
    rb = b.import_bytes(from_a)
    for ts, result, ours in ((a, ra, "2"), (b, rb, "2.5")):
        assert any("CONFLICT" in ln and "reflection" in ln for ln in result.preview.lines())
        assert _record(ts, trainee.id).reflections[0].hours == Decimal(ours)
        with ts.session() as s:
            (kept,) = stored.kept_record_versions(s)
        assert kept.kind == "reflections" and kept.record_id == reflection.id
    # The same file again changes nothing, not a byte.
    before = durable_snapshot(a.data_dir)
    again = a.import_bytes(from_b)
    assert not again.written and durable_snapshot(a.data_dir) == before
    # The conflict does not leak into history: B's next export does not claim A's edit.
    rb2 = b.import_bytes(_export_record(a, trainee.id))
    assert _record(b, trainee.id).reflections[0].hours == Decimal("2.5")
    assert not rb2.preview.changes_store


def test_a_record_cannot_be_moved_to_another_trainee(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    _fill_logs(a, trainee.id, ppc.id)
    b.import_bytes(_export_record(a, trainee.id))
    with a.session() as s:
        payload = build_payload(s, trainee.id, exported_by="x", scope=ExportScope.RECORD)
    other = replace(payload.mediators[0], id=uuid.uuid4(), name="Someone Else")
    moved = replace(payload, mediators=(*payload.mediators, other),
                    training=tuple(replace(t, mediator_id=other.id) for t in payload.training),
                    history=tuple(h for h in payload.history if h.kind != "training"),
                    provenance=())
    data = seal(moved, passphrase=PASS, signing_key=Identity.generate(), kdf_log2_n=FAST_KDF)
    before = durable_snapshot(b.data_dir)
    with pytest.raises(ExchangeError, match="moves a training record"):
        b.import_bytes(data)
    assert durable_snapshot(b.data_dir) == before


def test_version_1_files_are_still_read(tmp_path: Path) -> None:
    v1 = replace(sample_payload(4, n_observations=2), schema=1)
    data = seal(v1, passphrase=PASS, signing_key=Identity.generate(), kdf_log2_n=FAST_KDF)
    opened = open_bundle(data, passphrase=PASS)
    assert opened.payload.schema == 1 and opened.payload == v1
    ts = TempStore.create(tmp_path / "dest")
    assert ts.import_opened(opened).added == 2


# ---------------------------------------------------------------------------------------
# Convergence: one trainee's record split across three laptops


def _split(record: PracticeRecord, rng: random.Random) -> list[PracticeRecord]:
    """Each case (with its observations) and each log record on one of three stores."""
    owner = {c.id: i % 3 if i < 3 else rng.randrange(3) for i, c in enumerate(record.cases)}
    obs_owner = {o.id: owner[o.case_id] for o in record.observations}
    log_owner = {r.id: rng.randrange(3) for name in LOG_FIELDS for r in getattr(record, name)}
    parts = []
    for k in range(3):
        observations = tuple(o for o in record.observations if obs_owner[o.id] == k)
        ids = {o.id for o in observations}
        logs = {name: tuple(r for r in getattr(record, name) if log_owner[r.id] == k)
                for name in LOG_FIELDS}
        used = {o.observer_id for o in observations} | {
            c.observer_id for c in logs["contacts"] if c.observer_id}
        parts.append(PracticeRecord(
            mediator=record.mediator,
            observers=tuple(o for o in record.observers if o.id in used),
            cases=tuple(c for c in record.cases if owner[c.id] == k),
            observations=observations,
            marks=tuple(m for m in record.marks if m.observation_id in ids),
            debrief_notes=tuple(n for n in record.debrief_notes if n.observation_id in ids),
            amendments=tuple(a for a in record.amendments if a.observation_id in ids),
            **logs,
        ))
    return parts


@pytest.mark.slow
@settings(max_examples=3, deadline=None, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_a_record_split_across_three_stores_converges_to_the_same_readiness(
    tmp_path_factory: pytest.TempPathFactory, seed: int,
) -> None:
    rng = random.Random(seed)
    forms = FormRegistry.standard()
    demo = build_demo(forms, today=TODAY)
    whole = demo.records[0]  # the trainee who is ready for Form 4
    expected = assess_readiness(whole, forms, today=TODAY)
    assert expected.ready
    root = tmp_path_factory.mktemp("split")
    stores = [TempStore.create(root / name) for name in ("trainee", "co-mediator", "ppc")]
    # Beyond the split: an entry held on two laptops and deleted on one after it travelled
    # (a signed tombstone), and the Form 4 issued on the trainee's laptop.
    extra = Cpd(uuid.uuid4(), whole.mediator.id, TODAY - timedelta(days=2), Decimal("2"),
                CpdKind.READING, "Entered twice")
    signer = expected.eligible_signers[0]
    for k, (ts, part) in enumerate(zip(stores, _split(whole, rng), strict=True)):
        with ts.session() as s:
            for form_id in ("form1", "form2", "form3"):
                FormVersionRepository(in_session(s)).ensure(forms.latest(form_id))
            put_practice_record(s, replace(part, cpd=(*part.cpd, extra) if k else part.cpd),
                                today=TODAY)
    with stores[1].session() as s:
        build_payload(s, whole.mediator.id, exported_by="x", scope=ExportScope.RECORD)
        PracticeRepository(in_session(s)).delete(Cpd, extra.id)
    with stores[0].session() as s:
        if signer.id not in {o.id for o in load_practice_record(s, whole.mediator.id
                                                                 ).observers}:
            ObserverRepository(in_session(s)).add(signer)
        issued, _ = CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=4, mediator_id=whole.mediator.id, signer_id=signer.id,
            signer_name=signer.name, issued_on=TODAY, code_for=lambda serial: "K7QF2XA9")
    files = [open_bundle(_export_record(ts, whole.mediator.id), passphrase=PASS)
             for ts in stores]
    for k, ts in enumerate(stores):
        others = [f for j, f in enumerate(files) if j != k]
        rng.shuffle(others)
        for opened in others:
            with ts.session() as s:
                preview_import(s, opened)
                apply_import(s, opened)
    reports = [assess_readiness(_record(ts, whole.mediator.id), forms, today=TODAY)
               for ts in stores]
    assert all(r.to_json() == expected.to_json() for r in reports)
    assert all(r.ready for r in reports)  # Form 4 can be signed on every laptop
    # The same Form 4 decision everywhere, and the same certificate (a re-print anywhere
    # keeps its serial and code); the deleted entry is gone everywhere.
    assert {form4_refusal(r, signer) for r in reports} == {None}
    for ts in stores:
        with ts.session() as s:
            held = CertificateRepository(in_session(s)).find(whole.mediator.id, 4)
            assert held is not None
            assert (held.serial, held.verification_code) == (issued.serial, "K7QF2XA9")
            assert ("cpd", extra.id) in controls_store.tombstones(s)
        assert extra.id not in {c.id for c in _record(ts, whole.mediator.id).cpd}


def test_an_observer_scope_carries_only_what_that_observer_wrote(tmp_path: Path) -> None:
    a = TempStore.create(tmp_path / "a")
    trainee, ppc = add_people(a)
    mine = add_finalised_observation(a, trainee, ppc, "LA-1")
    from .storekit import add_observer

    co = add_observer(a, "Dev Patel")
    add_finalised_observation(a, trainee, co, "LA-2", seed=1)
    with a.session() as s:
        payload = build_payload(s, trainee.id, exported_by="x", scope=ExportScope.OBSERVER,
                                observer_id=ppc.id)
    assert [o.id for o in payload.observations] == [mine]
    assert [o.id for o in payload.observers] == [ppc.id]


def test_a_persons_decision_settles_a_conflict_on_every_store(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    _fill_logs(a, trainee.id, ppc.id)
    b.import_bytes(_export_record(a, trainee.id))
    reflection = _record(a, trainee.id).reflections[0]
    for ts, hours in ((a, "2"), (b, "2.5")):
        with ts.session() as s:
            PracticeRepository(in_session(s)).update(replace(reflection, hours=Decimal(hours)))
    a.import_bytes(_export_record(b, trainee.id))
    b.import_bytes(_export_record(a, trainee.id))
    with a.session() as s:
        (conflict,) = list_record_conflicts(s)
    assert conflict.kind == "reflections" and conflict.current["hours"] == "2"
    assert any("hours: current '2', kept '2.5'" in ln for ln in conflict.lines())
    (kept,) = conflict.kept
    # On A, the PPC decides for B's version.
    with a.session() as s:
        with pytest.raises(UserError, match="reason"):
            resolve_record_conflict(s, "reflections", reflection.id, keep=kept.digest[:10],
                                    decided_by="Łucja Żak", reason=" ")
        resolve_record_conflict(s, "reflections", reflection.id, keep=kept.digest[:10],
                                decided_by="Łucja Żak", reason="B's hours match the diary")
    assert _record(a, trainee.id).reflections[0].hours == Decimal("2.5")
    with a.session() as s:
        assert list_record_conflicts(s) == ()
    # The decision travels: B (current 2.5, A's 2 kept) takes it and drops the kept one.
    b.import_bytes(_export_record(a, trainee.id))
    with b.session() as s:
        assert list_record_conflicts(s) == ()
    assert _record(b, trainee.id).reflections[0].hours == Decimal("2.5")
    # And an old file with the retired version does not bring the conflict back.
    with a.session() as s:
        hist = stored.record_histories(s, [("reflections", reflection.id)])
    assert len(hist[("reflections", reflection.id)]) >= 2


def test_mediator_details_follow_an_edit_in_any_scope(tmp_path: Path) -> None:
    """Passporting facts edited on the trainee's laptop reach a store that holds the older
    details, also through a file of observations only."""
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    b.import_bytes(a.export(trainee.id))
    with a.session() as s:
        mediators = MediatorRepository(in_session(s))
        mediators.update(replace(mediators.get(trainee.id), passported=True,
                                 accredited_on=TODAY - timedelta(days=30)))
    result = b.import_bytes(a.export(trainee.id))
    assert "Mediator details: 0 new, 1 updated" in "\n".join(result.preview.lines())
    assert _record(b, trainee.id).mediator.passported
    with b.session() as s:
        assert list_record_conflicts(s) == ()

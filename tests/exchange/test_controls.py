"""Certificates issued, signed tombstones and people's signed decisions travel; cases and
observers have a version history; "what changed since the last export to a person"."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sendobserve.errors import UserError
from sendobserve.exchange.bundle import _seal_signed, open_bundle, seal
from sendobserve.exchange.codec import (
    canonical_json,
    decode_payload,
    encode_payload,
    payload_json,
)
from sendobserve.exchange.conflicts import list_conflicts, list_record_conflicts
from sendobserve.exchange.decide import (
    decide_observation,
    decide_record,
    list_certificate_conflicts,
    list_tombstone_conflicts,
)
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.export import ExportScope, build_payload, export_bundle, payload_counts
from sendobserve.exchange.logs import record_digest
from sendobserve.model.domain import MarkState, ObserverRole, utcnow
from sendobserve.pki.identity import Identity, Revocation, load_or_create_identity
from sendobserve.services.exchange import decision_changes
from sendobserve.storage import exchange as stored
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import (
    CaseRepository,
    ObserverRepository,
    PracticeRepository,
    in_session,
)
from sendobserve.storage.repositories.certificates import CertificateRepository
from tests.helpers import durable_snapshot

from .storekit import (
    FAST_KDF,
    PASS,
    TempStore,
    add_finalised_observation,
    add_observer,
    add_people,
    amend_observation,
)
from .test_whole_record import _export_record, _fill_logs, _record

TODAY = datetime.now(UTC).date()


def _issue(ts: TempStore, mediator_id: uuid.UUID, signer_id: uuid.UUID, signer: str,
           code: str, form: int = 4) -> tuple[str, str]:
    with ts.session() as s:
        cert, _reprint = CertificateRepository(in_session(s)).issue_or_reprint(
            form_number=form, mediator_id=mediator_id, signer_id=signer_id,
            signer_name=signer, issued_on=TODAY, code_for=lambda serial: code)
    return cert.serial, cert.verification_code


def _setup(tmp_path: Path, *names: str) -> tuple[list[TempStore], object, object]:
    stores = [TempStore.create(tmp_path / n) for n in names]
    trainee, ppc = add_people(stores[0])
    add_finalised_observation(stores[0], trainee, ppc, "LA-1")
    _fill_logs(stores[0], trainee.id, ppc.id)
    data = _export_record(stores[0], trainee.id)
    for ts in stores[1:]:
        ts.import_bytes(data)
    return stores, trainee, ppc


def _since(ts: TempStore, mediator_id: uuid.UUID, to: str) -> bytes:
    with ts.session() as s:
        identity = load_or_create_identity(stored.StoredSigningKey(s))
        data, _ = export_bundle(s, mediator_id, passphrase=PASS, identity=identity,
                                exported_by="Exporter", kdf_log2_n=FAST_KDF,
                                scope=ExportScope.SINCE_LAST, since_last_to=to)
    return data


# ---------------------------------------------------------------------------------------
# Certificates


def test_a_form4_issued_elsewhere_travels_and_a_reprint_there_keeps_serial_and_code(
    tmp_path: Path,
) -> None:
    (trainee_laptop, signer_laptop), trainee, ppc = _setup(tmp_path, "trainee", "signer")
    serial, code = _issue(trainee_laptop, trainee.id, ppc.id, ppc.name, "K7QF2XA9")
    result = signer_laptop.import_bytes(_export_record(trainee_laptop, trainee.id))
    assert any(line.startswith(f"Certificate: Form 4 {serial}") and line.endswith("new")
               for line in result.preview.lines())
    with signer_laptop.session() as s:
        repo = CertificateRepository(in_session(s))
        held = repo.find(trainee.id, 4)
        assert held is not None and (held.serial, held.verification_code) == (serial, code)
        assert held.signer_name == ppc.name and held.issued_on == TODAY
        # A re-print on the signer's laptop keeps the serial and the code.
        again, reprint = repo.issue_or_reprint(
            form_number=4, mediator_id=trainee.id, signer_id=ppc.id, signer_name=ppc.name,
            issued_on=TODAY + timedelta(days=3), code_for=lambda s: "OTHERCODE")
        assert reprint and (again.serial, again.verification_code) == (serial, code)
    with trainee_laptop.session() as s:
        (cert,) = build_payload(s, trainee.id, exported_by="x",
                                scope=ExportScope.RECORD).certificates
    assert cert.edition  # the edition travels with it
    # The signer's laptop numbers its own certificates: the same serial, told apart by
    # the installation that issued it.
    other, _ppc = add_people(signer_laptop, mediator_name="Rhys ap Dafydd")
    serial2, _code = _issue(signer_laptop, other.id, ppc.id, ppc.name, "ZZZZ1111")
    assert serial2 == serial
    with signer_laptop.session() as s:
        held = CertificateRepository(in_session(s)).with_serial(serial)
    assert {c.issuer for c in held} == {trainee_laptop.identity().fingerprint,
                                        signer_laptop.identity().fingerprint}


def test_two_certificates_for_one_trainee_are_a_visible_conflict_never_overwritten(
    tmp_path: Path,
) -> None:
    (a, b), trainee, ppc = _setup(tmp_path, "a", "b")
    other, _ = add_people(a, mediator_name="Rhys ap Dafydd")
    _issue(a, other.id, ppc.id, ppc.name, "OTHER111")  # A's sequence moves on
    serial_a, code_a = _issue(a, trainee.id, ppc.id, ppc.name, "AAAA1111")
    serial_b, _ = _issue(b, trainee.id, ppc.id, ppc.name, "BBBB2222")
    assert serial_a != serial_b
    data = _export_record(a, trainee.id)
    result = b.import_bytes(data)
    assert any("CONFLICT" in line and serial_a in line for line in result.preview.lines())
    with b.session() as s:
        held = CertificateRepository(in_session(s)).find(trainee.id, 4)
        assert held is not None and held.verification_code == "BBBB2222"  # not overwritten
        (conflict,) = list_certificate_conflicts(s)
    assert conflict.kept[0].serial == serial_a and conflict.kept[0].verification_code == code_a
    assert "two certificates on Form 4" in conflict.lines()[0]
    # The same file again: already here, nothing written.
    before = durable_snapshot(b.data_dir)
    assert not b.import_bytes(data).written
    assert durable_snapshot(b.data_dir) == before


def test_a_certificate_with_a_serial_also_issued_here_is_kept_by_its_issuer(
    tmp_path: Path,
) -> None:
    (a, b), trainee, ppc = _setup(tmp_path, "a", "b")
    serial_a, _ = _issue(a, trainee.id, ppc.id, ppc.name, "AAAA1111")
    serial_b, _ = _issue(b, trainee.id, ppc.id, ppc.name, "BBBB2222")
    assert serial_a == serial_b  # each installation numbers its own
    result = b.import_bytes(_export_record(a, trainee.id))
    assert any(serial_a in line and "CONFLICT" in line for line in result.preview.lines())
    with b.session() as s:
        held = CertificateRepository(in_session(s)).find(trainee.id, 4)
        assert held is not None and held.verification_code == "BBBB2222"
        (kept,) = controls_store.kept_certificates(s)
    assert (kept.serial, kept.issuer, kept.verification_code) == (
        serial_a, a.identity().fingerprint, "AAAA1111")


def test_a_certificate_whose_serial_and_issuer_name_another_here_is_reported_not_stored(
    tmp_path: Path,
) -> None:
    """Only a file that says this installation issued something it did not can clash."""
    (a, b), trainee, ppc = _setup(tmp_path, "a", "b")
    _issue(a, trainee.id, ppc.id, ppc.name, "AAAA1111")
    _issue(b, trainee.id, ppc.id, ppc.name, "BBBB2222")
    with a.session() as s:
        payload = build_payload(s, trainee.id, exported_by="A", scope=ExportScope.RECORD)
    (cert,) = payload.certificates
    forged = replace(payload, certificates=(replace(cert, issuer=b.identity().fingerprint),))
    data = seal(forged, passphrase=PASS, signing_key=a.identity(), kdf_log2_n=FAST_KDF)
    result = b.import_bytes(data)
    assert any("REFUSED: ITS SERIAL NAMES ANOTHER" in line for line in result.preview.lines())
    with b.session() as s:
        held = CertificateRepository(in_session(s)).find(trainee.id, 4)
        assert held is not None and held.verification_code == "BBBB2222"
        assert controls_store.kept_certificates(s) == ()


# ---------------------------------------------------------------------------------------
# Tombstones


def test_a_deletion_travels_as_a_signed_tombstone_and_an_old_file_does_not_bring_it_back(
    tmp_path: Path,
) -> None:
    (a, b, c), trainee, _ppc = _setup(tmp_path, "a", "b", "c")
    old_file = _export_record(a, trainee.id)
    ra = _record(a, trainee.id)
    reflection = ra.reflections[0]
    case = next(x for x in ra.cases if x.reference == "LA-NO-OBS")
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(type(reflection), reflection.id)
        CaseRepository(in_session(s)).delete(case.id)
        tombs = controls_store.tombstones(s, mediator_id=trainee.id)
    assert set(tombs) == {("reflections", reflection.id), ("case", case.id)}
    assert all(t.verifies() and t.base for t in tombs.values())
    with a.session() as s:
        payload = build_payload(s, trainee.id, exported_by="x", scope=ExportScope.RECORD,
                                record_history=False)
    assert payload_counts(payload)["deletions"] == 2
    result = b.import_bytes(_export_record(a, trainee.id))
    assert sum("Tombstone:" in line for line in result.preview.lines()) == 2
    rb = _record(b, trainee.id)
    assert rb.reflections == () and case.id not in {x.id for x in rb.cases}
    # An older file (from before the deletion) does not resurrect them; relayed, it spreads.
    again = b.import_bytes(old_file)
    assert not again.preview.changes_store, again.preview.lines()
    c.import_bytes(_export_record(b, trainee.id))
    c.import_bytes(old_file)
    rc = _record(c, trainee.id)
    assert rc.reflections == () and case.id not in {x.id for x in rc.cases}
    # A record never exported leaves no tombstone (nobody else can hold it).
    with a.session() as s:
        from sendobserve.model.domain import Cpd, CpdKind

        fresh = PracticeRepository(in_session(s)).add(Cpd(
            uuid.uuid4(), trainee.id, TODAY, Decimal("1"), CpdKind.READING, "Local only"))
        PracticeRepository(in_session(s)).delete(Cpd, fresh.id)
        assert ("cpd", fresh.id) not in controls_store.tombstones(s)


def test_a_deletion_against_an_edit_is_a_conflict_a_person_decides_everywhere(
    tmp_path: Path,
) -> None:
    (a, b, c), trainee, ppc = _setup(tmp_path, "a", "b", "c")
    training = _record(a, trainee.id).training[0]
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(type(training), training.id)
    with b.session() as s:
        PracticeRepository(in_session(s)).update(replace(training, hours=Decimal("41")))
    from_a, from_b = _export_record(a, trainee.id), _export_record(b, trainee.id)
    b.import_bytes(from_a)
    a.import_bytes(from_b)
    # Both hold the edited version and the tombstone: a visible conflict on each.
    for ts in (a, b):
        assert _record(ts, trainee.id).training[0].hours == Decimal("41")
        with ts.session() as s:
            (conflict,) = list_tombstone_conflicts(s)
        assert conflict.kind == "training" and "Deleted" in conflict.lines()[1]
    # A co-mediator who is not an experienced SEND mediator may not decide.
    co = add_observer(b, "Dev Patel")
    with b.session() as s, pytest.raises(UserError, match="may not decide"):
        decide_record(s, "training", training.id, keep="deleted", decided_by=co.name,
                      reason="Entered twice")
    with b.session() as s, pytest.raises(UserError, match="reason"):
        decide_record(s, "training", training.id, keep="deleted", decided_by=ppc.name,
                      reason="  ")
    with b.session() as s:
        decision = decide_record(s, "training", training.id, keep="deleted",
                                 decided_by=ppc.name, reason="Entered twice")
    assert decision.verifies() and decision.role is ObserverRole.PPC
    changes = decision_changes(decision)  # what the screens refresh
    assert changes.record and changes.trust and changes.mediators == {trainee.id}
    assert _record(b, trainee.id).training == ()
    for ts in (a, c):
        ts.import_bytes(_export_record(b, trainee.id))
        assert _record(ts, trainee.id).training == ()
        with ts.session() as s:
            assert list_tombstone_conflicts(s) == ()


def test_keeping_a_record_over_its_tombstone_travels(tmp_path: Path) -> None:
    (a, b), trainee, ppc = _setup(tmp_path, "a", "b")
    cpd = _record(a, trainee.id).cpd[0]
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(type(cpd), cpd.id)
    with b.session() as s:
        PracticeRepository(in_session(s)).update(replace(cpd, hours=Decimal("4")))
    b.import_bytes(_export_record(a, trainee.id))
    with b.session() as s:
        decide_record(s, "cpd", cpd.id, keep="current", decided_by=ppc.name,
                      reason="The course did happen")
        assert list_tombstone_conflicts(s) == ()
    a.import_bytes(_export_record(b, trainee.id))
    assert [x.hours for x in _record(a, trainee.id).cpd] == [Decimal("4")]
    with a.session() as s:
        assert list_tombstone_conflicts(s) == () and list_record_conflicts(s) == ()


def test_a_tombstone_from_a_revoked_installation_after_its_revocation_is_refused(
    tmp_path: Path,
) -> None:
    (lost, ppc_store), trainee, _ppc = _setup(tmp_path, "lost", "ppc")
    reflection = _record(lost, trainee.id).reflections[0]
    with lost.session() as s:
        PracticeRepository(in_session(s)).delete(type(reflection), reflection.id)
    relay = TempStore.create(tmp_path / "relay")
    relay.import_bytes(_export_record(lost, trainee.id))  # relayed by a store not told yet
    revocation = Revocation(lost.identity().public_key, utcnow() - timedelta(hours=1),
                            "Laptop stolen", "Łucja Żak")
    own = ppc_store.identity().fingerprint
    with ppc_store.session() as s:
        stored.record_revocation(s, revocation, recorded_by=own, at=utcnow())
    result = ppc_store.import_bytes(_export_record(relay, trainee.id))
    assert any("Tombstone:" in line and "REFUSED" in line for line in result.preview.lines())
    assert [r.id for r in _record(ppc_store, trainee.id).reflections] == [reflection.id]
    with ppc_store.session() as s:
        assert controls_store.tombstones(s) == {}


def test_a_tampered_tombstone_refuses_the_whole_file_and_changes_nothing(
    tmp_path: Path,
) -> None:
    (a, b), trainee, _ppc = _setup(tmp_path, "a", "b")
    reflection = _record(a, trainee.id).reflections[0]
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(type(reflection), reflection.id)
        payload = build_payload(s, trainee.id, exported_by="x", scope=ExportScope.RECORD,
                                record_history=False)
    (t,) = payload.tombstones
    forged = replace(payload, tombstones=(replace(t, deleted_by="Someone else"),))
    raw = canonical_json(payload_json(forged))  # sealed as is: the encoder would refuse it
    data = _seal_signed(raw, passphrase=PASS, signing_key=a.identity(), recipients=(),
                        kdf_log2_n=FAST_KDF)
    before = durable_snapshot(b.data_dir)
    with pytest.raises(ExchangeError, match=r"tombstones\[0\]") as info:
        b.import_bytes(data)
    assert info.value.problem is ExchangeProblem.BAD_SIGNATURE
    assert durable_snapshot(b.data_dir) == before


# ---------------------------------------------------------------------------------------
# Cases and observers: a version history


def test_case_and_observer_edits_merge_and_independent_edits_are_kept(
    tmp_path: Path,
) -> None:
    (a, b), trainee, ppc = _setup(tmp_path, "a", "b")
    case = next(x for x in _record(a, trainee.id).cases if x.reference == "LA-NO-OBS")
    with a.session() as s:
        CaseRepository(in_session(s)).update(replace(case, casework_hours=Decimal("3.5")))
        ObserverRepository(in_session(s)).update(replace(ppc, ppc_register_entry="COM-PPC-8"))
    result = b.import_bytes(_export_record(a, trainee.id))
    lines = "\n".join(result.preview.lines())
    assert "Cases: 0 new, 1 updated" in lines and "Observers: 0 new, 1 updated" in lines
    rb = _record(b, trainee.id)
    assert next(x for x in rb.cases if x.id == case.id).casework_hours == Decimal("3.5")
    with b.session() as s:
        assert ObserverRepository(in_session(s)).get(ppc.id).ppc_register_entry == "COM-PPC-8"
    # Both edit the case: each keeps its own and holds the other beside it.
    for ts, ref in ((a, "LA-A"), (b, "LA-B")):
        with ts.session() as s:
            repo = CaseRepository(in_session(s))
            repo.update(replace(repo.get(case.id), reference=ref))
    from_a, from_b = _export_record(a, trainee.id), _export_record(b, trainee.id)
    a.import_bytes(from_b)
    b.import_bytes(from_a)
    for ts, ref in ((a, "LA-A"), (b, "LA-B")):
        with ts.session() as s:
            assert CaseRepository(in_session(s)).get(case.id).reference == ref
            (conflict,) = list_record_conflicts(s)
        assert conflict.kind == "case"
    # A merged version, decided on A, settles it on B too.
    with a.session() as s:
        merged = dict(conflict.current, reference="LA-AB")
        decide_record(s, "case", case.id, keep="merged", merged=merged, decided_by=ppc.name,
                      reason="Both references were wrong")
    b.import_bytes(_export_record(a, trainee.id))
    for ts in (a, b):
        with ts.session() as s:
            assert CaseRepository(in_session(s)).get(case.id).reference == "LA-AB"
            assert list_record_conflicts(s) == ()


def test_a_file_of_some_observations_carries_the_history_of_its_own_cases_only(
    tmp_path: Path,
) -> None:
    (a,), trainee, ppc = _setup(tmp_path, "a")
    second = add_finalised_observation(a, trainee, ppc, "LA-2", seed=1)
    _export_record(a, trainee.id)  # every case has travelled
    other = next(c for c in _record(a, trainee.id).cases if c.reference == "LA-2")
    with a.session() as s:
        CaseRepository(in_session(s)).update(replace(other, reference="LA-2b"))
    first = next(o.id for o in _record(a, trainee.id).observations if o.id != second)
    with a.session() as s:
        payload = build_payload(s, trainee.id, exported_by="x", observation_ids={first})
    assert other.id not in {c.id for c in payload.cases}
    assert other.id not in {h.id for h in payload.history}


# ---------------------------------------------------------------------------------------
# Observation conflicts decided


def test_an_observation_conflict_is_decided_and_the_decision_travels(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    oid = add_finalised_observation(a, trainee, ppc, "LA-1")
    b.import_bytes(_export_record(a, trainee.id))
    from .factories import CRITERIA

    amend_observation(a, oid, CRITERIA[1], MarkState.DEMONSTRATED, "Łucja Żak")
    amend_observation(b, oid, CRITERIA[1], MarkState.NOT_APPLICABLE, "Łucja Żak")
    a.import_bytes(_export_record(b, trainee.id))
    b.import_bytes(_export_record(a, trainee.id))
    with a.session() as s:
        (conflict,) = list_conflicts(s)
        (kept,) = conflict.kept
        decide_observation(s, oid, keep=kept.digest[:12], decided_by=ppc.name,
                           reason="B's amendment matches the recording")
        assert list_conflicts(s) == ()
        held = stored.stored_observations(s, [oid])[oid]
    state = {m.criterion_id: m.state for m in held.marks}[CRITERIA[1]]
    assert state is MarkState.NOT_APPLICABLE
    b.import_bytes(_export_record(a, trainee.id))
    with b.session() as s:
        assert list_conflicts(s) == ()
        marks = {m.criterion_id: m.state for m in stored.stored_observations(s, [oid])[oid].marks}
    assert marks[CRITERIA[1]] is MarkState.NOT_APPLICABLE


# ---------------------------------------------------------------------------------------
# What changed since the last export to a person


def test_since_the_last_export_to_a_person(tmp_path: Path) -> None:
    (a, b), trainee, _ppc = _setup(tmp_path, "a", "b")
    first = open_bundle(_since(a, trainee.id, "Łucja Żak"), passphrase=PASS).payload
    assert len(first.observations) == 1 and len(first.reflections) == 1
    with pytest.raises(ExchangeError, match=r"Nothing .* has changed since the last export"):
        _since(a, trainee.id, "lucja zak")  # the same person, however typed
    reflection = _record(a, trainee.id).reflections[0]
    with a.session() as s:
        PracticeRepository(in_session(s)).update(replace(reflection, hours=Decimal("2")))
        preview = build_payload(s, trainee.id, exported_by="x", record_history=False,
                                scope=ExportScope.SINCE_LAST, since_last_to="Łucja Żak")
    counts = payload_counts(preview)
    assert counts["reflections"] == 1 and counts["observations"] == 0
    assert counts["training"] == 0 and counts["cases"] == 0
    data = _since(a, trainee.id, "Łucja Żak")
    b.import_bytes(data)
    assert _record(b, trainee.id).reflections[0].hours == Decimal("2")
    # Another person still gets everything.
    other = open_bundle(_since(a, trainee.id, "Dev Patel"), passphrase=PASS).payload
    assert len(other.observations) == 1 and len(other.training) == 1


# ---------------------------------------------------------------------------------------
# Round trips


def test_every_kind_round_trips_through_the_codec(tmp_path: Path) -> None:
    (a, b), trainee, ppc = _setup(tmp_path, "a", "b")
    _issue(a, trainee.id, ppc.id, ppc.name, "K7QF2XA9")
    reflection = _record(a, trainee.id).reflections[0]
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(type(reflection), reflection.id)
    cpd = _record(a, trainee.id).cpd[0]
    for ts, hours in ((a, "5"), (b, "6")):
        with ts.session() as s:
            PracticeRepository(in_session(s)).update(replace(cpd, hours=Decimal(hours)))
    a.import_bytes(_export_record(b, trainee.id))
    with a.session() as s:
        decide_record(s, "cpd", cpd.id, keep="current", decided_by=ppc.name, reason="Diary")
        payload = build_payload(s, trainee.id, exported_by="x", scope=ExportScope.RECORD,
                                record_history=False)
    assert payload.certificates and payload.tombstones and payload.decisions
    assert {h.kind for h in payload.history} >= {"cpd"}
    assert decode_payload(encode_payload(payload)) == payload
    opened = open_bundle(seal(payload, passphrase=PASS, signing_key=Identity.generate(),
                              kdf_log2_n=FAST_KDF), passphrase=PASS)
    assert opened.payload == payload
    assert record_digest(payload.cases[0]) == record_digest(
        replace(payload.cases[0], created_at=utcnow()))  # the creation time is no detail


def test_a_control_record_is_signed_as_a_canonical_statement_naming_its_installation(
) -> None:
    """The statement shape every signed control record shares: {"v": 1, "kind", the
    installation's key, the body}, after the context; built here independently."""
    import base64
    import json

    from sendobserve.exchange.controls import Tombstone
    from sendobserve.pki.identity import verify

    identity = Identity.generate()
    t = Tombstone("cpd", uuid.uuid4(), uuid.uuid4(), "a" * 64, ("b" * 64,), utcnow(),
                  "Łucja Żak").signed(identity)
    statement = {"v": 1, "kind": "tombstone",
                 "installation": base64.b64encode(identity.public_key).decode("ascii"),
                 "record_kind": "cpd", "record_id": t.record_id.hex,
                 "mediator_id": t.mediator_id.hex, "base": t.base, "history": list(t.history),
                 "deleted_at": t.body()["deleted_at"], "deleted_by": "Łucja Żak"}
    message = b"sendobserve.control.v1\x00" + json.dumps(
        statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert verify(identity.public_key, t.signature, message)
    assert t.verifies() and not replace(t, base="c" * 64).verifies()
    assert not replace(t, public_key=Identity.generate().public_key).verifies()


def test_an_undo_withdraws_an_unsent_tombstone_and_a_sent_one_stays_a_conflict(
    tmp_path: Path,
) -> None:
    (a,), trainee, _ppc = _setup(tmp_path, "a")
    reflection, case = _record(a, trainee.id).reflections[0], next(
        c for c in _record(a, trainee.id).cases if c.reference == "LA-NO-OBS")
    with a.session() as s:
        practice, cases = PracticeRepository(in_session(s)), CaseRepository(in_session(s))
        gone, gone_case = practice.delete(type(reflection), reflection.id), cases.delete(case.id)
        assert len(controls_store.tombstones(s)) == 2
        practice.add(gone)  # undo, before any file carried the deletion
        cases.add(gone_case)
        assert controls_store.tombstones(s) == {}
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(type(reflection), reflection.id)
    _export_record(a, trainee.id)  # the deletion has left in a file
    with a.session() as s:
        PracticeRepository(in_session(s)).add(reflection)
        (conflict,) = list_tombstone_conflicts(s)
    assert conflict.record_id == reflection.id

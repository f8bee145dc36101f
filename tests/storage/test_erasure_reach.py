"""The signed erasure record reaches a second store by file, and is refused from an
installation that may not erase there.

Canary proof as in ``test_erasure``: a second store imports the mediator's whole record
(100 planted strings, minus the undo history that never travels), backs itself up twice,
then imports the erasure record; its decrypted pages, log and both backups (``pagedump``:
free pages included) hold none of the 100 afterwards.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from sendobserve.exchange.bundle import open_bundle, seal
from sendobserve.exchange.errors import ExchangeError
from sendobserve.exchange.export import ExportScope, erasure_payload, export_bundle
from sendobserve.model.domain import ObservationState, Signature
from sendobserve.pki.control import ControlRecord, ControlRecordError, ErasureRecord
from sendobserve.pki.identity import Identity, load_or_create_identity
from sendobserve.storage import erasure_records
from sendobserve.storage import exchange as stored
from sendobserve.storage.backup import all_encrypted_copies, make_backup
from sendobserve.storage.db import Store
from sendobserve.storage.erasure import complete_erasures, erase_mediator
from sendobserve.storage.privacy_log import ErasureRecordRow
from sendobserve.storage.records import ObservationRecord
from sendobserve.storage.repositories import MediatorRepository, ObservationRepository
from tests.exchange.factories import tiny_png
from tests.exchange.storekit import FAST_KDF, PASS, TempStore
from tests.storage.pagedump import contains, plaintext_of
from tests.storage.test_erasure import TODAY, plant


def finalise_all(store: Store, mediator_id: uuid.UUID) -> int:
    with store.session() as s:
        drafts = s.scalars(select(ObservationRecord).where(
            ObservationRecord.mediator_id == mediator_id,
            ObservationRecord.state == ObservationState.DRAFT.value)).all()
        ids = [(o.id, o.observer_id) for o in drafts]
    repo = ObservationRepository(store.session)
    for n, (oid, _observer) in enumerate(ids):
        repo.finalise(oid, Signature(name="Observer Kept", role=_role(store, _observer),
                                     signed_on=TODAY, drawing_png=tiny_png(n)),
                      today=max(TODAY, date.today()))
    return len(ids)


def _role(store: Store, observer_id: uuid.UUID):  # type: ignore[no-untyped-def]
    from sendobserve.storage.repositories import ObserverRepository

    return ObserverRepository(store.session).get(observer_id).role


def export_record(store: Store, mediator_id: uuid.UUID) -> bytes:
    with store.session() as s:
        identity = load_or_create_identity(stored.StoredSigningKey(s))
        data, _ = export_bundle(s, mediator_id, passphrase=PASS, identity=identity,
                                exported_by="Admin laptop", kdf_log2_n=FAST_KDF,
                                scope=ExportScope.RECORD)
    return data


def erasure_file(store: Store) -> bytes:
    with store.session() as s:
        identity = load_or_create_identity(stored.StoredSigningKey(s))
        payload = erasure_payload(s, exported_by="Admin laptop")
    return seal(payload, passphrase=PASS, signing_key=identity, kdf_log2_n=FAST_KDF)


def held_canaries(ts: TempStore, canaries: list[str]) -> dict[str, list[str]]:
    paths = [ts.data_dir / "sendobserve.db", *all_encrypted_copies(ts.data_dir)]
    out = {}
    for path in paths:
        plain = plaintext_of(path, ts.key)
        out[path.name] = [c for c in canaries if contains(plain, c)]
    return out


@pytest.fixture
def two_stores(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Store A (the admin's) with a planted mediator and a kept one; store B holding both
    whole records by import, and two backups."""
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    with a.open() as store:
        erased_id, erased = plant(store, count=100)
        kept_id, kept = plant(store, count=20, prefix="K")
        assert finalise_all(store, erased_id) == 15
        finalise_all(store, kept_id)
        files = [export_record(store, erased_id), export_record(store, kept_id)]
        with store.session() as s:
            admin = load_or_create_identity(stored.StoredSigningKey(s))
    for data in files:
        b.import_bytes(data)
    with b.open() as store:
        make_backup(store)
        make_backup(store, reason="second")
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    a.stale = files[0]  # type: ignore[attr-defined]  # a copy made before the erasure
    return a, b, admin, erased_id, erased, kept


def test_the_second_store_holds_the_record_before(two_stores) -> None:  # type: ignore[no-untyped-def]
    _a, b, _admin, _id, erased, kept = two_stores
    for name, present in held_canaries(b, erased + kept).items():
        # The undo history of a mark (mark_events) stays on the laptop that ticked it:
        # every other canary travelled.
        assert len([c for c in present if c in erased]) >= 80, name
        assert [c for c in kept if c not in present] == [], name


def test_importing_the_erasure_record_reaches_the_second_store_and_its_backups(
        two_stores) -> None:  # type: ignore[no-untyped-def]
    a, b, admin, erased_id, erased, kept = two_stores
    with a.open() as store:
        result = erase_mediator(store, erased_id)
        assert result.record is not None and result.record.subject == erased_id
        data = erasure_file(store)
    with b.session() as s:
        erasure_records.allow(s, admin.fingerprint, named_by="Provider's decision")

    opened = open_bundle(data, passphrase=PASS)
    assert [e.subject for e in opened.payload.erasures] == [erased_id]
    outcome = b.import_opened(opened)
    assert outcome.written
    (line,) = outcome.preview.erasures
    assert line.applies and line.held_name is not None
    with b.open() as store:
        done = complete_erasures(store)
        assert [r.record.subject for r in done if r.record] == [erased_id]
        assert all(copy.rewritten for r in done for copy in r.copies)
        assert complete_erasures(store) == []  # done once
    for name, present in held_canaries(b, erased).items():
        assert present == [], f"{name} still holds {len(present)} erased canaries"
    for name, present in held_canaries(b, kept).items():
        assert present == kept, f"{name} lost another mediator's records"
    with b.open() as store, store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        (row,) = conn.execute(text("SELECT subject_id, received_from, completed_at "
                                   "FROM erasure_records")).all()
        assert row.subject_id == erased_id.hex and row.completed_at is not None
    # The erased person does not come back: a file made before the erasure (kept on a USB
    # stick, say) is refused, and changes nothing.
    b_digests = b.file_digests()
    with pytest.raises(ExchangeError, match="erased"):
        b.import_bytes(a.stale)
    assert b.file_digests() == b_digests


def test_an_erasure_from_an_installation_not_allowed_is_refused_and_changes_nothing(
        two_stores) -> None:  # type: ignore[no-untyped-def]
    a, b, _admin, erased_id, erased, _kept = two_stores
    with a.open() as store:
        erase_mediator(store, erased_id)
        data = erasure_file(store)
    before = b.file_digests()
    with pytest.raises(ExchangeError, match="may not erase here"):
        b.import_bytes(data)
    assert b.file_digests() == before
    assert len([c for c in held_canaries(b, erased)["sendobserve.db"]]) >= 80


def test_a_record_altered_or_signed_by_another_key_is_refused() -> None:
    admin, other = Identity.generate(), Identity.generate()
    record = ErasureRecord.make(admin, uuid.uuid4(), erased_at=datetime.now(UTC),
                                certificates=False)
    forged = ControlRecord(record.record.statement.replace(b'"certificates":false',
                                                           b'"certificates":true'),
                           record.record.signature)
    with pytest.raises(ControlRecordError):
        ErasureRecord.read(forged)
    resigned = ControlRecord(record.record.statement, other.sign(record.record.statement))
    with pytest.raises(ControlRecordError):
        ErasureRecord.read(resigned)
    assert ErasureRecord.read(record.record) == record


def test_erasure_records_are_kept_by_id_only(two_stores) -> None:  # type: ignore[no-untyped-def]
    a, _b, _admin, erased_id, erased, _kept = two_stores
    with a.open() as store:
        erase_mediator(store, erased_id)
        with store.session() as s:
            (row,) = s.scalars(select(ErasureRecordRow)).all()
            assert not any(c.encode() in bytes(row.statement) for c in erased)
            assert erased_id.hex.encode() in bytes(row.statement)


def test_subject_access_gives_the_source_of_each_item(two_stores) -> None:  # type: ignore[no-untyped-def]
    from sendobserve.reports.subject_access import subject_access_pdf
    from sendobserve.storage.erasure import subject_access
    from sendobserve.storage.sources import SOURCE_KEY

    a, b, admin, erased_id, _erased, _kept = two_stores
    with b.open() as store:
        held = subject_access(store, erased_id)
    for table in ("mediators", "cases", "observations", "training", "reflections", "cpd",
                  "contacts"):
        for row in held[table]:
            (imported,) = row[SOURCE_KEY]["imported"]
            assert imported["from_installation"] == admin.fingerprint, table
            assert imported["exported_by"] == "Admin laptop"
            assert imported["imported_at"][:10] == date.today().isoformat()
    for row in held["observations"]:
        assert row[SOURCE_KEY]["signed_by"] == admin.fingerprint
    observation_sources = {r["id"]: r[SOURCE_KEY] for r in held["observations"]}
    for row in held["marks"] + held["debrief_notes"]:
        assert row[SOURCE_KEY] == observation_sources[row["observation_id"]]
    # On the installation where they were entered, nothing was imported.
    with a.open() as store:
        here = subject_access(store, erased_id)
    assert all(r[SOURCE_KEY]["imported"] == [] for r in here["cases"])
    assert all(r[SOURCE_KEY]["signed_by"] == admin.fingerprint for r in here["observations"])
    pdf = subject_access_pdf("The person", held, made_on=TODAY)
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert f"Imported on {date.today().isoformat()} from installation" in " ".join(text.split())
    assert "Finalised and signed on installation" in text


def test_a_store_relays_the_erasure_record_in_its_own_exports(
        two_stores, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """B applied A's erasure; C never saw A's file. B's next export of another mediator
    carries A's record, and C, which allows A, applies it: the record, not the relay, is
    what is checked."""
    a, b, admin, erased_id, erased, kept = two_stores
    c = TempStore.create(tmp_path / "c")
    with a.open() as store:
        kept_id = next(m for m in MediatorRepository(store.session).list()
                       if m.id != erased_id).id
        c.import_bytes(export_record(store, erased_id))  # C holds the person too
        erase_mediator(store, erased_id)
        c_file = erasure_file(store)
    assert len(held_canaries(c, erased)["sendobserve.db"]) >= 80  # C holds the person
    with b.session() as s:
        erasure_records.allow(s, admin.fingerprint, named_by="DPO")
    b.import_bytes(c_file)
    with b.open() as store:
        complete_erasures(store)
        relayed = export_record(store, kept_id)
    with c.session() as s:
        erasure_records.allow(s, admin.fingerprint, named_by="DPO")
    opened = open_bundle(relayed, passphrase=PASS)
    assert [e.subject for e in opened.payload.erasures] == [erased_id]
    assert opened.fingerprint != admin.fingerprint  # signed as a file by B, not A
    c.import_opened(opened)
    with c.open() as store:
        complete_erasures(store)
    assert held_canaries(c, erased)["sendobserve.db"] == []
    assert held_canaries(c, kept)["sendobserve.db"] == kept


def test_a_payload_with_a_bad_erasure_record_is_refused_before_anything() -> None:
    from sendobserve.exchange.codec import ExportPayload, decode_payload, encode_payload
    from sendobserve.exchange.errors import ExchangeError as Refused

    record = ErasureRecord.make(Identity.generate(), uuid.uuid4(), erased_at=datetime.now(UTC),
                                certificates=False)
    payload = ExportPayload(created_at=datetime.now(UTC), exported_by="x", mediators=(),
                            observers=(), cases=(), observations=(), erasures=(record,))
    data = encode_payload(payload)
    assert decode_payload(data).erasures == (record,)
    good_signature = data.split(b'"signature":"')[1].split(b'"')[0]
    bad = data.replace(good_signature, b"A" * 86 + b"==")
    with pytest.raises(Refused, match="erasures"):
        decode_payload(bad)


def test_a_table_added_later_is_erased_too_attachments_included(
        initialised) -> None:  # type: ignore[no-untyped-def]
    """Erasure follows the file's own foreign keys, so a table another part of the program
    adds later (evidence files attached to a training or CPD entry, or a case) goes with
    the person, in the live store and in every backup: proved with attachment-like blobs
    whose bytes carry canaries."""
    from sendobserve.storage.erasure import find_holdings
    from tests.storage.test_erasure import copies

    store, key = initialised.store, initialised.data_key
    erased_id, _ = plant(store, count=100)
    kept_id, _ = plant(store, count=20, prefix="K")
    blobs: dict[uuid.UUID, list[str]] = {erased_id: [], kept_id: []}
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE attachments (id INTEGER PRIMARY KEY, training_id VARCHAR(32) "
            "REFERENCES training(id) ON DELETE CASCADE, cpd_id VARCHAR(32) REFERENCES "
            "cpd(id) ON DELETE CASCADE, content BLOB NOT NULL)")
        for who in blobs:
            for table in ("training", "cpd"):
                for (row_id,) in conn.exec_driver_sql(
                        f"SELECT id FROM {table} WHERE mediator_id = ?", (who.hex,)).all():
                    canary = f"ATTACH{uuid.uuid4().hex}"
                    blobs[who].append(canary)
                    conn.exec_driver_sql(
                        f"INSERT INTO attachments ({table}_id, content) VALUES (?, ?)",
                        (row_id, b"%PDF-1.7 " + canary.encode() + b" %%EOF"))
    make_backup(store)
    make_backup(store, reason="second")
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert len(find_holdings(raw, erased_id).rows["attachments"]) == 10
    erase_mediator(store, erased_id)
    for path in copies(store):
        plain = plaintext_of(path, key)
        assert [c for c in blobs[erased_id] if contains(plain, c)] == [], path.name
        assert [c for c in blobs[kept_id] if not contains(plain, c)] == [], path.name


def _pdf_with(canary: str) -> bytes:
    """A real PDF (PDFium opens it) whose bytes carry ``canary`` uncompressed."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pageCompression=0)
    c.setTitle(canary)
    c.drawString(72, 720, f"Course outline {canary}")
    c.showPage()
    c.save()
    return out.getvalue()


def test_evidence_files_go_with_the_person_here_and_on_a_store_that_imports_the_record(
        tmp_path: Path) -> None:
    """The real evidence table (``storage.evidence``): files attached to the erased
    mediator's training, CPD and case entries leave the live store and every backup, here
    and on a second store that imported them with the record and then the erasure record;
    another mediator's files stay."""
    from sendobserve.model.evidence import EntryKind, EvidenceKind
    from sendobserve.services import evidence
    from sendobserve.storage.evidence import EvidenceRecord

    kinds = {EntryKind.TRAINING: EvidenceKind.COURSE_OUTLINE,
             EntryKind.CPD: EvidenceKind.CPD_CERTIFICATE, EntryKind.CASE: EvidenceKind.OTHER}
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    files: dict[uuid.UUID, list[str]] = {}
    with a.open() as store:
        erased_id, _ = plant(store, count=100)
        kept_id, _ = plant(store, count=20, prefix="K")
        finalise_all(store, erased_id)
        finalise_all(store, kept_id)
        for who in (erased_id, kept_id):
            files[who] = []
            for entry in evidence.entries(store, who):
                canary = f"EVIDENCE{uuid.uuid4().hex}"
                files[who].append(canary)
                evidence.attach(store, entry.kind, entry.id, _pdf_with(canary),
                                name=f"{canary}.pdf", kind=kinds[entry.kind],
                                added_by="Admin")
        assert {EntryKind.TRAINING, EntryKind.CPD, EntryKind.CASE} <= {
            e.kind for e in evidence.entries(store, erased_id)}
        exported = [export_record(store, erased_id), export_record(store, kept_id)]
        make_backup(store)
    admin = a.identity()
    for data in exported:
        b.import_bytes(data)
    with b.open() as store:
        make_backup(store)
        assert {f.mediator_id for f in evidence.list_files(store, erased_id)} == {erased_id}
    for ts in (a, b):
        for name, present in held_canaries(ts, files[erased_id]).items():
            assert present == files[erased_id], f"{name} before: {len(present)} files"

    with a.open() as store:
        erase_mediator(store, erased_id)
        data = erasure_file(store)
    with b.session() as s:
        erasure_records.allow(s, admin.fingerprint, named_by="Provider's decision")
    assert b.import_opened(open_bundle(data, passphrase=PASS)).written
    with b.open() as store:
        assert [r.record.subject for r in complete_erasures(store) if r.record] == [erased_id]
    for ts in (a, b):
        for name, present in held_canaries(ts, files[erased_id]).items():
            assert present == [], f"{name} still holds {len(present)} erased evidence files"
        for name, present in held_canaries(ts, files[kept_id]).items():
            assert present == files[kept_id], f"{name} lost another mediator's files"
        with ts.session() as s:
            assert len(s.scalars(select(EvidenceRecord)).all()) == len(files[kept_id])

"""Evidence files in a real store: attached through the service, listed, copied out,
removed; bad input changes no byte on disk; a file goes with its entry, its person (erasure)
and its retention period; listed in the portfolio and the subject-access report."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from sendobserve import demo
from sendobserve.errors import UserError
from sendobserve.model.domain import Cpd, Training
from sendobserve.model.evidence import JPEG, PDF, EntryKind, EvidenceKind
from sendobserve.model.retention import DEFAULT_SCHEDULE, Kind
from sendobserve.services import evidence
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.erasure import erase_mediator, subject_access
from sendobserve.storage.repositories import MediatorRepository, PracticeRepository
from sendobserve.storage.retention import apply_retention, plan_for_store
from tests.helpers import durable_snapshot
from tests.model.test_evidence import make_image, make_pdf

TODAY = date(2026, 11, 30)


@pytest.fixture
def filled(initialised: vault.Initialised) -> Store:
    demo.fill_store(initialised.store, today=TODAY)
    return initialised.store


def _mediator(store: Store, name: str) -> uuid.UUID:
    return next(m.id for m in MediatorRepository(store.session).list() if m.name == name)


def _entry(store: Store, name: str, kind: EntryKind) -> evidence.Entry:
    return next(e for e in evidence.entries(store, _mediator(store, name)) if e.kind is kind)


def test_attach_list_copy_and_remove(filled: Store, tmp_path: Path) -> None:
    entry = _entry(filled, demo.READY, EntryKind.TRAINING)
    pdf = make_pdf()
    source = tmp_path / "Certificate.PDF"
    source.write_bytes(pdf)
    file, changes = evidence.attach_path(filled, entry.kind, entry.id, source,
                                         kind=EvidenceKind.TRAINING_CERTIFICATE,
                                         added_by="Siobhán")
    assert changes.record and changes.mediators == {_mediator(filled, demo.READY)}
    assert (file.media_type, file.size, file.name) == (PDF, len(pdf), "Certificate.PDF")
    listed = {e.id: e for e in evidence.entries(filled, file.mediator_id)}
    assert listed[entry.id].files == (file,)
    assert evidence.get(filled, file.id) == (file, pdf)
    (tmp_path / "out").mkdir()
    out = evidence.save_copy(filled, file.id, tmp_path / "out")
    assert out == tmp_path / "out" / "Certificate.PDF" and out.read_bytes() == pdf
    with pytest.raises(UserError, match="already exists"):
        evidence.save_copy(filled, file.id, out)
    gone, changes = evidence.remove(filled, file.id)
    assert gone == file and changes.record
    assert not evidence.list_files(filled, file.mediator_id)
    with pytest.raises(UserError, match="no longer in the store"):
        evidence.remove(filled, file.id)


def test_the_same_file_on_the_same_entry_is_one_record(filled: Store) -> None:
    entry = _entry(filled, demo.READY, EntryKind.CASE)
    data = make_image("JPEG")
    file, _ = evidence.attach(filled, entry.kind, entry.id, data, name="a.jpg",
                              kind=EvidenceKind.OTHER, added_by="x")
    assert file.media_type == JPEG
    with pytest.raises(UserError, match="already attached"):
        evidence.attach(filled, entry.kind, entry.id, data, name="b.jpg",
                        kind=EvidenceKind.OTHER, added_by="y")


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d.write_bytes(b"%PDF-1.4 broken"), "not a readable one"),
    (lambda d: d.write_bytes(b"just some notes"), "not a PDF, PNG or JPEG"),
    (lambda d: d.write_bytes(b"%PDF-" + b"0" * (5 * 1024 * 1024)), "larger than 5 MB"),
    (lambda d: d.write_bytes(make_pdf()) and d.unlink(), "is not there"),
    (lambda d: d.mkdir(), "is a folder"),
])
def test_bad_input_is_one_sentence_and_changes_no_byte(
        filled: Store, tmp_path: Path, make: object, message: str) -> None:
    entry = _entry(filled, demo.READY, EntryKind.TRAINING)
    source = tmp_path / "upload.pdf"
    make(source)  # type: ignore[operator]
    before = durable_snapshot(filled.data_dir)
    with pytest.raises(UserError, match=message):
        evidence.attach_path(filled, entry.kind, entry.id, source,
                             kind=EvidenceKind.TRAINING_CERTIFICATE, added_by="x")
    assert durable_snapshot(filled.data_dir) == before


def test_the_wrong_kind_an_unknown_entry_and_the_total_limit_change_nothing(
        filled: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _entry(filled, demo.READY, EntryKind.CASE)
    before = durable_snapshot(filled.data_dir)
    with pytest.raises(UserError, match="cannot be attached to a case"):
        evidence.attach(filled, entry.kind, entry.id, make_pdf(), name="c.pdf",
                        kind=EvidenceKind.TRAINING_CERTIFICATE, added_by="x")
    with pytest.raises(UserError, match="no such CPD entry"):
        evidence.attach(filled, EntryKind.CPD, uuid.uuid4(), make_pdf(), name="c.pdf",
                        kind=EvidenceKind.CPD_CERTIFICATE, added_by="x")
    first = make_pdf("first")
    monkeypatch.setattr(evidence, "MAX_FILES_BYTES", len(first) + 10)
    assert durable_snapshot(filled.data_dir) == before
    evidence.attach(filled, entry.kind, entry.id, first, name="1.pdf",
                    kind=EvidenceKind.OTHER, added_by="x")
    before = durable_snapshot(filled.data_dir)
    with pytest.raises(UserError, match="the limit is"):
        evidence.attach(filled, entry.kind, entry.id, make_pdf("second"), name="2.pdf",
                        kind=EvidenceKind.OTHER, added_by="x")
    assert durable_snapshot(filled.data_dir) == before


def test_a_file_goes_with_its_entry(filled: Store) -> None:
    who = _mediator(filled, demo.PASSPORTED)
    entry = _entry(filled, demo.PASSPORTED, EntryKind.CPD)
    evidence.attach(filled, entry.kind, entry.id, make_pdf(), name="cpd.pdf",
                    kind=EvidenceKind.CPD_CERTIFICATE, added_by="x")
    PracticeRepository(filled.session).delete(Cpd, entry.id)
    assert evidence.list_files(filled, who) == []


def test_the_database_refuses_a_row_without_exactly_one_entry(filled: Store) -> None:
    with filled.engine.begin() as conn, pytest.raises(Exception, match="CHECK"):
        conn.execute(text(
            "INSERT INTO evidence_files VALUES ('ab', NULL, NULL, NULL, 'other', 'x', "
            "'application/pdf', 1, :sha, X'25', '2026-01-01T00:00:00+00:00', 'x')"),
            {"sha": "0" * 64})


def test_erasure_takes_a_persons_files_and_subject_access_lists_them(filled: Store) -> None:
    who = _mediator(filled, demo.GAPS)
    other = _mediator(filled, demo.READY)
    for name, mediator in ((demo.GAPS, who), (demo.READY, other)):
        entry = _entry(filled, name, EntryKind.TRAINING)
        evidence.attach(filled, entry.kind, entry.id, make_pdf(f"canary {mediator.hex}"),
                        name=f"{mediator.hex}.pdf", kind=EvidenceKind.COURSE_OUTLINE,
                        added_by="x")
    held = subject_access(filled, who)
    assert [r["name"] for r in held["evidence_files"]] == [f"{who.hex}.pdf"]
    assert held["evidence_files"][0]["content"] == {"bytes": held["evidence_files"][0]["size"]}
    json.dumps(held)  # what the CLI writes
    result = erase_mediator(filled, who, keep_certificates=False)
    assert result.rows_deleted["evidence_files"] == 1
    with filled.engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM evidence_files"))]
    assert names == [f"{other.hex}.pdf"]


def test_retention_takes_the_files_of_the_entries_it_removes(filled: Store) -> None:
    renewing = next(m for m in MediatorRepository(filled.session).list()
                    if m.name == demo.PASSPORTED)
    entry = next(e for e in evidence.entries(filled, renewing.id)
                 if e.kind is EntryKind.TRAINING)
    evidence.attach(filled, entry.kind, entry.id, make_pdf(), name="old.pdf",
                    kind=EvidenceKind.TRAINING_CERTIFICATE, added_by="x")
    far = TODAY + timedelta(days=365 * 30)
    plan = plan_for_store(filled, today=far)
    assert DEFAULT_SCHEDULE[Kind.PRACTICE_LOGS].years is not None
    assert any(i.item_id == entry.id for i in plan.items)
    done = apply_retention(filled, plan)
    assert done["evidence_files"] >= 1
    assert evidence.list_files(filled, renewing.id) == []
    PracticeRepository(filled.session).list(Training, renewing.id)  # the store still reads


def test_removing_the_demo_refuses_to_lose_an_attached_file(filled: Store) -> None:
    entry = _entry(filled, demo.READY, EntryKind.TRAINING)
    evidence.attach(filled, entry.kind, entry.id, make_pdf(), name="mine.pdf",
                    kind=EvidenceKind.TRAINING_CERTIFICATE, added_by="x")
    before = durable_snapshot(filled.data_dir)
    with pytest.raises(UserError, match="evidence_files"):
        demo.remove_demo(filled, today=TODAY)
    assert durable_snapshot(filled.data_dir) == before


def test_the_portfolio_lists_each_file_with_its_hash(filled: Store) -> None:
    from pypdf import PdfReader

    from sendobserve.services.documents import portfolio_document, portfolio_plan

    who = _mediator(filled, demo.READY)
    entry = _entry(filled, demo.READY, EntryKind.TRAINING)
    file, _ = evidence.attach(filled, entry.kind, entry.id, make_pdf(), name="send-cert.pdf",
                              kind=EvidenceKind.TRAINING_CERTIFICATE, added_by="x")
    _report, refusal, ppcs = portfolio_plan(filled, who, today=TODAY)
    assert refusal is None and ppcs
    pdf, _n = portfolio_document(filled, who, ppcs[0], today=TODAY)
    import io

    words = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages
                            ).split())
    assert "8.Evidencefiles(1)" in words
    assert "send-cert.pdf" in words and file.sha256 in words

"""Evidence files with the control records: a "since the last export to" file carries a
file not sent yet (with its entry, even when the entry itself was sent before), and an
entry deleted here after it travelled stays deleted, its files with it, when an older
file brings it back."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from sendobserve.exchange.bundle import seal
from sendobserve.exchange.codec import ExportPayload
from sendobserve.exchange.errors import ExchangeError
from sendobserve.exchange.export import ExportScope, build_payload
from sendobserve.model.domain import Training
from sendobserve.model.evidence import EntryKind, EvidenceKind
from sendobserve.services import evidence
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import PracticeRepository, in_session
from tests.model.test_evidence import make_pdf

from .storekit import FAST_KDF, PASS, TempStore
from .test_evidence_exchange import _files, _setup
from .test_whole_record import _export_record, _record


def _since_last(ts: TempStore, trainee: uuid.UUID) -> tuple[ExportPayload, bytes]:
    with ts.session() as s:
        payload = build_payload(s, trainee, exported_by="A", scope=ExportScope.SINCE_LAST,
                                since_last_to="Dev Patel")
    return payload, seal(payload, passphrase=PASS, signing_key=ts.identity(),
                         kdf_log2_n=FAST_KDF)


def test_a_since_last_file_carries_a_new_evidence_file_with_its_entry(tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    first, data = _since_last(a, trainee)
    assert len(first.evidence) == 3
    b.import_bytes(data)
    assert set(_files(b, trainee)) == set(_files(a, trainee))
    # A second document on the training entry, which itself has not changed.
    with a.open() as store:
        entry = next(e for e in evidence.entries(store, trainee)
                     if e.kind is EntryKind.TRAINING)
        evidence.attach(store, entry.kind, entry.id, make_pdf("second outline"),
                        name="second.pdf", kind=EvidenceKind.COURSE_OUTLINE, added_by="A")
    second, data = _since_last(a, trainee)
    assert [e.file.entry_id for e in second.evidence] == [entry.id]
    assert [t.id for t in second.training] == [entry.id] and second.cpd == ()
    b.import_bytes(data)
    assert set(_files(b, trainee)) == set(_files(a, trainee))
    assert len(_files(b, trainee)) == 4
    with pytest.raises(ExchangeError, match="Nothing of"):
        _since_last(a, trainee)


def test_an_entry_deleted_here_stays_deleted_with_its_files(tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    older = _export_record(a, trainee)
    b.import_bytes(older)
    training = _record(b, trainee).training[0]
    with b.session() as s:  # it has travelled: the deletion signs a tombstone
        PracticeRepository(in_session(s)).delete(Training, training.id)
        assert ("training", training.id) in controls_store.tombstones(s)
    assert not any(f.entry_id == training.id for f, _c in _files(b, trainee).values())
    b.import_bytes(older)  # the same version again, with its evidence file
    assert training.id not in {t.id for t in _record(b, trainee).training}
    held = _files(b, trainee)
    assert not any(f.entry_id == training.id for f, _c in held.values())
    assert len(held) == 2  # the CPD's and the case's files are still here

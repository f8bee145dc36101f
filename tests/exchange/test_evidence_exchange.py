"""Evidence files travel with the whole record: round trip byte for byte, idempotent by
content, never in an observations-only file; the decoder refuses a file whose content,
hash, id, type or entry does not hold, with the receiving store byte-identical."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from sendobserve.exchange.bundle import _seal_signed
from sendobserve.exchange.codec import decode_payload, payload_json
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.exchange.export import ExportScope, build_payload, payload_counts
from sendobserve.model.evidence import EntryKind, EvidenceKind, evidence_id
from sendobserve.pki.identity import Identity
from sendobserve.services import evidence
from tests.model.test_evidence import make_image, make_pdf

from .storekit import FAST_KDF, PASS, TempStore, add_finalised_observation, add_people
from .test_whole_record import _export_record, _fill_logs


def _setup(tmp_path: Path) -> tuple[TempStore, TempStore, uuid.UUID]:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    _fill_logs(a, trainee.id, ppc.id)
    with a.open() as store:
        found = {e.kind: e for e in evidence.entries(store, trainee.id)}
        for kind, data, what in ((EntryKind.TRAINING, make_pdf(), EvidenceKind.COURSE_OUTLINE),
                                 (EntryKind.CPD, make_image("JPEG"),
                                  EvidenceKind.CPD_CERTIFICATE),
                                 (EntryKind.CASE, make_image("PNG"), EvidenceKind.OTHER)):
            evidence.attach(store, kind, found[kind].id, data, name=f"{kind.value}.bin",
                            kind=what, added_by="Siobhán")
    return a, b, trainee.id


def _files(ts: TempStore, mediator_id: uuid.UUID) -> dict[uuid.UUID, tuple[Any, bytes]]:
    with ts.open() as store:
        return {f.id: evidence.get(store, f.id) for f in evidence.list_files(store, mediator_id)}


def test_evidence_travels_with_the_whole_record_only(tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    with a.session() as s:
        observations_only = build_payload(s, trainee, exported_by="x",
                                          scope=ExportScope.OBSERVATIONS, record_history=False)
        whole = build_payload(s, trainee, exported_by="x", scope=ExportScope.RECORD,
                              record_history=False)
    assert observations_only.evidence == () and "evidence" not in payload_json(observations_only)
    assert payload_counts(whole)["evidence files"] == 3
    result = b.import_bytes(_export_record(a, trainee))
    assert "Evidence files: 3 new, 0 updated, 0 in conflict, 0 already here" in "\n".join(
        result.preview.lines())
    assert _files(b, trainee) == _files(a, trainee)  # details and content, byte for byte
    # Again: nothing new.
    again = b.import_bytes(_export_record(a, trainee))
    assert "Evidence files: 0 new, 0 updated, 0 in conflict, 3 already here" in "\n".join(
        again.preview.lines())
    back = a.import_bytes(_export_record(b, trainee, "B"))
    assert "3 already here" in "\n".join(back.preview.lines())
    assert _files(b, trainee) == _files(a, trainee)


def test_the_same_document_attached_on_two_laptops_is_one_record(tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    b.import_bytes(_export_record(a, trainee))
    pdf = make_pdf("outline, second edition")
    with a.open() as store:
        entry = next(e for e in evidence.entries(store, trainee) if e.kind is EntryKind.TRAINING)
        evidence.attach(store, entry.kind, entry.id, pdf, name="on-a.pdf",
                        kind=EvidenceKind.COURSE_OUTLINE, added_by="A")
    with b.open() as store:
        evidence.attach(store, entry.kind, entry.id, pdf, name="on-b.pdf",
                        kind=EvidenceKind.COURSE_OUTLINE, added_by="B")
    b.import_bytes(_export_record(a, trainee))
    a.import_bytes(_export_record(b, trainee, "B"))
    assert set(_files(a, trainee)) == set(_files(b, trainee))
    assert len(_files(a, trainee)) == 4
    names = {f.name for f, _c in _files(b, trainee).values()}
    assert "on-b.pdf" in names and "on-a.pdf" not in names  # ours kept, never replaced


def _hostile_value(a: TempStore, trainee: uuid.UUID) -> dict[str, Any]:
    with a.session() as s:
        payload = build_payload(s, trainee, exported_by="Mallory", scope=ExportScope.RECORD,
                                record_history=False)
    return json.loads(json.dumps(payload_json(payload)))


def _seal(value: dict[str, Any]) -> bytes:
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"),
                     ensure_ascii=False).encode("utf-8")
    return _seal_signed(raw, passphrase=PASS, signing_key=Identity.generate(), recipients=(),
                        kdf_log2_n=FAST_KDF)


def _rehash(item: dict[str, Any], content: bytes) -> None:
    item["content"] = base64.b64encode(content).decode("ascii")
    item["sha256"] = hashlib.sha256(content).hexdigest()
    item["id"] = evidence_id(EntryKind(item["entry_kind"]), uuid.UUID(item["entry_id"]),
                             item["sha256"]).hex


def _text_file(item: dict[str, Any]) -> None:
    _rehash(item, b"this is not a certificate")


def _fake_pdf(item: dict[str, Any]) -> None:
    _rehash(item, b"%PDF-1.7 but nothing else")


def _too_big(item: dict[str, Any]) -> None:
    item["content"] = "A" * (7 * 1024 * 1024 + 8)


HOSTILE = {
    "content changed, hash kept": lambda i: i.update(
        content=base64.b64encode(make_pdf("forged")).decode()),
    "hash of other content": lambda i: i.update(sha256="0" * 64),
    "id not derived": lambda i: i.update(id=uuid.uuid4().hex),
    "entry not in the file": lambda i: (i.update(entry_id=uuid.uuid4().hex),
                                        _rehash(i, base64.b64decode(i["content"]))),
    "a text file": _text_file,
    "a PDF that is not one": _fake_pdf,
    "over the size limit": _too_big,
    "type claimed otherwise": lambda i: i.update(media_type="image/png"),
    "an unknown field": lambda i: i.update(path="/etc/passwd"),
    "not base64": lambda i: i.update(content="%%%%"),
}


@pytest.mark.parametrize("how", sorted(HOSTILE))
def test_a_hostile_evidence_file_is_refused_and_the_store_is_untouched(
        tmp_path: Path, how: str) -> None:
    a, b, trainee = _setup(tmp_path)
    value = _hostile_value(a, trainee)
    item = next(i for i in value["evidence"] if i["entry_kind"] == "training")
    HOSTILE[how](item)
    data = _seal(value)
    before = b.file_digests()
    with pytest.raises(ExchangeError) as caught:
        b.import_bytes(data)
    assert caught.value.problem in (ExchangeProblem.INVALID_PAYLOAD, ExchangeProblem.TOO_LARGE)
    assert "evidence[" in caught.value.message or how == "over the size limit"
    assert b.file_digests() == before


def test_mutated_evidence_sections_never_crash_the_decoder(tmp_path: Path) -> None:
    a, _b, trainee = _setup(tmp_path)
    base = _hostile_value(a, trainee)
    rng = random.Random(18)
    refused = 0
    for _ in range(300):
        value = json.loads(json.dumps(base))
        item = rng.choice(value["evidence"])
        key = rng.choice(sorted(item))
        item[key] = rng.choice([None, 0, -1, True, "", "x" * 300, [], {}, item[key][::-1]
                                if isinstance(item[key], str) else item[key],
                                uuid.uuid4().hex, "2026-13-01T00:00:00+00:00"])
        raw = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
        try:
            decode_payload(raw)
        except ExchangeError:
            refused += 1
    assert refused >= 250  # nearly every mutation breaks a checked field

"""A field added to a record the way ARCHITECTURE.md says (``Case.local_authority``: the
dataclass, the row, migration 0019, one line in the case's field table) goes through the
store, the bulk writer and an exchange file, and files written before it still read."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sendobserve.exchange.codec import decode_payload, encode_payload
from sendobserve.exchange.errors import ExchangeError
from sendobserve.exchange.export import ExportScope, export_bundle
from sendobserve.model.domain import Case, CaseKind, PracticeRecord, TraineeRole
from sendobserve.model.validation import ValidationError
from sendobserve.pki.identity import load_or_create_identity
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import (
    CaseRepository,
    in_session,
    load_practice_record,
    put_practice_record,
)

from .factories import sample_payload
from .storekit import FAST_KDF, PASS, TempStore, add_finalised_observation, add_people

TODAY = datetime.now(UTC).date()


def _case(mediator_id: uuid.UUID, local_authority: str | None) -> Case:
    return Case(uuid.uuid4(), mediator_id, "LA-7", TODAY - timedelta(days=3),
                CaseKind.DISAGREEMENT_RESOLUTION, TraineeRole.LEADING, Decimal("2.5"),
                local_authority=local_authority)


def _record(ts: TempStore, mediator_id: uuid.UUID) -> PracticeRecord:
    with ts.session() as s:
        return load_practice_record(s, mediator_id)


def test_the_store_keeps_it_trimmed_edits_it_and_refuses_it_too_long(tmp_path: Path) -> None:
    ts = TempStore.create(tmp_path / "a")
    trainee, _ppc = add_people(ts)
    with ts.session() as s:
        added = CaseRepository(in_session(s)).add(_case(trainee.id, "  Leeds "))
    assert added.local_authority == "Leeds"
    # Another session of a reopened store: it was written, and every read path has it.
    with ts.session() as s:
        repo = CaseRepository(in_session(s))
        assert repo.get(added.id) == added
        assert repo.list_for_mediator(trainee.id) == (added,)
        assert load_practice_record(s, trainee.id).cases == (added,)
        moved = repo.update(replace(added, local_authority="Kirklees"))
        cleared = repo.update(replace(moved, local_authority="   "))
    assert moved.local_authority == "Kirklees" and cleared.local_authority is None
    assert _record(ts, trainee.id).cases == (cleared,)
    before = ts.file_digests()
    with pytest.raises(ValidationError) as caught, ts.session() as s:
        CaseRepository(in_session(s)).update(replace(added, local_authority="x" * 101))
    assert caught.value.field == "local_authority"
    assert _record(ts, trainee.id).cases == (cleared,)
    assert ts.file_digests().keys() == before.keys()


def test_the_bulk_writer_stores_it(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, _ppc = add_people(a)
    record = PracticeRecord(mediator=trainee, cases=(_case(trainee.id, "Calderdale"),))
    with b.session() as s:
        result = put_practice_record(s, record)
    assert result.added == {"mediators": 1, "cases": 1}
    assert _record(b, trainee.id).cases == record.cases


def _export(ts: TempStore, mediator_id: uuid.UUID, scope: ExportScope) -> bytes:
    with ts.session() as s:
        identity = load_or_create_identity(stored.StoredSigningKey(s))
        data, _ = export_bundle(s, mediator_id, passphrase=PASS, identity=identity,
                                exported_by="Exporter", kdf_log2_n=FAST_KDF, scope=scope)
    return data


@pytest.mark.parametrize("scope", [ExportScope.OBSERVATIONS, ExportScope.RECORD])
def test_it_travels_in_an_exchange_file(tmp_path: Path, scope: ExportScope) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    observed = _record(a, trainee.id).cases[0]
    with a.session() as s:
        CaseRepository(in_session(s)).update(replace(observed, local_authority="Wakefield"))
    data = _export(a, trainee.id, scope)
    assert b.import_bytes(data).written
    (arrived,) = _record(b, trainee.id).cases
    assert arrived == replace(observed, local_authority="Wakefield")


def test_files_without_it_read_as_before_and_a_bad_one_is_refused() -> None:
    for schema in (1, 2):
        payload = replace(sample_payload(3), schema=schema)
        data = encode_payload(payload)
        assert b"local_authority" not in data  # what older installations wrote and read
        assert all(c.local_authority is None for c in decode_payload(data).cases)
    payload = sample_payload(3)
    given = replace(payload, cases=(replace(payload.cases[0], local_authority="Leeds"),
                                    *payload.cases[1:]))
    assert decode_payload(encode_payload(given)) == given
    value = json.loads(encode_payload(given))
    value["cases"][0]["local_authority"] = "x\u202eLeeds"  # a one-line field: no overrides
    with pytest.raises(ExchangeError) as caught:
        decode_payload(json.dumps(value).encode())
    assert "cases[0].local_authority" in caught.value.message

"""Imports between real encrypted stores in temp folders."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from sendobserve.exchange.apply import SignerStatus, preview_import
from sendobserve.exchange.bundle import open_bundle, seal
from sendobserve.exchange.codec import ObservationVersion, decode_version, versions_of
from sendobserve.exchange.conflicts import list_conflicts
from sendobserve.exchange.errors import ExchangeError
from sendobserve.exchange.merge import ObservationAction
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import (
    MarkState,
    Mediator,
    ObservationState,
    PracticeRecord,
    RecognisingBody,
    Training,
    TrainingKind,
)
from sendobserve.model.readiness import assess_readiness
from sendobserve.pki.identity import Identity
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import load_practice_record

from .factories import CRITERIA, sample_payload
from .storekit import (
    PASS,
    TempStore,
    add_finalised_observation,
    add_observer,
    add_people,
    amend_observation,
)


def _record(ts: TempStore, mediator_id: uuid.UUID) -> PracticeRecord:
    with ts.session() as s:
        return load_practice_record(s, mediator_id)


def test_two_stores_exchange_observations_both_ways_and_readiness_counts_both(
    tmp_path: Path,
) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    first = add_finalised_observation(a, trainee, ppc, "LA-2026-001")

    result = b.import_bytes(a.export(trainee.id, "Łucja Żak"))
    assert (result.added, result.written) == (1, True)
    assert result.preview.signer.status is SignerStatus.NEW
    assert result.preview.new_mediators == (trainee.name,)
    ra, rb = _record(a, trainee.id), _record(b, trainee.id)
    for field in ("mediator", "observers", "cases", "observations", "marks", "debrief_notes",
                  "amendments"):
        assert getattr(rb, field) == getattr(ra, field), field

    # B's own observer watches the trainee's next case, and B sends it back.
    co = add_observer(b, "Dev Patel")
    second = add_finalised_observation(b, trainee, co, "LA-2026-002", seed=1)
    back = a.import_bytes(b.export(trainee.id, "Dev Patel"))
    assert (back.added, back.unchanged) == (1, 1)

    today = datetime.now(UTC).date()
    for ts in (a, b):
        record = _record(ts, trainee.id)
        assert {o.id for o in record.observations} == {first, second}
        # §1.2: supported practice comes "after having attended a specialised training
        # programme"; training is not exchanged, so the trainee's is added here.
        send = Training(uuid.uuid4(), trainee.id, TrainingKind.SEND, "SEND", "Provider",
                        RecognisingBody.CMC, date(2020, 1, 1), date(2020, 1, 2), Decimal(12))
        record = replace(record, training=(send,))
        report = assess_readiness(record, FormRegistry.standard(), today=today)
        assert sum(n for _f, _v, n in report.forms_used) == 2
        seen_by = {s.observation.observer_name for c in report.criteria
                   for s in (*c.demonstrated_in, *c.development_needed)}
        assert {"Łucja Żak", "Dev Patel"} <= seen_by


def test_importing_twice_changes_nothing_not_even_a_byte(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    data = a.export(trainee.id)
    b.import_bytes(data)
    before = b.file_digests()
    again = b.import_bytes(data)
    assert not again.written
    assert again.preview.already_imported_at is not None
    assert again.preview.signer.status is SignerStatus.KNOWN
    assert again.unchanged == 1
    assert b.file_digests() == before


def test_preview_writes_nothing_and_says_what_will_happen(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    opened = open_bundle(a.export(trainee.id, "Łucja Żak"), passphrase=PASS)
    before = b.dump()
    with b.session() as s:
        preview = preview_import(s, opened)
    assert b.dump() == before
    text = "\n".join(preview.lines())
    assert "Signed by: Łucja Żak" in text
    assert opened.fingerprint in text and "FIRST TIME SEEN" in text
    assert "LA-1" in text and "1 new" in text


def _three_files(tmp_path: Path) -> tuple[list[bytes], tuple[Mediator, uuid.UUID]]:
    """F1: an observation as finalised; F2: amended on the observer's machine; F3: the same
    observation amended differently on the trainee's machine, plus a new one there."""
    a, c = TempStore.create(tmp_path / "src-a"), TempStore.create(tmp_path / "src-c")
    trainee, ppc = add_people(a)
    obs = add_finalised_observation(a, trainee, ppc, "LA-1")
    f1 = a.export(trainee.id, "Łucja Żak")
    c.import_bytes(f1)
    amend_observation(a, obs, CRITERIA[1], MarkState.DEMONSTRATED, "Łucja Żak")
    f2 = a.export(trainee.id, "Łucja Żak")
    amend_observation(c, obs, CRITERIA[2], MarkState.DEVELOPMENT_NEEDED, "Siobhán")
    co = add_observer(c, "Dev Patel")
    add_finalised_observation(c, trainee, co, "LA-2", seed=2)
    f3 = c.export(trainee.id, "Siobhán Ó Dálaigh")
    return [f1, f2, f3], (trainee, obs)


def test_any_order_of_three_files_gives_the_same_store_and_keeps_the_conflict(
    tmp_path: Path,
) -> None:
    files, (trainee, obs) = _three_files(tmp_path)
    opened = [open_bundle(f, passphrase=PASS) for f in files]
    dumps: dict[int, list[dict[str, object]]] = {1: [], 2: []}
    heads: list[set[str]] = []
    for i, order in enumerate(itertools.permutations(range(3))):
        ts = TempStore.create(tmp_path / f"dest-{i}")
        for k in order:
            ts.import_opened(opened[k])
        # The two amended versions conflict: whichever arrived first stays current.
        first = next(k for k in order if k in (1, 2))
        dumps[first].append(ts.dump())
        with ts.session() as s:
            conflicts = stored.conflict_versions(s, obs)
            held = stored.stored_observations(s, [obs])[obs]
        assert len(conflicts) == 1  # two independent amendments: both kept
        current = _record(ts, trainee.id)
        kept = decode_version(conflicts[0])
        amendments_here = {a.id for a in current.amendments if a.observation_id == obs}
        assert len(amendments_here) == 1 and len(kept.amendments) == 1
        assert amendments_here != {a.id for a in kept.amendments}
        current_version = ObservationVersion.of(held.observation, held.marks,
                                                held.debrief_notes, held.amendments)
        expected_current = next(v for v in versions_of(opened[first].payload)
                                if v.observation.id == obs)
        assert current_version.digest == expected_current.digest
        heads.append({current_version.digest, kept.digest})
    for group in dumps.values():
        assert len(group) == 3 and all(d == group[0] for d in group[1:])
        assert len(group[0]["observations"]) == 2
    assert all(h == heads[0] for h in heads[1:])  # the same two versions everywhere


def test_a_conflict_is_reported_in_the_preview_and_nothing_is_dropped(tmp_path: Path) -> None:
    files, (trainee, obs) = _three_files(tmp_path)
    ts = TempStore.create(tmp_path / "dest")
    ts.import_bytes(files[1])
    result = ts.import_bytes(files[2])
    assert result.conflicts == 1
    lines = [ln for ln in result.preview.lines() if "CONFLICT" in ln]
    assert len(lines) == 1 and "LA-1" in lines[0]
    # The older base version is superseded by both, so it adds nothing.
    older = ts.import_bytes(files[0])
    assert older.unchanged == 1 and older.preview.count(ObservationAction.CONFLICT) == 0
    record = _record(ts, trainee.id)
    assert next(o for o in record.observations if o.id == obs).state is \
        ObservationState.AMENDED


def test_a_local_draft_with_the_same_id_is_refused_and_nothing_changes(
    tmp_path: Path,
) -> None:
    a = TempStore.create(tmp_path / "a")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    data = a.export(trainee.id)
    b = TempStore.create(tmp_path / "b")
    b.import_bytes(data)
    with b.session() as s:
        s.execute(text("UPDATE observations SET state = 'draft'"))
    before = b.file_digests()
    b2 = a.export(trainee.id)  # a new file: same content, new encryption
    with pytest.raises(ExchangeError, match="draft"):
        b.import_bytes(b2)
    assert b.file_digests() == before


def test_a_record_this_store_refuses_is_reported_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    payload = sample_payload(6, n_observations=2)
    future = datetime.now(UTC).date() + timedelta(days=30)
    payload = replace(payload, cases=(replace(payload.cases[0], case_date=future),
                                      *payload.cases[1:]))
    data = seal(payload, passphrase=PASS, signing_key=Identity.generate(), kdf_log2_n=14)
    ts = TempStore.create(tmp_path / "dest")
    before = ts.file_digests()
    with pytest.raises(ExchangeError, match=r"cannot be stored here.*case date"):
        ts.import_bytes(data)
    assert ts.file_digests() == before


def test_a_new_key_using_a_known_signers_name_is_flagged(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    b.import_bytes(a.export(trainee.id, "Łucja Żak"))
    forged_name = replace(sample_payload(8), exported_by="łucja żak")
    impostor = seal(forged_name, passphrase=PASS, signing_key=Identity.generate(),
                    kdf_log2_n=14)
    with b.session() as s:
        preview = preview_import(s, open_bundle(impostor, passphrase=PASS))
    assert preview.signer.status is SignerStatus.NEW
    assert preview.signer.name_used_by_other_key
    assert any("WARNING" in line and "another key" in line for line in preview.lines())


def test_conflicts_list_shows_both_versions_and_where_they_differ(tmp_path: Path) -> None:
    files, (_trainee, obs) = _three_files(tmp_path)
    ts = TempStore.create(tmp_path / "dest")
    for f in files:
        ts.import_bytes(f)
    with ts.session() as s:
        conflicts = list_conflicts(s)
    assert [c.observation_id for c in conflicts] == [obs]
    (conflict,) = conflicts
    (kept,) = conflict.kept
    # One version changed item 1, the other item 2: the two differ on exactly those.
    assert {d.criterion_id for d in kept.differences} == {CRITERIA[1], CRITERIA[2]}
    text = "\n".join(conflict.lines())
    assert "Łucja Żak" in text and "Siobhán" in text and "LA-1" in text

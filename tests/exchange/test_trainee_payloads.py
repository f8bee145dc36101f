"""``trainee_payloads`` cuts one load of a trainee's record into the payloads the hub
sends: each observation's is exactly ``build_payload``'s for that observation, and the
record's carries every case and log record (as the whole-record scope) and no
observation; none carries revocations (they travel to every member on their own)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sendobserve.exchange.export import ExportScope, build_payload, trainee_payloads
from sendobserve.model.domain import utcnow
from sendobserve.pki.identity import Identity, Revocation
from sendobserve.storage import exchange as stored

from .storekit import TempStore, add_finalised_observation, add_people
from .test_whole_record import LOG_FIELDS, _fill_logs

WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def test_one_load_gives_the_same_payloads_as_one_build_per_observation(
        tmp_path: Path) -> None:
    ts = TempStore.create(tmp_path / "a")
    trainee, ppc = add_people(ts)
    ids = [add_finalised_observation(ts, trainee, ppc, f"LA-{i}", seed=i) for i in range(3)]
    _fill_logs(ts, trainee.id, ppc.id)
    with ts.session() as s:
        stored.record_revocation(s, Revocation(Identity.generate().public_key,
                                               utcnow() - timedelta(days=2), "lost", "Admin"),
                                 recorded_by="test", at=utcnow())
    with ts.session() as s:
        cut = trainee_payloads(s, trainee.id, exported_by="x")
        assert set(cut.observations) == set(ids)
        for oid, payload in cut.observations.items():
            alone = build_payload(s, trainee.id, exported_by="x", observation_ids={oid})
            assert alone.revocations != ()
            assert replace(payload, created_at=WHEN) == replace(alone, created_at=WHEN,
                                                                 revocations=())
        whole = build_payload(s, trainee.id, exported_by="x", scope=ExportScope.RECORD)
        only = trainee_payloads(s, trainee.id, exported_by="x", observation_ids={ids[0]})
    record = cut.record
    assert record.observations == () and record.marks == () and record.revocations == ()
    assert record.mediators == whole.mediators and record.cases == whole.cases
    assert record.history == whole.history
    for name in LOG_FIELDS:
        assert getattr(record, name) == getattr(whole, name) != (), name
    assert set(only.observations) == {ids[0]}

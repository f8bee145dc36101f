"""Order independence of the control records: the same files imported in any order leave
a store with the same records, the same kept conflicts, tombstones and decisions."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.exchange.bundle import OpenedBundle, open_bundle
from sendobserve.exchange.decide import decide_record, list_tombstone_conflicts
from sendobserve.storage import exchange as stored
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import CaseRepository, PracticeRepository, in_session

from .storekit import PASS, TempStore, add_finalised_observation, add_people
from .test_controls import _issue
from .test_whole_record import _export_record, _fill_logs, _record

_FILES: dict[str, Any] = {}


def _files(root: Path) -> tuple[Any, list[OpenedBundle]]:
    """Five files from three laptops: A's and B's independent edits of a reflection, C's
    decision on them (for B's), a deletion on A of a CPD entry and an older file still
    holding it, a case edited on B, a Form 4 issued on C."""
    if _FILES:
        return _FILES["trainee"], _FILES["files"]
    a, b, c = (TempStore.create(root / n) for n in "abc")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    _fill_logs(a, trainee.id, ppc.id)
    first = _export_record(a, trainee.id)
    b.import_bytes(first)
    c.import_bytes(first)
    record = _record(a, trainee.id)
    reflection, cpd = record.reflections[0], record.cpd[0]
    case = next(x for x in record.cases if x.reference == "LA-NO-OBS")
    for ts, hours in ((a, "2"), (b, "2.5")):
        with ts.session() as s:
            PracticeRepository(in_session(s)).update(replace(reflection, hours=Decimal(hours)))
    with b.session() as s:
        CaseRepository(in_session(s)).update(replace(case, casework_hours=Decimal("3")))
    from_a, from_b = _export_record(a, trainee.id), _export_record(b, trainee.id)
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(type(cpd), cpd.id)
    deletion = _export_record(a, trainee.id)
    c.import_bytes(from_a)
    c.import_bytes(from_b)
    with c.session() as s:
        (kept,) = [k for k in stored.kept_record_versions(s) if k.kind == "reflections"]
        decide_record(s, "reflections", reflection.id, keep=kept.digest[:12],
                      decided_by=ppc.name, reason="B's hours match the diary")
    _issue(c, trainee.id, ppc.id, ppc.name, "K7QF2XA9")
    decision = _export_record(c, trainee.id)
    files = [open_bundle(f, passphrase=PASS) for f in (first, from_a, from_b, deletion,
                                                       decision)]
    _FILES.update(trainee=trainee, files=files)
    return trainee, files


def _state(ts: TempStore, trainee: Any) -> tuple[Any, ...]:
    record = _record(ts, trainee.id)
    with ts.session() as s:
        kept = sorted((k.kind, k.record_id.hex, k.digest) for k in stored.kept_record_versions(s))
        tombs = sorted((k, rid.hex) for (k, rid) in controls_store.tombstones(s))
        decisions = sorted(d.id.hex for d in controls_store.decisions(s))
        certificates = controls_store.certificates_of(s, trainee.id)
        open_deletions = list_tombstone_conflicts(s)
    return (record, kept, tombs, decisions, certificates, open_deletions)


@pytest.mark.slow
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(5)))
def test_control_records_converge_in_any_import_order(
    tmp_path_factory: pytest.TempPathFactory, order: list[int],
) -> None:
    trainee, files = _files(tmp_path_factory.mktemp("laptops"))
    reference = _FILES.get("reference")
    d = TempStore.create(tmp_path_factory.mktemp("d") / "d")
    for i in order:
        with d.session() as s:
            from sendobserve.exchange.apply import apply_import

            apply_import(s, files[i])
    state = _state(d, trainee)
    record, kept, tombs, decisions, certificates, open_deletions = state
    assert [r.hours for r in record.reflections] == [Decimal("2.5")]  # the decision
    assert record.cpd == () and tombs == [("cpd", files[3].payload.tombstones[0].record_id.hex)]
    assert kept == [] and open_deletions == () and len(decisions) == 1
    assert [c.verification_code for c in certificates] == ["K7QF2XA9"]
    assert Decimal("3") in {c.casework_hours for c in record.cases}
    if reference is None:
        _FILES["reference"] = state
    else:
        assert state == reference

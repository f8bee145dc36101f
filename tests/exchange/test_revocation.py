"""A lost laptop's installation is revoked by a signed record that travels: files it
signs from the revocation on are refused; what it signed before stays, marked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sendobserve.exchange.apply import preview_import
from sendobserve.exchange.bundle import open_bundle, seal
from sendobserve.exchange.errors import ExchangeError, ExchangeProblem
from sendobserve.model.domain import utcnow
from sendobserve.pki.identity import Identity, Revocation
from sendobserve.storage import exchange as stored
from tests.helpers import durable_snapshot

from .factories import sample_payload
from .storekit import FAST_KDF, PASS, TempStore, add_finalised_observation, add_people


def _revoke(ts: TempStore, lost: TempStore, *, reason: str = "Laptop stolen") -> Revocation:
    revocation = Revocation(lost.identity().public_key, utcnow(), reason, "Łucja Żak")
    own = ts.identity().fingerprint
    with ts.session() as s:
        stored.record_revocation(s, revocation, recorded_by=own, at=utcnow())
    return revocation


def test_files_signed_after_the_revocation_are_refused_and_earlier_ones_marked(
    tmp_path: Path,
) -> None:
    lost, ppc, co = (TempStore.create(tmp_path / n) for n in ("lost", "ppc", "co"))
    trainee, observer = add_people(lost)
    add_finalised_observation(lost, trainee, observer, "LA-1")
    before = lost.export(trainee.id, "Siobhán")
    ppc.import_bytes(before)
    co.import_bytes(ppc.export(trainee.id, "Łucja Żak"))  # the co-mediator knows the PPC
    revocation = _revoke(ppc, lost)
    add_finalised_observation(lost, trainee, observer, "LA-2", seed=1)
    after = lost.export(trainee.id, "Siobhán (thief)")

    snap = durable_snapshot(ppc.data_dir)
    with pytest.raises(ExchangeError, match="revoked from") as info:
        ppc.import_bytes(after)
    assert info.value.problem is ExchangeProblem.BAD_SIGNATURE
    assert durable_snapshot(ppc.data_dir) == snap
    with ppc.session() as s:  # the earlier file is still accepted, and marked
        preview = preview_import(s, open_bundle(before, passphrase=PASS))
    assert preview.signer.revoked_from == revocation.revoked_from
    assert any("REVOKED installation" in line for line in preview.lines())

    # The revocation travels in the PPC's next file; the co-mediator then refuses too.
    result = co.import_bytes(ppc.export(trainee.id, "Łucja Żak"))
    assert [(r.fingerprint, applies) for r, applies in result.preview.revocations] == [
        (lost.identity().fingerprint, True)]
    with co.session() as s:
        assert lost.identity().fingerprint in stored.revocations(s)
    snap = durable_snapshot(co.data_dir)
    with pytest.raises(ExchangeError, match="revoked from"):
        co.import_bytes(after)
    assert durable_snapshot(co.data_dir) == snap


def test_a_revocation_from_a_signer_seen_for_the_first_time_is_not_applied(
    tmp_path: Path,
) -> None:
    ppc, co = TempStore.create(tmp_path / "ppc"), TempStore.create(tmp_path / "co")
    trainee, observer = add_people(ppc)
    add_finalised_observation(ppc, trainee, observer, "LA-1")
    co.import_bytes(ppc.export(trainee.id, "Łucja Żak"))
    # A stranger's file says the PPC's installation is revoked.
    forged = replace(sample_payload(5), revocations=(
        Revocation(ppc.identity().public_key, utcnow(), "Trust me", "Mallory"),))
    data = seal(forged, passphrase=PASS, signing_key=Identity.generate(), kdf_log2_n=FAST_KDF)
    result = co.import_bytes(data)
    assert [applies for _r, applies in result.preview.revocations] == [False]
    assert any("NOT applied" in line for line in result.preview.lines())
    with co.session() as s:
        assert stored.revocations(s) == {}
    add_finalised_observation(ppc, trainee, observer, "LA-2", seed=1)
    assert co.import_bytes(ppc.export(trainee.id, "Łucja Żak")).added == 1


def test_the_earlier_of_two_revocations_wins_in_any_order(tmp_path: Path) -> None:
    key = Identity.generate().public_key
    early = Revocation(key, utcnow().replace(year=2026, month=1, day=1), "Lost", "A")
    late = replace(early, revoked_from=utcnow(), reason="Stolen", decided_by="B")
    results = []
    for name, order in (("one", (early, late)), ("two", (late, early))):
        ts = TempStore.create(tmp_path / name)
        with ts.session() as s:
            for r in order:
                stored.record_revocation(s, r, recorded_by="X", at=utcnow())
            results.append(stored.revocations(s))
    assert results[0] == results[1]
    assert next(iter(results[0].values())).revoked_from == early.revoked_from

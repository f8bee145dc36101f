"""services.trust on real stores: known signers with revocations; a revocation refused
for an unknown key or this installation's own; a merged version checked like an entry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sendobserve.errors import UserError
from sendobserve.services import trust
from tests.helpers import durable_snapshot

from .trustkit import two_stores


def test_signers_and_revocation(tmp_path: Path) -> None:
    a, b, _reflection = two_stores(tmp_path)
    when = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    with b.open() as store:
        (signer,) = trust.signers(store)
        assert signer.fingerprint == a.identity().fingerprint and signer.revoked_from is None
        before = durable_snapshot(b.data_dir)
        for fingerprint, reason, by, message in (
                ("AAAA BBBB", "lost", "Dana", "No known signer"),
                (signer.fingerprint, " ", "Dana", "Say why"),
                (signer.fingerprint, "lost", "", "Say who")):
            with pytest.raises(UserError, match=message):
                trust.revoke(store, fingerprint, revoked_from=when, reason=reason,
                             decided_by=by)
        assert durable_snapshot(b.data_dir) == before
        changes = trust.revoke(store, signer.fingerprint.lower().replace(" ", ""),
                               revoked_from=when, reason="Laptop lost", decided_by="Dana")
        assert changes.trust
        (signer,) = trust.signers(store)
        assert signer.revoked_from == when and signer.revoked_reason == "Laptop lost"


def test_a_merged_version_is_checked_like_an_entry(tmp_path: Path) -> None:
    _a, b, _reflection = two_stores(tmp_path)
    with b.open() as store:
        (conflict,) = trust.record_conflicts(store)
        before = durable_snapshot(b.data_dir)
        with pytest.raises(UserError, match="cannot be taken"):
            trust.decide_merged(store, conflict.kind, conflict.record_id,
                                from_kept=frozenset({"mediator_id"}), decided_by="Dana",
                                reason="x")
        with pytest.raises(UserError, match="reason"):
            trust.decide_merged(store, conflict.kind, conflict.record_id,
                                from_kept=frozenset({"hours"}), decided_by="Dana", reason="")
        assert durable_snapshot(b.data_dir) == before
        changes = trust.decide_merged(store, conflict.kind, conflict.record_id,
                                      from_kept=frozenset({"hours"}), decided_by="Dana",
                                      reason="The log says two hours.")
        assert changes.record and changes.trust and trust.record_conflicts(store) == ()

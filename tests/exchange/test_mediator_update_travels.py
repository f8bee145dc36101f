"""An edit of a mediator's details that travels is stored whole: before the field tables,
an imported update dropped the rulebook's facts (edition, passport route, the provider's
panel confirmation) though its digest covered them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sendobserve.exchange.export import ExportScope, export_bundle
from sendobserve.exchange.logs import record_digest
from sendobserve.model.domain import PassportRoute
from sendobserve.pki.identity import load_or_create_identity
from sendobserve.storage import exchange as stored
from sendobserve.storage.repositories import MediatorRepository, load_practice_record

from .storekit import FAST_KDF, PASS, TempStore, add_finalised_observation, add_people

TODAY = datetime.now(UTC).date()


def _export(ts: TempStore, mediator_id: uuid.UUID) -> bytes:
    with ts.session() as s:
        identity = load_or_create_identity(stored.StoredSigningKey(s))
        data, _ = export_bundle(s, mediator_id, passphrase=PASS, identity=identity,
                                exported_by="Exporter", kdf_log2_n=FAST_KDF,
                                scope=ExportScope.RECORD)
    return data


def test_an_imported_update_keeps_every_field(tmp_path: Path) -> None:
    a, b = TempStore.create(tmp_path / "a"), TempStore.create(tmp_path / "b")
    trainee, ppc = add_people(a)
    add_finalised_observation(a, trainee, ppc, "LA-1")
    assert b.import_bytes(_export(a, trainee.id)).written
    with a.session() as s:
        edited = MediatorRepository(s).update(replace(
            MediatorRepository(s).get(trainee.id), passported=True,
            accredited_on=TODAY - timedelta(days=400), passport_route=PassportRoute.PANEL,
            panel_confirmed_by="Pat Provider", panel_confirmed_on=TODAY,
            rules_edition="standards-2018-v1"))
    result = b.import_bytes(_export(a, trainee.id))
    assert "1 updated" in "\n".join(result.preview.lines())
    with b.session() as s:
        arrived = load_practice_record(s, trainee.id).mediator
    assert replace(arrived, created_at=edited.created_at) == edited
    assert record_digest(arrived) == record_digest(edited)

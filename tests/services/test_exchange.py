"""Export, import and identity as use cases: the file written whole or not at all, and an
import saying which trainees it touched (so an open trainee page refreshes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sendobserve.demo import GAPS, READY
from sendobserve.errors import UserError
from sendobserve.services import exchange
from sendobserve.services.changes import NOTHING, Changes
from sendobserve.services.files import write_file
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import MediatorRepository
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE, durable_snapshot, snapshot
from tests.services.conftest import mediator_id

FILE_PASSPHRASE = "a long file passphrase for one exchange"


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Store]:
    created = vault.initialise(tmp_path / "other", TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    try:
        yield created.store
    finally:
        created.store.close()


def test_an_import_names_the_trainee_it_touched_and_a_second_one_nothing(
        demo_store: Store, other: Store, tmp_path: Path) -> None:
    target = tmp_path / "out" / "ready"
    target.parent.mkdir()
    summary = exchange.export_to_file(demo_store, mediator_id(READY), target,
                                      passphrase=FILE_PASSPHRASE, exported_by="Dana")
    assert summary.path == target.with_name("ready.sendobs") and summary.path.exists()
    assert summary.observations > 0 and summary.signed_as == "Dana"
    assert exchange.identity_name(demo_store) == "Dana"  # remembered: none was set
    pending = exchange.open_for_import(other, summary.path, FILE_PASSPHRASE)
    assert MediatorRepository(other.session).count() == 0  # the preview wrote nothing
    done = exchange.apply_pending(other, pending)
    assert done.result.written and done.result.added > 0
    assert done.changes.mediators == frozenset({mediator_id(READY)})
    assert done.changes.observations and done.changes.people
    assert done.changes.touches(mediator_id(READY))
    assert not done.changes.touches(mediator_id(GAPS))
    again = exchange.apply_pending(other, exchange.open_for_import(
        other, summary.path, FILE_PASSPHRASE))
    assert not again.result.written and again.changes == NOTHING


def test_an_export_with_nothing_to_send_writes_nothing_and_keeps_no_identity(
        store: Store, tmp_path: Path) -> None:
    from sendobserve.model.domain import Mediator, new_id

    mediator = MediatorRepository(store.session).add(Mediator(id=new_id(), name="New Trainee"))
    before = durable_snapshot(store.data_dir)
    with pytest.raises(UserError, match="no finalised observations"):
        exchange.export_to_file(store, mediator.id, tmp_path / "x.sendobs",
                                passphrase=FILE_PASSPHRASE, exported_by="Dana")
    assert not (tmp_path / "x.sendobs").exists()
    assert exchange.own_identity(store) is None
    assert durable_snapshot(store.data_dir).keys() == before.keys()


def test_the_identity_card_sets_a_name_and_says_so(store: Store) -> None:
    first = exchange.identity_card(store)
    assert first.changes == NOTHING and first.value.name is None
    named = exchange.identity_card(store, set_name="Dana Whitfield (PPC)")
    assert named.changes == Changes(settings=True)
    assert named.value.name == "Dana Whitfield (PPC)"
    assert named.value.fingerprint == first.value.fingerprint  # the same key, kept


def test_revoking_an_unknown_signer_is_refused_and_changes_nothing(store: Store) -> None:
    from datetime import UTC, datetime

    exchange.identity_card(store)
    before = durable_snapshot(store.data_dir)
    with pytest.raises(UserError, match="no known signer"):
        exchange.revoke_signer(store, "AAAA " * 8, revoked_from=datetime.now(UTC),
                               reason="lost", decided_by="Dana")
    assert durable_snapshot(store.data_dir) == before


@pytest.mark.parametrize("case", ["folder", "missing folder", "exists"])
def test_write_file_refuses_clearly_and_leaves_the_disk_as_it_was(tmp_path: Path,
                                                                  case: str) -> None:
    (tmp_path / "kept.pdf").write_bytes(b"old")
    target = {"folder": tmp_path, "missing folder": tmp_path / "no" / "x.pdf",
              "exists": tmp_path / "kept.pdf"}[case]
    before = snapshot(tmp_path)
    with pytest.raises(UserError) as refused:
        write_file(target, b"new", replace=False)
    assert {"folder": "is a folder", "missing folder": "does not exist",
            "exists": "already exists"}[case] in refused.value.message
    assert snapshot(tmp_path) == before


def test_write_file_replaces_whole_when_allowed(tmp_path: Path) -> None:
    target = tmp_path / "kept.pdf"
    target.write_bytes(b"old")
    assert write_file(target, b"new") == target
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.pdf"]  # no temporary left

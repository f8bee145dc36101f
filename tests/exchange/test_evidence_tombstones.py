"""Removing an evidence file travels: a file that has travelled leaves a signed tombstone
when it is removed, carried by whole-record and since-last files, so a store that still
holds the file gives it up and a file still carrying it does not bring it back, in any
order, across three laptops. A tombstone from an installation revoked before it was
signed is refused like any other; an unsent one is withdrawn by attaching the same file
again, a sent one makes that attach refuse with the store untouched."""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendobserve.errors import UserError
from sendobserve.exchange.apply import apply_import
from sendobserve.exchange.bundle import OpenedBundle, open_bundle
from sendobserve.exchange.decide import list_tombstone_conflicts
from sendobserve.model.domain import Cpd, utcnow
from sendobserve.model.evidence import EntryKind, EvidenceKind
from sendobserve.pki.identity import Revocation
from sendobserve.services import evidence
from sendobserve.storage import exchange as stored
from sendobserve.storage import exchange_controls as controls_store
from sendobserve.storage.repositories import PracticeRepository, in_session
from tests.model.test_evidence import make_pdf

from .storekit import PASS, TempStore, add_people
from .test_evidence_controls import _since_last
from .test_evidence_exchange import _files, _setup
from .test_whole_record import _export_record, _fill_logs, _record


def _training_file(ts: TempStore, trainee: uuid.UUID) -> Any:
    return next(f for f, _c in _files(ts, trainee).values()
                if f.entry_kind is EntryKind.TRAINING)


def _remove(ts: TempStore, file_id: uuid.UUID) -> None:
    with ts.open() as store:
        evidence.remove(store, file_id)


def _tombstones(ts: TempStore) -> dict[tuple[str, uuid.UUID], Any]:
    with ts.session() as s:
        return controls_store.tombstones(s)


def test_a_file_that_never_travelled_leaves_no_tombstone(tmp_path: Path) -> None:
    a, _b, trainee = _setup(tmp_path)
    _remove(a, _training_file(a, trainee).id)
    assert _tombstones(a) == {}
    assert len(_files(a, trainee)) == 2


def test_a_removal_travels_and_an_older_file_does_not_bring_the_file_back(
        tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    older = _export_record(a, trainee)  # it leaves: A remembers it has travelled
    b.import_bytes(older)
    gone = _training_file(a, trainee)
    _remove(a, gone.id)
    (key,) = _tombstones(a)
    tomb = _tombstones(a)[key]
    assert key == ("evidence", gone.id) and tomb.base == gone.sha256 and tomb.verifies()
    assert tomb.mediator_id == trainee and tomb.history == ()

    newer = _export_record(a, trainee)
    result = b.import_bytes(newer)
    assert result.written
    assert gone.id not in _files(b, trainee) and len(_files(b, trainee)) == 2
    assert _tombstones(b) == _tombstones(a)
    # B's own export still carried it before the tombstone came: it never comes back.
    a.import_bytes(older)
    assert gone.id not in _files(a, trainee)
    again = b.import_bytes(older)
    assert gone.id not in _files(b, trainee)
    assert "Evidence files: 0 new" in "\n".join(again.preview.lines())
    # Nothing to decide: an evidence file is never edited, so it cannot conflict.
    with b.session() as s:
        assert list_tombstone_conflicts(s) == ()
    # Idempotent: the same file again writes nothing.
    assert not b.import_bytes(newer).written
    assert _files(a, trainee) == _files(b, trainee)


def test_a_file_received_and_removed_on_the_receiving_laptop_travels_back(
        tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    b.import_bytes(_export_record(a, trainee))
    gone = _training_file(b, trainee)
    _remove(b, gone.id)  # it came from A: it has travelled
    assert ("evidence", gone.id) in _tombstones(b)
    a.import_bytes(_export_record(b, trainee, "B"))
    assert gone.id not in _files(a, trainee)
    assert set(_files(a, trainee)) == set(_files(b, trainee))


def test_a_since_last_file_carries_the_removal(tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    _payload, first = _since_last(a, trainee)
    b.import_bytes(first)
    gone = _training_file(a, trainee)
    _remove(a, gone.id)
    payload, second = _since_last(a, trainee)
    assert [(t.kind, t.record_id) for t in payload.tombstones] == [("evidence", gone.id)]
    assert payload.evidence == ()
    b.import_bytes(second)
    assert gone.id not in _files(b, trainee)


def test_deleting_the_entry_takes_its_files_everywhere(tmp_path: Path) -> None:
    """The entry's own tombstone covers its files (they go with it by the foreign key): no
    separate evidence tombstone is signed."""
    a, b, trainee = _setup(tmp_path)
    b.import_bytes(_export_record(a, trainee))
    cpd = _record(a, trainee).cpd[0]
    with a.session() as s:
        PracticeRepository(in_session(s)).delete(Cpd, cpd.id)
    assert set(_tombstones(a)) == {("cpd", cpd.id)}
    b.import_bytes(_export_record(a, trainee))
    assert not any(f.entry_id == cpd.id for f, _c in _files(b, trainee).values())


def test_a_removal_signed_by_a_revoked_installation_after_revocation_is_refused(
        tmp_path: Path) -> None:
    lost, ppc_store, trainee = _setup(tmp_path)
    ppc_store.import_bytes(_export_record(lost, trainee))
    gone = _training_file(lost, trainee)
    _remove(lost, gone.id)
    relay = TempStore.create(tmp_path / "relay")
    relay.import_bytes(_export_record(lost, trainee))  # a store not told yet relays it
    assert gone.id not in _files(relay, trainee)
    revocation = Revocation(lost.identity().public_key, utcnow() - timedelta(hours=1),
                            "Laptop stolen", "Łucja Żak")
    own = ppc_store.identity().fingerprint
    with ppc_store.session() as s:
        stored.record_revocation(s, revocation, recorded_by=own, at=utcnow())
    result = ppc_store.import_bytes(_export_record(relay, trainee, "Relay"))
    assert any("Tombstone:" in line and "REFUSED" in line for line in result.preview.lines())
    assert gone.id in _files(ppc_store, trainee)  # kept: the removal is not believed
    assert _tombstones(ppc_store) == {}


def test_attaching_the_same_file_again_withdraws_an_unsent_removal(tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    b.import_bytes(_export_record(a, trainee))
    gone = _training_file(a, trainee)
    _, content = _files(a, trainee)[gone.id]
    _remove(a, gone.id)
    assert ("evidence", gone.id) in _tombstones(a)
    with a.open() as store:  # not sent yet: the same document comes back, no tombstone
        evidence.attach(store, gone.entry_kind, gone.entry_id, content, name=gone.name,
                        kind=gone.kind, added_by="A")
    assert _tombstones(a) == {}
    b.import_bytes(_export_record(a, trainee))
    assert gone.id in _files(b, trainee)


def test_attaching_the_same_file_again_after_the_removal_travelled_is_refused(
        tmp_path: Path) -> None:
    a, b, trainee = _setup(tmp_path)
    b.import_bytes(_export_record(a, trainee))
    gone = _training_file(a, trainee)
    _, content = _files(a, trainee)[gone.id]
    _remove(a, gone.id)
    b.import_bytes(_export_record(a, trainee))  # the removal has now travelled
    before = a.file_digests()
    with a.open() as store, pytest.raises(UserError, match="already gone to other laptops"):
        evidence.attach(store, gone.entry_kind, gone.entry_id, content, name=gone.name,
                        kind=gone.kind, added_by="A")
    assert a.file_digests() == before
    with a.open() as store:  # another copy of the document is a new attachment
        evidence.attach(store, gone.entry_kind, gone.entry_id, make_pdf("rescanned"),
                        name="rescanned.pdf", kind=EvidenceKind.COURSE_OUTLINE, added_by="A")
    b.import_bytes(_export_record(a, trainee))
    assert {f.name for f, _c in _files(b, trainee).values()} >= {"rescanned.pdf"}


# ---------------------------------------------------------------------------------------
# Three laptops, any order

_LAPTOPS: dict[str, Any] = {}


def _three_laptops(root: Path) -> dict[str, Any]:
    """A attaches and sends its record to B; B relays it (files still with it); A removes
    one file and sends again; C, an empty store, and B receive the files in any order."""
    if _LAPTOPS:
        return _LAPTOPS
    a, b, c = (TempStore.create(root / n) for n in "abc")
    trainee, ppc = add_people(a)
    _fill_logs(a, trainee.id, ppc.id)
    with a.open() as store:
        found = {e.kind: e for e in evidence.entries(store, trainee.id)}
        for kind in (EntryKind.TRAINING, EntryKind.CPD):
            evidence.attach(store, kind, found[kind].id, make_pdf(kind.value),
                            name=f"{kind.value}.pdf", kind=EvidenceKind.OTHER, added_by="A")
    first = _export_record(a, trainee.id)
    b.import_bytes(first)
    relayed = _export_record(b, trainee.id, "B")
    gone = _training_file(a, trainee.id)
    _remove(a, gone.id)
    removal = _export_record(a, trainee.id)
    _LAPTOPS.update(trainee=trainee.id, gone=gone.id, b=b, c=c, files=[
        open_bundle(f, passphrase=PASS) for f in (first, relayed, removal)])
    return _LAPTOPS


def _copy(ts: TempStore, target: Path) -> TempStore:
    shutil.copytree(ts.data_dir, target)
    return TempStore(target, ts.key)


def _state(ts: TempStore, trainee: uuid.UUID) -> tuple[Any, ...]:
    with ts.session() as s:
        tombs = sorted((k, rid.hex, t.signature.hex())
                       for (k, rid), t in controls_store.tombstones(s).items())
    files = {i: (f.name, f.sha256, content) for i, (f, content) in _files(ts, trainee).items()}
    return files, tombs


@pytest.mark.slow
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(3)), relay_first=st.booleans())
def test_every_laptop_converges_on_the_removal_in_any_order(
        tmp_path_factory: pytest.TempPathFactory, order: list[int], relay_first: bool) -> None:
    laptops = _three_laptops(tmp_path_factory.mktemp("laptops"))
    files: list[OpenedBundle] = laptops["files"]
    trainee, gone = laptops["trainee"], laptops["gone"]
    here = tmp_path_factory.mktemp("run")
    c = _copy(laptops["c"], here / "c")
    b = _copy(laptops["b"], here / "b")
    for i in order:
        with c.session() as s:
            apply_import(s, files[i])
    for i in ((1, 2) if relay_first else (2, 1)):  # B: its own relay again, and the removal
        with b.session() as s:
            apply_import(s, files[i])
    states = [_state(ts, trainee) for ts in (b, c)]
    assert gone not in states[0][0] and len(states[0][0]) == 1
    assert states[0] == states[1]
    reference = laptops.setdefault("reference", states[0])
    assert states[0] == reference

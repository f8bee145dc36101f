"""Erasure reaches every copy the store keeps; subject access finds everything.

Canary test: 100 strings planted in one mediator's records (name, case references, mark
notes and their undo history, de-brief notes, training, reflection, CPD, contacts); the
store backed up twice; then erasure. The proof reads the *decrypted pages* of the live
database, its write-ahead log and every backup (``pagedump``: free pages included), not
SQL results and not the encrypted bytes. A second mediator's canaries must survive, which
also proves the page dump reads what it claims to.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from sendobserve.demo import fill_store
from sendobserve.forms.registry import FormRegistry
from sendobserve.model.domain import (
    Case,
    CaseKind,
    Contact,
    ContactKind,
    Cpd,
    CpdKind,
    MarkState,
    Mediator,
    Observer,
    ObserverRole,
    RecognisingBody,
    Reflection,
    TraineeRole,
    Training,
    TrainingKind,
    new_id,
)
from sendobserve.storage import vault
from sendobserve.storage.backup import all_encrypted_copies, make_backup
from sendobserve.storage.db import Store
from sendobserve.storage.erasure import erase_mediator, subject_access
from sendobserve.storage.errors import StoreError
from sendobserve.storage.repositories import (
    CaseRepository,
    FormVersionRepository,
    MediatorRepository,
    ObservationRepository,
    ObserverRepository,
    PracticeRepository,
)
from tests.storage.pagedump import contains, plaintext_of

TODAY = date(2026, 11, 30)


def _canary(i: int) -> str:
    return f"CANARY{i:03d}x{uuid.uuid4().hex[:8]}"


def plant(store: Store, *, count: int, prefix: str = "") -> tuple[uuid.UUID, list[str]]:
    """A mediator whose records hold ``count`` (≤ 100) distinct canary strings."""
    canaries: list[str] = []

    def c() -> str:
        canaries.append(prefix + _canary(len(canaries)))
        return canaries[-1]

    sessions = store.session
    mediator = MediatorRepository(sessions).add(Mediator(id=new_id(), name=c()), today=TODAY)
    observer = ObserverRepository(sessions).add(
        Observer(id=new_id(), name=f"{prefix}Observer Kept", role=ObserverRole.PPC)
    )
    forms = FormRegistry.standard()
    versions = FormVersionRepository(sessions)
    for form_id in ("form1", "form3"):
        if versions.get(form_id, forms.latest(form_id).version) is None:
            versions.ensure(forms.latest(form_id))
    cases = CaseRepository(sessions)
    observations = ObservationRepository(sessions)
    practice = PracticeRepository(sessions)
    form1 = forms.latest("form1")
    form3 = forms.latest("form3")
    items1 = [item.id for item in form1.tick_items()][:5]
    items3 = [item.id for item in form3.tick_items()][:2]
    for n in range(10):
        case = cases.add(Case(
            id=new_id(), mediator_id=mediator.id, reference=c(), case_date=date(2025, 3, 1 + n),
            kind=CaseKind.MEDIATION, trainee_role=TraineeRole.CO_MEDIATING,
            casework_hours=Decimal("2.5"),
        ), today=TODAY)
        obs = observations.start(case.id, observer.id, "form1", form1.version, today=TODAY)
        for item in items1:
            observations.set_mark(obs.id, item, MarkState.DEMONSTRATED, c(), by="test")
        if n < 5:
            obs3 = observations.start(case.id, observer.id, "form3", form3.version, today=TODAY)
            for item in items3:
                observations.set_debrief_note(obs3.id, item, c())
    for n in range(5):
        practice.add(Training(
            id=new_id(), mediator_id=mediator.id, kind=TrainingKind.OTHER, title=c(),
            provider=c(), recognising_body=RecognisingBody.OTHER,
            start_date=date(2024, 1, 1 + n), end_date=date(2024, 1, 1 + n), hours=Decimal(3),
        ), today=TODAY)
        practice.add(Reflection(
            id=new_id(), mediator_id=mediator.id, reflected_on=date(2025, 4, 1 + n),
            hours=Decimal(1), with_whom=c(), summary=c(),
        ), today=TODAY)
        practice.add(Cpd(
            id=new_id(), mediator_id=mediator.id, done_on=date(2025, 5, 1 + n), hours=Decimal(2),
            kind=CpdKind.READING, description=c(),
        ), today=TODAY)
    for n in range(4):
        practice.add(Contact(
            id=new_id(), mediator_id=mediator.id, kind=ContactKind.MENTORING,
            met_on=date(2025, 6, 1 + n), with_whom=c(), hours=Decimal(1),
        ), today=TODAY)
    assert len(canaries) == 100
    return mediator.id, canaries[:count]


def copies(store: Store) -> list[Path]:
    return [store.path, *all_encrypted_copies(store.data_dir)]


def found(store: Store, key: bytes, canaries: list[str]) -> dict[str, list[str]]:
    """For each database copy, the canaries its decrypted pages still hold."""
    out = {}
    for path in copies(store):
        plain = plaintext_of(path, key)
        out[path.name] = [c for c in canaries if contains(plain, c)]
    return out


@pytest.fixture
def planted(initialised: vault.Initialised) -> tuple[Store, bytes, uuid.UUID, list[str], list[str]]:
    store = initialised.store
    fill_store(store, today=TODAY)
    erased_id, erased = plant(store, count=100)
    _kept_id, kept = plant(store, count=20, prefix="K")
    make_backup(store)
    make_backup(store, reason="second")
    return store, initialised.data_key, erased_id, erased, kept


def test_the_page_dump_sees_the_canaries_before_erasure(planted) -> None:
    store, key, _id, erased, kept = planted
    with store.engine.connect() as conn:  # fold the log in so the file holds everything
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    for name, present in found(store, key, erased + kept).items():
        assert present == erased + kept, f"{name} lacks canaries before erasure"


def test_erasure_reaches_the_live_store_and_every_backup(planted) -> None:
    store, key, erased_id, erased, kept = planted
    assert len(copies(store)) == 3  # the live store and two backups

    result = erase_mediator(store, erased_id)

    for name, present in found(store, key, erased).items():
        assert present == [], f"{name} still holds {len(present)} erased canaries"
    for name, present in found(store, key, kept).items():
        assert present == kept, f"{name} lost another mediator's records"
    assert all(copy.rewritten for copy in result.copies)
    assert result.certificates_kept == 0
    assert result.rows_deleted["mediators"] == 1
    assert result.rows_deleted["marks"] == 50
    with store.engine.connect() as conn:
        (log,) = conn.execute(text("SELECT action, summary FROM privacy_log")).all()
        assert log.action == "erasure"
        assert not any(c in log.summary for c in erased)
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    # The store still works: the kept mediator's readiness loads.
    assert MediatorRepository(store.session).find("K")


def test_a_backup_that_does_not_open_with_the_key_is_removed(planted, tmp_path: Path) -> None:
    store, _key, erased_id, _erased, _kept = planted
    damaged = all_encrypted_copies(store.data_dir)[0]
    damaged.write_bytes(b"\0" * 8192)
    result = erase_mediator(store, erased_id)
    (outcome,) = [c for c in result.copies if c.path == damaged]
    assert not outcome.rewritten and not damaged.exists()
    assert any("could not be rewritten" in line for line in result.summary_lines())


def test_subject_access_lists_every_planted_item(planted) -> None:
    store, _key, erased_id, erased, kept = planted
    held = subject_access(store, erased_id)
    dumped = repr(held)
    assert [c for c in erased if c not in dumped] == []
    assert [c for c in kept if c in dumped] == []
    assert {"mediators", "cases", "observations", "marks", "mark_events", "debrief_notes",
            "training", "reflections", "cpd", "contacts"} <= set(held)


def test_erasing_an_unknown_mediator_changes_nothing(planted) -> None:
    store, _key, _id, _erased, _kept = planted
    before = {p.name: p.read_bytes() for p in all_encrypted_copies(store.data_dir)}
    with pytest.raises(StoreError, match="no mediator"):
        erase_mediator(store, uuid.uuid4())
    assert {p.name: p.read_bytes() for p in all_encrypted_copies(store.data_dir)} == before


def test_copies_kept_aside_after_damage_are_named_not_claimed(planted) -> None:
    from sendobserve.storage.db import DAMAGED_PREFIX

    store, _key, erased_id, _erased, _kept = planted
    aside = store.data_dir / f"{DAMAGED_PREFIX}0123456789ab"
    aside.mkdir()
    result = erase_mediator(store, erased_id)
    assert result.untouched == (aside,)
    assert any(str(aside) in line and "Not reached" in line for line in result.summary_lines())


def test_an_erasure_a_crash_cut_short_is_finished_by_the_next_opening(
        planted, tmp_path: Path) -> None:
    # Killed after the live store was erased and before its backups were rewritten: the
    # person is still in the backups. Whatever opens the store next (the app, any
    # command) finishes it before anything reads them.
    import subprocess
    import sys

    from sendobserve.storage import erasure_records
    from sendobserve.storage.db import open_store
    from tests.helpers import TEST_PASSPHRASE, subprocess_env

    store, key, erased_id, erased, kept = planted
    data_dir = store.data_dir
    store.close()
    child = (
        "import sys, uuid; from pathlib import Path\n"
        "from sendobserve.storage.db import open_store\n"
        "from sendobserve.storage.erasure import erase_mediator\n"
        "store = open_store(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), daily_backup=False)\n"
        "erase_mediator(store, uuid.UUID(sys.argv[3]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", child, str(data_dir), key.hex(), str(erased_id)],
        env=subprocess_env(SENDOBSERVE_CRASH_AT="erase:before-copies"),
        capture_output=True, timeout=120)
    assert run.returncode != 0  # killed where it was told to die
    half = open_store(data_dir, key, daily_backup=False)  # opened without finishing it
    try:
        with half.session() as s:
            assert [r.subject for r in erasure_records.incomplete(s)] == [erased_id]
        backups = {p.name for p in all_encrypted_copies(data_dir)}
        assert len(backups) == 2 and all(
            present == erased for name, present in found(half, key, erased).items()
            if name in backups), "the crash came before the backups were rewritten"
    finally:
        half.close()

    again = vault.open_with_secret(data_dir, TEST_PASSPHRASE).store
    try:
        for name, present in found(again, key, erased).items():
            assert present == [], f"{name} still holds {len(present)} erased canaries"
        for name, present in found(again, key, kept).items():
            assert present == kept, f"{name} lost another mediator's records"
        with again.session() as s:
            assert erasure_records.incomplete(s) == ()
        assert not any("erasure" in w for w in again.warnings)
    finally:
        again.close()

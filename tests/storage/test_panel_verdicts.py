"""Stored panel verdicts on a real store: every write to the evidence flags the verdict in
the same transaction, and what the panel reads always equals a full assessment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from sendobserve import demo
from sendobserve.model.domain import (
    Cpd,
    CpdKind,
    MarkState,
    ObservationState,
    Reflection,
)
from sendobserve.model.panel import RULES_FINGERPRINT, Verdict, assess_verdict
from sendobserve.storage import vault
from sendobserve.storage.db import Store
from sendobserve.storage.repositories import (
    CaseRepository,
    MarkEdit,
    MediatorRepository,
    ObservationRepository,
    ObserverRepository,
    PracticeRepository,
    check_verdicts,
    load_practice_records,
    load_registry,
    panel_verdicts,
    verdict_for,
)
from tests.helpers import FAST_SCRYPT, TEST_PASSPHRASE

TODAY = date(2026, 11, 30)


def _fill(store: Store) -> None:
    demo.fill_store(store, today=TODAY)


@pytest.fixture
def store(initialised: vault.Initialised) -> Store:
    _fill(initialised.store)
    return initialised.store


def _stale(store: Store) -> dict[uuid.UUID, bool]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT mediator_id, stale FROM panel_verdicts")).all()
    return {uuid.UUID(hex=mid): bool(stale) for mid, stale in rows}


def _ids(store: Store) -> dict[str, uuid.UUID]:
    return {m.name: m.id for m in MediatorRepository(store.session).list()}


def _full(store: Store, today: date) -> list[dict[str, object]]:
    forms = load_registry(store.session)
    with store.session() as s:
        records = load_practice_records(s)
    verdicts = sorted((assess_verdict(r, forms, today=today) for r in records.values()),
                      key=lambda v: (v.name.casefold(), str(v.mediator_id)))
    return [_comparable(v) for v in verdicts]


def _comparable(v: Verdict) -> dict[str, object]:
    data = v.to_json()
    del data["assessed_on"], data["valid_until"]
    return data


def _panel(store: Store, today: date) -> list[dict[str, object]]:
    return [_comparable(v) for v in panel_verdicts(store.session, load_registry(store.session),
                                                   today=today)]


def test_the_first_read_assesses_and_stores_every_verdict(store: Store) -> None:
    assert _stale(store) == {}
    assert _panel(store, TODAY) == _full(store, TODAY)
    assert set(_stale(store)) == set(_ids(store).values())
    assert not any(_stale(store).values())


def _draft(store: Store, who: uuid.UUID) -> uuid.UUID:
    case = CaseRepository(store.session).list_for_mediator(who)[-1]
    observer = ObserverRepository(store.session).list()[0]
    forms = load_registry(store.session)
    obs = ObservationRepository(store.session).start(
        case.id, observer.id, "form2", forms.latest("form2").version, observed_on=case.case_date,
        today=TODAY)
    return obs.id


def test_a_tick_flags_only_its_trainee_in_the_same_transaction(store: Store) -> None:
    ids = _ids(store)
    who = ids[demo.GAPS]
    obs = _draft(store, who)
    _panel(store, TODAY)
    assert not any(_stale(store).values())
    ObservationRepository(store.session).set_mark(obs, "f2.sk.reality_test",
                                                   MarkState.DEMONSTRATED, by="Tester")
    stale = _stale(store)
    assert stale[who] and sum(stale.values()) == 1
    # A tick that fails (a finalised observation) changes no flag.
    _panel(store, TODAY)
    assert _panel(store, TODAY) == _full(store, TODAY)
    assert not any(_stale(store).values())


def test_a_rolled_back_write_leaves_the_verdict_current(store: Store) -> None:
    who = _ids(store)[demo.GAPS]
    _panel(store, TODAY)
    with pytest.raises(RuntimeError), store.session() as s:
        s.execute(text("UPDATE cases SET casework_hours = '9' WHERE mediator_id = :m"),
                  {"m": who.hex})
        assert _stale_in(s, who)
        raise RuntimeError("abandon")
    assert not _stale(store)[who]


def _stale_in(s: object, who: uuid.UUID) -> bool:
    value = s.execute(  # type: ignore[attr-defined]
        text("SELECT stale FROM panel_verdicts WHERE mediator_id = :m"), {"m": who.hex}
    ).scalar()
    return bool(value)


def test_record_edits_amendments_and_plain_sql_flag_their_trainee(store: Store) -> None:
    ids = _ids(store)
    practice = PracticeRepository(store.session)
    observations = ObservationRepository(store.session)

    def only(who: uuid.UUID) -> None:
        stale = _stale(store)
        assert stale[who] and sum(stale.values()) == 1, stale
        assert _panel(store, TODAY) == _full(store, TODAY)

    _panel(store, TODAY)
    cpd = practice.add(Cpd(uuid.uuid4(), ids[demo.RENEWING], TODAY - timedelta(days=3),
                           Decimal("6"), CpdKind.READING, "Read the SEND Code"), today=TODAY)
    only(ids[demo.RENEWING])
    practice.delete(Cpd, cpd.id)
    only(ids[demo.RENEWING])
    practice.add(Reflection(uuid.uuid4(), ids[demo.GAPS], TODAY - timedelta(days=1),
                            Decimal("1"), "PPC", "Looked back on case 3"), today=TODAY)
    only(ids[demo.GAPS])
    finalised = next(o for o in observations.list_for_mediator(ids[demo.READY])
                     if o.state is ObservationState.FINALISED and o.form_id == "form2")
    observations.amend(finalised.id, [MarkEdit("f2.sk.reality_test", MarkState.DEVELOPMENT_NEEDED)],
                       "Mis-ticked in the room", by="Anjali Patel")
    only(ids[demo.READY])
    mediators = MediatorRepository(store.session)
    m = mediators.get(ids[demo.GAPS])
    mediators.update(replace(m, send_practice_since=date(2025, 1, 1)), today=TODAY)
    only(ids[demo.GAPS])
    with store.session() as s:  # a plain-SQL write (an import tool, a sync) is caught too
        s.execute(text("DELETE FROM marks WHERE observation_id IN "
                       "(SELECT id FROM observations WHERE mediator_id = :m) AND rowid IN "
                       "(SELECT rowid FROM marks LIMIT 1)"), {"m": ids[demo.READY].hex})
    assert _panel(store, TODAY) == _full(store, TODAY)


def test_an_observer_change_flags_every_verdict(store: Store) -> None:
    _panel(store, TODAY)
    repo = ObserverRepository(store.session)
    observer = repo.list()[0]
    repo.update(replace(observer, experienced_send=not observer.experienced_send))
    assert all(_stale(store).values())
    assert _panel(store, TODAY) == _full(store, TODAY)


def test_a_deleted_mediator_takes_its_verdict_along(store: Store) -> None:
    _panel(store, TODAY)
    who = _ids(store)[demo.GAPS]
    with store.session() as s:
        s.execute(text("DELETE FROM mediators WHERE id = :m"), {"m": who.hex})
    assert who not in _stale(store)
    assert len(_panel(store, TODAY)) == 3


def test_another_rules_fingerprint_or_a_later_day_is_assessed_again(store: Store) -> None:
    _panel(store, TODAY)
    with store.session() as s:
        s.execute(text("UPDATE panel_verdicts SET rules = 'x' || rules"))
    forms = load_registry(store.session)
    assert all(v.rules == RULES_FINGERPRINT
               for v in panel_verdicts(store.session, forms, today=TODAY))
    later = TODAY + timedelta(days=400)
    assert _panel(store, later) == _full(store, later)
    with store.session() as s:
        who = _ids(store)[demo.READY]
        assert verdict_for(s, forms, who, today=later).assessed_on == later


def test_check_agrees_and_catches_a_verdict_that_lies(store: Store) -> None:
    forms = load_registry(store.session)
    _panel(store, TODAY)
    with store.session() as s:
        result = check_verdicts(s, forms, today=TODAY)
    assert result.ok and result.current == 4 and result.to_assess == 0
    # Forge a verdict (as a bug would): the check must say so, by name.
    with store.session() as s:
        s.execute(text("UPDATE panel_verdicts SET ready_to_certify = 1 WHERE mediator_id = :m"),
                  {"m": _ids(store)[demo.GAPS].hex})
    with store.session() as s:
        result = check_verdicts(s, forms, today=TODAY)
    assert not result.ok
    assert {name for _, name, _ in result.mismatches} == {demo.GAPS}
    assert "ready_to_certify" in result.mismatches[0][2]


# ---- the property: whatever is written, the panel says what a full assessment says ---

@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("panel") / "data"
    made = vault.initialise(folder, TEST_PASSPHRASE, scrypt=FAST_SCRYPT)
    _fill(made.store)
    yield made.store
    made.store.close()


ops = st.lists(
    st.tuples(
        st.sampled_from(["tick", "cpd", "case_hours", "observer", "accredit", "delete_cpd"]),
        st.integers(0, 3),  # which mediator
        st.integers(0, 60),  # a day offset / an item index
    ),
    min_size=1, max_size=4,
)


def _apply(store: Store, op: str, who_index: int, n: int) -> None:
    ids = sorted(_ids(store).values())
    who = ids[who_index % len(ids)]
    practice = PracticeRepository(store.session)
    if op == "tick":
        observations = ObservationRepository(store.session)
        drafts = [o for o in observations.list_for_mediator(who)
                  if o.state is ObservationState.DRAFT]
        obs = drafts[0].id if drafts else _draft(store, who)
        forms = load_registry(store.session)
        o = observations.get(obs)
        items = [t.id for t in forms.get(o.form_id, o.form_version).tick_items()]
        state = list(MarkState)[n % len(MarkState)]
        observations.set_mark(obs, items[n % len(items)], state, by="Tester")
    elif op == "cpd":
        practice.add(Cpd(uuid.uuid4(), who, TODAY - timedelta(days=n * 7), Decimal(n % 9 + 1),
                         CpdKind.TRAINING, "Refresher"), today=TODAY)
    elif op == "delete_cpd":
        items = practice.list(Cpd, who)
        if items:
            practice.delete(Cpd, items[n % len(items)].id)
    elif op == "case_hours":
        cases = CaseRepository(store.session)
        all_cases = cases.list_for_mediator(who)
        case = all_cases[n % len(all_cases)]
        cases.update(replace(case, casework_hours=Decimal(n % 6) + Decimal("0.5")), today=TODAY)
    elif op == "observer":
        repo = ObserverRepository(store.session)
        observer = repo.list()[n % len(repo.list())]
        repo.update(replace(observer, experienced_send=not observer.experienced_send))
    elif op == "accredit":
        mediators = MediatorRepository(store.session)
        m = mediators.get(who)
        on = None if n % 3 == 0 else TODAY - timedelta(days=n * 11)
        mediators.update(replace(m, accredited_on=on), today=TODAY)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops, st.integers(-30, 400))
def test_the_panel_always_says_what_a_full_assessment_says(
    shared_store: Store, steps: list[tuple[str, int, int]], day_offset: int
) -> None:
    for op, who, n in steps:
        _apply(shared_store, op, who, n)
        assert _panel(shared_store, TODAY) == _full(shared_store, TODAY)
    later = TODAY + timedelta(days=day_offset)
    assert _panel(shared_store, later) == _full(shared_store, later)
    with shared_store.session() as s:
        assert check_verdicts(s, load_registry(shared_store.session), today=later).ok


def test_every_table_that_holds_evidence_flags_verdicts_on_every_write(store: Store) -> None:
    """A new table of evidence (a column naming a mediator, an observation or an
    amendment) without its three triggers would let a verdict go stale unseen."""
    with store.engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))]
        made = {(r[0], r[1]) for r in conn.execute(text(
            "SELECT tbl_name, name FROM sqlite_master WHERE type='trigger'"))}
        evidence = set()
        for table in tables:
            columns = {r[1] for r in conn.execute(text(f'PRAGMA table_info("{table}")'))}
            if columns & {"mediator_id", "observation_id", "amendment_id"}:
                evidence.add(table)
    # The verdicts themselves, the undo log (the marks change with it), the kept
    # versions of conflicting imports (a decision changes the record itself, which has its
    # triggers), the version history of exported records and the authors' signatures on
    # finalised observations (provenance) carry nothing the rules read; nor do the day a
    # mediator left the panel (a retention event) and the import each record came from
    # (0016).
    not_evidence = {"panel_verdicts", "mark_events", "observation_conflicts",
                    "observation_provenance", "record_conflicts", "record_versions",
                    "conflict_decisions",
                    # Exchange control records: a tombstone or a decision changes the
                    # records themselves (which have their triggers); a certificate kept
                    # in conflict and the log of what was sent are read by no rule.
                    "record_tombstones", "exchange_decisions", "certificate_conflicts",
                    "exchange_sent",
                    # Data protection: the leaving date is a retention event and the
                    # source of each record is bookkeeping; no rule reads either.
                    "panel_leaving", "record_sources"}
    assert {"panel_verdicts", "mark_events", "observation_conflicts"} <= evidence
    for table in [*sorted(evidence - not_evidence), "observers", "form_versions"]:
        for event in ("insert", "update", "delete"):
            assert (table, f"trg_panel_stale_{table}_{event}") in made, (table, event)


# ---- the columns (migration 0018): every field stored as itself, read back exactly ----

def test_the_stored_columns_are_the_verdicts_fields_in_order() -> None:
    from dataclasses import fields

    from sendobserve.storage.repositories.panel import _FIELDS

    assert tuple(f.name for f in fields(Verdict))[1:] == _FIELDS


def test_a_stored_verdict_reads_back_equal_to_the_assessment(store: Store) -> None:
    from sendobserve.storage.repositories import stored_verdicts

    forms = load_registry(store.session)
    assessed = {v.mediator_id: v for v in panel_verdicts(store.session, forms, today=TODAY)}
    with store.session() as s:
        stored = stored_verdicts(s)
    assert {m: s.verdict for m, s in stored.items()} == assessed
    assert any(v.still_needed for v in assessed.values())  # the lists are really read back
    assert any(v.accredited_on for v in assessed.values())


sentences = st.lists(st.text(st.sampled_from("ab \\\nen\u00e9"), max_size=8), max_size=5)


@given(sentences)
def test_sentences_survive_the_stored_text_whatever_they_hold(lines: list[str]) -> None:
    from sendobserve.storage.repositories.panel import join_lines, split_lines

    assert split_lines(join_lines(tuple(lines))) == tuple(lines)


def test_upgrade_from_json_verdicts_starts_the_panel_again(store: Store) -> None:
    from alembic import command

    from sendobserve.storage.engine import alembic_config
    from tests.storage.test_records_migration import diffs_from_metadata

    forms = load_registry(store.session)
    before = panel_verdicts(store.session, forms, today=TODAY)
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0008_exchange_provenance")
        conn.execute(text(
            "INSERT INTO panel_verdicts (mediator_id, rules, assessed_on, valid_until, stale,"
            " verdict) VALUES (:m, 'old', '2026-01-01', '2026-12-31', 0, '{}')"),
            {"m": before[0].mediator_id.hex})
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "heads")
    assert diffs_from_metadata(store.engine) == []
    assert _stale(store) == {}  # nothing of the old format is kept
    assert panel_verdicts(store.session, forms, today=TODAY) == before
    # The triggers of 0010 still flag the new table.
    who = before[0].mediator_id
    with store.session() as s:
        s.execute(text("UPDATE mediators SET name = name || ' ' WHERE id = :m"), {"m": who.hex})
    assert _stale(store)[who] is True

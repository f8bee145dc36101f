"""The migrations build exactly the schema the ORM declares.

A store made by ``create_store`` has run every revision (``0002_records`` among them) on
a real SQLCipher file. ``compare_metadata`` must find no difference from
``Base.metadata`` with every storage module imported; and since it does not look at
CHECK constraints or triggers on SQLite, every CREATE TABLE clause and every trigger
must also equal what ``Base.metadata.create_all`` writes.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

import sendobserve.storage
import sendobserve.storage.schema
from sendobserve.storage import db as store_db
from sendobserve.storage import engine as store_engine
from sendobserve.storage.base import Base
from sendobserve.storage.db import Store
from sendobserve.storage.records import RECORD_TABLES


def full_metadata() -> None:
    """Import every storage module so that ``Base.metadata`` holds every table, whatever
    this test session happened to import before."""
    for info in pkgutil.walk_packages(sendobserve.storage.__path__, "sendobserve.storage."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)


def clauses(engine: Engine, table: str) -> set[str]:
    """The comma-separated parts of a table's CREATE TABLE statement, whitespace-normalised."""
    with engine.connect() as conn:
        sql = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE type='table' AND name=:n"), {"n": table}
        ).scalar_one()
    body = sql[sql.index("(") + 1 : sql.rindex(")")]
    parts, depth, current = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        current += ch
    parts.append(current)
    return {" ".join(p.split()) for p in parts}


def triggers(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type='trigger'"))
        return {name: " ".join(sql.split()) for name, sql in rows}


def diffs_from_metadata(engine: Engine) -> list[object]:
    full_metadata()
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    return [d for d in diffs if not (d[0] == "remove_table" and d[1].name == "alembic_version")]


def test_migrated_schema_equals_the_metadata(store: Store) -> None:
    assert store.schema_revision() in store_db.head_revisions()
    assert diffs_from_metadata(store.engine) == []


def test_migrated_tables_match_create_all_clause_by_clause(
    store: Store, tmp_path: Path
) -> None:
    # The reference needs no key: the schema text is the same, encrypted or not.
    reference = create_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    Base.metadata.create_all(reference, tables=[Base.metadata.tables[t] for t in RECORD_TABLES])
    assert set(RECORD_TABLES) <= set(inspect(store.engine).get_table_names())
    for table in RECORD_TABLES:
        assert clauses(store.engine, table) == clauses(reference, table), table
    # The panel's stale-flag triggers belong to 0010 (tests/storage/test_panel_verdicts.py).
    record_triggers = {k: v for k, v in triggers(store.engine).items()
                       if not k.startswith("trg_panel_stale_")}
    assert record_triggers == triggers(reference)
    assert set(record_triggers) == {
        "mark_events_append_only", "amendments_append_only", "amendment_changes_append_only"
    }
    reference.dispose()


def test_downgrade_removes_the_record_tables_and_upgrade_restores_them(store: Store) -> None:
    with store.engine.begin() as conn:
        command.downgrade(store_engine.alembic_config(conn), "0001_foundation")
    left = set(inspect(store.engine).get_table_names())
    assert left.isdisjoint(RECORD_TABLES) and "store_meta" in left
    assert triggers(store.engine) == {}
    with store.engine.begin() as conn:
        command.upgrade(store_engine.alembic_config(conn), "heads")
    assert diffs_from_metadata(store.engine) == []


HOT_QUERIES = {
    # a tick: the current mark of one item
    "SELECT * FROM marks WHERE observation_id = 'x' AND criterion_id = 'a'": "marks",
    # undo / redo: the observation's history in order
    "SELECT id, kind, target_event_id FROM mark_events WHERE observation_id = 'x' ORDER BY id":
        "mark_events",
    # the practice record: marks of one mediator's observations
    "SELECT marks.* FROM marks JOIN observations ON marks.observation_id = observations.id "
    "WHERE observations.mediator_id IN ('m')": "marks",
    # ordinal suggestion
    "SELECT max(ordinal) FROM observations WHERE mediator_id = 'm' AND form_id = 'f'":
        "observations",
    "SELECT * FROM cases WHERE mediator_id = 'm' ORDER BY case_date": "cases",
    "SELECT * FROM cpd WHERE mediator_id IN ('m') ORDER BY done_on": "cpd",
}


@pytest.mark.parametrize("query", list(HOT_QUERIES))
def test_the_queries_that_run_on_every_key_press_use_an_index(store: Store, query: str) -> None:
    with store.engine.connect() as conn:
        plan = [row[3] for row in conn.execute(text("EXPLAIN QUERY PLAN " + query))]
    table = HOT_QUERIES[query]
    assert any(step.startswith(f"SEARCH {table} USING") for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan

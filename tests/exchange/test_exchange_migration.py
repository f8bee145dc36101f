"""Migration 0004_exchange builds exactly the tables ``sendobserve.storage.exchange`` declares."""

from __future__ import annotations

import secrets
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

import sendobserve.storage.meta
import sendobserve.storage.records
import sendobserve.storage.schema  # noqa: F401  (every table on Base.metadata)
from sendobserve.storage.base import Base
from sendobserve.storage.db import create_store, head_revisions
from sendobserve.storage.exchange import EXCHANGE_TABLES


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


def test_migrations_have_one_head_and_build_exactly_the_metadata(tmp_path: Path) -> None:
    assert len(head_revisions()) == 1, head_revisions()
    store = create_store(tmp_path / "data", secrets.token_bytes(32))
    try:
        with store.engine.connect() as conn:
            # The whole app's metadata: every migration together must build exactly it.
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        store.close()
    assert set(EXCHANGE_TABLES) <= tables
    assert [d for d in diffs if not (d[0] == "remove_table" and d[1].name == "alembic_version")
            ] == []


def test_exchange_tables_match_create_all_clause_by_clause(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    store = create_store(tmp_path / "data", key)  # migrated by the real Alembic environment
    reference = create_engine("sqlite://")  # what the ORM itself would create
    Base.metadata.create_all(reference)
    try:
        for table in EXCHANGE_TABLES:
            assert clauses(store.engine, table) == clauses(reference, table), table
    finally:
        store.close()
        reference.dispose()

"""Migration 0014_exchange_controls builds exactly the tables
``sendobserve.storage.exchange_controls`` declares, and the certificates' edition column."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import create_engine, inspect

import sendobserve.storage.schema  # noqa: F401  (every table on Base.metadata)
from sendobserve.storage.base import Base
from sendobserve.storage.db import create_store
from sendobserve.storage.exchange_controls import CONTROL_TABLES

from .test_exchange_migration import clauses


def test_control_tables_match_create_all_clause_by_clause(tmp_path: Path) -> None:
    store = create_store(tmp_path / "data", secrets.token_bytes(32))
    reference = create_engine("sqlite://")
    Base.metadata.create_all(reference)
    try:
        with store.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            columns = {c["name"] for c in inspect(conn).get_columns("certificates")}
        assert set(CONTROL_TABLES) <= tables and "edition" in columns
        for table in CONTROL_TABLES:
            assert clauses(store.engine, table) == clauses(reference, table), table
    finally:
        store.close()
        reference.dispose()

"""Migration 0019: cases stored before it keep everything and have no local authority;
going back drops only that column."""

from __future__ import annotations

from dataclasses import replace

from alembic import command
from sqlalchemy import inspect

from sendobserve.storage import engine as store_engine
from tests.storage.records_conftest import RecordsDb, add_case, add_mediator, db, repos

__all__ = ["db"]  # the fixture, imported for pytest


def _columns(db: RecordsDb) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("cases")}


def test_a_case_stored_before_0019_keeps_everything(db: RecordsDb) -> None:
    r = repos(db)
    mediator = add_mediator(r)
    case = r.cases.update(replace(add_case(r, mediator.id), local_authority="Bradford"))
    with db.engine.begin() as conn:
        command.downgrade(store_engine.alembic_config(conn), "0008_exchange_provenance")
    assert "local_authority" not in _columns(db)
    with db.engine.begin() as conn:
        command.upgrade(store_engine.alembic_config(conn), "heads")
    assert "local_authority" in _columns(db)
    assert repos(db).cases.get(case.id) == replace(case, local_authority=None)

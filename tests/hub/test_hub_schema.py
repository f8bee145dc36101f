"""The hub's migration creates exactly the tables its code uses, on real PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sendobserve.errors import UserError
from sendobserve.hub import database, schema


def test_the_migrated_schema_equals_the_code_and_init_is_idempotent(hub_db: str) -> None:
    engine = database.connect(hub_db, pool_size=1)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "version_table": database.VERSION_TABLE})
            assert compare_metadata(context, schema.metadata) == []
        assert database.check_current(engine) == "Test Mediation Provider"
    finally:
        engine.dispose()
    assert database.init(hub_db, "Test Mediation Provider") == "Test Mediation Provider"
    with pytest.raises(UserError, match="belongs to 'Test Mediation Provider'"):
        database.init(hub_db, "Another Provider")


def test_bad_urls_and_unset_databases_get_clear_messages(pg_server: object) -> None:
    with pytest.raises(UserError, match="not a PostgreSQL URL"):
        database.driver_url("mysql://x@y/z")
    engine = database.connect(pg_server.admin_url, pool_size=1)  # type: ignore[attr-defined]
    try:
        with pytest.raises(UserError, match="not set up for this version"):
            database.check_current(engine)
    finally:
        engine.dispose()

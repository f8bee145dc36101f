"""Migration 0002_records builds exactly the schema ``sendobserve.storage.records`` declares.

Until the foundation's Alembic environment is merged, the revision runs in a minimal
environment of its own with an empty ``0001_foundation`` beneath it, on a real SQLCipher
file; ``compare_metadata`` must find no difference, and every CREATE TABLE clause
(columns, types, keys, CHECK constraints, which ``compare_metadata`` does not look at)
must equal what ``Base.metadata.create_all`` writes.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect, text

from sendobserve.storage.base import Base
from sendobserve.storage.records import RECORD_TABLES
from tests.storage.records_conftest import make_engine

VERSIONS = Path(__file__).resolve().parents[2] / "sendobserve/storage/migrations/versions"

STUB_ENV = """
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
"""

STUB_FOUNDATION = '''
revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def alembic_config(tmp_path: Path, engine: Engine) -> tuple[Config, object]:
    scripts = tmp_path / "migrations"
    (scripts / "versions").mkdir(parents=True)
    (scripts / "env.py").write_text(STUB_ENV)
    (scripts / "versions" / "0001_foundation.py").write_text(STUB_FOUNDATION)
    shutil.copy(VERSIONS / "0002_records.py", scripts / "versions" / "0002_records.py")
    config = Config()
    config.set_main_option("script_location", str(scripts))
    connection = engine.connect()
    config.attributes["connection"] = connection
    return config, connection


def record_metadata() -> MetaData:
    """Only the record tables: the foundation's own tables are its migration's business."""
    md = MetaData(naming_convention=dict(Base.metadata.naming_convention))
    for name in RECORD_TABLES:
        Base.metadata.tables[name].to_metadata(md)
    return md


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


@pytest.fixture
def migrated(tmp_path: Path) -> Engine:
    engine = make_engine(tmp_path / "migrated.db", secrets.token_hex(32))
    config, connection = alembic_config(tmp_path, engine)
    command.upgrade(config, "head")
    connection.commit()  # type: ignore[attr-defined]
    connection.close()  # type: ignore[attr-defined]
    return engine


def test_migrated_schema_equals_the_metadata(migrated: Engine) -> None:
    with migrated.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), record_metadata())
    diffs = [d for d in diffs if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
    assert diffs == []


def test_migrated_tables_match_create_all_clause_by_clause(
    migrated: Engine, tmp_path: Path
) -> None:
    reference = make_engine(tmp_path / "reference.db", secrets.token_hex(32))
    Base.metadata.create_all(reference, tables=[Base.metadata.tables[t] for t in RECORD_TABLES])
    assert set(inspect(migrated).get_table_names()) == {*RECORD_TABLES, "alembic_version"}
    for table in RECORD_TABLES:
        assert clauses(migrated, table) == clauses(reference, table), table
    assert triggers(migrated) == triggers(reference)
    assert set(triggers(migrated)) == {
        "mark_events_append_only", "amendments_append_only", "amendment_changes_append_only"
    }
    reference.dispose()


def triggers(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type='trigger'"))
        return {name: " ".join(sql.split()) for name, sql in rows}


def test_downgrade_removes_the_record_tables(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "down.db", secrets.token_hex(32))
    config, connection = alembic_config(tmp_path, engine)
    command.upgrade(config, "head")
    command.downgrade(config, "0001_foundation")
    connection.commit()  # type: ignore[attr-defined]
    connection.close()  # type: ignore[attr-defined]
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()


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
def test_the_queries_that_run_on_every_key_press_use_an_index(
    migrated: Engine, query: str
) -> None:
    with migrated.connect() as conn:
        plan = [row[3] for row in conn.execute(text("EXPLAIN QUERY PLAN " + query))]
    table = HOT_QUERIES[query]
    assert any(step.startswith(f"SEARCH {table} USING") for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan

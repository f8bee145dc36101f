"""A real SQLCipher store for the records tests, independent of the foundation's ``Store``.

Imported by the records test modules (``from records_conftest import db``); the fixture
gives an encrypted database file in ``tmp_path`` with the pragmas the app uses, the
record tables created from ``Base.metadata``, a session factory that commits on success
(like ``Store.session``), and ``reopen()`` to drop every connection and open the file
afresh, as after a restart.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session

import sendobserve.storage.records  # noqa: F401  (registers the tables)
from sendobserve.storage.base import Base


def make_engine(path: Path, key_hex: str) -> Engine:
    url = URL.create("sqlite+pysqlcipher", password=f"x'{key_hex}'", database=str(path))
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine


class RecordsDb:
    def __init__(self, path: Path):
        self.path = path
        self.key_hex = secrets.token_hex(32)
        self.engine = make_engine(path, self.key_hex)
        Base.metadata.create_all(self.engine)

    @contextmanager
    def sessions(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on an exception."""
        with Session(self.engine) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def reopen(self) -> None:
        self.engine.dispose()
        self.engine = make_engine(self.path, self.key_hex)

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[RecordsDb]:
    store = RecordsDb(tmp_path / "records.db")
    yield store
    store.close()

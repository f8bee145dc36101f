"""The encrypted database underneath everything: where its file is, how a connection is
keyed, the read-only probes that look at a file before it is opened for writing, the
migrations' revisions, and ``Store``, an open store's engine and units of work.

The bottom of the storage stack: ``backup`` copies what this opens, ``checks`` tells damage
from a wrong key (and names the backup to restore), ``db`` opens and creates stores.
Nothing here imports them.
"""

from __future__ import annotations

import ast
import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3
from sqlalchemy import URL, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session

from sendobserve.storage import keys
from sendobserve.storage.errors import (
    DamagedStoreError,
    DiskFullError,
    NewerSchemaError,
)
from sendobserve.storage.fsutil import (
    disk_full_at,
    disk_full_message,
    raise_if_disk_full,
    raise_if_store_full,
)
from sendobserve.storage.lock import DataDirLock
from sendobserve.storage.meta import META_STORE_ID, get_meta

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

DB_NAME = "sendobserve.db"
STAGING_NAME = "sendobserve.db.new"
PLAINTEXT_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME


def sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in SIDECAR_SUFFIXES]


class StoreReadError(DamagedStoreError):
    """The file could not be read (an I/O error, not a failed check): nothing says it is
    damaged, so no restore is advised."""


class KeyMismatch(Exception):
    """Internal: no page of the file decrypts with this key (another key, or a broken salt)."""


# --- migrations ---------------------------------------------------------------------------


# Alembic (with Mako and Pygments) costs about half a second to import: it is imported
# only to create or migrate a store. Opening a current store needs just the revision
# names, read from the migration files by ``_scan_revisions`` (a test keeps that equal
# to what Alembic itself reads).
_ASSIGNMENT = re.compile(
    r"^(revision|down_revision)\s*(?::[^=\n]+)?=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE
)


def _scan_revisions() -> dict[str, tuple[str, ...]] | None:
    """Each migration's revision and the revisions it follows, or None if a file is not in
    the plain form this reads (then Alembic is asked)."""
    graph: dict[str, tuple[str, ...]] = {}
    for file in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found: dict[str, object] = {}
        for name, value in _ASSIGNMENT.findall(file.read_text(encoding="utf-8")):
            if name in found:
                return None
            try:
                found[name] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                return None
        revision, down = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str) or revision in graph:
            return None
        if down is None:
            graph[revision] = ()
        elif isinstance(down, str):
            graph[revision] = (down,)
        elif isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
            graph[revision] = tuple(down)
        else:
            return None
    return graph or None


def alembic_config(connection: Any = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revisions() -> tuple[str, ...]:
    graph = _scan_revisions()
    if graph is None:
        return tuple(_script().get_heads())
    followed = {d for downs in graph.values() for d in downs}
    return tuple(sorted(r for r in graph if r not in followed))


def known_revisions() -> set[str]:
    graph = _scan_revisions()
    if graph is None:
        return {rev.revision for rev in _script().walk_revisions()}
    return set(graph)


# --- read-only checks ---------------------------------------------------------------------


def raw_connect(path: Path, data_key: bytes, *, mode: str) -> sqlcipher3.Connection:
    """A bare SQLCipher connection. ``mode``: ``rw``, ``ro``, or ``immutable`` (no side files)."""
    if mode == "rw":
        conn = sqlcipher3.connect(str(path), isolation_level=None)
    else:
        query = "mode=ro" if mode == "ro" else "mode=ro&immutable=1"
        uri = f"{path.resolve().as_uri()}?{query}"
        conn = sqlcipher3.connect(uri, uri=True, isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f'PRAGMA key = "{keys.sqlcipher_key_literal(data_key)}"')
    return conn


def check_header(path: Path) -> None:
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise DamagedStoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size == 0:
        raise DamagedStoreError(f"the database {path} is empty")
    if head == PLAINTEXT_HEADER:
        raise DamagedStoreError(f"the database {path} is not encrypted; refusing to use it")
    if size < 1024:
        raise DamagedStoreError(f"the database {path} is truncated ({size} bytes)")


@contextlib.contextmanager
def probe_connection(path: Path, data_key: bytes) -> Iterator[sqlcipher3.Connection]:
    """Read without writing: no -wal means a clean file, read it immutable; otherwise
    read-only (SQLite may create an index file, which is removed again if it was ours)."""
    side = sidecars(path)
    existed = {p: p.exists() for p in side}
    if existed[side[2]]:  # a hot rollback journal: only a writer can roll it back
        mode = "rw"
    elif existed[side[0]]:
        mode = "ro"
    else:
        mode = "immutable"
    conn = raw_connect(path, data_key, mode=mode)
    try:
        yield conn
    finally:
        conn.close()
        shm = side[1]
        if mode == "ro" and not existed[shm]:
            with contextlib.suppress(OSError):
                shm.unlink()


def _page_count(path: Path) -> int:
    return max(1, path.stat().st_size // 4096)


def inspect_database(path: Path, data_key: bytes) -> str | None:
    """Check a database file without changing it; returns its schema revision.

    Raises ``KeyMismatch`` if nothing decrypts with the key, ``DamagedStoreError`` for
    anything else that is wrong.
    """
    check_header(path)
    try:
        with probe_connection(path, data_key) as conn:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            except sqlcipher3.OperationalError:
                raise  # an I/O problem (below), not a page that fails to decrypt
            except sqlcipher3.DatabaseError:
                failures = conn.execute("PRAGMA cipher_integrity_check").fetchall()
                if len(failures) >= _page_count(path):
                    raise KeyMismatch() from None
                raise DamagedStoreError(
                    f"the database {path} is damaged ({failures[0][0]})"
                    if failures
                    else f"the database {path} is damaged (its first page does not decrypt)"
                ) from None
            failures = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            if failures:
                more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
                raise DamagedStoreError(f"the database {path} is damaged ({failures[0][0]}{more})")
            result = conn.execute("PRAGMA quick_check").fetchall()
            if result != [("ok",)]:
                raise DamagedStoreError(
                    f"the database {path} is damaged (integrity check: {result[0][0]})"
                )
            has_version = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_version:
                return None
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except (KeyMismatch, DamagedStoreError):
        raise
    except sqlcipher3.OperationalError as exc:
        raise_if_disk_full(exc, path.parent)
        if disk_full_at(path.parent):
            raise DiskFullError(disk_full_message(path.parent)) from None
        raise StoreReadError(
            f"the database {path} could not be read ({exc}); nothing was changed. This is not "
            "a sign of damage by itself: check the disk and try again"
        ) from None
    except sqlcipher3.Error as exc:
        raise DamagedStoreError(f"the database {path} is damaged ({exc})") from None
    if len(rows) != 1:
        revs = ", ".join(sorted(str(r[0]) for r in rows)) or "none"
        raise DamagedStoreError(f"the database {path} has an unexpected schema version ({revs})")
    return str(rows[0][0])


def database_accepts_key(path: Path, data_key: bytes) -> bool:
    """Whether the key decrypts the file at all (damage is left for ``open_store`` to report).

    The same answer ``inspect_database`` would give (False only for ``KeyMismatch``), but
    without its whole-file checks when the first page decrypts: ``open_store`` makes them
    right after, and reading a large store twice doubled the time to open it.
    """
    try:
        check_header(path)
        with probe_connection(path, data_key) as conn:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            except sqlcipher3.OperationalError:
                return True  # cannot read (a full disk, say): open_store says what is wrong
            except sqlcipher3.DatabaseError:
                failures = conn.execute("PRAGMA cipher_integrity_check").fetchall()
                return len(failures) < _page_count(path)
    except (DamagedStoreError, sqlcipher3.Error):
        return True
    return True


def check_revision(path: Path, revision: str | None) -> None:
    if revision is not None and revision not in known_revisions():
        raise NewerSchemaError(
            f"the database {path} was written by a newer version of sendobserve "
            f"(schema {revision}); install that version or newer to open it"
        )


# --- the engine ----------------------------------------------------------------------------


def make_engine(path: Path, data_key: bytes) -> Engine:
    url = URL.create(
        "sqlite+pysqlcipher", password=keys.sqlcipher_key_literal(data_key), database=str(path)
    )
    # The default pool keeps keyed connections open (a commit then costs < 1 ms instead of a
    # reconnect); Store.close() disposes of them so no connection holds the WAL open.
    engine = create_engine(url)

    # Listeners on this engine only: a listener on the Engine class could run before the
    # dialect sets the key and write a plaintext header.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA cipher_log_level = NONE")
            cursor.execute("PRAGMA busy_timeout = 10000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            if sys.platform == "darwin":
                cursor.execute("PRAGMA fullfsync = ON")
                cursor.execute("PRAGMA checkpoint_fullfsync = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def upgrade(engine: Engine) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "heads")


class Store:
    """An open, unlocked store. Use ``session()`` for work; ``close()`` when done."""

    def __init__(self, data_dir: Path, engine: Engine, data_key_id: str, lock: DataDirLock):
        self.data_dir = data_dir
        self.path = db_path(data_dir)
        self.engine = engine
        self.key_id = data_key_id
        self._lock = lock
        self._closed = False
        self.warnings: list[str] = []  # e.g. a daily backup that failed; shown, not fatal

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed (and on disk) when the block ends, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                raise_if_store_full(exc, self.data_dir)
                raise

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return None if value is None else str(value)

    def table_counts(self) -> dict[str, int]:
        """Rows per table (``alembic_version`` left out): for ``status``."""
        with self.engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
            return {
                name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() or 0)
                for name in sorted(names)
            }

    def store_id(self) -> str | None:
        with self.session() as session:
            return get_meta(session, META_STORE_ID)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.engine.dispose()
        finally:
            self._lock.release()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

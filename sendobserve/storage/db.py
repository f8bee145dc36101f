"""The one place that opens the encrypted database.

``create_store`` makes a new store; ``open_store`` opens an existing one with its data
key, after checking — read-only, before anything is written — that the file is
encrypted, decrypts with the key, passes ``cipher_integrity_check`` and
``quick_check``, and has a schema this version knows. Only then does it open for
writing, migrate (after a backup) and take the daily backup. A file that fails any
check is reported and left exactly as it was; nothing here ever creates a database
in the place of one that did not open.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3
from sqlalchemy import URL, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sendobserve.errors import UserError
from sendobserve.storage import keys
from sendobserve.storage.errors import (
    DamagedStoreError,
    DataDirError,
    DiskFullError,
    NewerSchemaError,
    NoStoreError,
    StoreExistsError,
    WrongKeyError,
)
from sendobserve.storage.fsutil import (
    check_writable_dir,
    copy_file_durably,
    disk_full_at,
    disk_full_message,
    fsync_file,
    is_disk_full,
    keep_private,
    make_private,
    make_private_dir,
    raise_if_disk_full,
    replace_durably,
)
from sendobserve.storage.lock import DataDirLock
from sendobserve.storage.meta import META_CREATED_AT, META_STORE_ID, get_meta, set_meta

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


def _alembic_config(connection: Any = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


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


def _raw_connect(path: Path, data_key: bytes, *, mode: str) -> sqlcipher3.Connection:
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
def _probe_connection(path: Path, data_key: bytes) -> Iterator[sqlcipher3.Connection]:
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
    conn = _raw_connect(path, data_key, mode=mode)
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
        with _probe_connection(path, data_key) as conn:
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
        with _probe_connection(path, data_key) as conn:
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


def _make_engine(path: Path, data_key: bytes) -> Engine:
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


def _upgrade(engine: Engine) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "heads")


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
                if isinstance(exc, Exception) and (
                    is_disk_full(exc)
                    or (isinstance(exc, OperationalError) and disk_full_at(self.data_dir))
                ):
                    raise DiskFullError(disk_full_message(self.data_dir)) from None
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


def _known_key_ids(data_dir: Path) -> set[str]:
    try:
        return keys.read_key_file(data_dir).known_key_ids()
    except Exception:
        return set()


def damaged_message(data_dir: Path, detail: str, data_key: bytes | None) -> str:
    """The damage report: what is wrong, the newest backup that is good, how to restore it."""
    from sendobserve.storage.backup import newest_good_backup, restore_command

    good = newest_good_backup(data_dir, data_key) if data_key is not None else None
    if good is None:
        return f"{detail}; no good backup was found in {data_dir / 'backups'}"
    command = restore_command(data_dir, good)
    return (
        f"{detail}; newest good backup: {good} — restore it with: {command} (changes made "
        "after that backup are not in it; the damaged database is kept in the backups folder "
        "as replaced-….db)"
    )


DAMAGED_PREFIX = "damaged-"


def keep_damaged_copies(path: Path, wal: Path) -> Path | None:
    """Copy the database and its log, as they are, into ``damaged-<digest>/`` beside them
    (once per distinct damaged log); the folder, or None if the copies could not be made."""
    import hashlib

    try:
        digest = hashlib.sha256(wal.read_bytes()).hexdigest()[:12]
        folder = path.parent / f"{DAMAGED_PREFIX}{digest}"
        if (folder / wal.name).exists() and (folder / path.name).exists():
            return folder
        make_private_dir(folder)
        for source in (path, wal):
            copy_file_durably(source, folder / source.name)
        return folder
    except OSError:
        return None


def check_wal(path: Path) -> None:
    """Refuse a database whose write-ahead log was cut short by damage (see ``storage.wal``):
    SQLite would replay it only up to the damage and drop the commits after it silently."""
    from sendobserve.storage.wal import scan_wal

    wal = path.with_name(path.name + "-wal")
    try:
        report = scan_wal(wal)
    except OSError as exc:
        raise_if_disk_full(exc)
        raise DamagedStoreError(f"cannot read {wal}: {exc.strerror or exc}") from None
    if report.ok:
        return
    kept = keep_damaged_copies(path, wal)
    where = (
        f"copies of both files are kept in {kept}"
        if kept is not None
        else "copy the whole data folder somewhere safe before anything else"
    )
    raise DamagedStoreError(
        f"the write-ahead log {wal} is damaged: {report.damaged}. Nothing was changed and the "
        f"store was not opened, because opening it would silently drop the changes recorded "
        f"after the damage; {where}. Do not restore a backup over it: a backup is older and "
        "would lose those changes too"
    )


def verify_database(data_dir: Path, data_key: bytes, path: Path | None = None) -> str | None:
    """All checks ``open_store`` makes before writing; returns the schema revision."""
    path = path or db_path(data_dir)
    check_wal(path)
    try:
        revision = inspect_database(path, data_key)
    except StoreReadError:
        raise
    except KeyMismatch:
        if keys.key_id(data_key) in _known_key_ids(data_dir):
            detail = (
                f"the database {path} does not decrypt with the key in its key file: "
                "it is damaged or was replaced"
            )
            raise DamagedStoreError(damaged_message(data_dir, detail, data_key)) from None
        raise WrongKeyError(f"the key does not open the database {path}") from None
    except DamagedStoreError as exc:
        raise DamagedStoreError(damaged_message(data_dir, exc.message, data_key)) from None
    check_revision(path, revision)
    return revision


def open_store(
    data_dir: Path, data_key: bytes, *, daily_backup: bool = True, migrate: bool = True
) -> Store:
    """Open an existing store: check, then migrate (after a backup), then the daily backup."""
    data_dir = Path(data_dir)
    path = db_path(data_dir)
    if not path.exists():
        raise NoStoreError(
            f"there is no sendobserve store in {data_dir}; create one with 'sendobserve init'"
        )
    if not os.access(data_dir, os.W_OK) or not os.access(path, os.W_OK):
        raise DataDirError(f"the data folder {data_dir} cannot be written")
    if disk_full_at(data_dir):  # before anything is created or written
        raise DiskFullError(disk_full_message(data_dir))
    lock = DataDirLock(data_dir)
    lock.acquire()
    keep_private(data_dir)
    from sendobserve.storage import integrity

    # A process that defers the whole-file checks (the app) runs them after opening.
    defer = integrity.deferred()
    try:
        if defer:
            revision = integrity.verify_quickly(data_dir, data_key, path)
        else:
            revision = verify_database(data_dir, data_key, path)
        engine = _make_engine(path, data_key)
    except BaseException:
        lock.release(undo_create=True)
        raise
    store = Store(data_dir, engine, keys.key_id(data_key), lock)
    try:
        heads = head_revisions()
        if migrate and revision not in heads:
            if revision is not None:
                from sendobserve.storage.backup import make_backup

                if defer:  # nothing rewrites the file before the whole of it is checked
                    verify_database(data_dir, data_key, path)
                make_backup(store, reason=f"before-{'-'.join(heads)}")
            _upgrade(engine)
        if daily_backup and not defer:  # deferred: after the checks, in the background
            from sendobserve.storage.backup import backup_due, make_backup

            if backup_due(data_dir):
                try:
                    make_backup(store)
                except (OSError, UserError, sqlcipher3.Error) as exc:
                    # The records are safe; a missing backup must be visible, not block work.
                    store.warnings.append(f"today's backup could not be made: {exc}")
        with engine.connect() as conn:  # the first connection makes the log and its index
            conn.exec_driver_sql("SELECT 1")
    except BaseException as exc:
        store.close()
        if isinstance(exc, Exception) and (is_disk_full(exc) or disk_full_at(data_dir)):
            raise DiskFullError(disk_full_message(data_dir)) from None
        raise
    return store


def create_store(data_dir: Path, data_key: bytes, *, store_id: str | None = None) -> Store:
    """Create a new store. Refuses if any database file is already there.

    The database is built under a staging name and renamed into place when complete, so
    a kill half-way leaves no half-made store behind (the staging file is cleared on the
    next attempt).
    """
    data_dir = Path(data_dir)
    problem = check_writable_dir(data_dir)
    if problem:
        raise DataDirError(problem)
    path = db_path(data_dir)
    existing = [p for p in [path, *sidecars(path)] if p.exists()]
    if existing:
        raise StoreExistsError(
            f"a store already exists in {data_dir} ({existing[0].name}); not overwriting it"
        )
    staging = data_dir / STAGING_NAME
    for p in [staging, *sidecars(staging)]:
        p.unlink(missing_ok=True)
    engine = _make_engine(staging, data_key)
    try:
        _upgrade(engine)
        with Session(engine) as session:
            set_meta(session, META_STORE_ID, store_id or uuid.uuid4().hex)
            set_meta(session, META_CREATED_AT, datetime.now(UTC).isoformat(timespec="seconds"))
            session.commit()
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    for side in sidecars(staging):
        side.unlink(missing_ok=True)
    make_private(staging)
    fsync_file(staging)
    if staging.read_bytes()[:16] == PLAINTEXT_HEADER:  # the trap in the notes: never ship it
        staging.unlink()
        raise DamagedStoreError("internal error: the new database was not encrypted")
    replace_durably(staging, path)
    return open_store(data_dir, data_key, daily_backup=False)

"""The hub's database: connecting, creating or upgrading the schema, checking it is current.

PostgreSQL only (psycopg 3). A ``postgresql://`` URL is accepted as PostgreSQL's own tools
write it. Backups are PostgreSQL's own (``pg_dump``, streaming replication).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from sendobserve.errors import UserError
from sendobserve.hub import schema

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0003_hub_erasures"
VERSION_TABLE = "hub_alembic_version"


def driver_url(url: str) -> str:
    """``postgresql://…`` (as psql writes it) to SQLAlchemy's psycopg 3 form."""
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith("postgresql+psycopg://"):
        return url
    raise UserError(f"not a PostgreSQL URL: {url.split('://')[0]}://… "
                    "(expected postgresql://user@host:port/database)")


def connect(url: str, *, pool_size: int = 10) -> Engine:
    """An engine that survives a PostgreSQL restart (each borrowed connection is checked)."""
    return create_engine(driver_url(url), pool_size=pool_size, max_overflow=pool_size,
                         pool_pre_ping=True, pool_recycle=1800)


def _alembic_config(connection: object) -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def init(url: str, organisation: str) -> str:
    """Create or upgrade the schema and name the organisation. Safe to run twice."""
    from alembic import command

    organisation = organisation.strip()
    if not organisation:
        raise UserError("name the organisation (--organisation NAME)")
    engine = connect(url, pool_size=1)
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")  # type: ignore[arg-type]
            existing = connection.execute(
                select(schema.settings.c.value).where(schema.settings.c.key == "organisation")
            ).scalar()
            if existing is not None and existing != organisation:
                raise UserError(f"this hub's database belongs to {existing!r}, not "
                                f"{organisation!r}; nothing was changed")
            connection.execute(insert(schema.settings).values(
                key="organisation", value=organisation).on_conflict_do_nothing())
            align_clock(connection)
        return organisation
    except DBAPIError as exc:
        raise UserError(f"cannot set up the hub's database: {_reason(exc)}") from None
    finally:
        engine.dispose()


def align_clock(connection: Connection) -> int:
    """Keep the pull order moving forwards after a restore. Routes are ordered by the
    inserting transaction's id plus ``hub_clock.xid_offset``; a ``pg_dump`` restored into
    a new cluster starts from low transaction ids, so the offset is raised until a new
    route sorts after every stored one. Run by ``hub init`` and by every ``hub serve`` at
    start (under the clock row's lock, so two processes agree). Returns the offset."""
    offset = int(connection.execute(text(
        "SELECT xid_offset FROM hub_clock WHERE slot = 1 FOR UPDATE")).scalar_one())
    # The newest order per installation, through the (recipient, commit_order) index.
    newest = connection.execute(text(
        "SELECT max((SELECT max(r.commit_order) FROM routes r "
        "WHERE r.recipient = i.fingerprint)) FROM installations i")).scalar()
    current = int(connection.execute(text("SELECT hub_commit_order()")).scalar_one())
    if newest is not None and current <= int(newest):
        offset += int(newest) - current + 1
        connection.execute(text("UPDATE hub_clock SET xid_offset = :o WHERE slot = 1"),
                           {"o": offset})
    return offset


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).strip().splitlines()[0]


def check_current(engine: Engine) -> str:
    """The organisation's name, if the schema is this version's; else a clear error."""
    try:
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT to_regclass(:t)"),
                                        {"t": VERSION_TABLE}).scalar()
            version = connection.execute(
                text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() if exists else None
            organisation = connection.execute(
                select(schema.settings.c.value).where(schema.settings.c.key == "organisation")
            ).scalar() if exists else None
    except DBAPIError as exc:
        raise UserError(f"cannot reach the hub's database: {_reason(exc)}") from None
    if version != HEAD or organisation is None:
        raise UserError("the hub's database is not set up for this version "
                        f"(schema {version or 'none'}, expected {HEAD})",
                        hint="Run 'sendobserve hub init --database URL --organisation NAME'.")
    return str(organisation)


def prepare_to_serve(engine: Engine) -> str:
    """``check_current``, then ``align_clock``: what every hub process does at start."""
    organisation = check_current(engine)
    try:
        with engine.begin() as connection:
            align_clock(connection)
    except DBAPIError as exc:
        raise UserError(f"cannot reach the hub's database: {_reason(exc)}") from None
    return organisation


def bootstrap_admin(url: str, fingerprint: str) -> str:
    """Make a pending installation the organisation's first admin (run on the hub's host:
    having the database is the authority). Returns the installation's name."""
    compact = "".join(ch for ch in fingerprint.upper() if ch.isalnum())
    engine = connect(url, pool_size=1)
    try:
        check_current(engine)
        with engine.begin() as connection:
            row = connection.execute(select(schema.installations).where(
                schema.installations.c.fingerprint == compact)).first()
            if row is None:
                raise UserError(f"no installation {fingerprint!r} has asked to join",
                                hint="On the admin's computer run 'sendobserve hub join' first.")
            if row.status == "revoked":
                raise UserError("that installation was revoked; it cannot become an admin")
            connection.execute(schema.installations.update().where(
                schema.installations.c.fingerprint == compact).values(
                status="approved", role="admin", trainees=None, approval=None,
                approval_signature=None, approved_by=None, decided_at=datetime.now(UTC)))
            return str(row.name)
    finally:
        engine.dispose()

"""Alembic environment: always handed a live connection by ``sendobserve.storage.db``.

Batch mode, because SQLite can only alter tables by copying them. Importing this
module outside Alembic (a module walker, a test) does nothing.
"""

from __future__ import annotations

from alembic import context

from sendobserve.storage.schema import metadata as target_metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "sendobserve migrations run only through sendobserve.storage.db (they need the key)"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:
    run_migrations()

"""Alembic environment of the hub's own database (PostgreSQL), separate from the store's.

Always handed a live connection by ``sendobserve.hub.database``; importing this module
outside Alembic does nothing.
"""

from __future__ import annotations

from alembic import context

from sendobserve.hub.schema import metadata as target_metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("the hub's migrations run through 'sendobserve hub init'")
    context.configure(connection=connection, target_metadata=target_metadata,
                      compare_type=True, version_table="hub_alembic_version")
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:
    run_migrations()

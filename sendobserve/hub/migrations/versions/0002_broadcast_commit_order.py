"""Control records for every member, and pulls in commit order without a global lock.

- ``objects.trainee`` and ``routes.trainee`` may be NULL: a signed control record
  (revocation, tombstone, erasure…) routed to members whatever their trainee scope.
- ``routes.commit_order``: the inserting transaction's id (``pg_current_xact_id()``) plus
  the offset kept in ``hub_clock``. Pulls read ``(commit_order, seq)`` only below the
  oldest transaction still running, so a route can never appear behind a cursor; the
  advisory lock that serialised every push is gone.

Revision ID: 0002_broadcast_commit_order
Revises: 0001_hub
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_broadcast_commit_order"
down_revision: str | Sequence[str] | None = "0001_hub"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_clock",
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("xid_offset", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("slot = 1", name="ck_hub_clock_single_row"),
        sa.PrimaryKeyConstraint("slot", name="pk_hub_clock"),
    )
    op.execute("INSERT INTO hub_clock (slot, xid_offset) VALUES (1, 0)")
    op.execute("""
        CREATE FUNCTION hub_commit_order() RETURNS bigint LANGUAGE sql VOLATILE AS $$
            SELECT pg_current_xact_id()::text::bigint
                   + (SELECT xid_offset FROM hub_clock WHERE slot = 1)
        $$""")
    op.execute("""
        CREATE FUNCTION hub_pull_horizon() RETURNS bigint LANGUAGE sql STABLE AS $$
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                   + (SELECT xid_offset FROM hub_clock WHERE slot = 1)
        $$""")
    op.alter_column("objects", "trainee", existing_type=sa.String(32), nullable=True)
    op.alter_column("routes", "trainee", existing_type=sa.String(32), nullable=True)
    # Existing routes all get this migration's order: their seq keeps them in order.
    op.add_column("routes", sa.Column("commit_order", sa.BigInteger(), nullable=False,
                                      server_default=sa.text("hub_commit_order()")))
    op.drop_index("ix_routes_recipient_seq", table_name="routes")
    op.create_index("ix_routes_recipient_commit_order", "routes",
                    ["recipient", "commit_order", "seq"])


def downgrade() -> None:
    op.drop_index("ix_routes_recipient_commit_order", table_name="routes")
    op.create_index("ix_routes_recipient_seq", "routes", ["recipient", "seq"])
    op.drop_column("routes", "commit_order")
    op.execute("DELETE FROM routes WHERE trainee IS NULL")
    op.execute("DELETE FROM objects WHERE trainee IS NULL")
    op.alter_column("routes", "trainee", existing_type=sa.String(32), nullable=False)
    op.alter_column("objects", "trainee", existing_type=sa.String(32), nullable=False)
    op.execute("DROP FUNCTION hub_pull_horizon()")
    op.execute("DROP FUNCTION hub_commit_order()")
    op.drop_table("hub_clock")

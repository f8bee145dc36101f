"""Hub sync: the link to the organisation's hub, what was sent, the outbox, what was received.

Revision ID: 0009_hub_sync
Revises: 0010_panel_verdicts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_hub_sync"
down_revision: str | Sequence[str] | None = "0010_panel_verdicts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_link",
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("root_pem", sa.Text(), nullable=False),
        sa.Column("trusted_admins", sa.Text(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.String(length=32), nullable=False),
        sa.Column("last_synced_at", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("slot = 1", name=op.f("ck_hub_link_single_row")),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_hub_link")),
    )
    op.create_table(
        "hub_sent",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("digest", "recipient", name=op.f("pk_hub_sent")),
    )
    op.create_table(
        "hub_outbox",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("trainee", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_hub_outbox")),
    )
    op.create_table(
        "hub_received",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("trainee", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_hub_received")),
    )


def downgrade() -> None:
    op.drop_table("hub_received")
    op.drop_table("hub_outbox")
    op.drop_table("hub_sent")
    op.drop_table("hub_link")

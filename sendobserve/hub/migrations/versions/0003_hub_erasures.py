"""The erasure records the hub acted on (the bundles of that trainee are dropped).

Revision ID: 0003_hub_erasures
Revises: 0002_broadcast_commit_order
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_hub_erasures"
down_revision: str | Sequence[str] | None = "0002_broadcast_commit_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("seq", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("trainee", sa.String(32), nullable=False),
        sa.Column("signer", sa.String(32), nullable=False),
        sa.Column("statement", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("objects_dropped", sa.Integer(), nullable=False),
        sa.Column("routes_dropped", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["signer"], ["installations.fingerprint"],
                                name="fk_erasures_signer_installations"),
        sa.PrimaryKeyConstraint("seq", name="pk_erasures"),
        sa.UniqueConstraint("digest", name="uq_erasures_digest"),
    )
    op.create_index("ix_erasures_trainee", "erasures", ["trainee"])


def downgrade() -> None:
    op.drop_index("ix_erasures_trainee", table_name="erasures")
    op.drop_table("erasures")

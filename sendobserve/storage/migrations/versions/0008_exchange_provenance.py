"""Exchange: each finalised observation's author signature (who finalised it, on what).

Revision ID: 0008_exchange_provenance
Revises: 0005_certificate_drawings
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_exchange_provenance"
down_revision: str | Sequence[str] | None = "0005_certificate_drawings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Observations finalised before this revision have no row: their origin is unknown.
    op.create_table(
        "observation_provenance",
        sa.Column("observation_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "length(public_key) = 32", name=op.f("ck_observation_provenance_public_key_length")
        ),
        sa.CheckConstraint(
            "length(signature) = 64", name=op.f("ck_observation_provenance_signature_length")
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"], ["observations.id"],
            name=op.f("fk_observation_provenance_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("observation_id", name=op.f("pk_observation_provenance")),
    )


def downgrade() -> None:
    op.drop_table("observation_provenance")

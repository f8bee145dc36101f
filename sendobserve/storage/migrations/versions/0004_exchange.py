"""Exchange: this installation's signing key, known signers, kept conflicting versions,
and the import log.

Revision ID: 0004_exchange
Revises: 0003_pki
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_exchange"
down_revision: str | Sequence[str] | None = "0003_pki"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "installation_identity",
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("exchange_key", sa.LargeBinary(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("slot = 1", name=op.f("ck_installation_identity_single_row")),
        sa.CheckConstraint(
            "length(private_key) = 32", name=op.f("ck_installation_identity_private_key_length")
        ),
        sa.CheckConstraint(
            "exchange_key IS NULL OR length(exchange_key) = 32",
            name=op.f("ck_installation_identity_exchange_key_length"),
        ),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_installation_identity")),
    )
    op.create_table(
        "exchange_signers",
        sa.Column("fingerprint", sa.String(length=39), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("first_seen_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(public_key) = 32", name=op.f("ck_exchange_signers_public_key_length")
        ),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_exchange_signers")),
    )
    op.create_table(
        "observation_conflicts",
        sa.Column("observation_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("version", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"], ["observations.id"], ondelete="CASCADE",
            name=op.f("fk_observation_conflicts_observation_id_observations"),
        ),
        sa.PrimaryKeyConstraint("observation_id", "digest", name=op.f("pk_observation_conflicts")),
    )
    op.create_table(
        "exchange_imports",
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_fingerprint", sa.String(length=39), nullable=False),
        sa.Column("exported_by", sa.String(length=200), nullable=False),
        sa.Column("exported_at", sa.String(length=32), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signer_fingerprint"], ["exchange_signers.fingerprint"],
            name=op.f("fk_exchange_imports_signer_fingerprint_exchange_signers"),
        ),
        sa.PrimaryKeyConstraint("payload_sha256", name=op.f("pk_exchange_imports")),
    )


def downgrade() -> None:
    op.drop_table("exchange_imports")
    op.drop_table("observation_conflicts")
    op.drop_table("exchange_signers")
    op.drop_table("installation_identity")

"""Exchange: each finalised observation's author signature (who finalised it, on what);
the versions of the rest of the record that have travelled, those kept in conflict, and
people's decisions on them; revoked installations.

Revision ID: 0008_exchange_provenance
Revises: 0009_hub_sync
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_exchange_provenance"
down_revision: str | Sequence[str] | None = "0009_hub_sync"
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
    op.create_table(
        "record_versions",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("kind", "record_id", "digest",
                                name=op.f("pk_record_versions")),
    )
    op.create_table(
        "record_conflicts",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.LargeBinary(), nullable=False),
        sa.Column("signer_fingerprint", sa.String(length=39), nullable=False),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["mediators.id"],
            name=op.f("fk_record_conflicts_mediator_id_mediators"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kind", "record_id", "digest",
                                name=op.f("pk_record_conflicts")),
    )
    op.create_table(
        "conflict_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("chosen_digest", sa.String(length=64), nullable=False),
        sa.Column("retired_digests", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("decided_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_decisions")),
    )
    op.create_table(
        "signer_revocations",
        sa.Column("fingerprint", sa.String(length=39), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("revoked_from", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=39), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(public_key) = 32", name=op.f("ck_signer_revocations_public_key_length")
        ),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_signer_revocations")),
    )


def downgrade() -> None:
    op.drop_table("signer_revocations")
    op.drop_table("conflict_decisions")
    op.drop_table("record_conflicts")
    op.drop_table("record_versions")
    op.drop_table("observation_provenance")

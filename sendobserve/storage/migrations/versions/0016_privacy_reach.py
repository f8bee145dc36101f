"""Erasure that reaches other copies, and the leaving-the-panel event.

- ``erasure_records``: the signed erasure records made here or received (by id, no name).
- ``erasure_authorities``: installations the provider allows to erase here.
- ``panel_leaving``: the day a mediator left the panel (a retention event).
- ``record_sources``: which imported file brought each record (subject access).

Revision ID: 0016_privacy_reach
Revises: 0017_hub_control
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_privacy_reach"
down_revision: str | Sequence[str] | None = "0017_hub_control"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_records",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("erased_at", sa.String(length=32), nullable=False),
        sa.Column("certificates", sa.Boolean(), nullable=False),
        sa.Column("signer_fingerprint", sa.String(length=39), nullable=False),
        sa.Column("statement", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("received_from", sa.String(length=39), nullable=True),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("completed_at", sa.String(length=32), nullable=True),
        sa.Column("sent_to_hub_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_erasure_records")),
    )
    op.create_table(
        "erasure_authorities",
        sa.Column("fingerprint", sa.String(length=39), nullable=False),
        sa.Column("named_by", sa.String(length=200), nullable=False),
        sa.Column("named_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_erasure_authorities")),
    )
    op.create_table(
        "panel_leaving",
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("left_on", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_panel_leaving_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mediator_id", name=op.f("pk_panel_leaving")),
    )
    op.create_table(
        "record_sources",
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("signer_fingerprint", sa.String(length=39), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_record_sources_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("table_name", "record_id", "payload_sha256",
                                name=op.f("pk_record_sources")),
    )
    op.create_index(op.f("ix_record_sources_mediator_id"), "record_sources", ["mediator_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_record_sources_mediator_id"), table_name="record_sources")
    op.drop_table("record_sources")
    op.drop_table("panel_leaving")
    op.drop_table("erasure_authorities")
    op.drop_table("erasure_records")

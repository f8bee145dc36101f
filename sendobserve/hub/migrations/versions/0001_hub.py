"""The hub's schema: settings, installations, objects, routes, request nonces.

Revision ID: 0001_hub
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_hub"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_hub_settings"),
    )
    op.create_table(
        "installations",
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("exchange_key", sa.LargeBinary(), nullable=False),
        sa.Column("exchange_key_signature", sa.LargeBinary(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("trainees", postgresql.JSONB(), nullable=True),
        sa.Column("approval", sa.LargeBinary(), nullable=True),
        sa.Column("approval_signature", sa.LargeBinary(), nullable=True),
        sa.Column("approved_by", sa.String(32), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'revoked')",
                           name="ck_installations_status"),
        sa.CheckConstraint("role IS NULL OR role IN ('admin', 'ppc', 'observer', 'trainee', "
                           "'assessor')", name="ck_installations_role"),
        sa.CheckConstraint("status <> 'approved' OR role IS NOT NULL",
                           name="ck_installations_approved_has_role"),
        sa.CheckConstraint("octet_length(public_key) = 32 AND octet_length(exchange_key) = 32",
                           name="ck_installations_key_lengths"),
        sa.PrimaryKeyConstraint("fingerprint", name="pk_installations"),
        sa.UniqueConstraint("public_key", name="uq_installations_public_key"),
    )
    op.create_table(
        "objects",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(32), nullable=False),
        sa.Column("trainee", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("octet_length(data) = size", name="ck_objects_size"),
        sa.ForeignKeyConstraint(["uploaded_by"], ["installations.fingerprint"],
                                name="fk_objects_uploaded_by_installations"),
        sa.PrimaryKeyConstraint("sha256", name="pk_objects"),
    )
    op.create_table(
        "routes",
        sa.Column("seq", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("trainee", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["objects.sha256"],
                                name="fk_routes_sha256_objects"),
        sa.ForeignKeyConstraint(["recipient"], ["installations.fingerprint"],
                                name="fk_routes_recipient_installations"),
        sa.PrimaryKeyConstraint("seq", name="pk_routes"),
        sa.UniqueConstraint("recipient", "sha256", name="uq_routes_recipient_sha256"),
    )
    op.create_index("ix_routes_recipient_seq", "routes", ["recipient", "seq"])
    op.create_index("ix_routes_sha256", "routes", ["sha256"])
    op.create_table(
        "request_nonces",
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", "nonce", name="pk_request_nonces"),
    )
    op.create_index("ix_request_nonces_seen_at", "request_nonces", ["seen_at"])


def downgrade() -> None:
    op.drop_table("request_nonces")
    op.drop_table("routes")
    op.drop_table("objects")
    op.drop_table("installations")
    op.drop_table("hub_settings")

"""Exchange control records: signed tombstones of deleted records, people's signed
decisions on conflicts, a certificate issued elsewhere kept beside the one held, what
was sent to whom; and the rulebook edition a certificate received with a record names.

Revision ID: 0014_exchange_controls
Revises: 0018_panel_columns
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_exchange_controls"
down_revision: str | Sequence[str] | None = "0018_panel_columns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _mediator_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["mediator_id"], ["mediators.id"],
                                   name=op.f(f"fk_{table}_mediator_id_mediators"),
                                   ondelete="CASCADE")


def _signed(table: str) -> list[sa.CheckConstraint]:
    return [sa.CheckConstraint("length(public_key) = 32",
                               name=op.f(f"ck_{table}_public_key_length")),
            sa.CheckConstraint("length(signature) = 64",
                               name=op.f(f"ck_{table}_signature_length"))]


def upgrade() -> None:
    # Nullable: certificates issued here read the edition from the mediator's record.
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("edition", sa.String(length=200), nullable=True))
    op.create_table(
        "record_tombstones",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("base", sa.String(length=64), nullable=False),
        sa.Column("history", sa.String(), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_by", sa.String(length=200), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        *_signed("record_tombstones"),
        _mediator_fk("record_tombstones"),
        sa.PrimaryKeyConstraint("kind", "record_id", name=op.f("pk_record_tombstones")),
    )
    op.create_table(
        "exchange_decisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("chosen", sa.String(length=64), nullable=False),
        sa.Column("version", sa.LargeBinary(), nullable=True),
        sa.Column("retired", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("experienced", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        *_signed("exchange_decisions"),
        _mediator_fk("exchange_decisions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_decisions")),
    )
    op.create_table(
        "certificate_conflicts",
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("form_number", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("signer_id", sa.String(length=32), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.String(length=10), nullable=False),
        sa.Column("verification_code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("edition", sa.String(length=200), nullable=True),
        sa.Column("signer_drawing", sa.LargeBinary(), nullable=True),
        sa.Column("mediator_drawing", sa.LargeBinary(), nullable=True),
        _mediator_fk("certificate_conflicts"),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_certificate_conflicts")),
    )
    op.create_table(
        "exchange_sent",
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=False),
        _mediator_fk("exchange_sent"),
        sa.PrimaryKeyConstraint("recipient", "kind", "record_id", "digest",
                                name=op.f("pk_exchange_sent")),
    )


def downgrade() -> None:
    op.drop_table("exchange_sent")
    op.drop_table("certificate_conflicts")
    op.drop_table("exchange_decisions")
    op.drop_table("record_tombstones")
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("edition")

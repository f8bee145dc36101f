"""Signing and certificates: the local signing root (its key stays in this encrypted
database), the certificates issued (serial, verification code) and every print of them.

Written by hand to match ``sendobserve.storage.certificates`` as of this revision, with
plain column types, so that this file never changes when the app's code does. Only new
tables; later changes to them must use ``op.batch_alter_table``.

Revision ID: 0003_pki
Revises: 0002_records
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_pki"
down_revision = "0002_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_roots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_name", sa.String(length=200), nullable=False),
        sa.Column("cert_pem", sa.Text(), nullable=False),
        sa.Column("key_pem", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=95), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(trim(org_name)) > 0",
            name=op.f("ck_signing_roots_org_name_not_blank"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_roots")),
    )
    op.create_table(
        "certificates",
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("form_number", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("signer_id", sa.String(length=32), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.String(length=10), nullable=False),
        sa.Column("verification_code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "form_number IN (4, 5)",
            name=op.f("ck_certificates_form_number"),
        ),
        sa.CheckConstraint(
            "length(trim(signer_name)) > 0",
            name=op.f("ck_certificates_signer_name_not_blank"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_certificates_mediator_id_mediators"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"],
            ["observers.id"],
            name=op.f("fk_certificates_signer_id_observers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_certificates")),
    )
    op.create_index(
        "ix_certificates_mediator_form",
        "certificates",
        ["mediator_id", "form_number"],
        unique=False,
    )
    op.create_table(
        "certificate_prints",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("printed_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "kind IN ('issue', 'reprint')",
            name=op.f("ck_certificate_prints_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["serial"],
            ["certificates.serial"],
            name=op.f("fk_certificate_prints_serial_certificates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_prints")),
    )
    op.create_index(
        "ix_certificate_prints_serial",
        "certificate_prints",
        ["serial", "printed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_certificate_prints_serial", table_name="certificate_prints")
    op.drop_table("certificate_prints")
    op.drop_index("ix_certificates_mediator_form", table_name="certificates")
    op.drop_table("certificates")
    op.drop_table("signing_roots")

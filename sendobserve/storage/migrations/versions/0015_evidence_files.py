"""Evidence files: a training certificate, a course outline or a CPD certificate attached to
one training, CPD or case entry, its content inside the encrypted store.

Revision ID: 0015_evidence_files
Revises: 0008_exchange_provenance

Each row points at exactly one entry, with ON DELETE CASCADE: a file goes with its entry
(retention, erasure, a deleted entry). No mediator column: the entry says whose it is.
The rules never read these files, so no panel-verdict trigger is needed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_evidence_files"
down_revision: str | Sequence[str] | None = "0008_exchange_provenance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MAX_FILE_BYTES = 5 * 1024 * 1024  # model.evidence.MAX_FILE_BYTES when this was written


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("training_id", sa.String(length=32), nullable=True),
        sa.Column("cpd_id", sa.String(length=32), nullable=True),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(training_id IS NOT NULL) + (cpd_id IS NOT NULL) + (case_id IS NOT NULL) = 1",
            name=op.f("ck_evidence_files_one_entry")),
        sa.CheckConstraint(
            "kind IN ('training_certificate', 'course_outline', 'cpd_certificate', 'other')",
            name=op.f("ck_evidence_files_kind")),
        sa.CheckConstraint(
            "media_type IN ('application/pdf', 'image/png', 'image/jpeg')",
            name=op.f("ck_evidence_files_media_type")),
        sa.CheckConstraint(f"size >= 1 AND size <= {_MAX_FILE_BYTES}",
                           name=op.f("ck_evidence_files_size_limit")),
        sa.CheckConstraint("length(content) = size", name=op.f("ck_evidence_files_size_matches")),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_evidence_files_sha256_length")),
        sa.ForeignKeyConstraint(["training_id"], ["training.id"],
                                name=op.f("fk_evidence_files_training_id_training"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cpd_id"], ["cpd.id"],
                                name=op.f("fk_evidence_files_cpd_id_cpd"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_evidence_files_case_id_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
    )
    op.create_index("ix_evidence_files_training_id", "evidence_files", ["training_id"])
    op.create_index("ix_evidence_files_cpd_id", "evidence_files", ["cpd_id"])
    op.create_index("ix_evidence_files_case_id", "evidence_files", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_files_case_id", table_name="evidence_files")
    op.drop_index("ix_evidence_files_cpd_id", table_name="evidence_files")
    op.drop_index("ix_evidence_files_training_id", table_name="evidence_files")
    op.drop_table("evidence_files")

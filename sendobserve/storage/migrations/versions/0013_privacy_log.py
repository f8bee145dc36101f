"""A log of data-protection actions (erasure, retention, subject access): counts, no content.

Revision ID: 0013_privacy_log
Revises: 0006_rulebook
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_privacy_log"
down_revision: str | Sequence[str] | None = "0006_rulebook"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(36), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("privacy_log")

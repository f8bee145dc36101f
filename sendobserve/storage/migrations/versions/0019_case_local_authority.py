"""A case's local authority area.

Revision ID: 0019_case_local_authority
Revises: 0015_evidence_files

Existing cases get none (not recorded); nothing else changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_case_local_authority"
down_revision: str | Sequence[str] | None = "0015_evidence_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("local_authority", sa.String(length=100), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place (3.35+). A batch copy would drop and re-create
    # ``cases``, and with foreign keys on that deletes every observation with it.
    op.execute("ALTER TABLE cases DROP COLUMN local_authority")

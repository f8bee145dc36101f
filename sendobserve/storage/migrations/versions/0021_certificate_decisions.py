"""Certificate decisions: which of two certificates issued for one trainee and form stands.

Revision ID: 0021_certificate_decisions
Revises: 0016_privacy_reach

Adds ``superseded_by`` (the id of the signed decision that chose another certificate) to
``certificates`` and ``certificate_conflicts``. Existing certificates get none: each
stands as before. Nothing is deleted: a superseded certificate stays, marked.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_certificate_decisions"
down_revision: str | Sequence[str] | None = "0020_certificate_issuer_serial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("certificates", "certificate_conflicts")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("superseded_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+): a batch copy would drop and re-create ``certificates``,
    # which ``certificate_prints`` refers to.
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN superseded_by")

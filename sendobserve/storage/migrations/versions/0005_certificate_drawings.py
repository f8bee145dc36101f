"""Certificates keep the drawn signatures of their first issue, so a re-print is identical.

Revision ID: 0005_certificate_drawings
Revises: 0004_exchange
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_certificate_drawings"
down_revision: str | Sequence[str] | None = "0004_exchange"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: certificates issued before this revision had no drawings and keep none.
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("signer_drawing", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("mediator_drawing", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("mediator_drawing")
        batch.drop_column("signer_drawing")

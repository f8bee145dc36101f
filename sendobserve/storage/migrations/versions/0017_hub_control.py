"""Hub sync, third round: the hub's opaque pull cursor, and control records (no trainee).

- ``hub_link.pull_cursor`` replaces the integer ``cursor``: the hub now pulls in commit
  order (``ORDER.SEQ``). It starts again from the beginning; bundles already received
  are recognised by their SHA-256 and not fetched again.
- ``hub_outbox.trainee`` and ``hub_received.trainee`` may be NULL: a control record
  (revocations, …) goes to every member, not for one trainee.

Revision ID: 0017_hub_control
Revises: 0014_exchange_controls
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_hub_control"
down_revision: str | Sequence[str] | None = "0014_exchange_controls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hub_link") as batch:
        batch.add_column(sa.Column("pull_cursor", sa.String(length=64), nullable=False,
                                   server_default="0"))
        batch.drop_column("cursor")
    with op.batch_alter_table("hub_outbox") as batch:
        batch.alter_column("trainee", existing_type=sa.String(length=32), nullable=True)
    with op.batch_alter_table("hub_received") as batch:
        batch.alter_column("trainee", existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM hub_outbox WHERE trainee IS NULL")
    op.execute("DELETE FROM hub_received WHERE trainee IS NULL")
    with op.batch_alter_table("hub_received") as batch:
        batch.alter_column("trainee", existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table("hub_outbox") as batch:
        batch.alter_column("trainee", existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table("hub_link") as batch:
        batch.add_column(sa.Column("cursor", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.drop_column("pull_cursor")

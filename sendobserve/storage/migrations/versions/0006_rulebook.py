"""The rulebook: the edition of the Standards per practice period, the passporting route
and the provider's confirmation (§1.6 (A)), and every party to a discretion (§1.3).

Revision ID: 0006_rulebook
Revises: 0005_certificate_drawings

Existing rows keep everything: mediators get no edition (judged under the one in force
when their practice period began) and no route; discretions get no provider agreement and
no mediator agreement, so they are shown but not applied until those are recorded.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_rulebook"
down_revision: str | Sequence[str] | None = "0005_certificate_drawings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mediators") as batch:
        batch.add_column(sa.Column("rules_edition", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("passport_route", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("panel_confirmed_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("panel_confirmed_on", sa.String(length=10), nullable=True))
    with op.batch_alter_table("discretions") as batch:
        batch.add_column(sa.Column("provider_agreed_by", sa.String(length=200),
                                   server_default="", nullable=False))
        batch.add_column(sa.Column("mediator_agreed", sa.Boolean(),
                                   server_default=sa.text("0"), nullable=False))


def downgrade() -> None:
    # Columns are dropped in place (SQLite 3.35+): a batch copy would drop and re-create
    # ``mediators``, and with foreign keys on that deletes everything a mediator owns.
    for table, column in (("discretions", "mediator_agreed"),
                          ("discretions", "provider_agreed_by"),
                          ("mediators", "panel_confirmed_on"),
                          ("mediators", "panel_confirmed_by"),
                          ("mediators", "passport_route"),
                          ("mediators", "rules_edition")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

"""Stored panel verdicts as columns, not one JSON document per row.

Revision ID: 0018_panel_columns
Revises: 0019_case_local_authority

The dashboard reads every verdict at once: decoding a JSON document and building an
object from it per mediator was most of its time. Each field of ``model.panel.Verdict``
is now its own column (the two lists of sentences as text, one sentence per line), so
the dashboard is one scan of this table with nothing to decode.

The table is made again, empty: a verdict is assessed by the rules engine the first time
the panel is read (as after 0010), and the rules' fingerprint changes with this release
anyway, so no stored verdict would have been shown as it was. The stale-flag triggers of
0010 are untouched: they name the table, not its columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_panel_columns"
down_revision: str | Sequence[str] | None = "0019_case_local_authority"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> tuple[sa.Column[str], sa.ForeignKeyConstraint]:
    return (
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_panel_verdicts_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
    )


def upgrade() -> None:
    op.drop_table("panel_verdicts")
    column, fk = _key()
    op.create_table(
        "panel_verdicts",
        column,
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.String(length=64), nullable=False),
        sa.Column("assessed_on", sa.String(length=10), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("ready_to_certify", sa.Boolean(), nullable=False),
        sa.Column("still_needed", sa.Text(), nullable=False),
        sa.Column("accredited_on", sa.String(length=10), nullable=True),
        sa.Column("passported", sa.Boolean(), nullable=False),
        sa.Column("renewal_met", sa.Boolean(), nullable=False),
        sa.Column("renewal_needed", sa.Text(), nullable=False),
        sa.Column("met_at_last_anniversary", sa.Boolean(), nullable=True),
        sa.Column("last_observation", sa.String(length=10), nullable=True),
        sa.Column("ppc", sa.Text(), nullable=True),
        sa.Column("mentor", sa.Text(), nullable=True),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("finalised_observations", sa.Integer(), nullable=False),
        fk,
        sa.PrimaryKeyConstraint("mediator_id", name=op.f("pk_panel_verdicts")),
    )


def downgrade() -> None:
    op.drop_table("panel_verdicts")
    column, fk = _key()
    op.create_table(
        "panel_verdicts",
        column,
        sa.Column("rules", sa.String(length=64), nullable=False),
        sa.Column("assessed_on", sa.String(length=10), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        fk,
        sa.PrimaryKeyConstraint("mediator_id", name=op.f("pk_panel_verdicts")),
    )

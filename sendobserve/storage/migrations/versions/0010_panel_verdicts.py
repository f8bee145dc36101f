"""Stored panel verdicts (and the spot-check log), verdicts flagged stale by triggers in the same transaction as any change
to the evidence they were assessed from.

Revision ID: 0010_panel_verdicts
Revises: 0013_privacy_log

The table starts empty: a verdict is assessed (by the rules engine) the first time the
panel is read. The triggers are the whole write-side hook: whatever writes a mediator's
evidence (repositories, imports, plain SQL), the mediator's verdict is marked stale before
that transaction commits. Observers and form versions weigh in every verdict, so a change
to either marks them all.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_panel_verdicts"
down_revision: str | Sequence[str] | None = "0013_privacy_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STALE = "UPDATE panel_verdicts SET stale = 1 WHERE mediator_id = {who} AND stale = 0"
_ALL_STALE = "UPDATE panel_verdicts SET stale = 1 WHERE stale = 0"
_VIA_OBSERVATION = "(SELECT mediator_id FROM observations WHERE id = {row}.observation_id)"
_VIA_AMENDMENT = (
    "(SELECT o.mediator_id FROM amendments a JOIN observations o ON o.id = a.observation_id"
    " WHERE a.id = {row}.amendment_id)"
)

# table -> how a row names its mediator ({row} is NEW or OLD)
_EVIDENCE = {
    "mediators": "{row}.id",
    "cases": "{row}.mediator_id",
    "observations": "{row}.mediator_id",
    "training": "{row}.mediator_id",
    "reflections": "{row}.mediator_id",
    "cpd": "{row}.mediator_id",
    "contacts": "{row}.mediator_id",
    "discretions": "{row}.mediator_id",
    "certificates": "{row}.mediator_id",
    "marks": _VIA_OBSERVATION,
    "debrief_notes": _VIA_OBSERVATION,
    "amendments": _VIA_OBSERVATION,
    "amendment_changes": _VIA_AMENDMENT,
}
_SHARED = ("observers", "form_versions")


def _triggers() -> list[tuple[str, str]]:
    made: list[tuple[str, str]] = []
    for table, who in _EVIDENCE.items():
        for event, rows in (("insert", ("NEW",)), ("update", ("OLD", "NEW")),
                            ("delete", ("OLD",))):
            if table == "mediators" and event != "update":
                continue  # a new mediator has no verdict yet; a deleted one's cascades
            body = "; ".join(_STALE.format(who=who.format(row=r)) for r in rows)
            name = f"trg_panel_stale_{table}_{event}"
            made.append((name, f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table}"
                               f" BEGIN {body}; END"))
    for table in _SHARED:
        for event in ("insert", "update", "delete"):
            name = f"trg_panel_stale_{table}_{event}"
            made.append((name, f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table}"
                               f" BEGIN {_ALL_STALE}; END"))
    return made


def upgrade() -> None:
    op.create_table(
        "panel_verdicts",
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("rules", sa.String(length=64), nullable=False),
        sa.Column("assessed_on", sa.String(length=10), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_panel_verdicts_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mediator_id", name=op.f("pk_panel_verdicts")),
    )
    for _name, sql in _triggers():
        op.execute(sql)
    op.create_table(
        "spot_checks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("drawn_at", sa.String(length=32), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("sample", sa.Text(), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_checks")),
    )


def downgrade() -> None:
    op.drop_table("spot_checks")
    for name, _sql in _triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("panel_verdicts")

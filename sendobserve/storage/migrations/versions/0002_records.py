"""The records: mediators, observers, cases, form versions, observations, marks and their
history, de-brief notes, amendments, and the practice log (training, reflections, CPD,
contacts, discretions).

Written by hand to match ``sendobserve.storage.records`` as of this revision, with plain
column types (the app's GUID, timestamps, dates and decimals are all text underneath) and
enum values spelled out, so that this file never changes when the app's code does. Only
new tables: nothing here needs batch mode; later changes to these tables must use
``op.batch_alter_table`` (SQLite cannot alter constraints in place).

Revision ID: 0002_records
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_records"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mediators",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("professional_body", sa.String(length=16), nullable=False),
        sa.Column("passported", sa.Boolean(), nullable=False),
        sa.Column("send_practice_since", sa.String(length=10), nullable=True),
        sa.Column("lead_since", sa.String(length=10), nullable=True),
        sa.Column("accredited_on", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(trim(name)) > 0",
            name=op.f("ck_mediators_name_not_blank"),
        ),
        sa.CheckConstraint(
            "professional_body IN ('cmc', 'com', 'none')",
            name=op.f("ck_mediators_professional_body"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediators")),
    )
    op.create_index(op.f("ix_mediators_name_folded"), "mediators", ["name_folded"], unique=False)
    op.create_table(
        "observers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("experienced_send", sa.Boolean(), nullable=False),
        sa.Column("ppc_register_entry", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(trim(name)) > 0",
            name=op.f("ck_observers_name_not_blank"),
        ),
        sa.CheckConstraint(
            "role IN ('co_mediator', 'ppc', 'regional_manager', 'service_director', 'mentor')",
            name=op.f("ck_observers_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observers")),
    )
    op.create_index(op.f("ix_observers_name_folded"), "observers", ["name_folded"], unique=False)
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("case_date", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("trainee_role", sa.String(length=16), nullable=False),
        sa.Column("casework_hours", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "CAST(casework_hours AS REAL) >= 0",
            name=op.f("ck_cases_casework_hours_not_negative"),
        ),
        sa.CheckConstraint(
            "kind IN ('mediation', 'disagreement_resolution')",
            name=op.f("ck_cases_kind"),
        ),
        sa.CheckConstraint(
            "length(trim(reference)) > 0",
            name=op.f("ck_cases_reference_not_blank"),
        ),
        sa.CheckConstraint(
            "trainee_role IN ('observing', 'co_mediating', 'leading')",
            name=op.f("ck_cases_trainee_role"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_cases_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(
        op.f("ix_cases_mediator_id_case_date"), "cases", ["mediator_id", "case_date"], unique=False
    )
    op.create_table(
        "form_versions",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(trim(form_id)) > 0",
            name=op.f("ck_form_versions_form_id_not_blank"),
        ),
        sa.CheckConstraint(
            "length(sha256) = 64",
            name=op.f("ck_form_versions_sha256_length"),
        ),
        sa.CheckConstraint(
            "length(trim(version)) > 0",
            name=op.f("ck_form_versions_version_not_blank"),
        ),
        sa.PrimaryKeyConstraint("form_id", "version", name=op.f("pk_form_versions")),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("observer_id", sa.String(length=32), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("form_version", sa.String(length=64), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("observed_on", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("signature_name", sa.String(length=200), nullable=True),
        sa.Column("signature_role", sa.String(length=24), nullable=True),
        sa.Column("signature_signed_on", sa.String(length=10), nullable=True),
        sa.Column("signature_png", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("finalised_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "ordinal >= 1",
            name=op.f("ck_observations_ordinal_positive"),
        ),
        sa.CheckConstraint(
            "signature_role IS NULL OR signature_role IN"
            " ('co_mediator', 'ppc', 'regional_manager', 'service_director', 'mentor')",
            name=op.f("ck_observations_signature_role"),
        ),
        sa.CheckConstraint(
            "state = 'draft' OR (signature_name IS NOT NULL AND signature_role IS NOT NULL"
            " AND signature_signed_on IS NOT NULL AND finalised_at IS NOT NULL)",
            name=op.f("ck_observations_signed_when_final"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'finalised', 'amended')",
            name=op.f("ck_observations_state"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_observations_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["form_id", "form_version"],
            ["form_versions.form_id", "form_versions.version"],
            name=op.f("fk_observations_form_id_form_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_observations_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observer_id"],
            ["observers.id"],
            name=op.f("fk_observations_observer_id_observers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    op.create_index(op.f("ix_observations_case_id"), "observations", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_observations_mediator_id_form_id"),
        "observations",
        ["mediator_id", "form_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_observations_observer_id"), "observations", ["observer_id"], unique=False
    )
    op.create_table(
        "marks",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("observation_id", sa.String(length=32), nullable=False),
        sa.Column("criterion_id", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("marked_at", sa.String(length=32), nullable=False),
        sa.Column("marked_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "state IN ('demonstrated', 'development_needed', 'not_applicable', 'not_yet_seen')",
            name=op.f("ck_marks_state"),
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_marks_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marks")),
        sa.UniqueConstraint("observation_id", "criterion_id", name=op.f("uq_marks_observation_id")),
    )
    op.create_table(
        "amendments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("observation_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amended_by", sa.String(length=200), nullable=False),
        sa.Column("amended_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(trim(amended_by)) > 0",
            name=op.f("ck_amendments_amended_by_not_blank"),
        ),
        sa.CheckConstraint(
            "length(trim(reason)) > 0",
            name=op.f("ck_amendments_reason_not_blank"),
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_amendments_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
    )
    op.create_index(
        op.f("ix_amendments_observation_id"), "amendments", ["observation_id"], unique=False
    )
    op.create_table(
        "amendment_changes",
        sa.Column("amendment_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=128), nullable=False),
        sa.Column("old_state", sa.String(length=24), nullable=False),
        sa.Column("new_state", sa.String(length=24), nullable=False),
        sa.Column("old_note", sa.Text(), nullable=False),
        sa.Column("new_note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "new_state IN ('demonstrated', 'development_needed', 'not_applicable', 'not_yet_seen')",
            name=op.f("ck_amendment_changes_new_state"),
        ),
        sa.CheckConstraint(
            "old_state IN ('demonstrated', 'development_needed', 'not_applicable', 'not_yet_seen')",
            name=op.f("ck_amendment_changes_old_state"),
        ),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["amendments.id"],
            name=op.f("fk_amendment_changes_amendment_id_amendments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("amendment_id", "position", name=op.f("pk_amendment_changes")),
        sa.UniqueConstraint(
            "amendment_id", "criterion_id", name=op.f("uq_amendment_changes_amendment_id")
        ),
    )
    op.create_table(
        "mark_events",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("observation_id", sa.String(length=32), nullable=False),
        sa.Column("criterion_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old_state", sa.String(length=24), nullable=False),
        sa.Column("new_state", sa.String(length=24), nullable=False),
        sa.Column("old_note", sa.Text(), nullable=False),
        sa.Column("new_note", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("target_event_id", sa.Integer(), nullable=True),
        sa.Column("amendment_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "kind IN ('tick', 'undo', 'redo', 'amendment')",
            name=op.f("ck_mark_events_kind"),
        ),
        sa.CheckConstraint(
            "new_state IN ('demonstrated', 'development_needed', 'not_applicable', 'not_yet_seen')",
            name=op.f("ck_mark_events_new_state"),
        ),
        sa.CheckConstraint(
            "old_state IN ('demonstrated', 'development_needed', 'not_applicable', 'not_yet_seen')",
            name=op.f("ck_mark_events_old_state"),
        ),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["amendments.id"],
            name=op.f("fk_mark_events_amendment_id_amendments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_mark_events_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_event_id"],
            ["mark_events.id"],
            name=op.f("fk_mark_events_target_event_id_mark_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mark_events")),
    )
    op.create_index(
        op.f("ix_mark_events_observation_id_id"),
        "mark_events",
        ["observation_id", "id"],
        unique=False,
    )
    op.create_table(
        "debrief_notes",
        sa.Column("observation_id", sa.String(length=32), nullable=False),
        sa.Column("criterion_id", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_debrief_notes_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("observation_id", "criterion_id", name=op.f("pk_debrief_notes")),
    )
    op.create_table(
        "training",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("recognising_body", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=False),
        sa.Column("end_date", sa.String(length=10), nullable=False),
        sa.Column("hours", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "end_date >= start_date",
            name=op.f("ck_training_ends_after_start"),
        ),
        sa.CheckConstraint(
            "CAST(hours AS REAL) >= 0",
            name=op.f("ck_training_hours_not_negative"),
        ),
        sa.CheckConstraint(
            "kind IN ('foundation', 'send', 'other')",
            name=op.f("ck_training_kind"),
        ),
        sa.CheckConstraint(
            "recognising_body IN ('cmc', 'com', 'ocn', 'ilm', 'other', 'none')",
            name=op.f("ck_training_recognising_body"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_training_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training")),
    )
    op.create_index(op.f("ix_training_mediator_id"), "training", ["mediator_id"], unique=False)
    op.create_table(
        "reflections",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("reflected_on", sa.String(length=10), nullable=False),
        sa.Column("hours", sa.String(length=24), nullable=False),
        sa.Column("with_whom", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "CAST(hours AS REAL) >= 0",
            name=op.f("ck_reflections_hours_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_reflections_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflections")),
    )
    op.create_index(
        op.f("ix_reflections_mediator_id"), "reflections", ["mediator_id"], unique=False
    )
    op.create_table(
        "cpd",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("done_on", sa.String(length=10), nullable=False),
        sa.Column("hours", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "CAST(hours AS REAL) >= 0",
            name=op.f("ck_cpd_hours_not_negative"),
        ),
        sa.CheckConstraint(
            "kind IN ('role_play', 'reading', 'training', 'leading_team_discussion',"
            " 'conference', 'refresher', 'peer_moderation', 'user_feedback', 'access_to_ppc',"
            " 'other')",
            name=op.f("ck_cpd_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_cpd_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cpd")),
    )
    op.create_index(
        op.f("ix_cpd_mediator_id_done_on"), "cpd", ["mediator_id", "done_on"], unique=False
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("met_on", sa.String(length=10), nullable=False),
        sa.Column("with_whom", sa.String(length=200), nullable=False),
        sa.Column("observer_id", sa.String(length=32), nullable=True),
        sa.Column("hours", sa.String(length=24), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "CAST(hours AS REAL) >= 0",
            name=op.f("ck_contacts_hours_not_negative"),
        ),
        sa.CheckConstraint(
            "kind IN ('mentoring', 'supervision')",
            name=op.f("ck_contacts_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_contacts_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observer_id"],
            ["observers.id"],
            name=op.f("fk_contacts_observer_id_observers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_mediator_id"), "contacts", ["mediator_id"], unique=False)
    op.create_table(
        "discretions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("requirement_id", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "length(trim(reason)) > 0",
            name=op.f("ck_discretions_reason_not_blank"),
        ),
        sa.CheckConstraint(
            "role IN ('co_mediator', 'ppc', 'regional_manager', 'service_director', 'mentor')",
            name=op.f("ck_discretions_role"),
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["mediators.id"],
            name=op.f("fk_discretions_mediator_id_mediators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discretions")),
    )
    op.create_index(
        op.f("ix_discretions_mediator_id"), "discretions", ["mediator_id"], unique=False
    )
    # History is never rewritten: an UPDATE of a mark event or an amendment is refused.
    for table in ("mark_events", "amendments", "amendment_changes"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def downgrade() -> None:
    # Dependants first: the reverse of the creation order.
    op.drop_table("discretions")
    op.drop_table("contacts")
    op.drop_table("cpd")
    op.drop_table("reflections")
    op.drop_table("training")
    op.drop_table("debrief_notes")
    op.drop_table("mark_events")
    op.drop_table("amendment_changes")
    op.drop_table("amendments")
    op.drop_table("marks")
    op.drop_table("observations")
    op.drop_table("form_versions")
    op.drop_table("cases")
    op.drop_table("observers")
    op.drop_table("mediators")

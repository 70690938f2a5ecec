"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22

The first released schema: every table of the case-management cycle, full-text search over
client names and note text (FTS5, inside the encrypted database), and triggers that keep
evidentiary records append-only even if application code has a bug.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_table", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_event_client_when", ["client_id", "occurred_at"], unique=False
        )

    op.create_table(
        "client",
        sa.Column("given_name", sa.Text(), nullable=False),
        sa.Column("family_name", sa.Text(), nullable=False),
        sa.Column("preferred_name", sa.Text(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("pronouns", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("address_line1", sa.Text(), nullable=False),
        sa.Column("address_line2", sa.Text(), nullable=False),
        sa.Column("town", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("postcode", sa.Text(), nullable=False),
        sa.Column("preferred_language", sa.Text(), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("intensity", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_index("ix_client_family_given", ["family_name", "given_name"], unique=False)
        batch_op.create_index("ix_client_status", ["status"], unique=False)

    op.create_table(
        "domain_set",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_set")),
    )
    with op.batch_alter_table("domain_set", schema=None) as batch_op:
        batch_op.create_index("ix_domain_set_key_version", ["key", "version"], unique=True)

    op.create_table(
        "local_meta",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_local_meta")),
    )
    op.create_table(
        "preference",
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preference")),
    )
    op.create_table(
        "service_entry",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("website", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("hours", sa.Text(), nullable=False),
        sa.Column("eligibility", sa.Text(), nullable=False),
        sa.Column("area_served", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_entry")),
    )
    with op.batch_alter_table("service_entry", schema=None) as batch_op:
        batch_op.create_index("ix_service_entry_name", ["name"], unique=False)

    op.create_table(
        "signing_identity",
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("pkcs12", sa.LargeBinary(), nullable=False),
        sa.Column("pkcs12_password", sa.Text(), nullable=False),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=False),
        sa.Column("self_signed", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_identity")),
    )
    op.create_table(
        "sync_outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_outbox")),
        sa.UniqueConstraint("op_id", name=op.f("uq_sync_outbox_op_id")),
    )
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_sync_outbox_state_seq", ["state", "seq"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("client_id", sa.String(length=36), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_attachment_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_sha256"), ["sha256"], unique=False)

    op.create_table(
        "client_identifier",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("system", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_identifier_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_identifier")),
    )
    with op.batch_alter_table("client_identifier", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_client_identifier_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "episode",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closure_reason", sa.String(length=40), nullable=True),
        sa.Column("closure_detail", sa.Text(), nullable=False),
        sa.Column("exit_summary", sa.Text(), nullable=False),
        sa.Column("achievements", sa.Text(), nullable=False),
        sa.Column("supports_in_place", sa.Text(), nullable=False),
        sa.Column("feedback_rating", sa.Integer(), nullable=True),
        sa.Column("feedback_comments", sa.Text(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("followed_up_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_episode_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode")),
    )
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_episode_client_id"), ["client_id"], unique=False)

    op.create_table(
        "professional",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_professional_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional")),
    )
    with op.batch_alter_table("professional", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professional_client_id"), ["client_id"], unique=False)

    op.create_table(
        "risk_screen",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("screened_on", sa.Date(), nullable=False),
        sa.Column("risk_to_self", sa.String(length=40), nullable=False),
        sa.Column("risk_to_self_notes", sa.Text(), nullable=False),
        sa.Column("risk_to_others", sa.String(length=40), nullable=False),
        sa.Column("risk_to_others_notes", sa.Text(), nullable=False),
        sa.Column("risk_from_others", sa.String(length=40), nullable=False),
        sa.Column("risk_from_others_notes", sa.Text(), nullable=False),
        sa.Column("children_in_home", sa.Boolean(), nullable=False),
        sa.Column("children_notes", sa.Text(), nullable=False),
        sa.Column("worker_safety", sa.String(length=40), nullable=False),
        sa.Column("worker_safety_notes", sa.Text(), nullable=False),
        sa.Column("overall_level", sa.String(length=40), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("supersedes_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_risk_screen_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["risk_screen.id"],
            name=op.f("fk_risk_screen_supersedes_id_risk_screen"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_screen")),
    )
    with op.batch_alter_table("risk_screen", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_screen_client_date",
            ["client_id", "screened_on"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_risk_screen_client_id"), ["client_id"], unique=False)

    op.create_table(
        "support_person",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("relationship", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("is_carer", sa.Boolean(), nullable=False),
        sa.Column("is_emergency_contact", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_support_person_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_person")),
    )
    with op.batch_alter_table("support_person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_person_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "assessment",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("episode_id", sa.String(length=36), nullable=True),
        sa.Column("domain_set_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("finalised_at", sa.DateTime(), nullable=True),
        sa.Column("supersedes_id", sa.String(length=36), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("carer_wellbeing", sa.Text(), nullable=False),
        sa.Column("carer_needs", sa.Text(), nullable=False),
        sa.Column("completed_with_client", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_assessment_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["domain_set_id"],
            ["domain_set.id"],
            name=op.f("fk_assessment_domain_set_id_domain_set"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_assessment_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_supersedes_id_assessment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assessment_domain_set_id"), ["domain_set_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assessment_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "case_note",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("episode_id", sa.String(length=36), nullable=True),
        sa.Column("contact_type", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("amends_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["amends_id"], ["case_note.id"], name=op.f("fk_case_note_amends_id_case_note")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_case_note_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_case_note_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_note_client_when",
            ["client_id", "occurred_at"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "case_plan",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("episode_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("review_interval_days", sa.Integer(), nullable=True),
        sa.Column("current_version_no", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_case_plan_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_case_plan_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_plan")),
    )
    with op.batch_alter_table("case_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_plan_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_plan_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "intake",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("episode_id", sa.String(length=36), nullable=True),
        sa.Column("referral_date", sa.Date(), nullable=True),
        sa.Column("source_type", sa.Text(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("screening_outcome", sa.String(length=40), nullable=False),
        sa.Column("screening_notes", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("referred_on_to", sa.Text(), nullable=False),
        sa.Column("rights_explained_on", sa.Date(), nullable=True),
        sa.Column("limits_explained", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_intake_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_intake_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake")),
    )
    with op.batch_alter_table("intake", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "assessment_reading",
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("domain_key", sa.String(length=100), nullable=False),
        sa.Column("client_score", sa.Integer(), nullable=True),
        sa.Column("worker_score", sa.Integer(), nullable=True),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("client_words", sa.Text(), nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_reading_assessment_id_assessment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_reading")),
    )
    with op.batch_alter_table("assessment_reading", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_reading_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "need",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("episode_id", sa.String(length=36), nullable=True),
        sa.Column("domain_key", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_assessment_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_need_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_need_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["source_assessment_id"],
            ["assessment.id"],
            name=op.f("fk_need_source_assessment_id_assessment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need")),
    )
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_need_episode_id"), ["episode_id"], unique=False)

    op.create_table(
        "plan_version",
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["case_plan.id"], name=op.f("fk_plan_version_plan_id_case_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_version")),
    )
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_version_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index("ix_plan_version_plan_no", ["plan_id", "version_no"], unique=True)

    op.create_table(
        "review",
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("achievements", sa.Text(), nullable=False),
        sa.Column("barriers", sa.Text(), nullable=False),
        sa.Column("new_supports", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("risk_rechecked", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["case_plan.id"], name=op.f("fk_review_plan_id_case_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "goal",
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("need_id", sa.String(length=36), nullable=True),
        sa.Column("domain_key", sa.String(length=100), nullable=False),
        sa.Column("client_words", sa.Text(), nullable=False),
        sa.Column("worker_framing", sa.Text(), nullable=False),
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.String(length=40), nullable=False),
        sa.Column("lifecycle_status", sa.String(length=40), nullable=False),
        sa.Column("achievement_status", sa.String(length=40), nullable=False),
        sa.Column("status_date", sa.Date(), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("expressed_by", sa.String(length=40), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_goal_client_id_client")
        ),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"], name=op.f("fk_goal_need_id_need")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["case_plan.id"], name=op.f("fk_goal_plan_id_case_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_need_id"), ["need_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "signature",
        sa.Column("plan_version_id", sa.String(length=36), nullable=True),
        sa.Column("signer_role", sa.String(length=40), nullable=False),
        sa.Column("signer_name", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("image_attachment_id", sa.String(length=36), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("witness", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_attachment_id"],
            ["attachment.id"],
            name=op.f("fk_signature_image_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_version.id"],
            name=op.f("fk_signature_plan_version_id_plan_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature")),
    )
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signature_plan_version_id"), ["plan_version_id"], unique=False
        )

    op.create_table(
        "signed_document",
        sa.Column("plan_version_id", sa.String(length=36), nullable=True),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("attachment_id", sa.String(length=36), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("digitally_signed", sa.Boolean(), nullable=False),
        sa.Column("signer_certificate_sha256", sa.String(length=64), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachment.id"],
            name=op.f("fk_signed_document_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_signed_document_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_version.id"],
            name=op.f("fk_signed_document_plan_version_id_plan_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_document")),
    )
    with op.batch_alter_table("signed_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signed_document_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_signed_document_plan_version_id"), ["plan_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_signed_document_sha256"), ["sha256"], unique=False)

    op.create_table(
        "action",
        sa.Column("goal_id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("performer", sa.String(length=40), nullable=False),
        sa.Column("performer_name", sa.Text(), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_action_goal_id_goal")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service_entry.id"], name=op.f("fk_action_service_id_service_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_service_id"), ["service_id"], unique=False)
        batch_op.create_index("ix_action_status_due", ["status", "due_on"], unique=False)

    op.create_table(
        "consent",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("signature_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_consent_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"], ["signature.id"], name=op.f("fk_consent_signature_id_signature")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_client_id"), ["client_id"], unique=False)

    op.create_table(
        "goal_review",
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("goal_id", sa.String(length=36), nullable=False),
        sa.Column("achievement_status", sa.String(length=40), nullable=False),
        sa.Column("progress_note", sa.Text(), nullable=False),
        sa.Column("client_scaling_score", sa.Integer(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_goal_review_goal_id_goal")),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_goal_review_review_id_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_review")),
    )
    with op.batch_alter_table("goal_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_review_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_review_review_id"), ["review_id"], unique=False)

    op.create_table(
        "goal_target",
        sa.Column("goal_id", sa.String(length=36), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("baseline", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_goal_target_goal_id_goal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_target")),
    )
    with op.batch_alter_table("goal_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_target_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "note_goal",
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("goal_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_note_goal_goal_id_goal")),
        sa.ForeignKeyConstraint(
            ["note_id"], ["case_note.id"], name=op.f("fk_note_goal_note_id_case_note")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_goal")),
    )
    with op.batch_alter_table("note_goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_goal_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_goal_note_id"), ["note_id"], unique=False)

    op.create_table(
        "referral_out",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("goal_id", sa.String(length=36), nullable=True),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("agency_name", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("drafted_on", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("attended_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_referral_out_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name=op.f("fk_referral_out_goal_id_goal")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service_entry.id"],
            name=op.f("fk_referral_out_service_id_service_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_out")),
    )
    with op.batch_alter_table("referral_out", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_out_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_out_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referral_out_service_id"), ["service_id"], unique=False
        )

    for statement in SEARCH_AND_GUARDS:
        op.execute(statement)


SEARCH_AND_GUARDS = [
    # -- note text search: external content on case_note's rowid --------------------------
    """CREATE VIRTUAL TABLE note_fts USING fts5(
        body, content='case_note', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER case_note_fts_insert AFTER INSERT ON case_note
       WHEN new.deleted_at IS NULL BEGIN
         INSERT INTO note_fts(rowid, body) VALUES (new.rowid, new.body);
       END""",
    """CREATE TRIGGER case_note_fts_update AFTER UPDATE OF body, deleted_at ON case_note BEGIN
         INSERT INTO note_fts(note_fts, rowid, body)
           SELECT 'delete', old.rowid, old.body WHERE old.deleted_at IS NULL;
         INSERT INTO note_fts(rowid, body)
           SELECT new.rowid, new.body WHERE new.deleted_at IS NULL;
       END""",
    # -- client search: names and identifiers, prefix-indexed for search-as-you-type --------
    """CREATE VIRTUAL TABLE client_fts USING fts5(
        names, identifiers, tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')""",
    """CREATE TRIGGER client_fts_insert AFTER INSERT ON client
       WHEN new.deleted_at IS NULL BEGIN
         INSERT INTO client_fts(rowid, names, identifiers) VALUES (
           new.rowid,
           new.given_name || ' ' || new.family_name || ' ' || new.preferred_name,
           '');
       END""",
    """CREATE TRIGGER client_fts_update
       AFTER UPDATE OF given_name, family_name, preferred_name, deleted_at ON client BEGIN
         DELETE FROM client_fts WHERE rowid = old.rowid;
         INSERT INTO client_fts(rowid, names, identifiers)
           SELECT new.rowid,
                  new.given_name || ' ' || new.family_name || ' ' || new.preferred_name,
                  coalesce((SELECT group_concat(value, ' ') FROM client_identifier
                            WHERE client_id = new.id AND deleted_at IS NULL), '')
           WHERE new.deleted_at IS NULL;
       END""",
    """CREATE TRIGGER client_identifier_fts_insert AFTER INSERT ON client_identifier BEGIN
         UPDATE client_fts SET identifiers = coalesce((
             SELECT group_concat(value, ' ') FROM client_identifier
             WHERE client_id = new.client_id AND deleted_at IS NULL), '')
         WHERE rowid = (SELECT rowid FROM client WHERE id = new.client_id);
       END""",
    """CREATE TRIGGER client_identifier_fts_update AFTER UPDATE ON client_identifier BEGIN
         UPDATE client_fts SET identifiers = coalesce((
             SELECT group_concat(value, ' ') FROM client_identifier
             WHERE client_id = new.client_id AND deleted_at IS NULL), '')
         WHERE rowid = (SELECT rowid FROM client WHERE id = new.client_id);
       END""",
    # -- evidentiary records: never changed, never deleted ----------------------------------
    *[
        f"""CREATE TRIGGER {table}_append_only_{verb} BEFORE {verb.upper()} ON {table} BEGIN
              SELECT RAISE(ABORT, '{table} rows are permanent and cannot be changed');
            END"""
        for table in ("audit_event", "plan_version", "signature", "signed_document")
        for verb in ("update", "delete")
    ],
    """CREATE TRIGGER case_note_no_delete BEFORE DELETE ON case_note BEGIN
         SELECT RAISE(ABORT, 'case notes are never deleted');
       END""",
    """CREATE TRIGGER case_note_locked BEFORE UPDATE ON case_note
       WHEN old.locked_at IS NOT NULL AND (
         new.body IS NOT old.body OR new.occurred_at IS NOT old.occurred_at
         OR new.contact_type IS NOT old.contact_type
         OR new.duration_minutes IS NOT old.duration_minutes
         OR new.location IS NOT old.location OR new.client_id IS NOT old.client_id
         OR new.locked_at IS NOT old.locked_at OR new.deleted_at IS NOT old.deleted_at)
       BEGIN
         SELECT RAISE(ABORT, 'locked notes cannot be changed; add an amendment');
       END""",
]


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS note_fts")
    op.execute("DROP TABLE IF EXISTS client_fts")
    with op.batch_alter_table("referral_out", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_out_service_id"))
        batch_op.drop_index(batch_op.f("ix_referral_out_goal_id"))
        batch_op.drop_index(batch_op.f("ix_referral_out_client_id"))

    op.drop_table("referral_out")
    with op.batch_alter_table("note_goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_goal_note_id"))
        batch_op.drop_index(batch_op.f("ix_note_goal_goal_id"))

    op.drop_table("note_goal")
    with op.batch_alter_table("goal_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_target_goal_id"))

    op.drop_table("goal_target")
    with op.batch_alter_table("goal_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_review_review_id"))
        batch_op.drop_index(batch_op.f("ix_goal_review_goal_id"))

    op.drop_table("goal_review")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_client_id"))

    op.drop_table("consent")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_status_due")
        batch_op.drop_index(batch_op.f("ix_action_service_id"))
        batch_op.drop_index(batch_op.f("ix_action_goal_id"))

    op.drop_table("action")
    with op.batch_alter_table("signed_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signed_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_signed_document_plan_version_id"))
        batch_op.drop_index(batch_op.f("ix_signed_document_client_id"))

    op.drop_table("signed_document")
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_plan_version_id"))

    op.drop_table("signature")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_plan_id"))
        batch_op.drop_index(batch_op.f("ix_goal_need_id"))
        batch_op.drop_index(batch_op.f("ix_goal_client_id"))

    op.drop_table("goal")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_plan_id"))

    op.drop_table("review")
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_version_plan_no")
        batch_op.drop_index(batch_op.f("ix_plan_version_plan_id"))

    op.drop_table("plan_version")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_episode_id"))
        batch_op.drop_index(batch_op.f("ix_need_client_id"))

    op.drop_table("need")
    with op.batch_alter_table("assessment_reading", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_reading_assessment_id"))

    op.drop_table("assessment_reading")
    with op.batch_alter_table("intake", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_episode_id"))
        batch_op.drop_index(batch_op.f("ix_intake_client_id"))

    op.drop_table("intake")
    with op.batch_alter_table("case_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_plan_episode_id"))
        batch_op.drop_index(batch_op.f("ix_case_plan_client_id"))

    op.drop_table("case_plan")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index("ix_case_note_client_when")

    op.drop_table("case_note")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_episode_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_domain_set_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_client_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("support_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_person_client_id"))

    op.drop_table("support_person")
    with op.batch_alter_table("risk_screen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_screen_client_id"))
        batch_op.drop_index("ix_risk_screen_client_date")

    op.drop_table("risk_screen")
    with op.batch_alter_table("professional", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_client_id"))

    op.drop_table("professional")
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episode_client_id"))

    op.drop_table("episode")
    with op.batch_alter_table("client_identifier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_identifier_client_id"))

    op.drop_table("client_identifier")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_attachment_client_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_outbox_state_seq")

    op.drop_table("sync_outbox")
    op.drop_table("signing_identity")
    with op.batch_alter_table("service_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_service_entry_name")

    op.drop_table("service_entry")
    op.drop_table("preference")
    op.drop_table("local_meta")
    with op.batch_alter_table("domain_set", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_set_key_version")

    op.drop_table("domain_set")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index("ix_client_status")
        batch_op.drop_index("ix_client_family_given")

    op.drop_table("client")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_client_when")

    op.drop_table("audit_event")

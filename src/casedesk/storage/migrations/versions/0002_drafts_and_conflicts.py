"""Autosaved drafts and the sync conflict queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Drafts (local-only) keep typing safe across a crash or lock; sync conflicts (synced, so every
device shows the same queue) hold same-field edits from two devices for a person to review.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_draft")),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("local_value", sa.JSON(), nullable=True),
        sa.Column("remote_value", sa.JSON(), nullable=True),
        sa.Column("local_hlc", sa.String(length=64), nullable=False),
        sa.Column("remote_hlc", sa.String(length=64), nullable=False),
        sa.Column("winner", sa.String(length=10), nullable=False),
        sa.Column("review_required", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.JSON(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index("ix_sync_conflict_state", ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("sync_conflict")
    op.drop_table("draft")

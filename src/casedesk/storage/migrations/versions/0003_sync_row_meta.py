"""Per-row sync metadata

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Local-only: the hub version each row was last synced at (the base of the next push) and the
per-field HLCs of that version (the base of a per-field merge).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_row_meta",
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("hub_version", sa.Integer(), nullable=False),
        sa.Column("field_hlc", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_id", name=op.f("pk_sync_row_meta")),
    )


def downgrade() -> None:
    op.drop_table("sync_row_meta")

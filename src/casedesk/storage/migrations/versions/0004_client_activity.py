"""Each client's latest contact, kept by triggers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

A small local table (derived, never synced) that triggers on case_note keep current, so "last
contact" for a whole caseload is one table read instead of one index seek per client.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Datetimes are stored as ISO text, so max() on the text is the latest time.
ACTIVITY_SQL = [
    """CREATE TRIGGER case_note_activity_insert AFTER INSERT ON case_note
       WHEN new.deleted_at IS NULL BEGIN
         INSERT INTO client_activity(client_id, last_contact_at)
           VALUES (new.client_id, new.occurred_at)
           ON CONFLICT(client_id) DO UPDATE SET last_contact_at =
             max(coalesce(last_contact_at, ''), excluded.last_contact_at);
       END""",
    """CREATE TRIGGER case_note_activity_update
       AFTER UPDATE OF occurred_at, deleted_at, client_id ON case_note BEGIN
         INSERT OR REPLACE INTO client_activity(client_id, last_contact_at)
           SELECT old.client_id, (SELECT max(n.occurred_at) FROM case_note n
                                  WHERE n.client_id = old.client_id AND n.deleted_at IS NULL);
         INSERT OR REPLACE INTO client_activity(client_id, last_contact_at)
           SELECT new.client_id, (SELECT max(n.occurred_at) FROM case_note n
                                  WHERE n.client_id = new.client_id AND n.deleted_at IS NULL);
       END""",
]

BACKFILL_SQL = """
INSERT OR REPLACE INTO client_activity(client_id, last_contact_at)
SELECT client_id, max(occurred_at) FROM case_note WHERE deleted_at IS NULL GROUP BY client_id
"""


def upgrade() -> None:
    op.create_table(
        "client_activity",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("last_contact_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_activity")),
    )
    op.execute(BACKFILL_SQL)
    for statement in ACTIVITY_SQL:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS case_note_activity_update")
    op.execute("DROP TRIGGER IF EXISTS case_note_activity_insert")
    op.drop_table("client_activity")

"""Notes entered in error, the automatic-lock sweep, and the device on audit events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24

* case_note gains ``status`` (current | entered_in_error), ``error_reason`` and
  ``entered_in_error_at``. A note entered in error stays in the vault (notes are never
  deleted) but leaves note search and no longer counts as a contact (client_activity), so its
  triggers are redefined with that filter.
* The locked-note guard allows marking a locked note entered in error (no content changes) and
  re-stamping the lock time (two devices locking the same note), never unlocking; a note
  entered in error can't be made current again.
* A partial index on unlocked notes keeps the automatic-lock sweep an index read.
* audit_event gains ``device_name`` (the worker's name goes in the existing ``actor``).

Plain ALTER TABLE throughout: batch mode would copy case_note, which its triggers name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NOTE_COLUMNS = (
    sa.Column("status", sa.String(length=40), nullable=False, server_default="current"),
    sa.Column("error_reason", sa.Text(), nullable=False, server_default=""),
    sa.Column("entered_in_error_at", sa.DateTime(), nullable=True),
)


def note_triggers(*, with_status: bool) -> dict[str, str]:
    """The case_note triggers this migration replaces: with the status rules (upgrade) or as
    0001, 0004 and 0005 left them (downgrade)."""
    # A note counts (search, last contact) when it is live and, from here on, not in error.
    standing = " AND {row}.status IS NOT 'entered_in_error'" if with_status else ""
    new_ok, old_ok = standing.format(row="new"), standing.format(row="old")
    last_contact = (
        "INSERT INTO client_activity(client_id, last_contact_at) VALUES ({cid}, "
        "(SELECT max(occurred_at) FROM case_note WHERE client_id = {cid} "
        "AND deleted_at IS NULL" + standing.format(row="case_note") + ")) "
        "ON CONFLICT(client_id) DO UPDATE SET last_contact_at = excluded.last_contact_at;"
    )
    # Locked: the lock time may be re-stamped (two devices), never removed (upgrade); before,
    # it could not change at all.
    lock_rule = "new.locked_at IS NULL" if with_status else "new.locked_at IS NOT old.locked_at"
    status_columns = ", status" if with_status else ""
    triggers = {
        "case_note_locked": f"""CREATE TRIGGER case_note_locked BEFORE UPDATE ON case_note
           WHEN old.locked_at IS NOT NULL AND (
             new.body IS NOT old.body OR new.occurred_at IS NOT old.occurred_at
             OR new.contact_type IS NOT old.contact_type
             OR new.duration_minutes IS NOT old.duration_minutes
             OR new.location IS NOT old.location OR new.client_id IS NOT old.client_id
             OR {lock_rule} OR new.deleted_at IS NOT old.deleted_at)
           BEGIN
             SELECT RAISE(ABORT, 'locked notes cannot be changed; add an amendment');
           END""",
        "case_note_fts_insert": f"""CREATE TRIGGER case_note_fts_insert AFTER INSERT ON case_note
           WHEN new.deleted_at IS NULL{new_ok} BEGIN
             INSERT INTO note_fts(rowid, body) VALUES (new.rowid, new.body);
           END""",
        "case_note_fts_update": f"""CREATE TRIGGER case_note_fts_update
           AFTER UPDATE OF body, deleted_at{status_columns} ON case_note BEGIN
             INSERT INTO note_fts(note_fts, rowid, body)
               SELECT 'delete', old.rowid, old.body WHERE old.deleted_at IS NULL{old_ok};
             INSERT INTO note_fts(rowid, body)
               SELECT new.rowid, new.body WHERE new.deleted_at IS NULL{new_ok};
           END""",
        "case_note_activity_insert": f"""CREATE TRIGGER case_note_activity_insert
           AFTER INSERT ON case_note WHEN new.deleted_at IS NULL{new_ok} BEGIN
             INSERT INTO client_activity(client_id, last_contact_at)
               VALUES (new.client_id, new.occurred_at)
               ON CONFLICT(client_id) DO UPDATE SET last_contact_at =
                 max(coalesce(last_contact_at, ''), excluded.last_contact_at);
           END""",
        "case_note_activity_update": "CREATE TRIGGER case_note_activity_update AFTER UPDATE OF "
        f"client_id, occurred_at, deleted_at{status_columns} ON case_note BEGIN "
        + last_contact.format(cid="old.client_id")
        + " "
        + last_contact.format(cid="new.client_id")
        + " END",
        "case_note_activity_delete": "CREATE TRIGGER case_note_activity_delete AFTER DELETE ON "
        "case_note BEGIN " + last_contact.format(cid="old.client_id") + " END",
    }
    if with_status:
        triggers["case_note_error_final"] = """CREATE TRIGGER case_note_error_final
           BEFORE UPDATE OF status ON case_note
           WHEN old.status = 'entered_in_error' AND new.status IS NOT 'entered_in_error'
           BEGIN
             SELECT RAISE(ABORT, 'a note entered in error stays entered in error');
           END"""
    return triggers


UNLOCKED_INDEX = (
    "CREATE INDEX ix_case_note_unlocked ON case_note (created_at) "
    "WHERE locked_at IS NULL AND deleted_at IS NULL"
)


def upgrade() -> None:
    for column in NOTE_COLUMNS:
        op.add_column("case_note", column)
    op.add_column(
        "audit_event", sa.Column("device_name", sa.Text(), nullable=False, server_default="")
    )
    op.execute(UNLOCKED_INDEX)
    for name, statement in note_triggers(with_status=True).items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(statement)


def downgrade() -> None:
    for name in note_triggers(with_status=True):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in note_triggers(with_status=False).values():
        op.execute(statement)
    op.execute("DROP INDEX ix_case_note_unlocked")
    op.execute("ALTER TABLE audit_event DROP COLUMN device_name")
    for column in reversed(NOTE_COLUMNS):
        op.execute(f"ALTER TABLE case_note DROP COLUMN {column.name}")

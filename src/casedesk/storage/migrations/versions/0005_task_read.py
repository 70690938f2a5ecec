"""Caseload-wide Tasks read: covering indexes and per-client facts kept by triggers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

The Tasks screen reads every open action and referral, the consents that need attention and,
per client, the latest risk screen and episode. On an encrypted database every page touched
is decrypted and every row fetched costs Python time, so:

* partial covering indexes carry every column those reads need (the read never leaves the
  index);
* client_activity (local, derived, never synced), which already held each client's last
  contact, also holds the latest live risk screen's level and review date, the latest live
  episode's start and pending post-exit follow-up, and whether a consent to collect and store
  information is on file. Triggers on risk_screen, episode and consent keep them current, so
  they come with the one client read instead of three more queries.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {
    # Replaces ix_risk_screen_client_date (a prefix of it).
    "ix_risk_screen_latest": (
        "risk_screen (client_id, screened_on, created_at, overall_level, review_on)",
        "deleted_at IS NULL",
    ),
    "ix_goal_owner": ("goal (id, client_id, plan_id)", "deleted_at IS NULL"),
    "ix_action_open_due": (
        "action (due_on, goal_id, id, status, description)",
        "deleted_at IS NULL AND status NOT IN ('done', 'cancelled')",
    ),
    "ix_referral_follow_up": (
        "referral_out (follow_up_on, client_id, id, status, agency_name, service_id)",
        "deleted_at IS NULL AND status != 'closed'",
    ),
    "ix_episode_latest": (
        "episode (client_id, opened_on, created_at, closed_on, follow_up_on, followed_up_at)",
        "deleted_at IS NULL",
    ),
    "ix_consent_facts": (
        "consent (client_id, id, scope, agencies, given_on, expires_on, withdrawn_on)",
        "deleted_at IS NULL",
    ),
}

NEW_COLUMNS: tuple[sa.Column[Any], ...] = (
    sa.Column("risk_level", sa.String(length=40), nullable=True),
    sa.Column("risk_review_on", sa.Date(), nullable=True),
    sa.Column("support_started_on", sa.Date(), nullable=True),
    sa.Column("exit_follow_up_on", sa.Date(), nullable=True),
    sa.Column("store_consent_on_file", sa.Boolean(), nullable=False, server_default=sa.false()),
)

# Per source table: the columns whose change can move the facts, and the statement that
# recomputes one client's facts from that table ({cid} is new.client_id or old.client_id).
_LATEST_RISK = """(SELECT {column} FROM risk_screen WHERE client_id = {cid} AND deleted_at IS NULL
                   ORDER BY screened_on DESC, created_at DESC LIMIT 1)"""
_LATEST_EPISODE = """(SELECT {column} FROM episode WHERE client_id = {cid} AND deleted_at IS NULL
                      ORDER BY opened_on DESC, created_at DESC LIMIT 1)"""
_PENDING_FOLLOW_UP = (
    "CASE WHEN closed_on IS NOT NULL AND followed_up_at IS NULL THEN follow_up_on END"
)
REFRESH = {
    "risk_screen": (
        "client_id, screened_on, created_at, overall_level, review_on, deleted_at",
        "INSERT INTO client_activity(client_id, risk_level, risk_review_on) VALUES ({cid}, "
        + _LATEST_RISK.replace("{column}", "overall_level")
        + ", "
        + _LATEST_RISK.replace("{column}", "review_on")
        + ") ON CONFLICT(client_id) DO UPDATE SET risk_level = excluded.risk_level, "
        "risk_review_on = excluded.risk_review_on;",
    ),
    "episode": (
        "client_id, opened_on, created_at, closed_on, follow_up_on, followed_up_at, deleted_at",
        "INSERT INTO client_activity(client_id, support_started_on, exit_follow_up_on) "
        "VALUES ({cid}, "
        + _LATEST_EPISODE.replace("{column}", "opened_on")
        + ", "
        + _LATEST_EPISODE.replace("{column}", _PENDING_FOLLOW_UP)
        + ") ON CONFLICT(client_id) DO UPDATE SET "
        "support_started_on = excluded.support_started_on, "
        "exit_follow_up_on = excluded.exit_follow_up_on;",
    ),
    "consent": (
        "client_id, scope, deleted_at",
        "INSERT INTO client_activity(client_id, store_consent_on_file) VALUES ({cid}, "
        "EXISTS (SELECT 1 FROM consent WHERE client_id = {cid} AND deleted_at IS NULL "
        "AND scope = 'collect_store')) ON CONFLICT(client_id) DO UPDATE SET "
        "store_consent_on_file = excluded.store_consent_on_file;",
    ),
    "case_note": (
        "client_id, occurred_at, deleted_at",
        "INSERT INTO client_activity(client_id, last_contact_at) VALUES ({cid}, "
        "(SELECT max(occurred_at) FROM case_note WHERE client_id = {cid} "
        "AND deleted_at IS NULL)) ON CONFLICT(client_id) DO UPDATE SET "
        "last_contact_at = excluded.last_contact_at;",
    ),
}

# 0004's note triggers replaced whole rows (INSERT OR REPLACE), which would now wipe the other
# facts; the insert trigger stays (it upserts), the update trigger is redefined below.
OLD_NOTE_UPDATE = """CREATE TRIGGER case_note_activity_update
       AFTER UPDATE OF occurred_at, deleted_at, client_id ON case_note BEGIN
         INSERT OR REPLACE INTO client_activity(client_id, last_contact_at)
           SELECT old.client_id, (SELECT max(n.occurred_at) FROM case_note n
                                  WHERE n.client_id = old.client_id AND n.deleted_at IS NULL);
         INSERT OR REPLACE INTO client_activity(client_id, last_contact_at)
           SELECT new.client_id, (SELECT max(n.occurred_at) FROM case_note n
                                  WHERE n.client_id = new.client_id AND n.deleted_at IS NULL);
       END"""


def triggers() -> list[str]:
    """CREATE TRIGGER statements keeping client_activity current."""
    statements = []
    for table, (columns, refresh) in REFRESH.items():
        new, old = refresh.format(cid="new.client_id"), refresh.format(cid="old.client_id")
        if table != "case_note":  # 0004 already upserts on note insert
            statements.append(
                f"CREATE TRIGGER {table}_activity_insert AFTER INSERT ON {table} BEGIN {new} END"
            )
        statements.append(
            f"CREATE TRIGGER {table}_activity_update AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {old} {new} END"
        )
        statements.append(
            f"CREATE TRIGGER {table}_activity_delete AFTER DELETE ON {table} BEGIN {old} END"
        )
    return statements


BACKFILL = [
    "INSERT INTO client_activity(client_id) SELECT id FROM client WHERE true "
    "ON CONFLICT(client_id) DO NOTHING",
    "UPDATE client_activity SET "
    "risk_level = "
    + _LATEST_RISK.format(column="overall_level", cid="client_activity.client_id")
    + ", risk_review_on = "
    + _LATEST_RISK.format(column="review_on", cid="client_activity.client_id")
    + ", support_started_on = "
    + _LATEST_EPISODE.format(column="opened_on", cid="client_activity.client_id")
    + ", exit_follow_up_on = "
    + _LATEST_EPISODE.format(column=_PENDING_FOLLOW_UP, cid="client_activity.client_id")
    + ", store_consent_on_file = EXISTS (SELECT 1 FROM consent "
    "WHERE client_id = client_activity.client_id AND deleted_at IS NULL "
    "AND scope = 'collect_store')",
]


def upgrade() -> None:
    for name, (target, where) in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target} WHERE {where}")
    op.execute("DROP INDEX ix_risk_screen_client_date")
    # Plain ALTER TABLE: batch mode would copy the table, which the note triggers name.
    for column in NEW_COLUMNS:
        op.add_column("client_activity", column)
    op.execute("DROP TRIGGER case_note_activity_update")
    for statement in triggers():
        op.execute(statement)
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    for statement in triggers():
        op.execute("DROP TRIGGER " + statement.split()[2])
    op.execute(OLD_NOTE_UPDATE)
    for column in NEW_COLUMNS:
        op.execute(f"ALTER TABLE client_activity DROP COLUMN {column.name}")
    op.execute(
        "CREATE INDEX ix_risk_screen_client_date ON risk_screen (client_id, screened_on) "
        "WHERE deleted_at IS NULL"
    )
    for name in INDEXES:
        op.execute(f"DROP INDEX {name}")

"""Natural keys of synced rows are no longer unique; rows sync refused are fetched again

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

Two devices that each stored a row under the same natural key before they first synced
(each registered the built-in domain set ``casedesk-core`` v1 under its own random id; each
agreed version 1 of the same plan while apart) could never sync: the unique index refused the
other device's row, then every assessment and reading pointing at it, on every device, for
good. Both rows are real and append-only on the hub, and finalised records may point at
either, so neither can be dropped or renamed: the indexes become plain lookup indexes and the
services pick one row per natural key (``casedesk.domain.reference``).

Rows a pull already refused are marked ``not applied`` with their hub version recorded, so
they would never be fetched again. They are reset to "never seen" and the pull cursor is
cleared, so the next sync reads the account's log from the start: rows already held are
skipped on their version, the refused ones are applied now.

Plain index statements (no batch mode): batch mode copies the table, and plan_version carries
the append-only triggers, which a copy would drop. Downgrading recreates the unique indexes,
which fails while two rows share a natural key.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_domain_set_key_version": ("domain_set", ["key", "version"]),
    "ix_plan_version_plan_no": ("plan_version", ["plan_id", "version_no"]),
}

REFUSED = "state = 'error' AND error LIKE 'not applied%'"
RETRY_REFUSED = [
    # The cursor first: it is cleared only when there is something to fetch again.
    "DELETE FROM local_meta WHERE key = 'sync.cursor' "
    f"AND EXISTS (SELECT 1 FROM sync_row_meta WHERE {REFUSED})",
    f"UPDATE sync_row_meta SET hub_version = 0, state = 'synced', error = '' WHERE {REFUSED}",
]


def _recreate_indexes(*, unique: bool) -> None:
    for name, (table, columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=unique)


def upgrade() -> None:
    _recreate_indexes(unique=False)
    for statement in RETRY_REFUSED:
        op.execute(statement)


def downgrade() -> None:
    _recreate_indexes(unique=True)

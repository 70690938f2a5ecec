"""Schema versioning: refuse newer vaults, back up, migrate, verify.

Procedure on every open (see docs/ARCHITECTURE.md "Migrations"):
1. read the vault's Alembic revision; unknown to this build means a newer casedesk wrote it:
   refuse, write nothing;
2. if behind head: take a verified encrypted backup first;
3. with foreign keys off (set outside the transaction), upgrade in one transaction, then
   ``foreign_key_check`` must be empty; afterwards ``integrity_check`` and
   ``cipher_integrity_check``;
4. rebuild the FTS indexes (a batch migration may have rebuilt tables, renumbering rowids).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic import util as alembic_util
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from casedesk.storage.engine import WRITE_UNIT
from casedesk.storage.errors import MigrationFailed, VaultDamaged, VaultTooNew

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
KNOWN_MIGRATION_ERRORS = (SQLAlchemyError, alembic_util.CommandError)


def alembic_config() -> Config:
    """An Alembic config pointing at our bundled scripts (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    # Parsing the revision files costs tens of milliseconds; they never change while running.
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest schema revision this build knows."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError("no migrations found")
    return head


def known_revisions() -> set[str]:
    """Every revision this build can upgrade from."""
    return {rev.revision for rev in _scripts().walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    """The vault's schema revision (None for an empty, brand-new database)."""
    return MigrationContext.configure(conn).get_current_revision()


def check_not_too_new(revision: str | None) -> None:
    """Refuse a vault written by a newer casedesk.

    Raises:
        VaultTooNew: the revision is unknown to this build.
    """
    if revision is not None and revision not in known_revisions():
        raise VaultTooNew(
            "This vault was written by a newer version of casedesk (schema "
            f"{revision}). Please update casedesk; the vault was not changed."
        )


def integrity_problems(conn: Connection) -> list[str]:
    """Problems found by SQLite's and SQLCipher's integrity checks (empty when sound)."""
    problems: list[str] = []
    try:
        problems += [
            f"page HMAC: {row[0]}" for row in conn.exec_driver_sql("PRAGMA cipher_integrity_check")
        ]
        integrity = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems += [f"integrity: {line}" for line in integrity]
        problems += [
            f"foreign key: {row[0]} row {row[1]} -> {row[2]}"
            for row in conn.exec_driver_sql("PRAGMA foreign_key_check")
        ]
    except DBAPIError as exc:
        # A check that cannot even run ("database disk image is malformed") is the finding.
        problems.append(f"database: {exc.orig}")
    return problems


def upgrade_to_head(engine: Engine, backup: Callable[[str], None] | None = None) -> bool:
    """Bring the schema to head. Returns True when any migration ran.

    Args:
        engine: the keyed engine of the vault.
        backup: called with the old revision before migrating an existing vault.

    Raises:
        VaultTooNew: the vault is newer than this build (nothing written).
        VaultDamaged: the upgraded vault fails an integrity check (rolled back).
        MigrationFailed: a migration step raised (rolled back; the vault is unchanged).
    """
    with engine.connect() as conn:
        revision = current_revision(conn)
        conn.rollback()
    check_not_too_new(revision)
    head = head_revision()
    if revision == head:
        return False
    if revision is not None and backup is not None:
        backup(revision)
    try:
        upgrade_to(engine, "head")
    except VaultDamaged:
        raise
    except KNOWN_MIGRATION_ERRORS as exc:
        # The upgrade ran in one transaction, so it was rolled back: say so plainly instead
        # of surfacing a raw SQL error (the caller's pre-migration backup is also on disk).
        raise MigrationFailed(
            f"Upgrading the vault from schema {revision} to {head} failed and was rolled "
            f"back; the vault was not changed. Details: {exc}"
        ) from exc
    return True


def upgrade_to(engine: Engine, revision: str) -> None:
    """Migrate to ``revision`` in one transaction, then verify (no backup: callers decide).

    ``upgrade_to_head`` uses this with ``"head"``; fixture builders use it to make a vault at
    an older schema (e.g. ``"0001"``).

    Raises:
        VaultDamaged: the migrated vault fails an integrity check.
    """
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_UNIT: True})  # BEGIN IMMEDIATE: wait for other writers
        # PRAGMA foreign_keys is a no-op inside a transaction: set it on the raw connection
        # before SQLAlchemy begins one (batch migrations copy tables that others point at).
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            _run_upgrade(conn, revision)
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
    with engine.connect() as conn:
        problems = integrity_problems(conn)
        conn.rollback()
    if problems:
        raise VaultDamaged("The upgraded vault failed its checks: " + "; ".join(problems[:5]))


def _run_upgrade(conn: Connection, revision: str = "head") -> None:
    config = alembic_config()
    with conn.begin():
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        bad_keys = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
        if bad_keys:
            raise VaultDamaged(f"Migration left {len(bad_keys)} broken links; it was rolled back.")
        rebuild_search_indexes(conn)


def rebuild_note_index(conn: Connection) -> None:
    """Rebuild note search from case_note in one pass.

    Tombstoned notes are left out, and so are notes entered in error (schema 0007 on; a vault
    built at an older revision, such as the 0001 fixture, has no status column yet).
    """
    hidden = "deleted_at IS NOT NULL"
    if _has_column(conn, "case_note", "status"):
        hidden += " OR status = 'entered_in_error'"
    conn.execute(text("INSERT INTO note_fts(note_fts) VALUES ('rebuild')"))
    conn.execute(
        text(
            "INSERT INTO note_fts(note_fts, rowid, body) "
            f"SELECT 'delete', rowid, body FROM case_note WHERE {hidden}"
        )
    )


def _has_column(conn: Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in conn.exec_driver_sql(f"PRAGMA table_info({table})"))


def rebuild_client_activity(conn: Connection) -> None:
    """Recompute every client's derived facts (client_activity) in one pass.

    The same facts the triggers of migrations 0004, 0005 and 0007 keep current row by row; used
    after a bulk load that ran with those triggers dropped.
    """
    conn.execute(
        text(
            "INSERT INTO client_activity(client_id) SELECT id FROM client WHERE true "
            "ON CONFLICT(client_id) DO NOTHING"
        )
    )
    conn.execute(text(_REBUILD_ACTIVITY_SQL))


_LATEST_RISK = """(SELECT {column} FROM risk_screen r WHERE r.client_id = a.client_id
    AND r.deleted_at IS NULL ORDER BY r.screened_on DESC, r.created_at DESC LIMIT 1)"""
_LATEST_EPISODE = """(SELECT {column} FROM episode e WHERE e.client_id = a.client_id
    AND e.deleted_at IS NULL ORDER BY e.opened_on DESC, e.created_at DESC LIMIT 1)"""
_REBUILD_ACTIVITY_SQL = f"""
UPDATE client_activity AS a SET
  last_contact_at = (SELECT max(n.occurred_at) FROM case_note n
                     WHERE n.client_id = a.client_id AND n.deleted_at IS NULL
                     AND n.status IS NOT 'entered_in_error'),
  risk_level = {_LATEST_RISK.format(column="overall_level")},
  risk_review_on = {_LATEST_RISK.format(column="review_on")},
  support_started_on = {_LATEST_EPISODE.format(column="opened_on")},
  exit_follow_up_on = {
    _LATEST_EPISODE.format(
        column="CASE WHEN closed_on IS NOT NULL AND followed_up_at IS NULL THEN follow_up_on END"
    )
},
  store_consent_on_file = EXISTS (SELECT 1 FROM consent k WHERE k.client_id = a.client_id
                                  AND k.deleted_at IS NULL AND k.scope = 'collect_store')
"""


def rebuild_search_indexes(conn: Connection) -> None:
    """Recreate the FTS indexes from their source tables (after table rebuilds or repair)."""
    rebuild_note_index(conn)
    conn.execute(text("DELETE FROM client_fts"))
    conn.execute(
        text(
            """INSERT INTO client_fts(rowid, names, identifiers)
               SELECT c.rowid,
                      c.given_name || ' ' || c.family_name || ' ' || c.preferred_name,
                      coalesce((SELECT group_concat(i.value, ' ') FROM client_identifier i
                                WHERE i.client_id = c.id AND i.deleted_at IS NULL), '')
               FROM client c WHERE c.deleted_at IS NULL"""
        )
    )

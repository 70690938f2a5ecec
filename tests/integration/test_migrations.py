"""Schema upgrades on real vaults: the committed v1 fixture, a failing migration, a newer vault."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

from casedesk.services.clients import ClientService
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage.errors import MigrationFailed, VaultTooNew
from casedesk.storage.keys import KeyFile, derive_subkey
from casedesk.storage.migrate import head_revision
from casedesk.storage.vault import BACKUP_PURPOSE, Vault
from vaultkit import (
    FIXTURE_V1_DIR,
    load_fixture_builder,
    private_env,
    raw_db,
    run_cli,
    table_columns,
    table_rows_digest,
    tree_digest,
    user_tables,
)

fixture = load_fixture_builder()
PASSPHRASE = fixture.FIXTURE_PASSPHRASE


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    """A private copy of the committed v1 fixture (opening migrates, so never the original)."""
    target = tmp_path / "v1-vault"
    shutil.copytree(FIXTURE_V1_DIR, target, ignore=shutil.ignore_patterns("README.md"))
    return target


def _key(vault_dir: Path) -> bytearray:
    return KeyFile.load(vault_dir / "vault.key").unwrap_with_passphrase(PASSPHRASE)


def _snapshot(
    vault_dir: Path, columns: dict[str, list[str]] | None = None
) -> tuple[str, dict[str, tuple[int, str]]]:
    """Revision and per-table row digests (``columns``: only these tables and columns)."""
    with raw_db(vault_dir / "casedesk.db", _key(vault_dir)) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = list(columns) if columns else user_tables(conn)
        return revision, table_rows_digest(conn, tables, columns)


def _columns(vault_dir: Path) -> dict[str, list[str]]:
    with raw_db(vault_dir / "casedesk.db", _key(vault_dir)) as conn:
        return table_columns(conn, user_tables(conn))


def test_committed_fixture_is_schema_v1_and_self_contained() -> None:
    names = {p.name for p in FIXTURE_V1_DIR.iterdir()}
    assert names == {"casedesk.db", "vault.key", "README.md"}  # no -wal/-shm: checkpointed
    assert PASSPHRASE in (FIXTURE_V1_DIR / "README.md").read_text(encoding="utf-8")


def test_v1_fixture_upgrades_to_head_with_everything_preserved(v1_copy: Path) -> None:
    revision, before = _snapshot(v1_copy)
    old_columns = _columns(v1_copy)
    assert revision == fixture.FIXTURE_REVISION
    assert before["client"][0] == 4 and before["case_note"][0] > 50  # a real caseload
    assert before["goal"][0] > 0 and before["sync_outbox"][0] > 0

    service = VaultService(v1_copy)
    service.unlock(PASSPHRASE)
    try:
        health = service.check()  # integrity_check, cipher_integrity_check, foreign_key_check
        assert health.schema_revision == head_revision()
        assert health.sound, health.problems
        clients, notes = ClientService(service.db), NoteService(service.db)
        given, family = fixture.FIXTURE_CLIENT
        found = clients.search_clients(given[:4])
        assert [c.family_name for c in found] == [family]
        assert [c.given_name for c in clients.search_clients("FX-0001")] == [given]
        assert clients.search_clients("Deleted") == []  # tombstones stay out of search
        hits = notes.search_notes(fixture.FIXTURE_NOTE_WORD)
        assert len(hits) == 1 and hits[0].client_name == f"Goldie {family}"
        assert notes.search_notes("blister packs") or notes.search_notes("rent arrears")
    finally:
        service.lock()

    revision, after = _snapshot(v1_copy, old_columns)  # columns added later don't count
    assert revision == head_revision()
    for table, (count, digest) in before.items():  # row counts and row contents per table
        assert after[table] == (count, digest), table
    assert {"draft", "sync_conflict"} <= set(_columns(v1_copy)) - set(before)


def test_pre_migration_backup_exists_and_verifies(v1_copy: Path, tmp_path: Path) -> None:
    _, before = _snapshot(v1_copy)
    vault = Vault.open(v1_copy)
    vault.unlock(PASSPHRASE)
    vault.lock()
    backups = sorted((v1_copy / "backups").glob("pre-migration-0001-*.cdbak"))
    assert len(backups) == 1
    assert backups[0].stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(backups[0]) as archive:
        archive.extract("casedesk.db", tmp_path / "unzipped")
    copy = tmp_path / "unzipped" / "casedesk.db"
    backup_key = derive_subkey(_key(v1_copy), BACKUP_PURPOSE)
    with raw_db(copy, backup_key) as conn:
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        assert table_rows_digest(conn, user_tables(conn)) == before
    # The database key alone does not open it.
    with raw_db(copy, _key(v1_copy)) as conn, pytest.raises(Exception, match="not a database"):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()

    restored = VaultService(tmp_path / "restored")
    restored.restore(backups[0], recovery_key=fixture.FIXTURE_RECOVERY_KEY)
    restored.unlock(PASSPHRASE)  # migrates the restored 0001 copy again
    try:
        assert restored.check().sound
        assert ClientService(restored.db).count() == 3
    finally:
        restored.lock()


def test_recovery_key_opens_the_fixture(v1_copy: Path) -> None:
    vault = Vault.open(v1_copy)
    vault.unlock_with_recovery_key(fixture.FIXTURE_RECOVERY_KEY.lower())
    assert vault.schema_revision() == head_revision()
    vault.lock()


def test_migration_failing_midway_is_rolled_back(v1_copy: Path, tmp_path: Path) -> None:
    # Revision 0002 creates "draft" and then "sync_conflict". A stray "sync_conflict" table
    # makes the second step raise inside the revision, after the first step succeeded.
    with raw_db(v1_copy / "casedesk.db", _key(v1_copy)) as conn:
        conn.execute("CREATE TABLE sync_conflict (stray TEXT)")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = tree_digest(v1_copy)

    with pytest.raises(MigrationFailed, match="rolled back") as caught:
        Vault.open(v1_copy).unlock(PASSPHRASE)
    assert "0001" in str(caught.value)

    after = tree_digest(v1_copy)
    new_files = set(after) - set(before)
    assert all("/backups/pre-migration-0001-" in name for name in new_files), new_files
    assert {k: v for k, v in after.items() if k in before} == before  # byte-identical
    revision, tables = _snapshot(v1_copy)
    assert revision == "0001" and "draft" not in tables  # the first step was undone too

    env = private_env(tmp_path / "env", CASEDESK_PASSPHRASE=PASSPHRASE)
    result = run_cli(["--vault", str(v1_copy), "check"], env)
    assert result.returncode == 4, result.stderr
    assert "rolled back" in result.stderr and "Traceback" not in result.stderr
    assert {k: v for k, v in tree_digest(v1_copy).items() if k in before} == before


def test_vault_from_a_newer_casedesk_is_refused_untouched(v1_copy: Path, tmp_path: Path) -> None:
    with raw_db(v1_copy / "casedesk.db", _key(v1_copy)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = tree_digest(v1_copy)
    with pytest.raises(VaultTooNew, match="newer version"):
        Vault.open(v1_copy).unlock(PASSPHRASE)
    assert tree_digest(v1_copy) == before

    env = private_env(tmp_path / "env", CASEDESK_PASSPHRASE=PASSPHRASE)
    for command in (["check"], ["stats"], ["client", "list"]):
        result = run_cli(["--vault", str(v1_copy), *command], env)
        assert result.returncode == 4
        assert "newer version" in result.stderr
    assert tree_digest(v1_copy) == before  # no backup, no -wal, nothing


def test_builder_makes_v1_vaults(tmp_path: Path) -> None:
    fixture.build_v1_vault(tmp_path / "fresh", demo_clients=0)
    revision, tables = _snapshot(tmp_path / "fresh")
    assert revision == "0001" and tables["client"][0] == 3
    assert {p.name for p in (tmp_path / "fresh").iterdir()} == {"casedesk.db", "vault.key"}


def _as_revision_0005(vault: VaultService, cursor: str) -> None:
    """Migrate a fresh vault down to 0005 (unique natural keys), with refused rows and a cursor."""
    fixture.migrate_down(vault.db, "0005")
    with vault.db.read() as session:
        for name, table, _columns in NATURAL_KEY_INDEXES:
            listed = session.execute(text(f"PRAGMA index_list({table})")).all()
            assert [row[2] for row in listed if row[1] == name] == [1], name  # unique at 0005
    statements = [
        "INSERT INTO sync_row_meta (table_name, row_id, hub_version, field_hlc, state, error) "
        "VALUES ('domain_set', 'refused', 3, '{}', 'error', 'not applied: IntegrityError'), "
        "('client', 'tampered', 2, '{}', 'error', 'integrity: EnvelopeIntegrityError'), "
        "('client', 'fine', 4, '{}', 'synced', '')",
        f"INSERT INTO local_meta (key, value) VALUES ('sync.cursor', '{cursor}')",
    ]
    with vault.db.session() as session:
        for statement in statements:
            session.execute(text(statement))


NATURAL_KEY_INDEXES = (
    ("ix_domain_set_key_version", "domain_set", "key, version"),
    ("ix_plan_version_plan_no", "plan_version", "plan_id, version_no"),
)


def test_0006_lets_rows_share_a_natural_key_and_fetches_refused_rows_again(
    tmp_path: Path,
) -> None:
    vault = VaultService(tmp_path / "vault")
    vault.create(PASSPHRASE)
    _as_revision_0005(vault, cursor="opaque-cursor")
    vault.lock()
    vault.unlock(PASSPHRASE)  # migrates 0005 -> head
    try:
        with vault.db.read() as session:
            for name, table, _columns in NATURAL_KEY_INDEXES:
                listed = session.execute(text(f"PRAGMA index_list({table})")).all()
                assert [row[2] for row in listed if row[1] == name] == [0], name  # not unique
            metas = session.execute(
                text("SELECT row_id, hub_version, state, error FROM sync_row_meta")
            ).all()
            assert sorted(metas) == [
                ("fine", 4, "synced", ""),
                ("refused", 0, "synced", ""),  # fetched again on the next pull
                ("tampered", 2, "error", "integrity: EnvelopeIntegrityError"),  # still flagged
            ]
            cursor = session.execute(text("SELECT value FROM local_meta WHERE key = 'sync.cursor'"))
            assert cursor.all() == []  # the next pull reads the log from the start
    finally:
        vault.lock()


def test_0006_keeps_the_cursor_when_nothing_was_refused(tmp_path: Path) -> None:
    vault = VaultService(tmp_path / "vault")
    vault.create(PASSPHRASE)
    _as_revision_0005(vault, cursor="opaque-cursor")
    with vault.db.session() as session:
        session.execute(text("DELETE FROM sync_row_meta WHERE row_id = 'refused'"))
    vault.lock()
    vault.unlock(PASSPHRASE)
    try:
        with vault.db.read() as session:
            cursor = session.execute(text("SELECT value FROM local_meta WHERE key = 'sync.cursor'"))
            assert cursor.all() == [("opaque-cursor",)]
    finally:
        vault.lock()

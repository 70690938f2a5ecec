"""Demo caseload: deterministic per seed and anchor, a truthful vault (outbox, FTS, integrity)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text

from casedesk.services.clients import ClientService
from casedesk.services.demo import generate_demo_data
from casedesk.services.notes import NoteService
from casedesk.services.stats import table_counts
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import SYNCED_TABLES

ANCHOR = date(2026, 6, 30)
INSERT_OPS = text("SELECT count(*) FROM sync_outbox WHERE table_name = :t AND kind = 'insert'")
LOCKED_AFTER = text(
    "SELECT count(*) FROM case_note WHERE locked_at IS NOT NULL AND occurred_at > :d"
)
INSERT_OPS = text("SELECT count(*) FROM sync_outbox WHERE table_name = :t AND kind = 'insert'")
LOCKED_AFTER = text(
    "SELECT count(*) FROM case_note WHERE locked_at IS NOT NULL AND occurred_at > :d"
)


def _demo_vault(path: Path, seed: int, clients: int = 4) -> VaultService:
    vault = VaultService(path, kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    generate_demo_data(vault.db, clients, seed=seed, anchor=ANCHOR)
    return vault


def _snapshot(vault: VaultService) -> list[tuple[str, str, str]]:
    return [(c.id, c.given_name, c.family_name) for c in ClientService(vault.db).list_clients()]


def test_same_seed_same_caseload_and_a_sound_vault(tmp_path: Path) -> None:
    first = _demo_vault(tmp_path / "a", seed=11)
    second = _demo_vault(tmp_path / "b", seed=11)
    other = _demo_vault(tmp_path / "c", seed=12)
    try:
        assert _snapshot(first) == _snapshot(second)
        assert _snapshot(first) != _snapshot(other)
        counts = table_counts(first.db)
        assert counts == table_counts(second.db)
        assert counts["client"] == 4 and counts["case_note"] > 40
        for table in ("goal", "action", "assessment", "case_plan", "consent", "episode"):
            assert counts[table] > 0, table
        assert first.check().sound

        with first.db.engine.connect() as conn:  # every synced row has its insert op
            for table in SYNCED_TABLES:
                rows = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
                ops = conn.execute(INSERT_OPS, {"t": table}).scalar()
                assert rows == ops, table
            too_new = conn.execute(LOCKED_AFTER, {"d": str(ANCHOR)}).scalar()
            assert too_new == 0  # only notes older than the anchor are locked

        word = NoteService(first.db).list_notes(_snapshot(first)[0][0])[0].body.split()[0]
        assert NoteService(first.db).search_notes(word.strip(".,;"))  # FTS index built
    finally:
        for vault in (first, second, other):
            vault.lock()

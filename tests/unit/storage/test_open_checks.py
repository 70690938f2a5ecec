"""Open-time damage checks on real SQLCipher files: they agree with SQLCipher on sound and damaged
pages, skip pages the write-ahead log supersedes, and sample large files with bounds."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.services.clients import ClientService
from casedesk.storage import open_checks
from casedesk.storage.vault import Vault
from vaultkit import database_key, raw_db

PAGE = open_checks.PAGE_SIZE


@pytest.fixture
def locked(vault: Vault) -> Path:
    """The conftest's new vault with some clients in it, locked (so its log is checkpointed)."""
    clients = ClientService(vault.db)
    for index in range(60):
        clients.add_client(ClientInput(f"Sample{index}", "Person", notes="about them " * 40))
    vault.lock()
    return vault.path


def _zero(db: Path, page: int) -> None:
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * PAGE)
        handle.write(bytes(PAGE))


def test_a_sound_vault_passes_every_page(locked: Path) -> None:
    db = locked / "casedesk.db"
    key = database_key(locked)
    assert open_checks.pages_to_check(db.stat().st_size // PAGE) == list(
        range(1, db.stat().st_size // PAGE + 1)
    )
    assert open_checks.inspect(db, key) == open_checks.OpenFindings()
    with raw_db(db, key) as conn:  # SQLCipher agrees
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []


def test_every_flipped_page_is_found_as_sqlcipher_finds_it(locked: Path) -> None:
    db = locked / "casedesk.db"
    key = database_key(locked)
    pages = db.stat().st_size // PAGE
    original = db.read_bytes()
    for page in (2, pages // 2, pages):
        damaged = bytearray(original)
        damaged[(page - 1) * PAGE + 123] ^= 0x10
        db.write_bytes(bytes(damaged))
        assert open_checks.inspect(db, key).damage == (
            f"page {page:,} fails its integrity check",
        )
        with raw_db(db, key) as conn:
            failures = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
        assert failures == [f"HMAC verification failed for page {page}"]
    db.write_bytes(original)
    assert open_checks.inspect(db, key).damage == ()


def test_a_page_the_log_holds_a_newer_copy_of_is_not_damage(locked: Path) -> None:
    db = locked / "casedesk.db"
    key = database_key(locked)
    with raw_db(db, key) as writer:  # kept open: the log is not checkpointed meanwhile
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE client SET notes = 'changed'")
        in_log = open_checks.wal_page_numbers(locked / "casedesk.db-wal")
        file_pages = db.stat().st_size // PAGE
        superseded = max(p for p in in_log if 1 < p <= file_pages)
        elsewhere = max(p for p in range(2, file_pages + 1) if p not in in_log)
        _zero(db, superseded)  # e.g. a checkpoint cut short by a crash
        assert open_checks.inspect(db, key).damage == ()
        _zero(db, elsewhere)
        assert open_checks.inspect(db, key).damage == (f"page {elsewhere:,} is zeroed",)


def test_large_files_are_sampled_within_bounds() -> None:
    pages = 200_000
    roots = [2, 3, 99_999, 150_001]
    chosen = open_checks.pages_to_check(pages, roots)
    assert {1, pages // 2, pages, *roots} <= set(chosen)
    assert len(chosen) <= open_checks.SAMPLE_PAGES + len(roots) + 3
    assert chosen == sorted(set(chosen))
    widest_gap = max(b - a for a, b in itertools.pairwise(chosen))
    assert widest_gap <= pages // (open_checks.SAMPLE_PAGES // 2)

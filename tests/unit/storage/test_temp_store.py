"""Temp store: a big sort on the vault never spills plaintext into a temp file (R12)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from casedesk.storage.vault import Vault

BIG_SORT = """
    WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 60000)
    SELECT x, hex(randomblob(64)) AS junk FROM n ORDER BY junk
"""


def _open_temp_files() -> list[str]:
    """Paths of this process's open files that look like SQLite temp files."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "etilqs" in target:
            found.append(target)
    return found


pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc")


def test_big_sort_on_the_vault_uses_memory(vault: Vault) -> None:
    with vault.db.engine.connect() as conn:
        conn.execute(text("PRAGMA cache_size = 50"))  # tiny cache: a file-backed sort would spill
        result = conn.execute(text(BIG_SORT))
        first = result.fetchone()  # the sort is complete; any spill file would be open now
        assert first is not None
        assert _open_temp_files() == []
        result.close()
        conn.rollback()


def test_the_probe_sees_a_spill_when_temp_files_are_allowed(tmp_path: Path) -> None:
    # Positive control: plain SQLite with temp_store=FILE and a tiny cache does spill.
    conn = sqlite3.connect(tmp_path / "plain.db")
    try:
        conn.execute("PRAGMA temp_store = FILE")
        conn.execute("PRAGMA cache_size = 50")
        cursor = conn.execute(BIG_SORT)
        cursor.fetchone()
        spilled = _open_temp_files()
        cursor.close()
    finally:
        conn.close()
    if not spilled:
        pytest.skip("this SQLite build sorts in memory even with temp_store=FILE")
    assert spilled

"""Unlocking a damaged vault in the app: a plain message that says to restore a backup, and not
one byte of the vault written (issue 11.5); a crash that lost the write-ahead log is a warning
after unlock (issue 11.8)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.ui.app import AppController
from casedesk.ui.settings.prefs import UiPrefs
from casedesk.ui.unlock import UnlockPanel

PAGE = 4096


def _pages(db: Path) -> int:
    return db.stat().st_size // PAGE


def _flip(db: Path, page: int) -> None:
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * PAGE + 700)
        byte = handle.read(1)[0]
        handle.seek(-1, 1)
        handle.write(bytes([byte ^ 0x80]))


def _zero(db: Path, page: int) -> None:
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * PAGE)
        handle.write(bytes(PAGE))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "middle page flipped": lambda db: _flip(db, _pages(db) // 2),
    "last page flipped": lambda db: _flip(db, _pages(db)),
    "page zeroed": lambda db: _zero(db, _pages(db) // 3),
    "partial page": lambda db: db.write_bytes(db.read_bytes()[:-100]),
}


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture
def vault_with_records(vault_dir: Path, passphrase: str) -> Path:
    vault = VaultService(vault_dir, kdf=TEST_KDF)
    vault.create(passphrase)
    clients, notes = ClientService(vault.db), NoteService(vault.db)
    for index in range(25):  # some hundred pages, so damage lands among real records
        client = clients.add_client(ClientInput(f"Person{index}", "Damage"))
        notes.add_note(NoteInput(client.id, "A long visit note. " * 150))
    vault.lock()
    return vault_dir


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_vault_is_refused_in_plain_words_and_left_as_it_was(
    case: str, qtbot, vault_with_records: Path, task_runner, passphrase: str
) -> None:
    DAMAGE[case](vault_with_records / "casedesk.db")
    before = _digest(vault_with_records)
    vault = VaultService(vault_with_records)
    panel = UnlockPanel(vault, task_runner)
    qtbot.addWidget(panel)
    panel.passphrase.setText(passphrase)
    with qtbot.assertNotEmitted(panel.unlocked):
        panel.unlock_button.click()
    text = panel.error.text()
    assert not panel.error.isHidden()
    assert "damaged" in text and "Nothing was changed" in text
    assert "Restore your most recent backup" in text and "casedesk restore" in text
    assert "Traceback" not in text and "sqlcipher" not in text.lower()
    assert not vault.is_unlocked
    assert _digest(vault_with_records) == before
    assert panel.pages.isEnabled()  # the person can still quit or try again


def test_lost_write_ahead_log_is_a_warning_after_unlock(
    qtbot, vault_with_records: Path, task_runner, dialogs, passphrase: str
) -> None:
    (vault_with_records / "casedesk.db-shm").write_bytes(bytes(32768))  # -wal deleted
    app = AppController(
        VaultService(vault_with_records), tasks=task_runner, dialogs=dialogs, prefs=UiPrefs()
    )
    gate = app.start()
    gate.panel.passphrase.setText(passphrase)
    with qtbot.waitSignal(app.ready, timeout=5000):
        gate.panel.submit()
    qtbot.addWidget(app.window)
    try:
        warnings = [c for c in dialogs.calls if c.kind == "warn"]
        assert len(warnings) == 1
        assert warnings[0].title == "Recent changes may be missing"
        assert "may have been lost" in warnings[0].text
        assert "restore your latest backup" in warnings[0].text
        assert app.window.isVisible()  # a warning, not a refusal: the records open
    finally:
        app.quit()

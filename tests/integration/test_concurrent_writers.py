"""Writers never collide: write units of work take the lock up front and take turns (issue 11.3).

Before, every unit of work began deferred: a unit that read and then wrote while another
connection had committed since its read failed at once with "database is locked", whatever
``busy_timeout`` said (two threads adding 100 notes each: 100 of one thread's saves failed).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import func, select

from casedesk.cli import main as cli_main
from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.errors import VaultBusy
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage import engine
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import CaseNote
from vaultkit import PASSPHRASE, database_key

NOTES_PER_THREAD = 200


@pytest.fixture
def vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    service = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    service.create(PASSPHRASE)
    yield service
    service.lock()


def _note_count(service: VaultService) -> int:
    with service.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(CaseNote)) or 0)


def test_two_threads_adding_notes_at_once_never_fail(vault: VaultService) -> None:
    client = ClientService(vault.db).add_client(ClientInput("Two", "Writers"))
    notes = NoteService(vault.db)
    failures: list[str] = []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        start.wait()
        for index in range(NOTES_PER_THREAD):
            try:
                notes.add_note(NoteInput(client.id, f"{name} note {index}"))
            except Exception as exc:  # every failure is counted, none hidden
                failures.append(f"{name}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _note_count(vault) == 2 * NOTES_PER_THREAD


@pytest.fixture
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each attempt at the write lock waits 50 ms, not 5 s (set before the vault connects)."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 50)


def _other_program_holding_the_lock(vault_dir: Path) -> sqlcipher3.dbapi2.Connection:
    other = sqlcipher3.dbapi2.connect(str(vault_dir / "casedesk.db"), isolation_level=None)
    other.execute(f"PRAGMA key = \"x'{bytes(database_key(vault_dir)).hex()}'\"")
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_lock_held_elsewhere_for_long_is_a_plain_busy_message(
    short_lock_wait: None, vault: VaultService
) -> None:
    clients = ClientService(vault.db)
    clients.add_client(ClientInput("Before", "Lock"))
    other = _other_program_holding_the_lock(vault.path)
    try:
        with pytest.raises(VaultBusy, match="Another casedesk window or program is using"):
            clients.add_client(ClientInput("During", "Lock"))
        assert [c.given_name for c in clients.list_clients()] == ["Before"]  # reads still work
    finally:
        other.rollback()
        other.close()
    clients.add_client(ClientInput("After", "Lock"))  # the lock is free again: saves work
    assert sorted(c.given_name for c in clients.list_clients()) == ["After", "Before"]


def test_cli_reports_a_held_lock_plainly(
    short_lock_wait: None,
    vault: VaultService,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault.lock()
    other = _other_program_holding_the_lock(vault.path)
    monkeypatch.setenv("CASEDESK_PASSPHRASE", PASSPHRASE)
    try:
        code = cli_main(
            ["--vault", str(vault.path), "client", "add", "--given", "Busy", "--family", "X"]
        )
    finally:
        other.rollback()
        other.close()
    err = capsys.readouterr().err
    assert code == 1
    assert "Another casedesk window or program is using this vault" in err
    assert "Traceback" not in err


def test_a_waiting_save_goes_next_not_after_every_later_writer(vault: VaultService) -> None:
    """The write gate is first come, first served: a writer that keeps beginning again (sync
    applying slice after slice) cannot starve a save that is already waiting."""
    gate = vault.db.write_gate
    order: list[str] = []

    def saver() -> None:
        with gate.turn():
            order.append("save")

    with gate.turn():
        thread = threading.Thread(target=saver)
        thread.start()
        while gate.waiting == 0:
            pass  # until the saver has taken its ticket (it cannot get further)
        order.append("slice 1")
    with gate.turn():  # the "sync" thread begins its next slice at once
        order.append("slice 2")
    thread.join()
    assert order == ["slice 1", "save", "slice 2"]


def test_a_turn_held_too_long_in_this_process_is_a_plain_busy_message(vault: VaultService) -> None:
    gate = vault.db.write_gate
    outcome: list[str] = []
    with gate.turn():  # e.g. a sync slice stuck on something for longer than a person waits

        def saver() -> None:
            try:
                with gate.turn(timeout=0.05):
                    outcome.append("saved")
            except VaultBusy as exc:
                outcome.append(str(exc))

        thread = threading.Thread(target=saver)
        thread.start()
        thread.join()
    assert len(outcome) == 1 and outcome[0].startswith("Another casedesk window or program")
    assert gate.waiting == 0 and not gate.taken  # the given-up ticket left the queue
    ClientService(vault.db).add_client(ClientInput("Next", "Writer"))  # the next writer goes

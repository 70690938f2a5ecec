"""client_activity: every client's latest contact, kept by triggers on case_note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import CaseNote, ClientActivity


def _vault(tmp_path: Path) -> VaultService:
    vault = VaultService(tmp_path / "vault", TEST_KDF)
    vault.create("correct horse battery staple")
    return vault


def _last(vault: VaultService, client_id: str) -> datetime | None:
    with vault.db.read() as session:
        row = session.get(ClientActivity, client_id)
        return None if row is None else row.last_contact_at


def test_latest_contact_follows_new_notes_moves_and_tombstones(tmp_path):
    vault = _vault(tmp_path)
    clients, notes = ClientService(vault.db), NoteService(vault.db)
    client = clients.add_client(ClientInput(given_name="Ana", family_name="Lima"))
    assert _last(vault, client.id) is None
    now = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    first = notes.add_note(NoteInput(client.id, "first visit", occurred_at=now))
    notes.add_note(NoteInput(client.id, "older note typed late", occurred_at=now - timedelta(1)))
    assert _last(vault, client.id) == now  # an older note doesn't move it back
    later = now + timedelta(hours=3)
    notes.update_note(first.id, NoteInput(client.id, "first visit", occurred_at=later))
    assert _last(vault, client.id) == later  # editing the time moves it
    with vault.db.session() as session:
        note = session.get(CaseNote, first.id)
        assert note is not None
        note.deleted_at = datetime.now(UTC)  # entered in error: tombstoned
    assert _last(vault, client.id) == now - timedelta(days=1)


def test_client_list_reports_the_latest_contact(tmp_path):
    vault = _vault(tmp_path)
    clients, notes = ClientService(vault.db), NoteService(vault.db)
    seen = clients.add_client(ClientInput(given_name="Seen", family_name="Recently"))
    clients.add_client(ClientInput(given_name="Never", family_name="Contacted"))
    when = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    notes.add_note(NoteInput(seen.id, "phone call", occurred_at=when))
    rows = {row.display_name: row.last_contact_at for row in clients.list_clients()}
    assert rows == {"Seen Recently": when, "Never Contacted": None}

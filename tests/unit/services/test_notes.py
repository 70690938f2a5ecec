"""NoteService on a real vault: add, edit, lock, amend, list, full-text search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casedesk.domain.clients import ClientInput
from casedesk.domain.enums import ContactType
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.errors import ImmutableRecordError, NotFound, ValidationError
from casedesk.services.notes import NoteService, fts_words_query
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import CaseNote


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[VaultService]:
    service = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    service.create("correct horse battery staple")
    yield service
    service.lock()


@pytest.fixture
def notes(vault: VaultService) -> NoteService:
    return NoteService(vault.db)


@pytest.fixture
def client_id(vault: VaultService) -> str:
    return ClientService(vault.db).add_client(ClientInput("Aroha", "Ngata")).id


def test_add_and_list_newest_first(notes: NoteService, client_id: str) -> None:
    now = datetime.now(UTC)
    older = notes.add_note(NoteInput(client_id, "older", occurred_at=now - timedelta(days=2)))
    newer = notes.add_note(
        NoteInput(
            client_id,
            "newer",
            contact_type=ContactType.HOME_VISIT,
            occurred_at=now - timedelta(hours=1),
            duration_minutes=45,
            location="Home",
        ),
        author="Sam Worker",
    )
    listed = notes.list_notes(client_id)
    assert [n.id for n in listed] == [newer.id, older.id]
    assert listed[0].duration_minutes == 45 and listed[0].author == "Sam Worker"
    assert [n.id for n in notes.list_notes(client_id, limit=1)] == [newer.id]


def test_add_to_unknown_client_or_empty_body(notes: NoteService, client_id: str) -> None:
    with pytest.raises(NotFound):
        notes.add_note(NoteInput("01a20000-0000-7000-8000-000000000000", "text"))
    with pytest.raises(ValidationError):
        notes.add_note(NoteInput(client_id, " \n\t "))
    assert notes.list_notes(client_id) == []


def test_edit_keeps_contact_time_unless_given(notes: NoteService, client_id: str) -> None:
    when = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    note = notes.add_note(NoteInput(client_id, "first words", occurred_at=when))
    edited = notes.update_note(note.id, NoteInput(client_id, "second words"))
    assert edited.body == "second words" and edited.occurred_at == when
    later = when + timedelta(hours=3)
    moved = notes.update_note(note.id, NoteInput(client_id, "second words", occurred_at=later))
    assert moved.occurred_at == later


def test_lock_then_amend(notes: NoteService, client_id: str) -> None:
    note = notes.add_note(NoteInput(client_id, "what happened"))
    locked = notes.lock_note(note.id)
    assert locked.locked and notes.lock_note(note.id).locked_at == locked.locked_at
    with pytest.raises(ImmutableRecordError):
        notes.update_note(note.id, NoteInput(client_id, "rewritten"))
    amendment = notes.amend_note(note.id, "what really happened")
    assert amendment.amends_id == note.id and amendment.locked
    assert amendment.occurred_at == locked.occurred_at
    bodies = {n.body for n in notes.list_notes(client_id)}
    assert bodies == {"what happened", "what really happened"}


def test_search_words_prefix_client_filter_and_snippet(
    notes: NoteService, client_id: str, vault: VaultService
) -> None:
    other = ClientService(vault.db).add_client(ClientInput("Tama", "Rangi")).id
    notes.add_note(NoteInput(client_id, "Talked about the rent arrears and the housing officer"))
    notes.add_note(NoteInput(other, "Housing inspection booked; rent is fine"))
    assert len(notes.search_notes("housing")) == 2
    assert len(notes.search_notes("rent arrears")) == 1
    assert len(notes.search_notes("hous")) == 2  # the last word is a prefix
    hits = notes.search_notes("housing", client_id=other)
    assert [h.client_id for h in hits] == [other]
    assert hits[0].client_name == "Tama Rangi" and "[Housing]" in hits[0].snippet
    assert notes.search_notes("") == [] and notes.search_notes("...") == []


def test_search_skips_tombstoned_notes(
    notes: NoteService, client_id: str, vault: VaultService
) -> None:
    note = notes.add_note(NoteInput(client_id, "appointment with the podiatrist"))
    with vault.db.session() as session:
        row = session.get(CaseNote, note.id)
        assert row is not None
        row.deleted_at = datetime.now(UTC)
    assert notes.search_notes("podiatrist") == []
    assert notes.list_notes(client_id) == []


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_typed_text_is_a_safe_search(notes: NoteService, text: str) -> None:
    notes.search_notes(text)
    query = fts_words_query(text)
    assert query is None or query.count('"') % 2 == 0

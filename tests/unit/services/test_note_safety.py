"""Note safety on a real vault: automatic lock (read, write, sweep), entered in error, triggers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from casedesk.domain.clients import ClientInput
from casedesk.domain.enums import NoteStatus
from casedesk.domain.notes import NoteInput
from casedesk.services.audit import AuditService
from casedesk.services.clients import ClientService
from casedesk.services.errors import ImmutableRecordError, ValidationError
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import CaseNote, ClientActivity, OutboxOp

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A settable clock for the service (``now`` is read at every call)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[VaultService]:
    service = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    service.create("correct horse battery staple")
    yield service
    service.lock()


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def notes(vault: VaultService, clock: Clock) -> NoteService:
    return NoteService(vault.db, now=clock)


@pytest.fixture
def client_id(vault: VaultService) -> str:
    return ClientService(vault.db).add_client(ClientInput("Aroha", "Ngata")).id


def _edit(notes: NoteService, note_id: str, client_id: str, body: str) -> None:
    notes.update_note(note_id, NoteInput(client_id, body))


def _stored(vault: VaultService, note_id: str) -> CaseNote:
    with vault.db.read() as session:
        row = session.get(CaseNote, note_id)
        assert row is not None
        session.expunge(row)
        return row


# ----------------------------------------------------------------------------- automatic lock


def test_note_locks_itself_72_hours_after_it_was_written(notes, clock, client_id, vault):
    note = notes.add_note(NoteInput(client_id, "first words", occurred_at=T0 - timedelta(days=5)))
    assert note.locks_at == T0 + timedelta(hours=72)  # from recording, not from the visit
    clock.now = T0 + timedelta(hours=72) - timedelta(seconds=1)
    _edit(notes, note.id, client_id, "last edit in time")
    assert not notes.list_notes(client_id)[0].locked

    clock.now = T0 + timedelta(hours=72)
    listed = notes.list_notes(client_id)[0]
    assert listed.locked and listed.locked_at == T0 + timedelta(hours=72)
    assert listed.locks_at is None
    with pytest.raises(ImmutableRecordError, match="locked after 72 hours; add an amendment"):
        _edit(notes, note.id, client_id, "too late")
    assert _stored(vault, note.id).body == "last edit in time"
    assert _stored(vault, note.id).locked_at is None  # derived, not stored until the sweep
    notes.amend_note(note.id, "a correction")  # amending is how it is corrected now


def test_worker_sets_the_period_and_it_is_checked(notes, clock, client_id):
    assert notes.auto_lock_hours() == 72
    assert notes.set_auto_lock_hours(24) == 24
    note = notes.add_note(NoteInput(client_id, "short period"))
    clock.now = T0 + timedelta(hours=24)
    with pytest.raises(ImmutableRecordError, match="locked after 24 hours"):
        _edit(notes, note.id, client_id, "too late")
    for bad in (0, 24 * 31):
        with pytest.raises(ValidationError):
            notes.set_auto_lock_hours(bad)
    assert notes.auto_lock_hours() == 24


def test_sweep_stores_the_lock_once_so_it_syncs(notes, clock, client_id, vault):
    due = notes.add_note(NoteInput(client_id, "written first"))
    clock.now = T0 + timedelta(hours=10)
    fresh = notes.add_note(NoteInput(client_id, "written later"))
    manual = notes.add_note(NoteInput(client_id, "locked by hand"), lock=True)
    clock.now = T0 + timedelta(hours=73)
    assert notes.lock_due_notes() == 1
    assert _stored(vault, due.id).locked_at == T0 + timedelta(hours=72)  # when it fell due
    assert _stored(vault, fresh.id).locked_at is None
    assert _stored(vault, manual.id).locked_at == T0 + timedelta(hours=10)
    with vault.db.read() as session:
        ops = session.query(OutboxOp).filter_by(row_id=due.id, kind="update").all()
        assert [op.fields for op in ops] == [{"locked_at": "2026-11-05T09:00:00+00:00"}]
    assert notes.lock_due_notes() == 0  # nothing left to lock
    history = AuditService(vault.db).client_history(client_id)
    assert [e.summary for e in history if e.action == "note.locked"] == [
        "Note locked automatically 72 hours after it was written"
    ]


def test_locking_a_note_already_due_records_when_it_fell_due(notes, clock, client_id, vault):
    note = notes.add_note(NoteInput(client_id, "words"))
    clock.now = T0 + timedelta(days=10)
    assert notes.lock_note(note.id).locked_at == T0 + timedelta(hours=72)
    assert _stored(vault, note.id).locked_at == T0 + timedelta(hours=72)


# ----------------------------------------------------------------------------- entered in error


@pytest.mark.parametrize("locked", [False, True])
def test_entered_in_error_is_kept_hidden_and_in_history(notes, client_id, vault, locked):
    wrong = notes.add_note(NoteInput(client_id, "meant for another client zebra"), lock=locked)
    keep = notes.add_note(NoteInput(client_id, "a real visit"))
    with pytest.raises(ValidationError):
        notes.mark_entered_in_error(wrong.id, "   ")
    view = notes.mark_entered_in_error(wrong.id, "Written in the wrong client's record")
    assert view.entered_in_error and view.status is NoteStatus.ENTERED_IN_ERROR
    assert view.error_reason == "Written in the wrong client's record"
    assert view.entered_in_error_at == T0

    assert [n.id for n in notes.list_notes(client_id)] == [keep.id]
    everything = notes.list_notes(client_id, include_entered_in_error=True)
    assert {n.id for n in everything} == {wrong.id, keep.id}
    stored = _stored(vault, wrong.id)
    assert stored.body == "meant for another client zebra"  # content unchanged
    assert stored.deleted_at is None  # kept, not deleted
    assert notes.search_notes("zebra") == []  # out of search
    history = AuditService(vault.db).client_history(client_id)
    assert any(e.action == "note.entered_in_error" for e in history)
    assert all("wrong client" not in e.summary for e in history)  # the reason stays out

    for attempt in (
        lambda: _edit(notes, wrong.id, client_id, "changed"),
        lambda: notes.amend_note(wrong.id, "amended"),
        lambda: notes.mark_entered_in_error(wrong.id, "again"),
    ):
        with pytest.raises(ImmutableRecordError, match="entered in error"):
            attempt()


def test_entered_in_error_takes_its_amendments_and_leaves_last_contact(notes, client_id, vault):
    visit = datetime(2026, 10, 30, 10, 0, tzinfo=UTC)
    earlier = notes.add_note(NoteInput(client_id, "earlier visit", occurred_at=visit))
    wrong = notes.add_note(
        NoteInput(client_id, "wrong", occurred_at=visit + timedelta(days=2)), lock=True
    )
    amendment = notes.amend_note(wrong.id, "correction to the wrong note")
    with vault.db.read() as session:
        activity = session.get(ClientActivity, client_id)
        assert activity is not None and activity.last_contact_at == visit + timedelta(days=2)

    notes.mark_entered_in_error(wrong.id, "Not this client")
    assert _stored(vault, amendment.id).status is NoteStatus.ENTERED_IN_ERROR
    assert [n.id for n in notes.list_notes(client_id)] == [earlier.id]
    with vault.db.read() as session:
        activity = session.get(ClientActivity, client_id)
        assert activity is not None and activity.last_contact_at == visit


# ----------------------------------------------------------------------------- database guards


def _raw(vault: VaultService, sql: str, **params: object) -> None:
    with vault.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_triggers_allow_retracting_a_locked_note_but_no_content_change(notes, client_id, vault):
    note = notes.add_note(NoteInput(client_id, "locked words"), lock=True)
    with pytest.raises(IntegrityError, match="locked notes cannot be changed"):
        _raw(vault, "UPDATE case_note SET body = 'rewritten' WHERE id = :id", id=note.id)
    with pytest.raises(IntegrityError, match="locked notes cannot be changed"):
        _raw(vault, "UPDATE case_note SET locked_at = NULL WHERE id = :id", id=note.id)
    _raw(  # a second device's lock time: restamping is harmless, unlocking is not
        vault, "UPDATE case_note SET locked_at = '2026-11-09 00:00:00' WHERE id = :id", id=note.id
    )
    _raw(
        vault,
        "UPDATE case_note SET status = 'entered_in_error', error_reason = 'x' WHERE id = :id",
        id=note.id,
    )
    with pytest.raises(IntegrityError, match="stays entered in error"):
        _raw(vault, "UPDATE case_note SET status = 'current' WHERE id = :id", id=note.id)
    assert _stored(vault, note.id).body == "locked words"

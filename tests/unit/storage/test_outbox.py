"""Outbox atomicity and immutability: every change has its outbox row in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from casedesk.domain.clients import ClientInput
from casedesk.domain.hlc import Hlc
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.errors import ImmutableRecordError
from casedesk.services.notes import NoteService
from casedesk.storage.models import (
    AuditEvent,
    CaseNote,
    Client,
    ClientIdentifier,
    LocalMeta,
    OutboxOp,
)
from casedesk.storage.outbox import TombstoneRequired
from casedesk.storage.vault import Vault


def _outbox(vault: Vault) -> list[Any]:
    """Outbox rows as plain result rows (attribute access; no ORM state to expire)."""
    table = OutboxOp.__table__
    with vault.db.read() as session:
        return list(session.execute(select(table).order_by(table.c.seq)))


def _count(vault: Vault, model: Any) -> int:
    with vault.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _ops_for(vault: Vault, row_id: str) -> list[Any]:
    return [op for op in _outbox(vault) if op.row_id == row_id]


def test_insert_writes_an_insert_op_for_every_row(vault: Vault) -> None:
    record = ClientService(vault.db).add_client(
        ClientInput("Ada", "Lovelace", identifiers=(("Agency ref", "AL-1"),))
    )
    ops = _outbox(vault)
    by_table = {op.table_name: op for op in ops}
    assert set(by_table) == {"client", "client_identifier", "audit_event"}
    client_op = by_table["client"]
    assert client_op.row_id == record.id
    assert (client_op.kind, client_op.base_version, client_op.fields) == ("insert", None, None)
    assert client_op.state == "pending"
    with vault.db.read() as session:
        client = session.get(Client, record.id)
        assert client is not None
        assert client.row_version == 1 and client.hlc == client_op.hlc
        identifier = session.scalars(select(ClientIdentifier)).one()
        assert by_table["client_identifier"].row_id == identifier.id


def test_update_writes_changed_fields_and_base_version(vault: Vault) -> None:
    clients = ClientService(vault.db)
    record = clients.add_client(ClientInput("Ada", "Lovelace"))
    clients.update_client(record.id, ClientInput("Ada", "Lovelace", town="Marlow"))
    updates = [op for op in _ops_for(vault, record.id) if op.kind == "update"]
    assert len(updates) == 1
    assert updates[0].base_version == 1
    assert updates[0].fields == {"town": "Marlow"}
    assert clients.get_client(record.id).row_version == 2

    clients.update_client(record.id, ClientInput("Ada", "Lovelace", town="Marlow"))  # no change
    assert len([op for op in _ops_for(vault, record.id) if op.kind == "update"]) == 1


def test_tombstone_writes_a_delete_op(vault: Vault) -> None:
    record = ClientService(vault.db).add_client(ClientInput("Ada", "Lovelace"))
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with vault.db.session() as session:
        client = session.get(Client, record.id)
        assert client is not None
        client.deleted_at = when
    op = _ops_for(vault, record.id)[-1]
    assert op.kind == "delete" and op.base_version == 1
    assert op.fields == {"deleted_at": when.isoformat()}
    assert ClientService(vault.db).search_clients("Ada") == []


def test_hard_delete_of_a_synced_row_is_refused(vault: Vault) -> None:
    record = ClientService(vault.db).add_client(ClientInput("Ada", "Lovelace"))
    ops_before = len(_outbox(vault))
    with pytest.raises(TombstoneRequired), vault.db.session() as session:
        client = session.get(Client, record.id)
        session.delete(client)
    assert _count(vault, Client) == 1 and len(_outbox(vault)) == ops_before


def test_hlc_stamps_strictly_increase_and_are_persisted(vault: Vault) -> None:
    clients = ClientService(vault.db)
    for index in range(5):
        clients.add_client(ClientInput(f"Person{index}", "Test"))
    stamps = [Hlc.decode(op.hlc) for op in _outbox(vault)]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    with vault.db.read() as session:
        last = session.get(LocalMeta, "last_hlc")
        assert last is not None and Hlc.decode(last.value) == stamps[-1]


def test_exception_after_flush_leaves_neither_row_nor_op(vault: Vault) -> None:
    before = (_count(vault, Client), _count(vault, OutboxOp), _count(vault, AuditEvent))
    with pytest.raises(RuntimeError, match="boom"), vault.db.session() as session:
        session.add(Client(given_name="Half", family_name="Written"))
        session.flush()  # row and outbox row are in the transaction now
        assert session.scalar(select(func.count()).select_from(OutboxOp)) == before[1] + 1
        raise RuntimeError("boom")
    assert (_count(vault, Client), _count(vault, OutboxOp), _count(vault, AuditEvent)) == before


def test_constraint_violation_on_a_later_statement_rolls_back_everything(vault: Vault) -> None:
    before = (_count(vault, Client), _count(vault, OutboxOp))
    with pytest.raises(IntegrityError), vault.db.session() as session:
        session.add(Client(given_name="First", family_name="Statement"))
        session.flush()
        session.add(
            ClientIdentifier(
                client_id="00000000-0000-0000-0000-000000000000", system="x", value="y"
            )
        )
        session.flush()  # foreign key violation
    assert (_count(vault, Client), _count(vault, OutboxOp)) == before


def test_failed_service_write_leaves_nothing(vault: Vault) -> None:
    clients, notes = ClientService(vault.db), NoteService(vault.db)
    record = clients.add_client(ClientInput("Ada", "Lovelace"))
    before = (_count(vault, CaseNote), _count(vault, OutboxOp), _count(vault, AuditEvent))
    with pytest.raises(IntegrityError):  # the note row is flushed, then its goal link fails
        notes.add_note(NoteInput(record.id, "A note", goal_ids=("no-such-goal",)))
    assert (_count(vault, CaseNote), _count(vault, OutboxOp), _count(vault, AuditEvent)) == before


def test_locked_note_is_immutable_in_orm_and_in_sql(vault: Vault) -> None:
    client = ClientService(vault.db).add_client(ClientInput("Ada", "Lovelace"))
    notes = NoteService(vault.db)
    note = notes.add_note(NoteInput(client.id, "Original words"), lock=True)
    ops_before = len(_outbox(vault))

    with pytest.raises(ImmutableRecordError):
        notes.update_note(note.id, NoteInput(client.id, "Changed words"))
    with pytest.raises(ImmutableRecordError), vault.db.session() as session:
        row = session.get(CaseNote, note.id)
        assert row is not None
        row.body = "Changed behind the service's back"
    raw_update = text("UPDATE case_note SET body = 'raw SQL' WHERE id = :id")
    with pytest.raises(IntegrityError, match="locked notes"), vault.db.engine.begin() as conn:
        conn.execute(raw_update, {"id": note.id})
    with pytest.raises(IntegrityError, match="never deleted"), vault.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_note WHERE id = :id"), {"id": note.id})

    assert notes.list_notes(client.id)[0].body == "Original words"
    assert len(_outbox(vault)) == ops_before
    amendment = notes.amend_note(note.id, "A correction")
    assert amendment.amends_id == note.id and amendment.locked
    assert {n.body for n in notes.list_notes(client.id)} == {"A correction", "Original words"}


def test_locking_an_open_note_is_allowed_and_tracked(vault: Vault) -> None:
    client = ClientService(vault.db).add_client(ClientInput("Ada", "Lovelace"))
    notes = NoteService(vault.db)
    note = notes.add_note(NoteInput(client.id, "Draft words"))
    notes.update_note(note.id, NoteInput(client.id, "Final words"))
    notes.lock_note(note.id)
    kinds = [(op.kind, sorted(op.fields or {})) for op in _ops_for(vault, note.id)]
    assert kinds == [("insert", []), ("update", ["body"]), ("update", ["locked_at"])]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET summary = 'x'", "DELETE FROM audit_event"]
)
def test_audit_events_are_append_only(vault: Vault, statement: str) -> None:
    ClientService(vault.db).add_client(ClientInput("Ada", "Lovelace"))
    with pytest.raises(IntegrityError, match="permanent"), vault.db.engine.begin() as conn:
        conn.execute(text(statement))
    with pytest.raises(ImmutableRecordError), vault.db.session() as session:
        event = session.scalars(select(AuditEvent)).first()
        assert event is not None
        event.summary = "rewritten history"
    assert _count(vault, AuditEvent) == 1

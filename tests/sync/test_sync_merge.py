"""Concurrent edits through a real hub: different fields, same field, risk field, delete vs
edit, notes on three devices, an empty new device, the mass-deletion fail-safe."""

from __future__ import annotations

from casedesk.domain.clients import ClientInput
from casedesk.domain.enums import ConflictState
from casedesk.domain.notes import NoteInput
from casedesk.storage.models import OutboxOp
from casedesk.sync.state import SyncPhase


def _edit(device, client_id: str, **changes) -> None:  # type: ignore[no-untyped-def]
    record = device.services.clients.get_client(client_id)
    data = ClientInput(
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.date_of_birth,
        phone=changes.get("phone", record.phone),
        town=changes.get("town", record.town),
    )
    device.services.clients.update_client(client_id, data)


def test_first_sync_converges_and_hub_holds_the_same_state(fleet) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    client = a.add_client("Ana")
    a.services.notes.add_note(NoteInput(client_id=client, body="first visit"))
    b = fleet.add("b")
    fleet.settle()
    fleet.assert_converged()
    assert b.services.clients.get_client(client).given_name == "Ana"
    assert a.sync.status().phase is SyncPhase.IN_SYNC


def test_different_fields_both_kept_without_conflict(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    client = a.add_client("Ana")
    fleet.settle()
    _edit(a, client, phone="111")
    _edit(b, client, town="Dunmore")
    fleet.settle()
    fleet.assert_converged()
    for device in (a, b):
        record = device.services.clients.get_client(client)
        assert (record.phone, record.town) == ("111", "Dunmore")
        assert device.sync.conflicts() == []


def test_same_field_same_winner_and_conflict_everywhere(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    client = a.add_client("Ana")
    fleet.settle()
    _edit(a, client, phone="222")
    _edit(b, client, phone="333")
    fleet.settle()
    fleet.assert_converged()
    phones = {d.services.clients.get_client(client).phone for d in (a, b)}
    assert len(phones) == 1
    views = [d.sync.conflicts() for d in (a, b)]
    assert [len(v) for v in views] == [1, 1]
    assert views[0][0].id == views[1][0].id
    assert {views[0][0].kept_value, views[0][0].other_value} == {"222", "333"}
    assert views[0][0].kept_value in phones
    # Choosing the other value on one device reaches the other, and the conflict closes there.
    chosen = views[0][0].other_value
    a.sync.resolve(views[0][0].id, "other")
    fleet.settle()
    fleet.assert_converged()
    assert b.services.clients.get_client(client).phone == chosen
    assert b.sync.conflicts() == []
    assert b.sync.conflicts(include_resolved=True)[0].state is ConflictState.RESOLVED


def test_delete_vs_edit_keeps_the_edit_and_flags_it(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    client = a.add_client("Ana")
    fleet.settle()
    _tombstone(a, client)
    _edit(b, client, phone="555")
    fleet.settle()
    fleet.assert_converged()
    for device in (a, b):
        record = device.services.clients.get_client(client)
        assert record.phone == "555"
        flagged = [v for v in device.sync.conflicts() if v.delete_vs_edit]
        assert len(flagged) == 1


def _tombstone(device, client_id: str) -> None:  # type: ignore[no-untyped-def]
    from casedesk.domain.clock import utcnow
    from casedesk.storage.models import Client

    with device.db.session() as session:
        session.get(Client, client_id).deleted_at = utcnow()


def test_notes_on_three_devices_union(fleet) -> None:  # type: ignore[no-untyped-def]
    devices = [fleet.add(n) for n in ("a", "b", "c")]
    client = devices[0].add_client("Ana")
    fleet.settle()
    for index, device in enumerate(devices):
        device.services.notes.add_note(NoteInput(client_id=client, body=f"note from {index}"))
    fleet.settle()
    fleet.assert_converged()
    for device in devices:
        bodies = sorted(n.body for n in device.services.notes.list_notes(client))
        assert bodies == ["note from 0", "note from 1", "note from 2"]
        assert device.sync.conflicts() == []


def test_new_empty_device_never_pushes_deletions(fleet) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    for name in ("Ana", "Ben", "Cy"):
        a.add_client(name)
    a.sync_ok()
    b = fleet.add("b")
    result = b.sync_ok()
    assert result.pulled > 0
    assert result.pushed == 0
    with b.db.read() as session:
        assert session.query(OutboxOp).count() == 0
    fleet.assert_converged()

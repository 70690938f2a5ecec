"""Three devices make random offline edits (hypothesis), then sync in a random order: they and
the hub converge to identical per-table hashes, and every added note survives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casedesk.domain.clock import utcnow
from casedesk.domain.notes import NoteInput
from casedesk.storage.models import Client

ACTIONS = st.lists(
    st.tuples(
        st.integers(0, 2),  # device
        st.sampled_from(["phone", "town", "note", "delete", "add"]),
        st.integers(0, 3),  # client index
        st.text(alphabet="abcxyz", min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=6,
)


def test_three_devices_random_offline_edits_converge(fleet) -> None:  # type: ignore[no-untyped-def]
    devices = [fleet.add(n) for n in ("a", "b", "c")]
    clients = [devices[0].add_client(f"C{i}") for i in range(4)]
    fleet.settle(1)
    examples = 5 if fleet.hub.db_url.startswith("sqlite") else 2
    notes: set[str] = set()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(actions=ACTIONS, order=st.permutations([0, 1, 2]))
    def offline_then_sync(actions: list[tuple[int, str, int, str]], order: list[int]) -> None:
        for device_index, action, client_index, value in actions:
            _do(devices[device_index], action, clients, client_index, value, notes)
        for _round in range(3):
            for index in order:
                devices[index].sync_ok(allow_mass_deletion=True)
        fleet.assert_converged()
        with devices[0].db.read() as session:
            from casedesk.storage.models import CaseNote

            bodies = {n.body for n in session.query(CaseNote)}
        assert notes <= bodies

    offline_then_sync()


def _do(device, action: str, clients: list[str], index: int, value: str, notes: set[str]) -> None:  # type: ignore[no-untyped-def]
    if action == "add":
        clients.append(device.add_client(f"New{value}"))
        return
    client_id = clients[index % len(clients)]
    if action == "note":
        body = f"{device.name}:{value}:{len(notes)}"
        with device.db.read() as session:
            row = session.get(Client, client_id)
            live = row is not None and row.deleted_at is None
        if live:
            device.services.notes.add_note(NoteInput(client_id=client_id, body=body))
            notes.add(body)
        return
    with device.db.session() as session:
        row = session.get(Client, client_id)
        if row is None:
            return
        if action == "delete":
            row.deleted_at = row.deleted_at or utcnow()
        else:
            setattr(row, action, value)

"""ClientService on a real vault: create, update, list, search (FTS prefix), duplicates, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casedesk.domain.clients import ClientInput
from casedesk.services.audit import AuditService
from casedesk.services.clients import ClientService, fts_prefix_query
from casedesk.services.errors import NotFound, ValidationError
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import Client


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[VaultService]:
    service = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    service.create("correct horse battery staple")
    yield service
    service.lock()


@pytest.fixture
def clients(vault: VaultService) -> ClientService:
    return ClientService(vault.db)


def test_add_get_update(clients: ClientService, vault: VaultService) -> None:
    added = clients.add_client(
        ClientInput(
            "José",
            "García",
            date_of_birth="1975-04-01",
            interpreter_needed=True,
            preferred_language="es",
            identifiers=(("Medicare", "2123 45670 1"),),
        )
    )
    record = clients.get_client(added.id)
    assert record == added and record.row_version == 1
    assert record.identifiers == (("Medicare", "2123 45670 1"),)
    updated = clients.update_client(
        added.id, ClientInput("José", "García", preferred_name="Pepe", identifiers=())
    )
    assert updated.display_name == "Pepe García" and updated.identifiers == ()
    assert updated.row_version == 2
    history = AuditService(vault.db).client_history(added.id)
    assert {e.action for e in history} == {"client.added", "client.updated"}
    assert all("García" not in e.summary for e in history)  # no client data in summaries


def test_invalid_input_writes_nothing(clients: ClientService) -> None:
    with pytest.raises(ValidationError):
        clients.add_client(ClientInput("", "Nobody"))
    assert clients.count() == 0


def test_unknown_and_deleted_clients_are_not_found(
    clients: ClientService, vault: VaultService
) -> None:
    with pytest.raises(NotFound):
        clients.get_client("01a20000-0000-7000-8000-000000000000")
    added = clients.add_client(ClientInput("Gone", "Away"))
    with vault.db.session() as session:
        row = session.get(Client, added.id)
        assert row is not None
        row.deleted_at = datetime.now(UTC)
    with pytest.raises(NotFound):
        clients.get_client(added.id)
    with pytest.raises(NotFound):
        clients.update_client(added.id, ClientInput("Gone", "Away"))
    assert clients.list_clients() == [] and clients.count() == 0


def test_search_by_prefix_words_identifiers_and_accents(clients: ClientService) -> None:
    jose = clients.add_client(
        ClientInput("José", "García", identifiers=(("Agency ref", "AR-7781"),))
    ).id
    clients.add_client(ClientInput("Joseph", "Garner"))
    clients.add_client(ClientInput("Aroha", "Ngata", preferred_name="Ro"))

    def ids(text: str) -> set[str]:
        return {c.id for c in clients.search_clients(text)}

    assert len(ids("jos")) == 2
    assert ids("jose garc") == {jose}  # every word, each as a prefix
    assert ids("GARCIA") == {jose}  # case and accents folded
    assert ids("AR-7781") == {jose} and ids("7781") == {jose}
    assert [c.display_name for c in clients.search_clients("ngat")] == ["Ro Ngata"]
    assert clients.search_clients("") == [] and clients.search_clients("  !!! ") == []


def test_search_follows_renames(clients: ClientService) -> None:
    added = clients.add_client(ClientInput("Mere", "Smith"))
    clients.update_client(added.id, ClientInput("Mere", "Tawhiri"))
    assert clients.search_clients("smith") == []
    assert [c.id for c in clients.search_clients("tawh")] == [added.id]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_typed_text_is_a_safe_search(clients: ClientService, text: str) -> None:
    # FTS5 syntax (quotes, AND/OR/NEAR, *, ^, column filters) must never reach the engine raw.
    clients.search_clients(text)
    query = fts_prefix_query(text)
    assert query is None or all(part.endswith('"*') for part in query.split(" AND "))


def test_list_is_ordered_and_carries_last_contact(clients: ClientService) -> None:
    clients.add_client(ClientInput("Zed", "Adams"))
    clients.add_client(ClientInput("Amy", "Baker", date_of_birth="2000-01-01"))
    rows = clients.list_clients()
    assert [r.family_name for r in rows] == ["Adams", "Baker"]
    assert rows[1].age(date(2026, 1, 1)) == 26 and rows[0].last_contact_at is None


def test_possible_duplicates(clients: ClientService) -> None:
    existing = clients.add_client(ClientInput("Joanne", "Smith", date_of_birth="1980-02-03"))
    found = clients.possible_duplicates("Jo", "SMITH", date(1980, 2, 3))
    assert [d.id for d in found] == [existing.id]
    assert clients.possible_duplicates("Jo", "Smith", date(1980, 2, 4)) == []
    assert clients.possible_duplicates("Jo", "Smith", None) == []

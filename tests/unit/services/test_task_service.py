"""TaskService: set-based caseload read, derived tasks, Home summary, change-aware cache."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.enums import ClientStatus, Intensity
from casedesk.domain.notes import NoteInput
from casedesk.domain.tasks import Bucket, TaskKind
from casedesk.services.bundle import Services
from casedesk.services.demo import generate_demo_data
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF


@pytest.fixture
def services(tmp_path: Path):
    vault = VaultService(tmp_path / "v", kdf=TEST_KDF)
    vault.create("task service passphrase")
    yield Services.for_vault(vault)
    vault.lock()


def _client(services: Services, given: str, **fields) -> str:
    return services.clients.add_client(
        ClientInput(given, "Test", date_of_birth="1980-01-01", **fields)
    ).id


def test_empty_vault_has_no_tasks(services):
    assert services.tasks.due_tasks() == []
    summary = services.tasks.home_summary()
    assert summary.figures.active == 0 and summary.recent == []


def test_active_client_without_consent_or_contact(services):
    cid = _client(services, "Ana")
    kinds = {t.kind for t in services.tasks.due_tasks() if t.client_id == cid}
    assert kinds == {TaskKind.CONSENT_MISSING, TaskKind.NO_CONTACT}


def test_old_contact_is_overdue_and_recent_contact_is_not(services):
    old = _client(services, "Old")
    new = _client(services, "New")
    services.notes.add_note(
        NoteInput(old, "visit", occurred_at=datetime.now(UTC) - timedelta(days=45))
    )
    services.notes.add_note(NoteInput(new, "call"))
    tasks = services.tasks.due_tasks()
    no_contact = {t.client_id: t for t in tasks if t.kind is TaskKind.NO_CONTACT}
    assert old in no_contact and new not in no_contact
    today = date.today()
    assert no_contact[old].due < today


def test_closed_clients_are_not_counted_or_chased(services):
    _client(services, "Closed", status=ClientStatus.CLOSED)
    _client(services, "Open", intensity=Intensity.INTENSIVE)
    summary = services.tasks.home_summary()
    assert summary.figures.active == 1
    assert summary.figures.by_intensity[Intensity.INTENSIVE] == 1
    assert all(t.client_name.startswith("Open") for t in summary.tasks)


def test_summary_counts_and_recent_order(services):
    first = _client(services, "First")
    second = _client(services, "Second")
    services.notes.add_note(
        NoteInput(first, "a", occurred_at=datetime.now(UTC) - timedelta(days=2))
    )
    services.notes.add_note(NoteInput(second, "b"))
    summary = services.tasks.home_summary()
    assert [r.client_id for r in summary.recent] == [second, first]
    assert sum(summary.counts.values()) == len(summary.tasks)
    assert set(summary.counts) == {Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS}


def test_cache_sees_new_writes(services):
    assert services.tasks.due_tasks() == []
    _client(services, "Later")
    assert services.tasks.due_tasks() != []  # the change stamp moved


def test_demo_caseload_matches_per_client_derivation(services):
    """The set-based read gives the same tasks as the domain rules per client would."""
    generate_demo_data(services.vault.db, clients=40, seed=3)
    today = date.today()
    tasks = services.tasks.due_tasks(today)
    assert tasks == sorted(tasks, key=lambda t: (t.due, t.client_name, t.kind))
    assert all(t.due <= today + timedelta(days=7) for t in tasks)
    kinds = {t.kind for t in tasks}
    assert TaskKind.ACTION_DUE in kinds and TaskKind.PLAN_REVIEW in kinds
    assert services.tasks.caseload().active == services.tasks.home_summary().figures.active


def test_a_fixed_number_of_queries_whatever_the_caseload(services):
    """Set-based: the statement count does not grow with the number of clients."""

    def count_statements() -> int:
        seen: list[str] = []
        with services.vault.db.read() as session:  # same thread: the same pooled connection
            raw = session.connection().connection.driver_connection
        raw.set_trace_callback(seen.append)
        services.tasks._cache = None
        try:
            services.tasks.due_tasks()
        finally:
            raw.set_trace_callback(None)
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    generate_demo_data(services.vault.db, clients=5, seed=1)
    small = count_statements()
    generate_demo_data(services.vault.db, clients=30, seed=2)
    assert count_statements() == small
    assert 5 <= small <= 12

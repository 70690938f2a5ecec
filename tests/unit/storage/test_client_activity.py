"""client_activity: per-client facts (last contact, latest risk screen and episode, consent on
file) kept by triggers on their source tables."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.consent import ConsentInput
from casedesk.domain.enums import ConsentScope, RiskLevel
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.consent import ConsentService
from casedesk.services.demo import generate_demo_data
from casedesk.services.notes import NoteService
from casedesk.services.risk import RiskInput, RiskService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.migrate import rebuild_client_activity
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


# ----------------------------------------------------------------------------- all the facts

_FACTS = (
    "client_id, last_contact_at, risk_level, risk_review_on, support_started_on, "
    "exit_follow_up_on, store_consent_on_file"
)


def _facts(conn) -> list[tuple]:
    return list(conn.exec_driver_sql(f"SELECT {_FACTS} FROM client_activity ORDER BY 1"))


def _recomputed(conn) -> list[tuple]:
    """What a full rebuild from the source tables gives (rolled back afterwards)."""
    conn.exec_driver_sql("SAVEPOINT rebuild")
    try:
        rebuild_client_activity(conn)
        return _facts(conn)
    finally:
        conn.exec_driver_sql("ROLLBACK TO rebuild")
        conn.exec_driver_sql("RELEASE rebuild")


# Edits of the kinds sync, services and corrections make to the source tables. Each picks a
# random row; moving rows between clients gives clients several screens, episodes and
# consents, and dates move both ways so the "latest" row changes, ties included.
_EDITS = (
    "UPDATE risk_screen SET screened_on = date(screened_on, '{days} days') WHERE id = '{id}'",
    "UPDATE risk_screen SET overall_level = 'high', review_on = date('now') WHERE id = '{id}'",
    "UPDATE risk_screen SET deleted_at = '2026-11-01 00:00:00.000000' WHERE id = '{id}'",
    "UPDATE risk_screen SET deleted_at = NULL WHERE id = '{id}'",
    "UPDATE episode SET opened_on = date(opened_on, '{days} days') WHERE id = '{id}'",
    "UPDATE episode SET closed_on = date('now'), follow_up_on = date('now', '42 days') "
    "WHERE id = '{id}'",
    "UPDATE episode SET followed_up_at = '2026-11-20 10:00:00.000000' WHERE id = '{id}'",
    "UPDATE episode SET deleted_at = '2026-11-01 00:00:00.000000' WHERE id = '{id}'",
    "UPDATE consent SET deleted_at = '2026-11-01 00:00:00.000000' WHERE id = '{id}'",
    "UPDATE consent SET scope = 'share' WHERE id = '{id}'",
    "UPDATE consent SET scope = 'collect_store', deleted_at = NULL WHERE id = '{id}'",
    "UPDATE case_note SET occurred_at = '2027-01-0{digit} 09:00:00.000000' WHERE id = '{id}'",
    "UPDATE case_note SET deleted_at = '2026-11-01 00:00:00.000000' WHERE id = '{id}'",
    "UPDATE case_note SET status = 'entered_in_error' WHERE id = '{id}'",
    "UPDATE consent SET client_id = (SELECT id FROM client ORDER BY random() LIMIT 1) "
    "WHERE id = '{id}'",
    "UPDATE risk_screen SET client_id = (SELECT id FROM client ORDER BY random() LIMIT 1) "
    "WHERE id = '{id}'",
    "UPDATE episode SET client_id = (SELECT id FROM client ORDER BY random() LIMIT 1) "
    "WHERE id = '{id}'",
    "UPDATE case_note SET client_id = (SELECT id FROM client ORDER BY random() LIMIT 1) "
    "WHERE id = '{id}'",
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_triggers_keep_every_fact_equal_to_a_full_rebuild(tmp_path, seed):
    """After any mix of inserts, moves, tombstones, notes entered in error and re-parenting,
    the trigger-kept facts equal a recomputation from the source tables."""
    vault = _vault(tmp_path)
    generate_demo_data(vault.db, clients=25, seed=seed)
    rng = random.Random(seed)
    with vault.db.engine.connect() as conn, conn.begin():
        assert _facts(conn) == _recomputed(conn)  # the bulk load's rebuild
        assert any(row[2] for row in _facts(conn)) and any(row[6] for row in _facts(conn))
        for _ in range(300):
            edit = rng.choice(_EDITS)
            table = edit.split()[1]
            unlocked = " WHERE locked_at IS NULL" if table == "case_note" else ""
            row_id = conn.exec_driver_sql(
                f"SELECT id FROM {table}{unlocked} ORDER BY random() LIMIT 1"
            ).scalar()
            conn.exec_driver_sql(
                edit.format(id=row_id, days=rng.randint(-400, 400), digit=rng.randint(1, 9))
            )
        assert _facts(conn) == _recomputed(conn)


def test_services_keep_the_facts_current(tmp_path):
    """Risk screens, exits and consents entered through the services show up at once."""
    vault = _vault(tmp_path)
    clients = ClientService(vault.db)
    client = clients.add_client(ClientInput(given_name="Ana", family_name="Lima"))
    ConsentService(vault.db).add_consent(
        ConsentInput(client.id, ConsentScope.COLLECT_STORE, given_on=date(2026, 11, 1))
    )
    RiskService(vault.db).finalise(
        client.id,
        RiskInput(
            date(2026, 11, 2),
            risk_to_self=RiskLevel.HIGH,
            overall_level=RiskLevel.HIGH,
            review_on=date(2026, 11, 30),
        ),
    )
    with vault.db.read() as session:
        row = session.get(ClientActivity, client.id)
        assert row is not None
        assert (row.risk_level, row.risk_review_on) == ("high", date(2026, 11, 30))
        assert row.store_consent_on_file is True

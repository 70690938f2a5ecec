"""TaskService: set-based caseload read, derived tasks, Home summary, change-aware cache."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from casedesk.domain.clients import ClientInput, display_name
from casedesk.domain.consent import ConsentInput
from casedesk.domain.enums import ClientStatus, ConsentScope, Intensity
from casedesk.domain.notes import NoteInput
from casedesk.domain.tasks import (
    ActionDue,
    Bucket,
    ClientTaskFacts,
    ConsentFacts,
    ReferralDue,
    Task,
    TaskKind,
    consent_attention_date,
    derive_caseload_tasks,
    sort_tasks,
)
from casedesk.services.bundle import Services
from casedesk.services.demo import generate_demo_data
from casedesk.services.risk import RiskInput
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import (
    Action,
    CaseNote,
    CasePlan,
    Client,
    Consent,
    Episode,
    Goal,
    ReferralOut,
    RiskScreen,
    ServiceEntry,
)


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
        services.tasks.invalidate()
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


# ----------------------------------------------------------------------------- reference check


def _reference_tasks(services: Services, today: date, horizon: date) -> list[Task]:
    """The caseload's tasks the plain way: every fact read per client through the ORM, every
    consent and action passed to the domain rules unfiltered. The service's set-based read
    (covering indexes, trigger-kept facts, consents filtered to those needing attention)
    must give exactly these."""
    facts = []
    with services.vault.db.read() as s:
        for client in s.scalars(select(Client).where(Client.deleted_at.is_(None))):
            facts.append(_reference_facts(s, client))
    return derive_caseload_tasks(facts, today, horizon=horizon)


def _live(model, client_id: str):
    return select(model).where(model.client_id == client_id, model.deleted_at.is_(None))


# The service's documented convention for a last contact's local date: today's UTC offset.
_LOCAL_NOW = datetime.now().astimezone().tzinfo


def _reference_facts(s, client: Client) -> ClientTaskFacts:
    risk = s.scalars(
        _live(RiskScreen, client.id).order_by(
            RiskScreen.screened_on.desc(), RiskScreen.created_at.desc()
        )
    ).first()
    episode = s.scalars(
        _live(Episode, client.id).order_by(Episode.opened_on.desc(), Episode.created_at.desc())
    ).first()
    open_plans = {p.id: p for p in s.scalars(_live(CasePlan, client.id)) if p.state != "closed"}
    reviews = [p.next_review_on for p in open_plans.values() if p.next_review_on]
    goals = [g.id for g in s.scalars(_live(Goal, client.id)) if g.plan_id in open_plans]
    actions = s.scalars(
        select(Action).where(Action.goal_id.in_(goals), Action.deleted_at.is_(None))
    )
    referrals = []
    for r in s.scalars(_live(ReferralOut, client.id)):
        service = s.get(ServiceEntry, r.service_id) if r.service_id else None
        agency = r.agency_name or (service.name if service else "")
        referrals.append(ReferralDue(r.id, agency, r.status, r.follow_up_on))
    notes = [n.occurred_at for n in s.scalars(_live(CaseNote, client.id))]
    follow_up = None
    if episode is not None and episode.closed_on is not None and episode.followed_up_at is None:
        follow_up = episode.follow_up_on
    return ClientTaskFacts(
        client.id,
        display_name(client.given_name, client.family_name, client.preferred_name),
        client.status,
        risk.overall_level if risk else None,
        risk.review_on if risk else None,
        min(reviews, default=None),
        tuple(ActionDue(a.id, a.description, a.due_on, a.status) for a in actions),
        tuple(referrals),
        tuple(
            ConsentFacts(k.id, k.scope, k.given_on, k.expires_on, k.withdrawn_on, tuple(k.agencies))
            for k in s.scalars(_live(Consent, client.id))
        ),
        max(notes).astimezone(_LOCAL_NOW).date() if notes else None,
        episode.opened_on if episode else None,
        follow_up,
    )


def _shake_up(services: Services, rng: random.Random) -> None:
    """Edits the demo story rarely makes: withdrawals, renewals, tombstones, closed plans."""
    with services.vault.db.engine.connect() as conn, conn.begin():
        edits = (
            "UPDATE consent SET withdrawn_on = date('now', '-{n} days') WHERE id = '{consent}'",
            "UPDATE consent SET expires_on = date('now', '{n} days') WHERE id = '{consent}'",
            "UPDATE consent SET expires_on = date('now', '-{n} days') WHERE id = '{consent}'",
            "UPDATE consent SET deleted_at = '2026-11-01 00:00:00.000000' WHERE id = '{consent}'",
            "UPDATE consent SET client_id = '{client}' WHERE id = '{consent}'",
            "UPDATE case_plan SET state = 'closed' WHERE client_id = '{client}'",
            "UPDATE goal SET deleted_at = '2026-11-01 00:00:00' WHERE client_id = '{client}'",
            "UPDATE risk_screen SET review_on = date('now', '{n} days') WHERE client_id='{client}'",
            "UPDATE referral_out SET status = 'closed' WHERE client_id = '{client}'",
            "UPDATE client SET status = 'closed' WHERE id = '{client}'",
        )
        for _ in range(60):
            pick = "SELECT id FROM {} ORDER BY random() LIMIT 1"
            conn.exec_driver_sql(
                rng.choice(edits).format(
                    n=rng.randint(0, 60),
                    consent=conn.exec_driver_sql(pick.format("consent")).scalar(),
                    client=conn.exec_driver_sql(pick.format("client")).scalar(),
                )
            )
    services.vault.db.generation += 1  # written outside Database.session()


@pytest.mark.parametrize("seed", [3, 8])
def test_set_based_read_matches_the_rules_applied_record_by_record(services, seed):
    generate_demo_data(services.vault.db, clients=40, seed=seed)
    _shake_up(services, random.Random(seed))
    for offset in (-45, 0, 30):  # another day changes which consents need attention
        today = date.today() + timedelta(days=offset)
        for days in (0, 7, 60):
            tasks = services.tasks.due_tasks(today, days=days)
            expected = _reference_tasks(services, today, today + timedelta(days=days))
            assert Counter(tasks) == Counter(expected)
            assert tasks == sort_tasks(tasks)
    assert {t.kind for t in tasks} >= {TaskKind.ACTION_DUE, TaskKind.CONSENT_EXPIRED}


def _quiet_client(services: Services, contact: datetime) -> str:
    """An active client whose own record raises nothing today: consent on file, seen lately."""
    cid = _client(services, "Quiet")
    services.consent.add_consent(
        ConsentInput(cid, ConsentScope.COLLECT_STORE, given_on=date.today() - timedelta(days=9))
    )
    services.notes.add_note(NoteInput(cid, "visit", occurred_at=contact))
    services.risk.finalise(
        cid, RiskInput(date.today() - timedelta(days=9), review_on=date(2099, 1, 1))
    )
    return cid


def _edit(services: Services, sql: str, **params: object) -> None:
    with services.vault.db.engine.connect() as conn, conn.begin():
        conn.execute(text(sql), params)
    services.vault.db.generation += 1  # written outside Database.session()


@pytest.mark.parametrize(
    ("kind", "sql"),
    [
        (TaskKind.CONSENT_EXPIRING, "UPDATE consent SET expires_on = :consent_expiry"),
        (TaskKind.CONSENT_MISSING, "UPDATE consent SET withdrawn_on = :today"),
        (TaskKind.CONSENT_MISSING, "UPDATE consent SET deleted_at = '2026-01-01 00:00:00'"),
        (TaskKind.CONSENT_MISSING, "UPDATE consent SET scope = 'share'"),
        (TaskKind.EXIT_FOLLOW_UP, "UPDATE client SET status = 'closed'"),
        (TaskKind.RISK_REVIEW, "UPDATE risk_screen SET review_on = :due_by"),
    ],
)
def test_each_filtered_read_includes_the_date_on_its_edge(services, kind, sql):
    """On the edge of each date the read filters on, the client's task appears, and the
    whole caseload still matches the rules applied record by record."""
    today = date.today()
    due_by = today + timedelta(days=7)
    cid = _quiet_client(services, datetime.now(UTC))
    assert [t for t in services.tasks.due_tasks(today) if t.client_id == cid] == []
    with services.vault.db.engine.connect() as conn, conn.begin():
        conn.execute(
            text(
                "INSERT INTO episode (client_id, opened_on, closed_on, closure_reason, "
                "closure_detail, exit_summary, achievements, supports_in_place, "
                "feedback_comments, follow_up_on, id, row_version, created_at, updated_at, hlc) "
                "VALUES (:cid, :opened, :today, 'goals_achieved', '', '', '', '', '', "
                ":due_by, 'e-edge', 1, :now, :now, '0')"
            ),
            {
                "cid": cid,
                "opened": "2026-01-05",
                "today": today,
                "due_by": due_by,
                "now": "2026-11-01 00:00:00.000000",
            },
        )
    _edit(
        services,
        sql,
        today=today,
        due_by=due_by,
        consent_expiry=consent_attention_date(today, due_by),
    )
    tasks = [t for t in services.tasks.due_tasks(today) if t.client_id == cid]
    assert kind in {t.kind for t in tasks}
    assert Counter(services.tasks.due_tasks(today)) == Counter(
        _reference_tasks(services, today, due_by)
    )


@pytest.mark.parametrize("days_ago", [22, 23, 24])
def test_no_contact_reminder_starts_exactly_a_week_before_it_is_due(services, days_ago):
    today = date.today()
    # Midday, so a daylight-saving change since then cannot move it to another date.
    seen = datetime.combine(today - timedelta(days=days_ago), datetime.min.time()).astimezone()
    cid = _quiet_client(services, seen.replace(hour=12).astimezone(UTC))
    kinds = {t.kind for t in services.tasks.due_tasks(today) if t.client_id == cid}
    assert (TaskKind.NO_CONTACT in kinds) is (days_ago >= 23)  # due 30 days on, shown 7 before

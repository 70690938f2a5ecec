"""Demo caseload: deterministic per seed and anchor, a truthful vault (outbox, FTS, integrity)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from casedesk.domain.caseload import HighRiskBand
from casedesk.domain.enums import ClientStatus
from casedesk.domain.tasks import Bucket, TaskKind, bucket
from casedesk.services.clients import ClientService
from casedesk.services.demo import generate_demo_data
from casedesk.services.demo_story import WORKER_CASELOAD_CLIENTS
from casedesk.services.notes import NoteService
from casedesk.services.stats import table_counts
from casedesk.services.tasks import TaskService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import SYNCED_TABLES

ANCHOR = date(2026, 6, 30)
INSERT_OPS = text("SELECT count(*) FROM sync_outbox WHERE table_name = :t AND kind = 'insert'")
LOCKED_AFTER = text(
    "SELECT count(*) FROM case_note WHERE locked_at IS NOT NULL AND occurred_at > :d"
)


def _demo_vault(path: Path, seed: int, clients: int = 4) -> VaultService:
    vault = VaultService(path, kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    generate_demo_data(vault.db, clients, seed=seed, anchor=ANCHOR)
    return vault


def _snapshot(vault: VaultService) -> list[tuple[str, str, str]]:
    return [(c.id, c.given_name, c.family_name) for c in ClientService(vault.db).list_clients()]


def test_same_seed_same_caseload_and_a_sound_vault(tmp_path: Path) -> None:
    first = _demo_vault(tmp_path / "a", seed=11)
    second = _demo_vault(tmp_path / "b", seed=11)
    other = _demo_vault(tmp_path / "c", seed=12)
    try:
        assert _snapshot(first) == _snapshot(second)
        assert _snapshot(first) != _snapshot(other)
        counts = table_counts(first.db)
        assert counts == table_counts(second.db)
        assert counts["client"] == 4 and counts["case_note"] > 40
        for table in ("goal", "action", "assessment", "case_plan", "consent", "episode"):
            assert counts[table] > 0, table
        assert first.check().sound

        with first.db.engine.connect() as conn:  # every synced row has its insert op
            for table in SYNCED_TABLES:
                rows = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
                ops = conn.execute(INSERT_OPS, {"t": table}).scalar()
                assert rows == ops, table
            too_new = conn.execute(LOCKED_AFTER, {"d": str(ANCHOR)}).scalar()
            assert too_new == 0  # only notes older than the anchor are locked

        word = NoteService(first.db).list_notes(_snapshot(first)[0][0])[0].body.split()[0]
        assert NoteService(first.db).search_notes(word.strip(".,;"))  # FTS index built
    finally:
        for vault in (first, second, other):
            vault.lock()


# ----------------------------------------------------------------------------- dates that agree

# Each query counts the rows breaking one rule; ":a" is the anchor date ("today" in the story).
# An open case has no closing date: "9999-12-31" stands for never (a text that SQLite
# cannot read as a number, so it compares as text with the DATE columns).
_END = "(SELECT closed_on FROM episode e WHERE e.client_id = {t}.client_id)"
_PLAN_OF_ACTION = "(SELECT p.{col} FROM goal g JOIN case_plan p ON p.id = g.plan_id " \
                  "WHERE g.id = action.goal_id)"
DATE_RULES = {
    "referral step after today": "SELECT count(*) FROM referral_out WHERE drafted_on > :a "
    "OR sent_on > :a OR responded_on > :a OR attended_on > :a OR closed_on > :a",
    "referral steps out of order": "SELECT count(*) FROM referral_out WHERE "
    "sent_on < drafted_on OR responded_on < coalesce(sent_on, drafted_on) "
    "OR attended_on < coalesce(responded_on, sent_on, drafted_on) "
    "OR closed_on < coalesce(attended_on, responded_on, sent_on, drafted_on)",
    "referral follow-up not after its latest step": "SELECT count(*) FROM referral_out WHERE "
    "follow_up_on <= max(drafted_on, coalesce(sent_on, drafted_on), "
    "coalesce(responded_on, drafted_on), coalesce(attended_on, drafted_on))",
    "closed referral still to follow up": "SELECT count(*) FROM referral_out "
    "WHERE status = 'closed' AND follow_up_on IS NOT NULL",
    "referral step after the case closed": "SELECT count(*) FROM referral_out WHERE "
    f"max(drafted_on, coalesce(closed_on, responded_on, sent_on, drafted_on)) > "
    f"coalesce({_END.format(t='referral_out')}, '9999-12-31')",
    "action done after today": "SELECT count(*) FROM action WHERE completed_on > :a",
    "action done before its plan was agreed": "SELECT count(*) FROM action WHERE "
    f"completed_on < {_PLAN_OF_ACTION.format(col='period_start')}",
    "action due outside its plan's period": "SELECT count(*) FROM action WHERE "
    f"due_on < {_PLAN_OF_ACTION.format(col='period_start')} "
    f"OR due_on > {_PLAN_OF_ACTION.format(col='period_end')}",
    "plan agreed after today": "SELECT count(*) FROM plan_version WHERE agreed_on > :a",
    "review outside its plan's life": "SELECT count(*) FROM review r JOIN case_plan p "
    "ON p.id = r.plan_id WHERE r.held_on > :a OR r.held_on < p.period_start "
    "OR r.held_on > p.period_end OR r.held_on > "
    f"coalesce({_END.format(t='p')}, '9999-12-31')",
    "next review outside its plan's period": "SELECT count(*) FROM case_plan WHERE "
    "next_review_on < period_start OR next_review_on > period_end",
    "closed plan with a review due": "SELECT count(*) FROM case_plan "
    "WHERE state = 'closed' AND next_review_on IS NOT NULL",
    "case closed after today or before it opened": "SELECT count(*) FROM episode "
    "WHERE closed_on > :a OR closed_on < opened_on",
    "exit follow-up before the exit": "SELECT count(*) FROM episode WHERE "
    "follow_up_on < closed_on OR date(followed_up_at) < closed_on",
    "exit follow-up made after today": "SELECT count(*) FROM episode "
    "WHERE date(followed_up_at) > :a",
    "assessment after today or the exit": "SELECT count(*) FROM assessment WHERE "
    f"assessed_on > :a OR assessed_on > coalesce({_END.format(t='assessment')}, '9999-12-31')",
    "note after today or the exit": "SELECT count(*) FROM case_note WHERE "
    f"date(occurred_at) > :a OR date(occurred_at) > coalesce({_END.format(t='case_note')}, "
    "'9999-12-31')",
    "consent given or withdrawn after today": "SELECT count(*) FROM consent "
    "WHERE given_on > :a OR withdrawn_on > :a",
    "risk screened after today, or reviewed before": "SELECT count(*) FROM risk_screen "
    "WHERE screened_on > :a OR review_on <= screened_on",
}


def _broken_rules(vault: VaultService, anchor: date) -> dict[str, int]:
    with vault.db.engine.connect() as conn:
        counts = {rule: conn.execute(text(sql), {"a": anchor.isoformat()}).scalar_one()
                  for rule, sql in DATE_RULES.items()}
    return {rule: count for rule, count in counts.items() if count}


@pytest.mark.parametrize("clients", [None, 60], ids=["default demo", "synthetic 60"])
@pytest.mark.parametrize("seed, anchor", [
    (1, date(2026, 6, 30)), (2, date(2024, 2, 29)), (3, date(2027, 1, 1)),
    (4, date(2025, 12, 31)),
])
def test_demo_dates_agree_with_each_other(
    tmp_path: Path, clients: int | None, seed: int, anchor: date
) -> None:
    vault = VaultService(tmp_path / "v", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    try:
        generate_demo_data(vault.db, clients, seed=seed, anchor=anchor)

        assert _broken_rules(vault, anchor) == {}
    finally:
        vault.lock()


@pytest.mark.parametrize("seed, anchor", [
    (1, date(2026, 6, 30)), (2, date(2024, 2, 29)), (3, date(2027, 1, 1)),
])
def test_default_demo_is_one_workers_believable_caseload(
    tmp_path: Path, seed: int, anchor: date
) -> None:
    vault = VaultService(tmp_path / "v", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    try:
        summary = generate_demo_data(vault.db, seed=seed, anchor=anchor)
        home = TaskService(vault.db).home_summary(today=anchor)
        statuses = Counter(c.status for c in ClientService(vault.db).list_clients())
    finally:
        vault.lock()

    overdue = [t for t in home.tasks if bucket(t, anchor) is Bucket.OVERDUE]
    figures = home.figures
    assert summary.clients == WORKER_CASELOAD_CLIENTS
    assert 25 <= figures.active <= 40
    assert statuses[ClientStatus.CLOSED] >= 3 and statuses[ClientStatus.REFERRAL] >= 1
    assert 3 <= len(overdue) <= 8, [(t.kind, t.due) for t in overdue]
    assert {t.kind for t in overdue} == {TaskKind.ACTION_DUE, TaskKind.PLAN_REVIEW,
                                         TaskKind.RISK_REVIEW, TaskKind.NO_CONTACT,
                                         TaskKind.REFERRAL_FOLLOW_UP}
    assert 0.8 * figures.capacity <= figures.weighted <= 1.3 * figures.capacity
    assert figures.high_risk_band is HighRiskBand.WITHIN
    assert home.counts[Bucket.NEXT_7_DAYS] <= 30  # a week's work, not hundreds of items

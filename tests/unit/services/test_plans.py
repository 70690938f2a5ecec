from datetime import date, timedelta

import pytest
from sqlalchemy import text

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.enums import Intensity, PlanState, PlanVersionState
from casedesk.domain.plans import ChangeKind, ItemKind, PlanTransitionError
from casedesk.services.bundle import Services
from casedesk.services.errors import ImmutableRecordError
from casedesk.services.goals import ActionInput, GoalInput, TargetInput
from casedesk.services.plans import PlanLocked, snapshot_sha256
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import PlanVersion
from vaultkit import with_my_details


@pytest.fixture
def services(tmp_path):
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    yield with_my_details(Services.for_vault(vault))
    vault.lock()


@pytest.fixture
def client_id(services):
    return services.clients.add_client(
        ClientInput("Ada", "Lovelace", date_of_birth="1980-02-03", intensity=Intensity.HIGH)
    ).id


def _goal(words="Keep my tenancy", **kw):
    return GoalInput(
        client_words=words,
        domain_key="housing",
        targets=(TargetInput("Rent paid on time", "0", "4 of 4 weeks", today() + timedelta(60)),),
        **kw,
    )


def test_start_plan_is_idempotent_and_opens_an_episode(services, client_id):
    plan = services.plans.start_plan(client_id)
    assert plan.state is PlanState.DRAFT and plan.editable
    assert services.plans.start_plan(client_id).id == plan.id
    assert services.episodes.current_episode(client_id) is not None
    assert plan.review_interval_days == 42  # high intensity: 6 weeks


def test_agree_freezes_version_one_and_refuses_changes(services, client_id):
    plan = services.plans.start_plan(client_id)
    with pytest.raises(PlanTransitionError, match="at least one goal"):
        services.plans.agree(plan.id)
    plan = services.goals.add_goal(plan.id, _goal())
    goal = plan.goals[0]
    services.goals.add_action(goal.id, ActionInput("Set up direct debit"))
    plan = services.plans.agree(plan.id)
    assert plan.state is PlanState.AGREED and plan.current_version == 1
    assert plan.next_review_on == today() + timedelta(weeks=6)
    [v1] = plan.versions
    assert v1.state is PlanVersionState.CURRENT
    snap = services.plans.version_snapshot(plan.id, 1)
    assert snapshot_sha256(snap) == v1.content_sha256
    assert snap.goals[0].actions[0].description == "Set up direct debit"
    assert services.plans.verify_version(plan.id, 1)
    with pytest.raises(PlanLocked, match="Start a review"):
        services.goals.update_goal(goal.id, _goal("Changed"))
    with pytest.raises(PlanLocked):
        services.goals.add_goal(plan.id, _goal("Another"))
    with pytest.raises(PlanTransitionError, match="already agreed"):
        services.plans.agree(plan.id)


def test_version_rows_are_immutable_in_the_database(services, client_id):
    plan = services.plans.start_plan(client_id)
    plan = services.goals.add_goal(plan.id, _goal())
    services.plans.agree(plan.id)
    db = services.vault.db
    with pytest.raises(ImmutableRecordError), db.session() as session:
        row = session.query(PlanVersion).one()
        row.content_sha256 = "0" * 64
    with pytest.raises(Exception, match="permanent"), db.engine.begin() as conn:
        conn.execute(text("UPDATE plan_version SET content_sha256 = 'x'"))
    assert services.plans.verify_version(plan.id, 1)


def test_review_then_version_two_supersedes_and_diff(services, client_id):
    plan = services.plans.start_plan(client_id)
    plan = services.goals.add_goal(plan.id, _goal())
    plan = services.plans.agree(plan.id)
    with pytest.raises(PlanTransitionError, match="kept"):
        services.plans.keep_current(plan.id)
    plan = services.plans.start_review(plan.id)
    assert plan.state is PlanState.UNDER_REVIEW and plan.editable
    with pytest.raises(PlanTransitionError, match="already under way"):
        services.plans.start_review(plan.id)
    goal = plan.goals[0]
    kept = TargetInput(
        "Rent paid on time", "0", "4 of 4 weeks", goal.targets[0].due_on, id=goal.targets[0].id
    )
    plan = services.goals.update_goal(
        goal.id, GoalInput(client_words="Keep my flat", domain_key="housing", targets=(kept,))
    )
    changes = services.plans.compare(plan.id, 1, None)
    assert [(c.item, c.change) for c in changes] == [(ItemKind.GOAL, ChangeKind.CHANGED)]
    plan = services.plans.agree(plan.id)
    assert plan.current_version == 2
    assert [v.state for v in plan.versions] == [
        PlanVersionState.SUPERSEDED,
        PlanVersionState.CURRENT,
    ]
    assert services.plans.version_snapshot(plan.id, 1).goals[0].client_words == "Keep my tenancy"
    assert services.plans.compare(plan.id, 1, 2) == changes


def test_set_period_validates_and_is_locked_when_agreed(services, client_id):
    from casedesk.services.errors import ValidationError

    plan = services.plans.start_plan(client_id)
    with pytest.raises(ValidationError):
        services.plans.set_period(plan.id, "2026-05-01", "2026-04-01")
    plan = services.plans.set_period(plan.id, date(2026, 1, 1), date(2026, 12, 31), 30)
    assert plan.review_interval_days == 30
    plan = services.goals.add_goal(plan.id, _goal())
    services.plans.agree(plan.id, on=date(2026, 12, 20))
    plan = services.plans.get_plan(plan.id)
    assert plan.next_review_on == date(2026, 12, 31)  # never after the plan ends
    with pytest.raises(PlanLocked):
        services.plans.set_period(plan.id, date(2026, 1, 1), date(2027, 1, 1))


def test_demo_plan_versions_are_real_snapshots(services):
    from casedesk.services.demo import generate_demo_data

    generate_demo_data(services.vault.db, 6, seed=3, anchor=date(2026, 6, 1))
    checked = 0
    for row in services.clients.list_clients():
        plan = services.plans.current_plan(row.id)
        if plan is None or not plan.versions:
            continue
        assert services.plans.verify_version(plan.id, 1)
        snap = services.plans.version_snapshot(plan.id, 1)
        assert [g.id for g in snap.goals] == [g.id for g in plan.goals]
        checked += 1
    assert checked


def test_fast_snapshot_data_matches_the_domain_converter():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from casedesk.domain.plans import (
        ActionSnapshot,
        GoalSnapshot,
        PlanSnapshot,
        TargetSnapshot,
        snapshot_from_data,
        snapshot_to_data,
    )
    from casedesk.services.plans import snapshot_data

    text = st.text(max_size=20)
    opt = st.none() | text
    days = st.none() | st.dates()
    targets = st.builds(TargetSnapshot, text, opt, opt, opt, days)
    actions = st.builds(ActionSnapshot, text, text, opt, opt, days, opt, opt)
    goals = st.builds(
        GoalSnapshot,
        text,
        text,
        text,
        opt,
        opt,
        opt,
        opt,
        opt,
        opt,
        opt,
        st.tuples(targets) | st.just(()),
        st.lists(actions, max_size=3).map(tuple),
    )
    plans = st.builds(
        PlanSnapshot,
        st.none() | st.integers(1, 99),
        days,
        days,
        text,
        st.lists(goals, max_size=3).map(tuple),
    )

    @settings(deadline=None, max_examples=150)
    @given(plans)
    def check(snapshot):
        assert snapshot_data(snapshot) == snapshot_to_data(snapshot)
        assert snapshot_from_data(snapshot_data(snapshot)) == snapshot

    check()

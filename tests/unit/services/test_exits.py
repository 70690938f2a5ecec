from datetime import timedelta

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.enums import ClientStatus, ClosureReason, PlanState
from casedesk.domain.tasks import TaskKind
from casedesk.services.bundle import Services
from casedesk.services.errors import ValidationError
from casedesk.services.exits import ExitInput
from casedesk.services.goals import GoalInput
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from vaultkit import with_my_details


@pytest.fixture
def services(tmp_path):
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    yield with_my_details(Services.for_vault(vault))
    vault.lock()


@pytest.fixture
def client_id(services):
    cid = services.clients.add_client(ClientInput("Ada", "Lovelace", date_of_birth="1980-02-03")).id
    plan = services.plans.start_plan(cid, on=today() - timedelta(days=30))
    plan = services.goals.add_goal(plan.id, GoalInput("Keep my flat"))
    services.plans.agree(plan.id, on=today() - timedelta(days=20))
    return cid


def _exit(**kw):
    values = dict(closed_on=today(), reason=ClosureReason.GOALS_ACHIEVED, feedback_rating=5)
    values.update(kw)
    return ExitInput(**values)


def test_validation(services, client_id):
    with pytest.raises(ValidationError) as err:
        services.exits.exit_client(
            client_id, ExitInput(None, ClosureReason.OTHER, feedback_rating=9)
        )
    assert set(err.value.errors) == {"closed_on", "reason_detail", "feedback_rating"}


def test_exit_follow_up_and_reopen(services, client_id):
    record = services.exits.exit_client(client_id, _exit(achievements="Tenancy secure"))
    assert record.follow_up_on == today() + timedelta(weeks=6)
    assert services.clients.get_client(client_id).status is ClientStatus.CLOSED
    plan = services.plans.current_plan(client_id)
    assert plan.state is PlanState.CLOSED and plan.next_review_on is None
    tasks = services.tasks.due_tasks(today=today() + timedelta(weeks=6))
    assert [t.kind for t in tasks if t.client_id == client_id] == [TaskKind.EXIT_FOLLOW_UP]
    new = services.exits.reopen(client_id)
    assert new.is_open and new.id != record.id
    assert services.clients.get_client(client_id).status is ClientStatus.ACTIVE
    assert services.plans.current_plan(client_id) is None  # a new plan starts afresh
    episodes = services.exits.episodes(client_id)
    assert [e.id for e in episodes] == [new.id, record.id]
    assert episodes[1].achievements == "Tenancy secure"
    assert services.plans.verify_version(plan.id, 1)
    with pytest.raises(ValidationError):
        services.exits.reopen(client_id)


def test_follow_up_recorded_clears_task(services, client_id):
    record = services.exits.exit_client(client_id, _exit(follow_up_on=today()))
    kinds = [t.kind for t in services.tasks.due_tasks() if t.client_id == client_id]
    assert kinds == [TaskKind.EXIT_FOLLOW_UP]
    services.exits.record_follow_up(record.id)
    assert not [t for t in services.tasks.due_tasks() if t.client_id == client_id]


def test_no_follow_up_after_death(services, client_id):
    record = services.exits.exit_client(client_id, _exit(reason=ClosureReason.DIED))
    assert record.follow_up_on is None


def test_actions_of_a_closed_plan_raise_no_tasks_after_reopening(services):
    from casedesk.services.goals import ActionInput

    cid = services.clients.add_client(ClientInput("Bo", "Diddley", date_of_birth="1970-01-01")).id
    plan = services.plans.start_plan(cid, on=today() - timedelta(days=30))
    plan = services.goals.add_goal(plan.id, GoalInput("Keep my flat"))
    services.goals.add_action(
        plan.goals[0].id, ActionInput("Call the landlord", due_on=today() - timedelta(days=2))
    )
    services.plans.agree(plan.id, on=today() - timedelta(days=20))
    kinds = [t.kind for t in services.tasks.due_tasks() if t.client_id == cid]
    assert TaskKind.ACTION_DUE in kinds and TaskKind.PLAN_REVIEW not in kinds
    services.exits.exit_client(cid, _exit())
    services.exits.reopen(cid)
    kinds = [t.kind for t in services.tasks.due_tasks() if t.client_id == cid]
    assert TaskKind.ACTION_DUE not in kinds


def test_plan_review_due_becomes_a_task(services, client_id):
    plan = services.plans.current_plan(client_id)
    due = plan.next_review_on
    tasks = services.tasks.due_tasks(today=due)
    assert TaskKind.PLAN_REVIEW in [t.kind for t in tasks if t.client_id == client_id]


# ------------------------------------------------------------- issue 20 item 3: open items


@pytest.fixture
def busy_client(services):
    """Plan version 2 with an accepted, improving goal; two actions; a referral sent."""
    from casedesk.domain.enums import GoalAchievement, GoalLifecycle, ReferralStatus
    from casedesk.services.goals import ActionInput
    from casedesk.services.referrals import ReferralInput

    cid = services.clients.add_client(ClientInput("Tui", "Ngata", date_of_birth="1971-05-05")).id
    plan = services.plans.start_plan(cid, on=today() - timedelta(days=60))
    plan = services.goals.add_goal(
        plan.id,
        GoalInput(
            "Keep my flat",
            lifecycle=GoalLifecycle.ACCEPTED,
            achievement=GoalAchievement.IMPROVING,
        ),
    )
    goal_id = plan.goals[0].id
    services.goals.add_action(goal_id, ActionInput("Call the landlord"))
    plan = services.goals.add_action(goal_id, ActionInput("Fill in the rent form"))
    services.plans.agree(plan.id, on=today() - timedelta(days=50))
    services.plans.start_review(plan.id, on=today() - timedelta(days=10))
    services.plans.agree(plan.id, on=today() - timedelta(days=10))
    referral = services.referrals.add_referral(
        ReferralInput(cid, agency_name="Tenancy Advice", drafted_on=today() - timedelta(days=9))
    )
    services.referrals.set_status(referral.id, ReferralStatus.SENT, today() - timedelta(days=8))
    return cid


def _by_kind(items):
    return {
        kind: [i for i in items if i.kind.value == kind] for kind in ("goal", "action", "referral")
    }


def test_exit_lists_what_is_still_open_with_a_suggested_closing(services, busy_client):
    items = services.exits.open_items(busy_client)
    found = _by_kind(items)
    (goal,) = found["goal"]
    assert (goal.label, goal.status, goal.suggested) == ("Keep my flat", "improving", "improving")
    assert "achieved" in goal.choices and "not-attainable" in goal.choices
    assert [a.label for a in found["action"]] == ["Call the landlord", "Fill in the rent form"]
    assert {a.suggested for a in found["action"]} == {"cancelled"}
    assert found["action"][0].goal_label == "Keep my flat"
    (referral,) = found["referral"]
    assert (referral.label, referral.status, referral.suggested) == (
        "Tenancy Advice",
        "sent",
        "closed",
    )
    assert [i.kind.value for i in items] == ["goal", "action", "action", "referral"]


def test_exit_closes_the_chosen_items_with_their_statuses(services, busy_client):
    """Issue 20 item 3: after exit the goals, actions and referral no longer say 'open'."""
    from casedesk.domain.enums import ActionStatus, GoalAchievement, GoalLifecycle

    items = _by_kind(services.exits.open_items(busy_client))
    first, second = items["action"]
    closings = {
        items["goal"][0].id: "achieved",
        first.id: "done",
        second.id: "cancelled",
        items["referral"][0].id: "closed",
    }
    services.exits.exit_client(busy_client, _exit(), closings)
    plan = services.plans.current_plan(busy_client)
    assert plan.state is PlanState.CLOSED and plan.current_version == 2
    goal = plan.goals[0]
    assert goal.lifecycle is GoalLifecycle.COMPLETED
    assert goal.achievement is GoalAchievement.ACHIEVED
    assert [(a.status, a.completed_on) for a in goal.actions] == [
        (ActionStatus.DONE, today()),
        (ActionStatus.CANCELLED, None),
    ]
    (referral,) = services.referrals.list_referrals(busy_client)
    assert not referral.is_open and referral.closed_on == today()
    assert referral.follow_up_on is None
    assert services.plans.verify_version(plan.id, 2)  # the agreed versions are untouched
    history = [e.summary for e in services.audit.client_history(busy_client)]
    assert "Goal closed at exit (achieved)" in history
    assert "Referral closed at exit" in history


def test_items_left_out_stay_as_they_were(services, busy_client):
    from casedesk.domain.enums import ActionStatus, GoalLifecycle

    items = _by_kind(services.exits.open_items(busy_client))
    services.exits.exit_client(busy_client, _exit(), {items["referral"][0].id: "closed"})
    goal = services.plans.current_plan(busy_client).goals[0]
    assert goal.lifecycle is GoalLifecycle.ACCEPTED
    assert {a.status for a in goal.actions} == {ActionStatus.NOT_STARTED}


@pytest.mark.parametrize("bad", ["not-a-status", "done", "item-not-open"])
def test_a_bad_closing_refuses_the_whole_exit_and_writes_nothing(services, busy_client, bad):
    items = _by_kind(services.exits.open_items(busy_client))
    goal_id = items["goal"][0].id
    closings = {goal_id: bad} if bad != "item-not-open" else {"0000-no-such-item": "closed"}
    with pytest.raises(ValidationError) as err:
        services.exits.exit_client(
            busy_client, _exit(), {items["action"][0].id: "done", **closings}
        )
    assert "closings" in err.value.errors
    assert services.clients.get_client(busy_client).status is ClientStatus.ACTIVE
    assert services.exits.episodes(busy_client)[0].is_open
    assert len(services.exits.open_items(busy_client)) == 4


def test_the_overview_shows_the_last_plan_closed_at_exit(services, busy_client):
    assert services.episodes.overview(busy_client).closed_plan is None
    closed_on = today() - timedelta(days=1)
    services.exits.exit_client(busy_client, _exit(closed_on=closed_on))
    overview = services.episodes.overview(busy_client)
    assert overview.plan_state is None
    assert (overview.closed_plan.version, overview.closed_plan.closed_on) == (2, closed_on)
    services.exits.reopen(busy_client)
    assert services.episodes.overview(busy_client).closed_plan is None  # a new episode

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

from datetime import timedelta

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.enums import ActionStatus, GoalLifecycle, Performer, PlanState
from casedesk.domain.smart import SmartLetter, SmartRule
from casedesk.services.bundle import Services
from casedesk.services.errors import ValidationError
from casedesk.services.goals import ActionInput, GoalInput, TargetInput, coach
from casedesk.services.plans import PlanLocked
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
def plan(services):
    cid = services.clients.add_client(ClientInput("Ada", "Lovelace", date_of_birth="1980-02-03")).id
    return services.plans.start_plan(cid)


def test_goal_needs_text_and_valid_dates(services, plan):
    with pytest.raises(ValidationError) as err:
        services.goals.add_goal(plan.id, GoalInput(start_date="31/02/2026"))
    assert set(err.value.errors) == {"client_words", "start_date"}


def test_targets_are_replaced_by_id(services, plan):
    plan = services.goals.add_goal(
        plan.id, GoalInput("Walk to the shops", targets=(TargetInput("Walks a week", "0", "3"),))
    )
    goal = plan.goals[0]
    assert goal.status_date == today()
    keep = goal.targets[0]
    plan = services.goals.update_goal(
        goal.id,
        GoalInput(
            "Walk to the shops",
            targets=(
                TargetInput("Walks a week", "1", "3", id=keep.id),
                TargetInput("Pain", "8", "4"),
            ),
        ),
    )
    targets = plan.goals[0].targets
    assert [t.measure for t in targets] == ["Walks a week", "Pain"]
    assert targets[0].id == keep.id and targets[0].baseline == "1"


def test_actions_reorder_and_progress_after_agreement(services, plan):
    plan = services.goals.add_goal(plan.id, GoalInput("Get a job"))
    gid = plan.goals[0].id
    for what in ("CV", "Apply", "Interview"):
        plan = services.goals.add_action(gid, ActionInput(what, due_on=today() + timedelta(7)))
    ids = [a.id for a in plan.goals[0].actions]
    plan = services.goals.move_action(ids[2], -2)
    assert [a.description for a in plan.goals[0].actions] == ["Interview", "CV", "Apply"]
    plan = services.goals.move_action(ids[2], -5)  # clamped at the top
    assert plan.goals[0].actions[0].id == ids[2]
    plan = services.plans.agree(plan.id)
    with pytest.raises(PlanLocked):
        services.goals.move_action(ids[0], 1)
    plan = services.goals.set_action_status(ids[0], ActionStatus.DONE)
    action = next(a for a in plan.goals[0].actions if a.id == ids[0])
    assert action.status is ActionStatus.DONE and action.completed_on == today()
    assert services.plans.verify_version(plan.id, 1)


def test_goals_reorder_and_remove(services, plan):
    for words in ("One", "Two", "Three"):
        plan = services.goals.add_goal(plan.id, GoalInput(words))
    plan = services.goals.move_goal(plan.goals[2].id, -1)
    assert [g.client_words for g in plan.goals] == ["One", "Three", "Two"]
    plan = services.goals.remove_goal(plan.goals[0].id)
    assert [(g.client_words, g.sort_order) for g in plan.goals] == [("Three", 0), ("Two", 1)]


def test_agency_action_takes_directory_name(services, plan):
    entry = services.directory.save_service({"name": "Tenancy Advice Line"})
    plan = services.goals.add_goal(plan.id, GoalInput("Keep my flat"))
    plan = services.goals.add_action(
        plan.goals[0].id,
        ActionInput("Call about arrears", performer=Performer.AGENCY, service_id=entry.id),
    )
    action = plan.goals[0].actions[0]
    assert action.performer_name == "Tenancy Advice Line" and action.service_id == entry.id


def test_smart_coach_reads_the_goal(services, plan):
    plan = services.goals.add_goal(plan.id, GoalInput("Improve my health"))
    report = coach(plan.goals[0], plan)
    assert SmartRule.VAGUE_VERB in report.rules()
    assert not report.result(SmartLetter.MEASURABLE).met
    plan = services.goals.update_goal(
        plan.goals[0].id,
        GoalInput(
            "Improve my health",
            domain_key="physical_health",
            lifecycle=GoalLifecycle.ACCEPTED,
            targets=(TargetInput("Walks a week", "0", "3", today() + timedelta(30)),),
        ),
    )
    plan = services.goals.add_action(plan.goals[0].id, ActionInput("Walk with Sam"))
    assert coach(plan.goals[0], plan).all_met
    assert plan.state is PlanState.DRAFT

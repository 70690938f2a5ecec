import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.enums import GoalAchievement, PlanState
from casedesk.domain.plans import PlanTransitionError
from casedesk.services.bundle import Services
from casedesk.services.errors import ValidationError
from casedesk.services.goals import GoalInput
from casedesk.services.reviews import GoalReviewInput, ReviewInput, ReviewOutcome
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
    plan = services.plans.start_plan(cid)
    plan = services.goals.add_goal(plan.id, GoalInput("Keep my flat"))
    plan = services.goals.add_goal(plan.id, GoalInput("See my daughter"))
    return services.plans.agree(plan.id)


def _input(plan, score=7):
    return ReviewInput(
        today(),
        achievements="Rent paid every week",
        barriers="Bus fares",
        new_supports="Community transport",
        goals=(
            GoalReviewInput(plan.goals[0].id, GoalAchievement.ACHIEVED, "Done!", score),
            GoalReviewInput(plan.goals[1].id, GoalAchievement.IMPROVING, "Calls weekly", 5),
        ),
    )


def test_draft_plan_cannot_be_reviewed(services):
    cid = services.clients.add_client(ClientInput("Bo", "Diddley", date_of_birth="1970-01-01")).id
    plan = services.plans.start_plan(cid)
    with pytest.raises(PlanTransitionError, match="hasn't been agreed"):
        services.reviews.open_review(plan.id)


def test_review_finishes_with_a_new_version(services, plan):
    review = services.reviews.open_review(plan.id)
    assert services.plans.get_plan(plan.id).state is PlanState.UNDER_REVIEW
    assert services.reviews.open_review(plan.id).id == review.id  # resumes the draft
    saved = services.reviews.save_review(review.id, _input(plan))
    assert [g.scaling_score for g in saved.goals] == [7, 5]
    assert services.plans.get_plan(plan.id).goals[0].achievement is GoalAchievement.IN_PROGRESS
    done, after = services.reviews.finish_review(
        review.id, _input(plan), ReviewOutcome.AGREE_NEW_VERSION
    )
    assert done.finished and after.current_version == 2 and after.state is PlanState.AGREED
    assert after.goals[0].achievement is GoalAchievement.ACHIEVED
    assert services.plans.version_snapshot(plan.id, 2).goals[0].achievement == "achieved"
    assert services.plans.version_snapshot(plan.id, 1).goals[0].achievement == "in-progress"
    with pytest.raises(ValidationError):
        services.reviews.save_review(review.id, _input(plan))
    assert [r.id for r in services.reviews.list_reviews(plan.id)] == [review.id]


def test_keep_current_and_continue_editing(services, plan):
    review = services.reviews.open_review(plan.id)
    _, after = services.reviews.finish_review(review.id, _input(plan), ReviewOutcome.KEEP_CURRENT)
    assert after.state is PlanState.AGREED and after.current_version == 1
    review = services.reviews.open_review(plan.id)
    _, after = services.reviews.finish_review(
        review.id, _input(plan), ReviewOutcome.CONTINUE_EDITING
    )
    assert after.state is PlanState.UNDER_REVIEW and after.editable


def test_scaling_score_range(services, plan):
    review = services.reviews.open_review(plan.id)
    with pytest.raises(ValidationError):
        services.reviews.save_review(review.id, _input(plan, score=11))

"""SMART coach: every rule, met and not met."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.domain.enums import GoalLifecycle, Performer
from casedesk.domain.smart import (
    ActionFacts,
    GoalFacts,
    SmartLetter,
    SmartRule,
    TargetFacts,
    coach_goal,
    vague_phrases_in,
)

TODAY = date(2026, 11, 22)

GOOD = GoalFacts(
    today=TODAY,
    client_words="I want my own place with a lease in my name",
    worker_framing="Secure a tenancy",
    targets=(
        TargetFacts(
            measure="signed lease",
            baseline="staying with a friend",
            target="lease signed",
            due=date(2027, 2, 1),
        ),
    ),
    need_id="need-1",
    domain_key="housing",
    actions=(ActionFacts("Apply for two flats a week", Performer.CLIENT, date(2026, 12, 6)),),
    plan_start=date(2026, 11, 1),
    plan_end=date(2027, 5, 1),
    lifecycle=GoalLifecycle.ACCEPTED,
)


def rules(goal: GoalFacts) -> frozenset[SmartRule]:
    return coach_goal(goal).rules()


def test_a_good_goal_meets_all_five() -> None:
    report = coach_goal(GOOD)
    assert report.all_met
    assert report.met_count == 5
    assert report.hints == ()
    assert [r.letter for r in report.results] == list(SmartLetter)


def test_hints_are_short_and_plain() -> None:
    empty = coach_goal(GoalFacts(today=TODAY))
    assert not empty.all_met
    for hint in empty.hints:
        assert 10 < len(hint.text) < 140
        assert "must" not in hint.text.lower()
        assert "!" not in hint.text


# ----------------------------------------------------------------------------- Specific


def test_no_description() -> None:
    goal = replace(GOOD, client_words=" ", worker_framing="")
    assert SmartRule.NO_DESCRIPTION in rules(goal)
    assert not coach_goal(goal).result(SmartLetter.SPECIFIC).met


def test_client_words_alone_are_specific_enough() -> None:
    goal = replace(GOOD, worker_framing="")
    assert coach_goal(goal).result(SmartLetter.SPECIFIC).met


def test_vague_verb_without_measure() -> None:
    goal = replace(GOOD, client_words="Improve my health", worker_framing="", targets=())
    report = coach_goal(goal)
    assert SmartRule.VAGUE_VERB in report.rules()
    hint = next(h for h in report.hints if h.rule is SmartRule.VAGUE_VERB)
    assert "improve" in hint.text


def test_vague_verb_with_a_measure_is_fine() -> None:
    goal = replace(GOOD, client_words="Improve my sleep")
    assert SmartRule.VAGUE_VERB not in rules(goal)
    assert coach_goal(goal).result(SmartLetter.SPECIFIC).met


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Work on my budget", ("work on",)),
        ("I'll TRY to be better", ("try", "be better")),
        ("Work   on it", ("work on",)),
        ("Improving things", ("improving",)),
        ("She tried working on it", ("tried", "working on")),
        ("Dealing with debts", ("dealing with",)),
        ("Find a job at the bakery", ()),
        ("Country life", ()),  # "try" inside a word is not the verb
    ],
)
def test_vague_phrase_detection(text: str, found: tuple[str, ...]) -> None:
    assert vague_phrases_in(text) == found


# ----------------------------------------------------------------------------- Measurable


def test_no_measurable_target() -> None:
    goal = replace(GOOD, targets=(TargetFacts(due=date(2027, 1, 1)),))
    assert SmartRule.NO_MEASURABLE_TARGET in rules(goal)
    assert not coach_goal(goal).result(SmartLetter.MEASURABLE).met


def test_no_targets_at_all_is_not_measurable() -> None:
    assert SmartRule.NO_MEASURABLE_TARGET in rules(replace(GOOD, targets=()))


def test_fhir_rule_detail_without_measure() -> None:
    goal = replace(
        GOOD, targets=(*GOOD.targets, TargetFacts(target="7 nights", due=date(2027, 1, 1)))
    )
    found = rules(goal)
    assert SmartRule.DETAIL_WITHOUT_MEASURE in found
    assert SmartRule.NO_MEASURABLE_TARGET not in found  # the first target still has a measure


def test_detail_with_measure_is_fine() -> None:
    assert SmartRule.DETAIL_WITHOUT_MEASURE not in rules(GOOD)


def test_measure_without_target_value() -> None:
    goal = replace(GOOD, targets=(TargetFacts(measure="nights at home", due=date(2027, 1, 1)),))
    found = rules(goal)
    assert SmartRule.MEASURE_WITHOUT_TARGET_VALUE in found
    assert SmartRule.NO_MEASURABLE_TARGET not in found


# ----------------------------------------------------------------------------- Achievable


@pytest.mark.parametrize("status", [GoalLifecycle.PROPOSED, GoalLifecycle.PLANNED])
def test_not_yet_agreed(status: GoalLifecycle) -> None:
    assert SmartRule.NOT_AGREED in rules(replace(GOOD, lifecycle=status))


@pytest.mark.parametrize(
    "status",
    [GoalLifecycle.ACCEPTED, GoalLifecycle.ACTIVE, GoalLifecycle.ON_HOLD, GoalLifecycle.COMPLETED],
)
def test_agreed(status: GoalLifecycle) -> None:
    assert SmartRule.NOT_AGREED not in rules(replace(GOOD, lifecycle=status))


def test_no_action_attached() -> None:
    goal = replace(GOOD, actions=())
    found = rules(goal)
    assert SmartRule.NO_ACTION in found
    assert SmartRule.NO_ONE_RESPONSIBLE not in found  # one hint at a time, not a pile-on
    assert not coach_goal(goal).result(SmartLetter.ACHIEVABLE).met


def test_no_one_responsible() -> None:
    goal = replace(GOOD, actions=(*GOOD.actions, ActionFacts("Ring the housing office")))
    assert SmartRule.NO_ONE_RESPONSIBLE in rules(goal)


@pytest.mark.parametrize("performer", [Performer.CLIENT, Performer.CASE_MANAGER])
def test_client_or_worker_is_responsible_without_a_name(performer: Performer) -> None:
    goal = replace(GOOD, actions=(ActionFacts("Do it", performer),))
    assert coach_goal(goal).result(SmartLetter.ACHIEVABLE).met


@pytest.mark.parametrize("performer", [Performer.AGENCY, Performer.FAMILY_CARER])
def test_agency_or_family_needs_a_name(performer: Performer) -> None:
    unnamed = replace(GOOD, actions=(ActionFacts("Do it", performer),))
    assert SmartRule.NO_ONE_RESPONSIBLE in rules(unnamed)
    named = replace(GOOD, actions=(ActionFacts("Do it", performer, performer_name="Foodbank"),))
    assert coach_goal(named).result(SmartLetter.ACHIEVABLE).met


# ----------------------------------------------------------------------------- Relevant


def test_not_linked_to_need_or_domain() -> None:
    goal = replace(GOOD, need_id=None, domain_key="  ")
    assert SmartRule.NOT_LINKED in rules(goal)
    assert not coach_goal(goal).result(SmartLetter.RELEVANT).met


@pytest.mark.parametrize(("need", "domain"), [("need-1", None), (None, "housing")])
def test_linked_to_need_or_domain(need: str | None, domain: str | None) -> None:
    goal = replace(GOOD, need_id=need, domain_key=domain)
    assert coach_goal(goal).result(SmartLetter.RELEVANT).met


# ----------------------------------------------------------------------------- Time-bound


def test_no_due_date() -> None:
    goal = replace(GOOD, targets=(TargetFacts(measure="lease", target="signed"),))
    found = rules(goal)
    assert SmartRule.NO_DUE_DATE in found
    assert not coach_goal(goal).result(SmartLetter.TIME_BOUND).met


def test_due_date_in_the_past() -> None:
    goal = replace(GOOD, targets=(replace(GOOD.targets[0], due=date(2026, 11, 21)),))
    assert SmartRule.DUE_IN_PAST in rules(goal)


def test_due_today_is_not_past() -> None:
    goal = replace(GOOD, targets=(replace(GOOD.targets[0], due=TODAY),))
    assert SmartRule.DUE_IN_PAST not in rules(goal)


@pytest.mark.parametrize(
    "status", [GoalLifecycle.COMPLETED, GoalLifecycle.CANCELLED, GoalLifecycle.REJECTED]
)
def test_finished_goals_are_not_nagged_about_past_dates(status: GoalLifecycle) -> None:
    goal = replace(
        GOOD, lifecycle=status, targets=(replace(GOOD.targets[0], due=date(2026, 1, 1)),)
    )
    assert SmartRule.DUE_IN_PAST not in rules(goal)


def test_due_after_plan_period() -> None:
    goal = replace(GOOD, targets=(replace(GOOD.targets[0], due=date(2027, 5, 2)),))
    assert SmartRule.DUE_AFTER_PLAN in rules(goal)


def test_due_on_plan_end_is_inside() -> None:
    goal = replace(GOOD, targets=(replace(GOOD.targets[0], due=date(2027, 5, 1)),))
    assert SmartRule.DUE_AFTER_PLAN not in rules(goal)


def test_no_plan_end_means_no_period_check() -> None:
    goal = replace(GOOD, plan_end=None, targets=(replace(GOOD.targets[0], due=date(2030, 1, 1)),))
    assert SmartRule.DUE_AFTER_PLAN not in rules(goal)


# ----------------------------------------------------------------------------- properties

OPTIONAL_TEXT = st.none() | st.text(max_size=20)
TARGETS = st.builds(
    TargetFacts, OPTIONAL_TEXT, OPTIONAL_TEXT, OPTIONAL_TEXT, st.none() | st.dates()
)
ACTIONS = st.builds(ActionFacts, st.text(max_size=10), st.none() | st.sampled_from(Performer))
GOALS = st.builds(
    GoalFacts,
    today=st.dates(),
    client_words=st.text(max_size=40),
    worker_framing=st.text(max_size=40),
    targets=st.lists(TARGETS, max_size=3).map(tuple),
    need_id=OPTIONAL_TEXT,
    domain_key=OPTIONAL_TEXT,
    actions=st.lists(ACTIONS, max_size=3).map(tuple),
    plan_start=st.none() | st.dates(),
    plan_end=st.none() | st.dates(),
    lifecycle=st.sampled_from(GoalLifecycle),
)


@settings(deadline=None)
@given(GOALS)
def test_every_goal_gets_five_letters_and_met_means_no_hints(goal: GoalFacts) -> None:
    report = coach_goal(goal)
    assert len(report.results) == 5
    for result in report.results:
        assert result.met == (not result.hints)

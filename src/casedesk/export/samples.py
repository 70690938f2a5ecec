"""Synthetic example documents (no real people) for previews, tests and benchmarks."""

from __future__ import annotations

from datetime import date, timedelta

from casedesk.domain.documents import (
    AssessmentDocument,
    CarerSection,
    CaseManagerContact,
    DomainAssessment,
    Participant,
    PlanAction,
    PlanDocument,
    PlanGoal,
    ReviewEntry,
    ScoreReading,
    SmartSummary,
    SupportItem,
    Target,
)
from casedesk.domain.enums import (
    ActionStatus,
    AssessmentStage,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    Performer,
    Priority,
    ReferralStatus,
)

SAMPLE_VERSION_ID = "0193a3f4-5b6c-7d8e-9f01-23456789abcd"
SAMPLE_PLAN_ID = "0193a3f4-0000-7000-8000-000000000001"

_GOAL_SEEDS = (
    (
        "Housing",
        "I want a place of my own near my daughter's school.",
        "Secure stable, affordable housing within walking distance of daughter's school.",
    ),
    (
        "Money and benefits",
        "Stop worrying about the power bill every month.",
        "Reduce energy arrears and set up a sustainable payment plan.",
    ),
    (
        "Physical health",
        "Get my knee seen to so I can walk the dog again.",
        "Attend orthopaedic assessment and follow the physiotherapy plan.",
    ),
    (
        "Social connection",
        "See my friends from the choir again.",
        "Re-engage with community choir; arrange transport for Thursday rehearsals.",
    ),
    (
        "Employment and training",
        "Finish my forklift licence.",
        "Complete the remaining forklift licence modules and book the assessment.",
    ),
    (
        "Mental health and wellbeing",
        "Sleep through the night more often.",
        "Improve sleep with GP review of medication and a wind-down routine.",
    ),
    (
        "Daily living",
        "Cook proper meals a few times a week.",
        "Build meal-planning and cooking skills with the community kitchen.",
    ),
    (
        "Legal",
        "Sort out the fine from last year.",
        "Apply for a fine payment arrangement with the court.",
    ),
    (
        "Family and relationships",
        "Have my son to stay every second weekend.",
        "Work towards the agreed contact schedule with the family support service.",
    ),
    (
        "Culture and identity",
        "Go back to the language classes on Saturdays.",
        "Reconnect with cultural community language classes.",
    ),
)


def _goal(index: int, start: date) -> PlanGoal:
    domain, words, framing = _GOAL_SEEDS[index % len(_GOAL_SEEDS)]
    due = start + timedelta(days=30 * (index % 4 + 1))
    return PlanGoal(
        client_words=words,
        worker_framing=framing,
        domain=domain,
        term=GoalTerm.SHORT if index % 3 else GoalTerm.LONG,
        priority=(Priority.HIGH, Priority.MEDIUM, Priority.LOW)[index % 3],
        lifecycle=GoalLifecycle.ACTIVE,
        achievement=GoalAchievement.IN_PROGRESS if index % 2 else GoalAchievement.IMPROVING,
        targets=(
            Target(
                measure="Client's own rating (1-10)",
                baseline=str(3 + index % 3),
                target="7",
                due=due,
            ),
        ),
        smart=SmartSummary(
            specific=framing,
            measurable="Client rating reaches 7 of 10; steps completed.",
            achievable="Client has the support of family and the case manager.",
            relevant=f"Client identified {domain.lower()} as a priority.",
            time_bound=f"By {due.isoformat()}.",
        ),
        actions=(
            PlanAction(
                what="Talk through the options together and choose one to try first.",
                performer=Performer.CLIENT,
                due=start + timedelta(days=7),
                status=ActionStatus.DONE if index % 2 else ActionStatus.IN_PROGRESS,
            ),
            PlanAction(
                what="Phone the service and book a first appointment.",
                performer=Performer.CASE_MANAGER,
                performer_name="Sam Okafor",
                due=start + timedelta(days=14),
            ),
            PlanAction(
                what="Come along to the first appointment for support.",
                performer=Performer.FAMILY_CARER,
                performer_name="Maria (sister)",
                due=start + timedelta(days=21),
            ),
        ),
    )


def sample_plan(
    goal_count: int = 3,
    *,
    client_name: str = "Alex Rivera",
    language: str = "en",
    with_guardian: bool = True,
    with_interpreter: bool = False,
) -> PlanDocument:
    """A realistic plan version with ``goal_count`` goals (no clock, no randomness)."""
    start = date(2026, 3, 2)
    return PlanDocument(
        client_display_name=client_name,
        preferred_language=language,
        plan_id=SAMPLE_PLAN_ID,
        version_number=3,
        version_id=SAMPLE_VERSION_ID,
        agreed_on=start,
        period_start=start,
        period_end=start + timedelta(days=182),
        next_review_on=start + timedelta(days=91),
        goals=tuple(_goal(i, start) for i in range(goal_count)),
        case_manager=CaseManagerContact(
            name="Sam Okafor",
            organisation="Riverbend Community Support",
            phone="0400 123 456",
            email="sam.okafor@riverbend.example",
            hours="Monday to Friday, 9 am to 5 pm",
        ),
        out_of_hours_help=(
            "Riverbend after-hours line: 1800 555 010 (every evening and weekend). "
            "In an emergency call 000."
        ),
        supports=(
            SupportItem("Maria (sister)", "Lifts to appointments, company", "0411 222 333"),
            SupportItem("Thursday community choir", "Music and friends", "Church hall, 7 pm"),
        ),
        referrals=(
            SupportItem(
                "Riverbend Housing Trust",
                "Help finding a rental",
                "02 5550 1234",
                ReferralStatus.ACCEPTED,
            ),
            SupportItem(
                "Energy hardship programme",
                "Payment plan for the power bill",
                "energy.example/hardship",
                ReferralStatus.SENT,
            ),
        ),
        reviews=(
            ReviewEntry(date(2025, 9, 1), "First plan agreed at home visit.", "Sam Okafor"),
            ReviewEntry(
                date(2025, 12, 1),
                "Choir goal achieved; housing goal carried over with new steps.",
                "Sam Okafor",
            ),
        ),
        guardian=Participant("Maria Rivera", "sister, carer") if with_guardian else None,
        interpreter=Participant("Lucía Fernández", "Spanish") if with_interpreter else None,
    )


_ASSESSMENT_DOMAINS = (
    ("Physical health", "Walks to the shop most days.", "Knee pain makes stairs hard.", 4),
    ("Mental health and wellbeing", "Choir lifts my mood.", "Sleep is poor.", 5),
    ("Housing", "Good relationship with neighbours.", "Lease ends in three months.", 3),
    ("Money and benefits", "Keeps a budget in a notebook.", "Energy arrears.", 4),
    ("Family and relationships", "Close to sister Maria.", "Wants more time with son.", 6),
    ("Daily living", "Keeps the flat tidy.", "Cooking for one feels pointless.", 6),
    (
        "Employment and training",
        "Half-way through forklift licence.",
        "Needs a lift to training.",
        5,
    ),
    ("Safety", "Feels safe at home.", "", 8),
)


def sample_assessment(client_name: str = "Alex Rivera", language: str = "en") -> AssessmentDocument:
    """A review assessment with first, previous and latest readings."""
    domains = tuple(
        DomainAssessment(
            domain=name,
            client_score=score,
            worker_score=min(10, score + 1),
            strengths=strength,
            needs=need,
            client_words="It's getting better, slowly." if index % 3 == 0 else "",
            priority=index in (2, 3),
        )
        for index, (name, strength, need, score) in enumerate(_ASSESSMENT_DOMAINS)
    )
    latest = tuple((d.domain, d.client_score or 0) for d in domains)
    previous = tuple((name, max(1, score - 1)) for name, score in latest)
    first = tuple((name, max(1, score - 3)) for name, score in latest)
    return AssessmentDocument(
        client_display_name=client_name,
        preferred_language=language,
        assessment_id="0193a3f4-1111-7000-8000-00000000a55e",
        stage=AssessmentStage.REVIEW,
        assessed_on=date(2026, 3, 2),
        assessor_name="Sam Okafor",
        domains=domains,
        readings=(
            ScoreReading("First, 1 September 2025", date(2025, 9, 1), first),
            ScoreReading("Previous, 1 December 2025", date(2025, 12, 1), previous),
            ScoreReading("Latest, 2 March 2026", date(2026, 3, 2), latest),
        ),
        carer=CarerSection(
            carer_name="Maria Rivera",
            relationship="sister",
            wellbeing="Tired but coping; enjoys her Tuesday walking group.",
            needs="A break now and then; information about respite.",
            wellbeing_score=6,
        ),
        summary=(
            "Alex has made steady progress since the first assessment, especially with mood and "
            "family contact. Housing and money are the priorities for the next three months."
        ),
    )

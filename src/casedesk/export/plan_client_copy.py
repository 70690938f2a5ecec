"""The client's copy of a plan: plain language, the goals in the client's own words."""

from __future__ import annotations

from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
)

from casedesk.domain.documents import (
    PlanAction,
    PlanGoal,
    SupportItem,
)
from casedesk.domain.enums import ActionStatus
from casedesk.export.blocks import callout, data_table, para, safe
from casedesk.export.plan_sections import (
    HIDDEN_FROM_CLIENT,
    PlanContext,
    contact_section,
    goal_kicker,
    performer_text,
    title_block,
)


def client_story(context: PlanContext) -> list[Flowable]:
    """The client copy's story, up to (not including) the signature panel."""
    labels, styles, typo = context.labels, context.styles, context.typo
    story = title_block(context, "plan.client.title")
    story += [
        Spacer(1, typo.body * 0.6),
        Paragraph(safe(labels.text("plan.intro")), styles["body"]),
    ]
    story += [Spacer(1, typo.body * 0.4), _next_review_callout(context)]
    story.append(Paragraph(safe(labels.text("plan.goals")), styles["h2"]))
    goals = [g for g in context.document.goals if g.lifecycle not in HIDDEN_FROM_CLIENT]
    if not goals:
        story.append(Paragraph(safe(labels.text("plan.no_goals")), styles["body"]))
    for number, goal in enumerate(goals, start=1):
        story += _client_goal(context, number, goal)
    story += _client_supports(context)
    story += contact_section(context)
    return story


def _next_review_callout(context: PlanContext) -> Flowable:
    labels, styles = context.labels, context.styles
    content = [
        Paragraph(safe(labels.text("plan.next_review")), styles["kicker"]),
        para(labels.date(context.document.next_review_on), styles["h3"]),
    ]
    return callout(content, context.width, context.typo)


def _client_goal(context: PlanContext, number: int, goal: PlanGoal) -> list[Flowable]:
    labels, styles, typo = context.labels, context.styles, context.typo
    heading: list[Flowable] = [
        Spacer(1, typo.body * 0.5),
        para(goal_kicker(context, number, goal), styles["kicker"]),
        para(goal.client_words, styles["quote"]),
    ]
    actions = [a for a in goal.actions if a.status is not ActionStatus.CANCELLED]
    if not actions:
        return [
            KeepTogether([*heading, Paragraph(safe(labels.text("plan.no_steps")), styles["muted"])])
        ]
    rows = [
        (
            _step_text(action),
            performer_text(action, labels),
            labels.date(action.due, missing="file.none"),
        )
        for action in actions
    ]
    table = data_table(
        (
            labels.text("plan.step_what"),
            labels.text("plan.step_who"),
            labels.text("plan.step_when"),
        ),
        rows,
        (0.48, 0.24, 0.28),
        context.width,
        styles,
        typo,
    )
    # Keep the goal's words with the start of its steps; a long table may still break later.
    return [KeepTogether([*heading, table]), Spacer(1, typo.body * 0.4)]


def _step_text(action: PlanAction) -> str:
    # A tick on finished steps lets a review celebrate what is already done.
    return f"✓ {action.what}" if action.status is ActionStatus.DONE else action.what


def _client_supports(context: PlanContext) -> list[Flowable]:
    labels, document = context.labels, context.document
    story: list[Flowable] = []
    for key, items in (
        ("plan.supports", document.supports),
        ("plan.referrals", document.referrals),
    ):
        if items:
            story += _support_table(context, labels.text(key), items)
    return story


def _support_table(
    context: PlanContext, heading: str, items: tuple[SupportItem, ...]
) -> list[Flowable]:
    labels, styles = context.labels, context.styles
    rows = [(item.name, item.purpose, item.contact) for item in items]
    table = data_table(
        (
            labels.text("plan.support_name"),
            labels.text("plan.support_purpose"),
            labels.text("plan.support_contact"),
        ),
        rows,
        (0.3, 0.4, 0.3),
        context.width,
        styles,
        context.typo,
    )
    return [KeepTogether([Paragraph(safe(heading), styles["h2"]), table])]

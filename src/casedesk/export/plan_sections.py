"""Sections shared by the client copy and the file copy of a plan."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
)

from casedesk.domain.documents import (
    CopyKind,
    PlanAction,
    PlanDocument,
    PlanGoal,
    RenderOptions,
)
from casedesk.domain.enums import GoalLifecycle, Performer
from casedesk.export.blocks import callout, para, safe, side_by_side
from casedesk.export.labels import Labels
from casedesk.export.page import (
    Typography,
)

# Goals a client should never see on their copy (kept on the file copy for the record).
HIDDEN_FROM_CLIENT = {GoalLifecycle.ENTERED_IN_ERROR}
# Statuses worth naming on the client copy (a goal simply being worked on needs no label).
SHOWN_TO_CLIENT = {GoalLifecycle.COMPLETED, GoalLifecycle.ON_HOLD, GoalLifecycle.CANCELLED}


@dataclass(frozen=True, slots=True)
class PlanContext:
    """Everything a section needs to render: the plan, options, labels and styles."""

    document: PlanDocument
    options: RenderOptions
    labels: Labels
    typo: Typography
    styles: dict[str, ParagraphStyle]
    width: float
    content_hash: str


def title_block(context: PlanContext, title_key: str) -> list[Flowable]:
    """Title, client name, version line and the period the plan covers."""
    labels, document, styles = context.labels, context.document, context.styles
    if document.agreed_on is not None:
        version = labels.text(
            "plan.version_line",
            number=document.version_number,
            date=labels.date(document.agreed_on),
        )
    else:
        version = labels.text("plan.version_line_draft", number=document.version_number)
    story: list[Flowable] = [
        Paragraph(safe(labels.text(title_key)), styles["title"]),
        para(document.client_display_name, styles["subtitle"]),
        para(version, styles["muted"]),
    ]
    period = period_line(context)
    if period:
        story.append(para(period, styles["muted"]))
    return story


def period_line(context: PlanContext) -> str:
    """The period sentence, e.g. "This plan covers 2 March 2026 to 31 August 2026."."""
    labels, document = context.labels, context.document
    if document.period_start is None:
        return ""
    start = labels.date(document.period_start)
    if document.period_end is None:
        return labels.text("plan.period_open", start=start)
    return labels.text("plan.period", start=start, end=labels.date(document.period_end))


def performer_text(action: PlanAction, labels: Labels) -> str:
    """The person doing a step, as the client would say it ("You", "Sam", "Housing Trust")."""
    if action.performer is Performer.CLIENT or not action.performer_name:
        return labels.enum("performer", action.performer.value)
    return action.performer_name


def contact_section(context: PlanContext) -> list[Flowable]:
    """The case manager's contact card and where to get help out of hours."""
    labels, document, styles = context.labels, context.document, context.styles
    manager = document.case_manager
    manager_lines: list[Flowable] = [
        Paragraph(safe(labels.text("plan.case_manager")), styles["kicker"]),
        para(manager.name, styles["h3"]),
    ]
    if manager.organisation:
        manager_lines.append(para(manager.organisation, styles["body"]))
    for key, value in (
        ("plan.phone", manager.phone),
        ("plan.email", manager.email),
        ("plan.hours", manager.hours),
    ):
        if value:
            manager_lines.append(
                Paragraph(f"<b>{safe(labels.text(key))}:</b> {safe(value)}", styles["body"])
            )
    help_text = document.out_of_hours_help or labels.text("plan.out_of_hours_default")
    help_lines: list[Flowable] = [
        Paragraph(safe(labels.text("plan.out_of_hours")), styles["kicker"]),
        para(help_text, styles["body"]),
    ]
    story: list[Flowable] = [
        CondPageBreak(context.typo.leading * 8),
        Paragraph(safe(labels.text("plan.contact")), styles["h2"]),
    ]
    if context.options.large_print:
        # Two columns of 14 pt text get cramped; stack the cards instead, and keep them on one
        # page: the out-of-hours number must not end up alone, away from the rest.
        heading = story.pop()
        story.append(
            KeepTogether(
                [
                    heading,
                    callout(manager_lines, context.width, context.typo),
                    Spacer(1, context.typo.body),
                    callout(help_lines, context.width, context.typo),
                ]
            )
        )
    else:
        gap = 14.0
        card_width = (context.width - gap) / 2
        story.append(
            side_by_side(
                callout(manager_lines, card_width, context.typo),
                callout(help_lines, card_width, context.typo),
                context.width,
                gap,
            )
        )
    return story


def goal_kicker(context: PlanContext, number: int, goal: PlanGoal) -> str:
    """The small line above a goal: "Goal 1 · Housing · Short term"."""
    labels = context.labels
    parts = [labels.text("plan.goal_n", n=number)]
    if goal.domain:
        parts.append(goal.domain)
    parts.append(labels.enum("term", goal.term.value))
    if context.options.copy is CopyKind.CLIENT and goal.lifecycle in SHOWN_TO_CLIENT:
        # The client copy mentions a goal's status only when it is not simply being worked on.
        parts.append(labels.enum("goal_lifecycle", goal.lifecycle.value))
    return " · ".join(parts)

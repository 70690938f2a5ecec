"""The file copy of a plan: full detail for the case record."""

from __future__ import annotations

from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    Spacer,
)

from casedesk.domain.documents import (
    PlanGoal,
)
from casedesk.export.blocks import data_table, para, safe
from casedesk.export.page import (
    Palette,
    Typography,
)
from casedesk.export.plan_sections import (
    PlanContext,
    contact_section,
    goal_kicker,
    performer_text,
    period_line,
    title_block,
)


def file_story(context: PlanContext) -> list[Flowable]:
    """The file copy's story, up to (not including) the signature panel."""
    labels, styles = context.labels, context.styles
    story = title_block(context, "plan.file.title")
    story += _file_details(context)
    story.append(Paragraph(safe(labels.text("file.goals")), styles["h2"]))
    if not context.document.goals:
        story.append(Paragraph(safe(labels.text("plan.no_goals")), styles["body"]))
    for number, goal in enumerate(context.document.goals, start=1):
        story += _file_goal(context, number, goal)
    story += _file_supports(context)
    story += _file_reviews(context)
    story += contact_section(context)
    return story


def _file_details(context: PlanContext) -> list[Flowable]:
    labels, document = context.labels, context.document
    rows = [
        (labels.text("file.client"), document.client_display_name),
        (labels.text("file.plan_id"), document.plan_id),
        (labels.text("file.version_number"), str(document.version_number)),
        (labels.text("file.version_id"), document.version_id),
        (labels.text("file.agreed_on"), labels.date(document.agreed_on, missing="footer.draft")),
        (labels.text("file.period"), period_line(context) or labels.text("file.none")),
        (labels.text("file.next_review"), labels.date(document.next_review_on)),
        (labels.text("file.language"), document.preferred_language),
        (labels.text("file.content_hash"), context.content_hash),
    ]
    return [
        Paragraph(safe(labels.text("file.details")), context.styles["h2"]),
        data_table(None, rows, (0.3, 0.7), context.width, context.styles, context.typo),
    ]


def _file_goal(context: PlanContext, number: int, goal: PlanGoal) -> list[Flowable]:
    labels, styles, typo = context.labels, context.styles, context.typo
    none = labels.text("file.none")
    status_table = data_table(
        (
            labels.text("file.term"),
            labels.text("file.priority"),
            labels.text("file.lifecycle"),
            labels.text("file.achievement"),
        ),
        [
            (
                labels.enum("term", goal.term.value),
                labels.enum("priority", goal.priority.value),
                labels.enum("goal_lifecycle", goal.lifecycle.value),
                labels.enum("goal_achievement", goal.achievement.value)
                if goal.achievement
                else none,
            )
        ],
        (0.25, 0.25, 0.25, 0.25),
        context.width,
        styles,
        typo,
    )
    story: list[Flowable] = [
        KeepTogether(
            [
                *_goal_separator(typo, first=number == 1),
                para(goal_kicker(context, number, goal), styles["kicker"]),
                Paragraph(f"<b>{safe(labels.text('file.client_words'))}:</b>", styles["small"]),
                para(goal.client_words, styles["quote"]),
                Paragraph(f"<b>{safe(labels.text('file.worker_framing'))}:</b>", styles["small"]),
                para(goal.worker_framing or none, styles["body"]),
                status_table,
            ]
        )
    ]
    story += _smart_table(context, goal)
    story += _targets_table(context, goal)
    story += _actions_table(context, goal)
    return story


def _goal_separator(typo: Typography, *, first: bool) -> list[Flowable]:
    """A rule between goals: the file copy is long and dense, so mark where each goal starts."""
    if first:
        return [Spacer(1, typo.body * 0.4)]
    rule = HRFlowable(width="100%", thickness=0.8, color=Palette.RULE, spaceAfter=typo.body * 0.7)
    return [Spacer(1, typo.body * 1.6), rule]


def _sub_heading(context: PlanContext, key: str) -> Paragraph:
    # keepWithNext instead of KeepTogether: the heading stays with the table's first rows, and a
    # long table may still split across pages rather than leave half a page empty.
    return Paragraph(safe(context.labels.text(key)), context.styles["h3_keep"])


def _smart_table(context: PlanContext, goal: PlanGoal) -> list[Flowable]:
    labels, smart = context.labels, goal.smart
    fields = (
        ("file.smart.specific", smart.specific),
        ("file.smart.measurable", smart.measurable),
        ("file.smart.achievable", smart.achievable),
        ("file.smart.relevant", smart.relevant),
        ("file.smart.time_bound", smart.time_bound),
    )
    if not any(value for _, value in fields):
        return []
    rows = [(labels.text(key), value or labels.text("file.none")) for key, value in fields]
    table = data_table(None, rows, (0.25, 0.75), context.width, context.styles, context.typo)
    return [_sub_heading(context, "file.smart"), table]


def _targets_table(context: PlanContext, goal: PlanGoal) -> list[Flowable]:
    if not goal.targets:
        return []
    labels = context.labels
    rows = [
        (t.measure, t.baseline, t.target, labels.date(t.due, missing="file.none"))
        for t in goal.targets
    ]
    table = data_table(
        (
            labels.text("file.target_measure"),
            labels.text("file.target_baseline"),
            labels.text("file.target_target"),
            labels.text("file.target_due"),
        ),
        rows,
        (0.34, 0.2, 0.2, 0.26),
        context.width,
        context.styles,
        context.typo,
    )
    return [_sub_heading(context, "file.targets"), table]


def _actions_table(context: PlanContext, goal: PlanGoal) -> list[Flowable]:
    if not goal.actions:
        return []
    labels = context.labels
    rows = [
        (
            action.what,
            performer_text(action, labels),
            labels.date(action.due, missing="file.none"),
            labels.enum("action_status", action.status.value),
        )
        for action in goal.actions
    ]
    table = data_table(
        (
            labels.text("plan.step_what"),
            labels.text("plan.step_who"),
            labels.text("plan.step_when"),
            labels.text("plan.step_status"),
        ),
        rows,
        (0.42, 0.2, 0.2, 0.18),
        context.width,
        context.styles,
        context.typo,
    )
    return [_sub_heading(context, "file.actions"), table]


def _file_supports(context: PlanContext) -> list[Flowable]:
    labels, document = context.labels, context.document
    items = [(labels.text("file.kind_support"), s) for s in document.supports]
    items += [(labels.text("file.kind_referral"), r) for r in document.referrals]
    if not items:
        return []
    none = labels.text("file.none")
    rows = [
        (
            kind,
            item.name,
            item.purpose,
            item.contact,
            labels.enum("referral_status", item.referral_status.value)
            if item.referral_status
            else none,
        )
        for kind, item in items
    ]
    table = data_table(
        (
            labels.text("file.kind"),
            labels.text("plan.support_name"),
            labels.text("plan.support_purpose"),
            labels.text("plan.support_contact"),
            labels.text("plan.step_status"),
        ),
        rows,
        (0.14, 0.22, 0.26, 0.22, 0.16),
        context.width,
        context.styles,
        context.typo,
    )
    heading = Paragraph(safe(labels.text("file.supports_referrals")), context.styles["h2"])
    return [KeepTogether([heading, table])]


def _file_reviews(context: PlanContext) -> list[Flowable]:
    labels, styles = context.labels, context.styles
    heading = Paragraph(safe(labels.text("file.reviews")), styles["h2"])
    if not context.document.reviews:
        return [heading, Paragraph(safe(labels.text("file.no_reviews")), styles["muted"])]
    rows = [
        (labels.date(r.reviewed_on), r.reviewed_by or labels.text("file.none"), r.summary)
        for r in context.document.reviews
    ]
    table = data_table(
        (
            labels.text("file.review_date"),
            labels.text("file.review_by"),
            labels.text("file.review_summary"),
        ),
        rows,
        (0.22, 0.2, 0.58),
        context.width,
        styles,
        context.typo,
    )
    return [KeepTogether([heading, table])]

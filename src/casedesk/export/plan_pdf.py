"""Case plan PDFs: the client's copy in plain language and the full file copy.

Built in memory and deterministic: the same :class:`PlanDocument` and :class:`RenderOptions` give
byte-identical output. Every page carries the plan version id, the agreed date, "page x of y" and
the short content hash; the last page ends with the signature panel and QR code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
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
    SignatureRole,
    SupportItem,
)
from casedesk.domain.enums import ActionStatus, GoalLifecycle, Performer
from casedesk.export.blocks import callout, data_table, para, safe, side_by_side
from casedesk.export.content_hash import plan_content_hash, qr_payload, short_hash
from casedesk.export.labels import Labels, labels_for
from casedesk.export.page import (
    FrameGeometry,
    Palette,
    Typography,
    build_pdf,
    draw_footer,
    draw_running_header,
    make_styles,
)
from casedesk.export.signature_panel import (
    PanelText,
    SignatureLayout,
    SignaturePanel,
    SignerLine,
    signature_layout,
)

_ROLE_LABEL_KEYS = {
    SignatureRole.CLIENT: "sig.client",
    SignatureRole.CASE_MANAGER: "sig.case_manager",
    SignatureRole.GUARDIAN: "sig.guardian",
    SignatureRole.INTERPRETER: "sig.interpreter",
}
# Goals a client should never see on their copy (kept on the file copy for the record).
_HIDDEN_FROM_CLIENT = {GoalLifecycle.ENTERED_IN_ERROR}
_SHOWN_TO_CLIENT = {GoalLifecycle.COMPLETED, GoalLifecycle.ON_HOLD, GoalLifecycle.CANCELLED}


@dataclass(frozen=True, slots=True)
class BuiltPlanPdf:
    """A rendered plan and what signing code needs to know about it.

    Attributes:
        data: the PDF bytes.
        sha256: SHA-256 of ``data`` (hex).
        content_hash: SHA-256 of the plan content, printed on every page and in the QR code.
        page_count: number of pages.
        layout: where the signature boxes and QR code are on the last page.
    """

    data: bytes
    sha256: str
    content_hash: str
    page_count: int
    layout: SignatureLayout

    @property
    def last_page_index(self) -> int:
        """Zero-based index of the page holding the signature blocks."""
        return self.page_count - 1


@dataclass(frozen=True, slots=True)
class _Context:
    document: PlanDocument
    options: RenderOptions
    labels: Labels
    typo: Typography
    styles: dict[str, ParagraphStyle]
    width: float
    content_hash: str


def plan_layout(document: PlanDocument, options: RenderOptions) -> SignatureLayout:
    """Where the signature boxes of this plan land on its last page (no rendering needed)."""
    return signature_layout(options, document.signature_roles)


def build_plan_pdf(document: PlanDocument, options: RenderOptions | None = None) -> BuiltPlanPdf:
    """Render a plan version to PDF bytes, in memory.

    Args:
        document: what the plan says.
        options: client or file copy, large print, paper size and label language.

    Returns:
        The bytes with their hash, the content hash and the signature layout.
    """
    options = options or RenderOptions()
    labels = labels_for(options, document.preferred_language)
    typo = Typography.for_options(options)
    context = _Context(
        document=document,
        options=options,
        labels=labels,
        typo=typo,
        styles=make_styles(typo),
        width=FrameGeometry.for_options(options).width,
        content_hash=plan_content_hash(document),
    )
    story = _client_story(context) if options.copy is CopyKind.CLIENT else _file_story(context)
    story.append(_signature_panel(context))
    pages: list[int] = []
    title_key = "plan.client.title" if options.copy is CopyKind.CLIENT else "plan.file.title"
    data = build_pdf(
        story,
        options,
        _page_decorator(context, pages),
        title=f"{labels.text(title_key)} v{document.version_number}",
        subject=f"Plan version {document.version_id}",
        language=labels.language,
    )
    return BuiltPlanPdf(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        content_hash=context.content_hash,
        page_count=pages[-1],
        layout=plan_layout(document, options),
    )


# ---------------------------------------------------------------- page furniture


def _page_decorator(context: _Context, pages: list[int]) -> Callable[[Canvas, int, int], None]:
    labels, document = context.labels, context.document
    date_text = (
        labels.date(document.agreed_on)
        if document.agreed_on is not None
        else labels.text("footer.draft")
    )
    title_key = (
        "plan.client.title" if context.options.copy is CopyKind.CLIENT else "plan.file.title"
    )
    header = f"{labels.text(title_key)} · {document.client_display_name}"

    def decorate(canvas: Canvas, page: int, total: int) -> None:
        pages.append(total)
        if page > 1:
            draw_running_header(canvas, context.options, context.typo, header)
        draw_footer(
            canvas,
            context.options,
            context.typo,
            left=(
                labels.text(
                    "footer.version",
                    number=document.version_number,
                    version_id=document.version_id,
                ),
                date_text,
            ),
            right=(
                labels.text("footer.page", page=page, pages=total),
                labels.text("footer.hash", hash=short_hash(context.content_hash)),
            ),
        )

    return decorate


def _signature_panel(context: _Context) -> Flowable:
    labels, document = context.labels, context.document
    names = {
        SignatureRole.CLIENT: document.client_display_name,
        SignatureRole.CASE_MANAGER: document.case_manager.name,
        SignatureRole.GUARDIAN: _participant_line(document.guardian),
        SignatureRole.INTERPRETER: _participant_line(document.interpreter),
    }
    signers = [
        SignerLine(role, labels.text(_ROLE_LABEL_KEYS[role]), names[role])
        for role in document.signature_roles
    ]
    text = PanelText(
        heading=safe(labels.text("sig.heading")),
        statement=safe(labels.text("sig.statement")),
        date_label=labels.text("sig.date"),
        qr_caption=labels.text("sig.qr_caption"),
        version_line=labels.text(
            "footer.version", number=document.version_number, version_id=document.version_id
        ),
        hash_line=labels.text("footer.hash", hash=short_hash(context.content_hash)),
        qr_payload=qr_payload(document.version_id, context.content_hash),
    )
    return SignaturePanel(context.options, signers, text)


def _participant_line(participant: object) -> str:
    name = getattr(participant, "name", "")
    detail = getattr(participant, "detail", "")
    return f"{name} ({detail})" if name and detail else str(name)


# ---------------------------------------------------------------- shared sections


def _title_block(context: _Context, title_key: str) -> list[Flowable]:
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
    period = _period_line(context)
    if period:
        story.append(para(period, styles["muted"]))
    return story


def _period_line(context: _Context) -> str:
    labels, document = context.labels, context.document
    if document.period_start is None:
        return ""
    start = labels.date(document.period_start)
    if document.period_end is None:
        return labels.text("plan.period_open", start=start)
    return labels.text("plan.period", start=start, end=labels.date(document.period_end))


def _who(action: PlanAction, labels: Labels) -> str:
    """The person doing a step, as the client would say it ("You", "Sam", "Housing Trust")."""
    if action.performer is Performer.CLIENT or not action.performer_name:
        return labels.enum("performer", action.performer.value)
    return action.performer_name


def _contact_section(context: _Context) -> list[Flowable]:
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


# ---------------------------------------------------------------- client copy


def _client_story(context: _Context) -> list[Flowable]:
    labels, styles, typo = context.labels, context.styles, context.typo
    story = _title_block(context, "plan.client.title")
    story += [
        Spacer(1, typo.body * 0.6),
        Paragraph(safe(labels.text("plan.intro")), styles["body"]),
    ]
    story += [Spacer(1, typo.body * 0.4), _next_review_callout(context)]
    story.append(Paragraph(safe(labels.text("plan.goals")), styles["h2"]))
    goals = [g for g in context.document.goals if g.lifecycle not in _HIDDEN_FROM_CLIENT]
    if not goals:
        story.append(Paragraph(safe(labels.text("plan.no_goals")), styles["body"]))
    for number, goal in enumerate(goals, start=1):
        story += _client_goal(context, number, goal)
    story += _client_supports(context)
    story += _contact_section(context)
    return story


def _next_review_callout(context: _Context) -> Flowable:
    labels, styles = context.labels, context.styles
    content = [
        Paragraph(safe(labels.text("plan.next_review")), styles["kicker"]),
        para(labels.date(context.document.next_review_on), styles["h3"]),
    ]
    return callout(content, context.width, context.typo)


def _goal_kicker(context: _Context, number: int, goal: PlanGoal) -> str:
    labels = context.labels
    parts = [labels.text("plan.goal_n", n=number)]
    if goal.domain:
        parts.append(goal.domain)
    parts.append(labels.enum("term", goal.term.value))
    if context.options.copy is CopyKind.CLIENT and goal.lifecycle in _SHOWN_TO_CLIENT:
        # The client copy mentions a goal's status only when it is not simply being worked on.
        parts.append(labels.enum("goal_lifecycle", goal.lifecycle.value))
    return " · ".join(parts)


def _client_goal(context: _Context, number: int, goal: PlanGoal) -> list[Flowable]:
    labels, styles, typo = context.labels, context.styles, context.typo
    heading: list[Flowable] = [
        Spacer(1, typo.body * 0.5),
        para(_goal_kicker(context, number, goal), styles["kicker"]),
        para(goal.client_words, styles["quote"]),
    ]
    actions = [a for a in goal.actions if a.status is not ActionStatus.CANCELLED]
    if not actions:
        return [
            KeepTogether([*heading, Paragraph(safe(labels.text("plan.no_steps")), styles["muted"])])
        ]
    rows = [
        (_step_text(action), _who(action, labels), labels.date(action.due, missing="file.none"))
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


def _client_supports(context: _Context) -> list[Flowable]:
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
    context: _Context, heading: str, items: tuple[SupportItem, ...]
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


# ---------------------------------------------------------------- file copy


def _file_story(context: _Context) -> list[Flowable]:
    labels, styles = context.labels, context.styles
    story = _title_block(context, "plan.file.title")
    story += _file_details(context)
    story.append(Paragraph(safe(labels.text("file.goals")), styles["h2"]))
    if not context.document.goals:
        story.append(Paragraph(safe(labels.text("plan.no_goals")), styles["body"]))
    for number, goal in enumerate(context.document.goals, start=1):
        story += _file_goal(context, number, goal)
    story += _file_supports(context)
    story += _file_reviews(context)
    story += _contact_section(context)
    return story


def _file_details(context: _Context) -> list[Flowable]:
    labels, document = context.labels, context.document
    rows = [
        (labels.text("file.client"), document.client_display_name),
        (labels.text("file.plan_id"), document.plan_id),
        (labels.text("file.version_number"), str(document.version_number)),
        (labels.text("file.version_id"), document.version_id),
        (labels.text("file.agreed_on"), labels.date(document.agreed_on, missing="footer.draft")),
        (labels.text("file.period"), _period_line(context) or labels.text("file.none")),
        (labels.text("file.next_review"), labels.date(document.next_review_on)),
        (labels.text("file.language"), document.preferred_language),
        (labels.text("file.content_hash"), context.content_hash),
    ]
    return [
        Paragraph(safe(labels.text("file.details")), context.styles["h2"]),
        data_table(None, rows, (0.3, 0.7), context.width, context.styles, context.typo),
    ]


def _file_goal(context: _Context, number: int, goal: PlanGoal) -> list[Flowable]:
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
                para(_goal_kicker(context, number, goal), styles["kicker"]),
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


def _sub_heading(context: _Context, key: str) -> Paragraph:
    # keepWithNext instead of KeepTogether: the heading stays with the table's first rows, and a
    # long table may still split across pages rather than leave half a page empty.
    return Paragraph(safe(context.labels.text(key)), context.styles["h3_keep"])


def _smart_table(context: _Context, goal: PlanGoal) -> list[Flowable]:
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


def _targets_table(context: _Context, goal: PlanGoal) -> list[Flowable]:
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


def _actions_table(context: _Context, goal: PlanGoal) -> list[Flowable]:
    if not goal.actions:
        return []
    labels = context.labels
    rows = [
        (
            action.what,
            _who(action, labels),
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


def _file_supports(context: _Context) -> list[Flowable]:
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


def _file_reviews(context: _Context) -> list[Flowable]:
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

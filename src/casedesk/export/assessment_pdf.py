"""Assessment summary PDF: strengths first, needs, the client's words, and distance travelled.

Plain language, for the client to keep. Built in memory and deterministic, like the plan PDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from casedesk.domain.documents import AssessmentDocument, DomainAssessment, RenderOptions
from casedesk.export.blocks import callout, data_table, para, safe
from casedesk.export.labels import Labels, labels_for
from casedesk.export.page import (
    FrameGeometry,
    Typography,
    build_pdf,
    draw_footer,
    draw_running_header,
    make_styles,
)
from casedesk.export.radar import RadarSeries, radar_drawing

MIN_RADAR_AXES = 3  # fewer axes do not make a readable shape


@dataclass(frozen=True, slots=True)
class BuiltAssessmentPdf:
    """A rendered assessment summary."""

    data: bytes
    sha256: str
    page_count: int


@dataclass(frozen=True, slots=True)
class _Context:
    document: AssessmentDocument
    options: RenderOptions
    labels: Labels
    typo: Typography
    styles: dict[str, ParagraphStyle]
    width: float


def build_assessment_pdf(
    document: AssessmentDocument, options: RenderOptions | None = None
) -> BuiltAssessmentPdf:
    """Render an assessment summary to PDF bytes, in memory.

    Args:
        document: what the assessment found.
        options: large print, paper size and label language (the copy kind is ignored: there
            is one summary, written for the client).
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
    )
    pages: list[int] = []
    data = build_pdf(
        _story(context),
        options,
        _page_decorator(context, pages),
        title=labels.text("assessment.title"),
        subject=f"Assessment {document.assessment_id}",
        language=labels.language,
    )
    return BuiltAssessmentPdf(data, hashlib.sha256(data).hexdigest(), pages[-1])


def _page_decorator(context: _Context, pages: list[int]) -> Callable[[Canvas, int, int], None]:
    labels, document = context.labels, context.document
    header = f"{labels.text('assessment.title')} · {document.client_display_name}"

    def decorate(canvas: Canvas, page: int, total: int) -> None:
        pages.append(total)
        if page > 1:
            draw_running_header(canvas, context.options, context.typo, header)
        draw_footer(
            canvas,
            context.options,
            context.typo,
            left=(
                labels.text("assessment.footer", assessment_id=document.assessment_id),
                labels.date(document.assessed_on),
            ),
            right=(labels.text("footer.page", page=page, pages=total),),
        )

    return decorate


def _story(context: _Context) -> list[Flowable]:
    story = _title(context)
    story += _chart(context)
    story += _overview(context)
    story += _areas(context)
    story += _carer(context)
    story += _summary(context)
    return story


def _title(context: _Context) -> list[Flowable]:
    labels, document, styles = context.labels, context.document, context.styles
    subtitle = labels.text(
        "assessment.subtitle",
        stage=labels.text(f"assessment.stage.{document.stage.value}"),
        date=labels.date(document.assessed_on),
        assessor=document.assessor_name,
    )
    return [
        Paragraph(safe(labels.text("assessment.title")), styles["title"]),
        para(document.client_display_name, styles["subtitle"]),
        para(subtitle, styles["muted"]),
        Spacer(1, context.typo.body * 0.5),
        para(labels.text("assessment.intro", max=document.scale_max), styles["body"]),
    ]


def _radar_axes(document: AssessmentDocument) -> list[str]:
    """Domains scored in any reading, in the assessment's own domain order."""
    scored = {domain for reading in document.readings for domain, _ in reading.scores}
    ordered = [d.domain for d in document.domains if d.domain in scored]
    extra = sorted(scored - set(ordered))
    return ordered + extra


def _chart(context: _Context) -> list[Flowable]:
    labels, document, styles = context.labels, context.document, context.styles
    heading = Paragraph(safe(labels.text("assessment.chart")), styles["h2"])
    axes = _radar_axes(document)
    if len(axes) < MIN_RADAR_AXES or not document.readings:
        return [heading, Paragraph(safe(labels.text("assessment.chart_empty")), styles["muted"])]
    series = [
        RadarSeries(reading.label, tuple(dict(reading.scores).get(axis) for axis in axes))
        for reading in document.readings[-3:]
    ]
    label_size = context.typo.small if context.options.large_print else 8.5
    drawing = radar_drawing(axes, series, document.scale_max, context.width, font_size=label_size)
    return [KeepTogether([heading, drawing])]


def _score(value: int | None, labels: Labels) -> str:
    return str(value) if value is not None else labels.text("file.none")


def _change_since_first(context: _Context, domain: DomainAssessment) -> str:
    readings = context.document.readings
    if len(readings) < 2 or domain.client_score is None:
        return context.labels.text("file.none")
    first = dict(readings[0].scores).get(domain.domain)
    if first is None:
        return context.labels.text("file.none")
    change = domain.client_score - first
    return f"+{change}" if change > 0 else str(change)


def _overview(context: _Context) -> list[Flowable]:
    labels, document = context.labels, context.document
    rows = [
        (
            d.domain,
            _score(d.client_score, labels),
            _change_since_first(context, d),
            _score(d.worker_score, labels),
            labels.text("assessment.priority_mark") if d.priority else "",
        )
        for d in document.domains
    ]
    table = data_table(
        (
            labels.text("assessment.domain"),
            labels.text("assessment.your_score"),
            labels.text("assessment.change"),
            labels.text("assessment.worker_score"),
            labels.text("assessment.priority"),
        ),
        rows,
        (0.34, 0.15, 0.17, 0.16, 0.18),
        context.width,
        context.styles,
        context.typo,
    )
    heading = Paragraph(safe(labels.text("assessment.overview")), context.styles["h2"])
    return [KeepTogether([heading, table])]


def _areas(context: _Context) -> list[Flowable]:
    labels, styles = context.labels, context.styles
    story: list[Flowable] = [Paragraph(safe(labels.text("assessment.areas")), styles["h2"])]
    for domain in context.document.domains:
        story.append(KeepTogether(_area(context, domain)))
    return story


def _area(context: _Context, domain: DomainAssessment) -> list[Flowable]:
    labels, styles, typo = context.labels, context.styles, context.typo
    scale_max = context.document.scale_max
    parts: list[Flowable] = [para(domain.domain, styles["h3"])]
    if domain.client_score is not None and domain.worker_score is not None:
        parts.append(
            para(
                labels.text(
                    "assessment.score_line_both",
                    client=domain.client_score,
                    worker=domain.worker_score,
                    max=scale_max,
                ),
                styles["muted"],
            )
        )
    elif domain.client_score is not None:
        parts.append(
            para(
                labels.text("assessment.score_line", client=domain.client_score, max=scale_max),
                styles["muted"],
            )
        )
    # Strengths come first on purpose: the conversation starts from what is going well.
    for key, text in (
        ("assessment.strengths", domain.strengths),
        ("assessment.needs", domain.needs),
    ):
        if text:
            parts += [
                Paragraph(safe(labels.text(key)), styles["kicker"]),
                para(text, styles["body"]),
            ]
    if domain.client_words:
        words = [
            Paragraph(safe(labels.text("assessment.client_words")), styles["kicker"]),
            para(f"“{domain.client_words}”", styles["body"]),
        ]
        parts.append(callout(words, context.width, typo))
    parts.append(Spacer(1, typo.body * 0.6))
    return parts


def _carer(context: _Context) -> list[Flowable]:
    carer = context.document.carer
    if carer is None:
        return []
    labels, styles = context.labels, context.styles
    name = f"{carer.carer_name} ({carer.relationship})" if carer.relationship else carer.carer_name
    parts: list[Flowable] = [
        Paragraph(safe(labels.text("assessment.carer")), styles["h2"]),
        para(name, styles["h3"]),
    ]
    if carer.wellbeing_score is not None:
        parts.append(
            para(
                labels.text(
                    "assessment.carer_score",
                    score=carer.wellbeing_score,
                    max=context.document.scale_max,
                ),
                styles["muted"],
            )
        )
    for key, text in (
        ("assessment.carer_wellbeing", carer.wellbeing),
        ("assessment.carer_needs", carer.needs),
    ):
        if text:
            parts += [
                Paragraph(safe(labels.text(key)), styles["kicker"]),
                para(text, styles["body"]),
            ]
    return [KeepTogether(parts)]


def _summary(context: _Context) -> list[Flowable]:
    if not context.document.summary:
        return []
    labels, styles = context.labels, context.styles
    heading = Paragraph(safe(labels.text("assessment.summary")), styles["h2"])
    return [KeepTogether([heading, para(context.document.summary, styles["body"])])]

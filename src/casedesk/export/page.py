"""Shared page furniture for casedesk PDFs: paper, margins, typography, palette and the builder.

Every document is built the same way: a platypus story flows into one frame per page, then a
canvas that remembers its pages draws the header and the "page x of y" footer once the total is
known. ``invariant=1`` pins the creation date and document id, so the same story gives the same
bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from casedesk.domain.documents import PaperSize, RenderOptions
from casedesk.export.fonts import BOLD, REGULAR, register_fonts
from casedesk.export.text import printable

PAGE_SIZES: dict[PaperSize, tuple[float, float]] = {PaperSize.A4: A4, PaperSize.LETTER: LETTER}

# Margins in points. The bottom margin leaves room for the footer line.
MARGIN_SIDE = 54.0
MARGIN_TOP = 58.0
MARGIN_BOTTOM = 62.0
FOOTER_BASELINE = 24.0
HEADER_BASELINE_FROM_TOP = 34.0


class Palette:
    """A calm, print-friendly palette (dark text, one muted teal accent, pale fills)."""

    TEXT = colors.HexColor("#1F2A30")
    MUTED = colors.HexColor("#5B6B73")
    ACCENT = colors.HexColor("#1D5C6B")
    ACCENT_PALE = colors.HexColor("#E7F0F1")
    RULE = colors.HexColor("#C5D0D5")
    TABLE_HEAD = colors.HexColor("#EEF3F4")
    SERIES = (
        colors.HexColor("#A7B4BA"),  # first reading: quiet grey
        colors.HexColor("#D08C3C"),  # previous: warm amber
        colors.HexColor("#1D5C6B"),  # latest: the accent
    )


@dataclass(frozen=True, slots=True)
class Typography:
    """Font sizes and leading for one print size."""

    body: float
    leading: float
    small: float
    title: float
    h2: float
    h3: float
    footer: float

    @classmethod
    def for_options(cls, options: RenderOptions) -> Typography:
        """Regular print (11 pt body) or large print (14 pt body and up)."""
        if options.large_print:
            return cls(body=14, leading=20, small=14, title=26, h2=19, h3=16, footer=10)
        return cls(body=10.5, leading=15, small=9, title=22, h2=15, h3=12, footer=7.5)


@dataclass(frozen=True, slots=True)
class FrameGeometry:
    """The area text flows into, in points from the bottom-left corner of the page."""

    x: float
    y: float
    width: float
    height: float
    page_width: float
    page_height: float

    @classmethod
    def for_options(cls, options: RenderOptions) -> FrameGeometry:
        """The single content frame for the chosen paper size."""
        width, height = PAGE_SIZES[options.paper]
        return cls(
            x=MARGIN_SIDE,
            y=MARGIN_BOTTOM,
            width=width - 2 * MARGIN_SIDE,
            height=height - MARGIN_TOP - MARGIN_BOTTOM,
            page_width=width,
            page_height=height,
        )


def make_styles(typo: Typography) -> dict[str, ParagraphStyle]:
    """Paragraph styles used across documents, all in the embedded fonts."""
    register_fonts()
    body = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=typo.body,
        leading=typo.leading,
        textColor=Palette.TEXT,
        alignment=TA_LEFT,
        spaceAfter=typo.body * 0.5,
    )

    def derive(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **changes)

    return {
        "body": body,
        "cell": derive("cell", spaceAfter=0, leading=typo.leading * 0.95),
        "cell_head": derive("cell_head", fontName=BOLD, spaceAfter=0, textColor=Palette.ACCENT),
        "small": derive("small", fontSize=typo.small, leading=typo.small * 1.35, spaceAfter=0),
        "muted": derive("muted", textColor=Palette.MUTED),
        "title": derive(
            "title",
            fontName=BOLD,
            fontSize=typo.title,
            leading=typo.title * 1.2,
            textColor=Palette.ACCENT,
            spaceAfter=typo.body * 0.3,
        ),
        "subtitle": derive("subtitle", fontSize=typo.h3, leading=typo.h3 * 1.4),
        "h2": derive(
            "h2",
            fontName=BOLD,
            fontSize=typo.h2,
            leading=typo.h2 * 1.25,
            textColor=Palette.ACCENT,
            spaceBefore=typo.body * 1.6,
            spaceAfter=typo.body * 0.7,
        ),
        "h3": derive(
            "h3",
            fontName=BOLD,
            fontSize=typo.h3,
            leading=typo.h3 * 1.3,
            spaceBefore=typo.body * 0.6,
            spaceAfter=typo.body * 0.3,
        ),
        "h3_keep": derive(
            "h3_keep",
            fontName=BOLD,
            fontSize=typo.h3,
            leading=typo.h3 * 1.3,
            spaceBefore=typo.body * 0.6,
            spaceAfter=typo.body * 0.3,
            keepWithNext=1,
        ),
        "kicker": derive(
            "kicker",
            fontName=BOLD,
            fontSize=typo.small,
            leading=typo.small * 1.4,
            textColor=Palette.ACCENT,
            spaceAfter=2,
        ),
        "quote": derive(
            "quote",
            fontName=BOLD,
            fontSize=typo.h3 + 1,
            leading=(typo.h3 + 1) * 1.35,
            spaceAfter=typo.body * 0.6,
        ),
    }


PageDecorator = Callable[[Canvas, int, int], None]
"""Draws header/footer on a finished page: ``(canvas, page_number, page_count)``."""


def _numbered_canvas_class(decorate: PageDecorator) -> type[Canvas]:
    """A canvas that holds pages back until the end, so each footer can say "of N"."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Start in the embedded face, so no non-embedded standard font is even referenced.
            kwargs.setdefault("initialFontName", REGULAR)
            super().__init__(*args, **kwargs)
            self._page_states: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._page_states)
            for number, state in enumerate(self._page_states, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def build_pdf(
    story: Sequence[Flowable],
    options: RenderOptions,
    decorate: PageDecorator,
    *,
    title: str,
    subject: str,
    language: str,
) -> bytes:
    """Lay out ``story`` on pages of the chosen size and return the PDF bytes (no files).

    Args:
        story: the flowables to print.
        options: paper size (the rest of the options shape the story, not the page).
        decorate: draws the header and footer on each page once the page count is known.
        title: document title for the PDF metadata (shown by viewers in the title bar).
        subject: document subject for the PDF metadata.
        language: BCP 47 tag recorded as the document language.
    """
    register_fonts()
    geometry = FrameGeometry.for_options(options)
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=(geometry.page_width, geometry.page_height),
        leftMargin=geometry.x,
        rightMargin=geometry.x,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        subject=subject,
        author="casedesk",
        creator="casedesk",
        producer="casedesk",
        lang=language,
        invariant=1,
    )
    frame = Frame(
        geometry.x,
        geometry.y,
        geometry.width,
        geometry.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    template.build(list(story), canvasmaker=_numbered_canvas_class(decorate))
    return buffer.getvalue()


def draw_footer(
    canvas: Canvas,
    options: RenderOptions,
    typo: Typography,
    *,
    left: Sequence[str],
    right: Sequence[str],
) -> None:
    """Footer: a hairline rule, then lines of muted text at the left and right margins."""
    geometry = FrameGeometry.for_options(options)
    line_height = typo.footer * 1.45
    lines = max(len(left), len(right))
    top_baseline = FOOTER_BASELINE + (lines - 1) * line_height
    canvas.saveState()
    canvas.setStrokeColor(Palette.RULE)
    canvas.setLineWidth(0.5)
    rule_y = top_baseline + typo.footer + 4
    canvas.line(geometry.x, rule_y, geometry.x + geometry.width, rule_y)
    canvas.setFont(REGULAR, typo.footer)
    canvas.setFillColor(Palette.MUTED)
    for index, text in enumerate(left):
        canvas.drawString(geometry.x, top_baseline - index * line_height, printable(text))
    for index, text in enumerate(right):
        canvas.drawRightString(
            geometry.x + geometry.width, top_baseline - index * line_height, printable(text)
        )
    canvas.restoreState()


def draw_running_header(
    canvas: Canvas, options: RenderOptions, typo: Typography, text: str
) -> None:
    """A quiet running header (document and client name) for pages after the first."""
    geometry = FrameGeometry.for_options(options)
    canvas.saveState()
    canvas.setFont(REGULAR, typo.footer)
    canvas.setFillColor(Palette.MUTED)
    canvas.drawString(geometry.x, geometry.page_height - HEADER_BASELINE_FROM_TOP, printable(text))
    canvas.restoreState()

"""A radar ("spider") chart of domain scores, drawn with reportlab graphics.

reportlab's own ``SpiderChart`` scales each chart to its largest value; a distance-travelled chart
must keep the scale fixed (0 to the top of the scale) so charts from different reviews compare.
So the chart is drawn here from plain shapes: rings, spokes, one polygon per reading, a legend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from casedesk.export.fonts import BOLD, REGULAR, register_fonts
from casedesk.export.page import Palette
from casedesk.export.text import printable

LABEL_GAP = 10.0


@dataclass(frozen=True, slots=True)
class RadarSeries:
    """One reading: a legend label and a score per axis (``None`` where not scored)."""

    label: str
    values: tuple[int | None, ...]


def _wrap_label(text: str, max_width: float, size: float) -> list[str]:
    """Split an axis label over at most two lines so it does not run off the drawing."""
    if stringWidth(text, REGULAR, size) <= max_width or " " not in text:
        return [text]
    words = text.split()
    best = min(
        range(1, len(words)),
        key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))),
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def _point(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = math.pi / 2 - 2 * math.pi * index / count  # first axis at 12 o'clock, clockwise
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def radar_drawing(
    axes: Sequence[str],
    series: Sequence[RadarSeries],
    scale_max: int,
    width: float,
    *,
    font_size: float = 8.5,
) -> Drawing:
    """A radar chart ``width`` points wide, with a legend underneath.

    Args:
        axes: one label per axis (at least three for a meaningful shape).
        series: up to three readings, oldest first; the last is drawn strongest.
        scale_max: the top of the scale (the outer ring).
        width: drawing width in points.
        font_size: axis label size.
    """
    register_fonts()
    chart_height = min(width * 0.62, 330.0) + font_size * 2
    legend_height = _legend_row(font_size) * len(series) + 6
    drawing = Drawing(width, chart_height + legend_height)
    radius = chart_height / 2 - font_size * 3.2
    cx, cy = width / 2, legend_height + chart_height / 2
    _draw_grid(drawing, cx, cy, radius, len(axes), scale_max, font_size)
    _draw_axis_labels(drawing, cx, cy, radius, axes, width, font_size)
    for index, reading in enumerate(series):
        colour = Palette.SERIES[len(Palette.SERIES) - len(series) + index]
        _draw_series(
            drawing, cx, cy, radius, reading, scale_max, colour, latest=index == len(series) - 1
        )
    _draw_legend(drawing, series, width, font_size)
    return drawing


def _draw_grid(
    drawing: Drawing, cx: float, cy: float, radius: float, count: int, scale_max: int, size: float
) -> None:
    step = 2 if scale_max >= 8 else 1
    for level in range(step, scale_max + 1, step):
        # The outer ring's number would collide with the top axis label; the text says "out of N".
        show_number = level < scale_max
        ring = [
            c for i in range(count) for c in _point(cx, cy, radius * level / scale_max, i, count)
        ]
        drawing.add(Polygon(ring, strokeColor=Palette.RULE, strokeWidth=0.5, fillColor=None))
        if show_number:
            drawing.add(
                String(
                    cx + 3,
                    cy + radius * level / scale_max + 1.5,
                    str(level),
                    fontName=REGULAR,
                    fontSize=size * 0.75,
                    fillColor=Palette.MUTED,
                )
            )
    for i in range(count):
        x, y = _point(cx, cy, radius, i, count)
        drawing.add(Line(cx, cy, x, y, strokeColor=Palette.RULE, strokeWidth=0.5))


def _draw_axis_labels(
    drawing: Drawing,
    cx: float,
    cy: float,
    radius: float,
    axes: Sequence[str],
    width: float,
    size: float,
) -> None:
    for i, label in enumerate(axes):
        x, y = _point(cx, cy, radius + LABEL_GAP, i, len(axes))
        if abs(x - cx) < 1:
            anchor, room = "middle", width * 0.4
        elif x > cx:
            anchor, room = "start", width - x - 2
        else:
            anchor, room = "end", x - 2
        lines = _wrap_label(printable(label), room, size)
        # Labels above the centre grow upwards, those below grow downwards.
        first_y = y + (len(lines) - 1) * size * 1.15 if y >= cy else y - size * 0.8
        for n, line in enumerate(lines):
            drawing.add(
                String(
                    x,
                    first_y - n * size * 1.15,
                    line,
                    fontName=REGULAR,
                    fontSize=size,
                    fillColor=Palette.TEXT,
                    textAnchor=anchor,
                )
            )


def _draw_series(
    drawing: Drawing,
    cx: float,
    cy: float,
    radius: float,
    reading: RadarSeries,
    scale_max: int,
    colour: colors.Color,
    *,
    latest: bool,
) -> None:
    count = len(reading.values)
    points = [
        _point(cx, cy, radius * min(value, scale_max) / scale_max, i, count)
        for i, value in enumerate(reading.values)
        if value is not None
    ]
    if len(points) >= 3:
        drawing.add(
            Polygon(
                [c for p in points for c in p],
                strokeColor=colour,
                strokeWidth=2.2 if latest else 1.2,
                fillColor=colour,
                fillOpacity=0.18 if latest else 0.06,
                strokeDashArray=None if latest else (3, 2),
            )
        )
    for x, y in points:
        drawing.add(Circle(x, y, 2.4 if latest else 1.8, fillColor=colour, strokeColor=None))


def _legend_row(size: float) -> float:
    return max(16.0, size * 1.6)


def _draw_legend(
    drawing: Drawing, series: Sequence[RadarSeries], width: float, size: float
) -> None:
    row = _legend_row(size)
    y = 6.0 + row * (len(series) - 1)
    left = width * 0.28
    for index, reading in enumerate(series):
        colour = Palette.SERIES[len(Palette.SERIES) - len(series) + index]
        drawing.add(Rect(left, y - 1, size * 2, size * 0.8, fillColor=colour, strokeColor=None))
        font = BOLD if index == len(series) - 1 else REGULAR
        drawing.add(
            String(
                left + size * 2.8,
                y,
                printable(reading.label),
                fontName=font,
                fontSize=size,
                fillColor=Palette.TEXT,
            )
        )
        y -= row

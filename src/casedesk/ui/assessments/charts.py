"""Distance travelled: a radar of first/previous/latest readings and a per-domain trend line."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDate, QDateTime, QPointF, QRectF, Qt, QTime
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.domain_sets import SCALE_MAX
from casedesk.services.assessments import DistanceData
from casedesk.ui.messages import plural
from casedesk.ui.widgets.basics import Card, label
from casedesk.ui.widgets.theme import ACCENT, BORDER, MUTED, TEXT

#: Colours for first, previous and latest (the latest is the strongest).
SERIES_COLOURS = {"first": "#9aa4af", "previous": "#d99a3d", "latest": ACCENT}
LABEL_WIDTH = 112.0
MIN_AXES = 3
SIDEWAYS = 0.2  # how far off vertical a label's axis must point to align it sideways


@dataclass(frozen=True)
class RadarSeries:
    """One reading drawn on the radar: a legend label and a score (or None) per axis."""

    kind: str
    label: str
    scores: tuple[int | None, ...]

    @property
    def points(self) -> int:
        """How many scores are plotted (axes without a score are left out)."""
        return sum(1 for s in self.scores if s is not None)


class RadarChart(QWidget):
    """A radar (spider) chart painted with QPainter; wraps long domain names around the rim."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.axes: tuple[str, ...] = ()
        self.series: tuple[RadarSeries, ...] = ()
        self.setMinimumSize(420, 360)
        self.setAccessibleName(self.tr("Distance travelled radar chart"))

    def set_data(self, axes: tuple[str, ...], series: tuple[RadarSeries, ...]) -> None:
        """Replace what is drawn."""
        self.axes = axes
        self.series = series
        self.setAccessibleDescription(
            "; ".join(
                f"{s.label}: "
                + ", ".join(f"{a} {v}" for a, v in zip(axes, s.scores, strict=True) if v)
                for s in series
            )
        )
        self.update()

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: object) -> None:
        """Draw grid, labels, series and legend."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if len(self.axes) < MIN_AXES:
            painter.setPen(QColor(MUTED))
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("The chart appears once an assessment is finalised."),
            )
            return
        legend_height = 28.0
        area = QRectF(self.rect()).adjusted(8, 8, -8, -8 - legend_height)
        room = min(area.width() / 2 - LABEL_WIDTH - 10, area.height() / 2 - 44)
        radius = max(40.0, room / 1.06)
        centre = area.center()
        self._draw_grid(painter, centre, radius)
        self._draw_labels(painter, centre, radius)
        for item in self.series:
            self._draw_series(painter, centre, radius, item)
        self._draw_legend(painter, QRectF(area.left(), area.bottom() + 6, area.width(), 22))

    def _point(self, centre: QPointF, radius: float, index: int, value: float) -> QPointF:
        angle = -math.pi / 2 + 2 * math.pi * index / len(self.axes)
        scale = radius * value / SCALE_MAX
        return QPointF(centre.x() + scale * math.cos(angle), centre.y() + scale * math.sin(angle))

    def _draw_grid(self, painter: QPainter, centre: QPointF, radius: float) -> None:
        painter.setPen(QPen(QColor(BORDER), 1))
        count = len(self.axes)
        for ring in (2, 4, 6, 8, 10):
            polygon = QPolygonF([self._point(centre, radius, i, ring) for i in range(count)])
            painter.drawPolygon(polygon)
        for index in range(count):
            painter.drawLine(centre, self._point(centre, radius, index, SCALE_MAX))
        painter.setPen(QColor(MUTED))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 2))
        painter.setFont(small)
        for ring in (5, 10):
            where = self._point(centre, radius, 0, ring)
            painter.drawText(QPointF(where.x() + 4, where.y() + 4), str(ring))

    def _draw_labels(self, painter: QPainter, centre: QPointF, radius: float) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        painter.setFont(font)
        painter.setPen(QColor(TEXT))
        metrics = QFontMetricsF(font)
        count = len(self.axes)
        for index, name in enumerate(self.axes):
            tip = self._point(centre, radius * 1.06 + 6, index, SCALE_MAX)
            rect = metrics.boundingRect(
                QRectF(0, 0, LABEL_WIDTH, 200), Qt.TextFlag.TextWordWrap, name
            )
            angle = 2 * math.pi * index / count
            dx, dy = math.sin(angle), -math.cos(angle)
            width, height = rect.width() + 1, rect.height()
            x, align = tip.x() - width / 2, Qt.AlignmentFlag.AlignHCenter
            if dx > SIDEWAYS:
                x, align = tip.x(), Qt.AlignmentFlag.AlignLeft
            elif dx < -SIDEWAYS:
                x, align = tip.x() - width, Qt.AlignmentFlag.AlignRight
            y = tip.y() - height / 2 + dy * height / 2
            box = QRectF(x, y, width, height)
            painter.drawText(box, int(align | Qt.TextFlag.TextWordWrap), name)

    def _draw_series(
        self, painter: QPainter, centre: QPointF, radius: float, item: RadarSeries
    ) -> None:
        colour = QColor(SERIES_COLOURS.get(item.kind, ACCENT))
        width = 2.6 if item.kind == "latest" else 1.8
        fill = QColor(colour)
        fill.setAlpha(40 if item.kind == "latest" else 0)
        points = [
            self._point(centre, radius, i, score)
            for i, score in enumerate(item.scores)
            if score is not None
        ]
        painter.setPen(QPen(colour, width))
        painter.setBrush(fill)
        if len(points) >= MIN_AXES:
            painter.drawPolygon(QPolygonF(points))
        painter.setBrush(colour)
        for point in points:
            painter.drawEllipse(point, 3.2, 3.2)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _draw_legend(self, painter: QPainter, rect: QRectF) -> None:
        painter.setFont(self.font())
        metrics = QFontMetricsF(self.font())
        widths = [metrics.horizontalAdvance(s.label) + 40 for s in self.series]
        x = rect.center().x() - sum(widths) / 2
        for item, width in zip(self.series, widths, strict=True):
            colour = QColor(SERIES_COLOURS.get(item.kind, ACCENT))
            painter.setPen(QPen(colour, 3))
            y = rect.center().y()
            painter.drawLine(QPointF(x, y), QPointF(x + 18, y))
            painter.setPen(QColor(TEXT))
            painter.drawText(
                QRectF(x + 24, rect.top(), width - 24, rect.height()),
                int(Qt.AlignmentFlag.AlignVCenter),
                item.label,
            )
            x += width


class TrendChart(QChartView):
    """One domain's client scores over time (QtCharts line with points)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(self.tr("Score over time for the chosen area"))
        self.setMinimumSize(360, 260)
        chart = QChart()
        chart.legend().hide()
        chart.setBackgroundRoundness(0)
        chart.setMargins(chart.margins())
        self.setChart(chart)

    def set_points(self, title: str, points: tuple[tuple[date, int], ...]) -> None:
        """Plot one series of (date, score) points."""
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        series = QLineSeries()
        series.setName(title)
        series.setPointsVisible(True)
        series.setPen(QPen(QColor(ACCENT), 2.4))
        for when, score in points:
            stamp = QDateTime(QDate(when), QTime(12, 0))
            series.append(float(stamp.toMSecsSinceEpoch()), float(score))
        chart.addSeries(series)
        self._axes(series, points)

    def _axes(self, series: QLineSeries, points: tuple[tuple[date, int], ...]) -> None:
        chart = self.chart()
        x_axis = QDateTimeAxis()
        x_axis.setFormat("MMM yyyy")
        x_axis.setTickCount(max(2, min(len(points), 5)))
        if points:
            first, last = points[0][0], points[-1][0]
            pad = max(14, (last - first).days // 10)
            x_axis.setRange(
                QDateTime(QDate(first), QTime(0, 0)).addDays(-pad),
                QDateTime(QDate(last), QTime(0, 0)).addDays(pad),
            )
        y_axis = QValueAxis()
        y_axis.setRange(0, SCALE_MAX + 0.6)  # room for a point at the top of the scale
        y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        y_axis.setTickAnchor(0)
        y_axis.setTickInterval(2)
        y_axis.setLabelFormat("%d")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)


class DistancePanel(QWidget):
    """Distance travelled: the radar (first / previous / latest) or one area over time.

    The two charts share one card with a switch: side by side, neither had room for its
    labels in a record at 1366x768.
    """

    RADAR, TREND = 0, 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.data: DistanceData | None = None
        self.radar = RadarChart()
        self.trend = TrendChart()
        self.area = QComboBox()
        self.area.setAccessibleName(tr("Area to show over time"))
        self.area.currentIndexChanged.connect(self._show_trend)
        self.note = label("", "muted", wrap=True)
        self.view = QTabBar()
        self.view.setAccessibleName(tr("Chart to show"))
        self.view.addTab(tr("All areas"))
        self.view.addTab(tr("One area over time"))
        self.view.setDrawBase(False)
        self.charts = QStackedWidget()
        self.charts.addWidget(self.radar)
        trend_page = QWidget()
        trend_layout = QVBoxLayout(trend_page)
        trend_layout.setContentsMargins(0, 0, 0, 0)
        trend_layout.addWidget(self.area)
        trend_layout.addWidget(self.trend, 1)
        self.charts.addWidget(trend_page)
        self.view.currentChanged.connect(self.charts.setCurrentIndex)
        card = Card(tr("Distance travelled"))
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.view)
        card.body.addLayout(top)
        card.body.addWidget(self.charts, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(card)

    def show_chart(self, which: int) -> None:
        """Show the radar (``RADAR``) or one area over time (``TREND``)."""
        self.view.setCurrentIndex(which)

    def set_data(self, data: DistanceData) -> None:
        """Show a client's readings."""
        self.data = data
        names = dict(data.domains)
        axes = tuple(name for _key, name in data.domains)
        series = tuple(
            RadarSeries(
                kind,
                self._legend(kind, point.assessed_on),
                tuple(point.scores.get(key) for key, _name in data.domains),
            )
            for kind, point in data.first_previous_latest()
        )
        self.radar.set_data(axes, series)
        count = len(data.points)
        self.note.setText(
            plural(
                "DistancePanel",
                count,
                "Client's own scores (1-10) from %Ln finalised assessment.",
                "Client's own scores (1-10) from %Ln finalised assessments.",
            )
            if count
            else self.tr("No finalised assessments yet.")
        )
        current = self.area.currentData()
        self.area.blockSignals(True)
        self.area.clear()
        for key, name in data.domains:
            self.area.addItem(name, key)
        self.area.blockSignals(False)
        index = self.area.findData(current) if current in names else 0
        self.area.setCurrentIndex(max(index, 0))
        self._show_trend()

    def _legend(self, kind: str, when: date) -> str:
        names = {
            "first": self.tr("First"),
            "previous": self.tr("Previous"),
            "latest": self.tr("Latest"),
        }
        return f"{names[kind]} ({when.strftime('%d %b %Y')})"

    def _show_trend(self) -> None:
        if self.data is None:
            return
        key = self.area.currentData()
        if key is None:
            self.trend.set_points("", ())
            return
        self.trend.set_points(self.area.currentText(), self.data.trend(str(key)))

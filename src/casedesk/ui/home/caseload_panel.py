"""Caseload counts by intensity and by risk, with the high-risk share against the guideline.

A fuller, evidence-based caseload dashboard comes later; this panel keeps its place.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.caseload import CaseloadFigures, HighRiskBand
from casedesk.domain.enums import Intensity, RiskLevel
from casedesk.ui.messages import plural
from casedesk.ui.widgets.basics import Card, label, set_role


class CountBars(QWidget):
    """Rows of "name  ▇▇▇▇  count" for one breakdown."""

    def __init__(self, title: str, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.addWidget(label(title, "subheading"), 0, 0, 1, 3)
        self.bars: list[QProgressBar] = []
        self.counts: list[QLabel] = []
        for row, name in enumerate(names, start=1):
            bar = QProgressBar()
            bar.setTextVisible(False)
            bar.setAccessibleName(name)
            count = label("0")
            count.setMinimumWidth(36)
            grid.addWidget(label(name), row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(count, row, 2)
            self.bars.append(bar)
            self.counts.append(count)
        grid.setColumnStretch(1, 1)

    def show_counts(self, values: Sequence[int], total: int) -> None:
        """Fill the bars (``total`` is the full length)."""
        for bar, count, value in zip(self.bars, self.counts, values, strict=True):
            bar.setRange(0, max(total, 1))
            bar.setValue(value)
            count.setText(str(value))


class CaseloadPanel(Card):
    """The caseload at a glance: by intensity, by risk, high-risk share, weighted load."""

    _INTENSITIES = (Intensity.INTENSIVE, Intensity.HIGH, Intensity.MODERATE, Intensity.LOW)
    _RISKS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Caseload"), parent)
        self.setObjectName("caseloadPanel")
        self.by_intensity = CountBars(
            self.tr("By intensity"),
            [self.tr("Intensive"), self.tr("High"), self.tr("Moderate"), self.tr("Low")],
        )
        self.by_risk = CountBars(
            self.tr("By risk"),
            [self.tr("High"), self.tr("Medium"), self.tr("Low"), self.tr("None")],
        )
        self.share = label("", "muted", wrap=True)
        self.share.setObjectName("highRiskShare")
        self.weighted = label("", "muted", wrap=True)
        self.weighted.setObjectName("weightedCaseload")
        notes = QVBoxLayout()
        notes.setSpacing(8)
        notes.addWidget(label(self.tr("Against the evidence"), "subheading"))
        notes.addWidget(self.share)
        notes.addWidget(self.weighted)
        notes.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(28)
        row.addWidget(self.by_intensity, 1)
        row.addWidget(self.by_risk, 1)
        row.addLayout(notes, 1)
        self.body.addLayout(row)

    def show_figures(self, figures: CaseloadFigures) -> None:
        """Fill the panel."""
        if self.heading is not None:
            self.heading.setText(
                plural(
                    "CaseloadPanel",
                    figures.active,
                    "Caseload · %Ln active client",
                    "Caseload · %Ln active clients",
                )
            )
        self.by_intensity.show_counts(
            [figures.by_intensity[i] for i in self._INTENSITIES], figures.active
        )
        self.by_risk.show_counts([figures.by_risk[r] for r in self._RISKS], figures.active)
        self._show_share(figures)
        self.weighted.setText(
            self.tr(
                "Weighted caseload {w:.0f} against a full load of {c:.0f} "
                "(moderate-client equivalents)."
            ).format(w=figures.weighted, c=figures.capacity)
        )

    def _show_share(self, figures: CaseloadFigures) -> None:
        """The high-risk share in words that say whether it is good news or a concern."""
        if figures.high_risk_share is None:
            self.share.setText(self.tr("No active clients yet."))
            set_role(self.share, "muted")
            return
        band, percent = figures.high_risk_band, figures.high_risk_share * 100
        if band is HighRiskBand.ABOVE:
            text = self.tr(
                "{p:.0f}% of active clients are high risk: more than the 10–15% the guide "
                "suggests as a ceiling, which leaves little room for anyone else."
            )
        elif band is HighRiskBand.AT_LIMIT:
            text = self.tr(
                "{p:.0f}% of active clients are high risk: at the guide's 10–15% ceiling."
            )
        elif figures.by_risk[RiskLevel.HIGH] == 0:
            text = self.tr("No active client is high risk (the guide: no more than 10–15%).")
        else:
            text = self.tr(
                "{p:.0f}% of active clients are high risk: under the guide's 10–15% ceiling."
            )
        self.share.setText(text.format(p=percent))
        set_role(self.share, "notice" if band is HighRiskBand.ABOVE else "muted")

    def clear(self) -> None:
        """Blank every figure (on lock)."""
        self.by_intensity.show_counts([0, 0, 0, 0], 0)
        self.by_risk.show_counts([0, 0, 0, 0], 0)
        self.share.clear()
        self.weighted.clear()

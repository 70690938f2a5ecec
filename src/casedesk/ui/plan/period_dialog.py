"""Plan period and review interval (defaults come from the client's intensity)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.plans import review_interval
from casedesk.services.plans import PlanView
from casedesk.ui.plan.fields import DateField
from casedesk.ui.plan.labels import label_for
from casedesk.ui.widgets.basics import label, save_cancel_buttons


class PeriodDialog(QDialog):
    """Change when the plan runs and how often it is reviewed."""

    def __init__(self, plan: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.setWindowTitle(tr("Plan period and reviews"))
        self.setAccessibleName(self.windowTitle())
        self.start = DateField(tr("Plan starts"))
        self.start.set_date(plan.period_start)
        self.end = DateField(tr("Plan ends"))
        self.end.set_date(plan.period_end)
        default_days = review_interval(plan.intensity).days
        self.interval = QSpinBox()
        self.interval.setAccessibleName(tr("Days between reviews"))
        self.interval.setRange(1, 730)
        self.interval.setSuffix(tr(" days"))
        self.interval.setValue(plan.review_interval_days or default_days)
        self.error = label("", "error", wrap=True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(tr("Starts"), self.start)
        form.addRow(tr("Ends"), self.end)
        form.addRow(tr("Review every"), self.interval)
        hint = label(
            tr("For {intensity} support the usual interval is {days} days.").format(
                intensity=label_for(plan.intensity).lower(), days=default_days
            ),
            "muted",
            wrap=True,
        )
        buttons = save_cancel_buttons(self, tr("Save period"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

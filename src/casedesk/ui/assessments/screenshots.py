"""Shots of the assessments (distance travelled, the form, life areas) and the risk screen.

Called by ``python -m casedesk.ui.screenshots`` with a window on a throw-away demo vault; the
record is shown in the window, as a worker sees it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from casedesk.domain.enums import AssessmentStage, ClientStatus, RiskLevel
from casedesk.services.assessments import ReadingInput
from casedesk.services.bundle import Services
from casedesk.ui.assessments.tab import AssessmentsTab
from casedesk.ui.risk.screen import RiskTab
from casedesk.ui.screenshot_kit import grab, settle, show_record_tab

if TYPE_CHECKING:
    from casedesk.ui.main_window import MainWindow

SHOTS = ("distance-travelled", "assessment-form", "assessment-life-areas", "risk-screen")

_READINGS = (
    ReadingInput("physical_health", 6, 6, "Walks the dog every day", "Knee pain at night"),
    ReadingInput("mental_health", 5, 5, "Sees her sister weekly", "Low mood in winter"),
    ReadingInput(
        "housing",
        4,
        3,
        "Keeps the flat warm and tidy; knows her neighbours",
        "Repairs chased with the landlord; advice on tenancy rights",
        "I want a place where the landlord fixes things.",
        priority=True,
    ),
    ReadingInput("money_benefits", 5, None, "Keeps a budget book", "Power bill arrears"),
)


def _most_assessed(services: Services) -> str:
    """The active client with the most finalised assessments (the chart shows change)."""
    best: tuple[int, str] | None = None
    for row in services.clients.list_clients():
        if row.status is not ClientStatus.ACTIVE:
            continue
        points = len(services.assessments.distance(row.id).points)
        if best is None or points > best[0]:
            best = (points, row.id)
    if best is None:
        raise SystemExit("the demo caseload has no clients")
    return best[1]


def _high_risk_client(services: Services) -> str:
    rows = services.clients.list_clients()
    high = [r for r in rows if r.risk_level is RiskLevel.HIGH and r.status is ClientStatus.ACTIVE]
    return (high or rows)[0].id


def render_assessment_screens(window: MainWindow, out: Path) -> list[Path]:
    """Render the assessment and risk screens into ``out``."""
    services = window.ctx.services
    paths = []
    tab = show_record_tab(window, _most_assessed(services), "assessments")
    assert isinstance(tab, AssessmentsTab)
    paths.append(grab(window, out, "distance-travelled"))

    dialog = tab.manage_areas()
    dialog.copy_name.setText("Rural outreach areas")
    dialog.copy_set()
    for row in range(dialog.area_list.count()):
        if dialog.area_list.item(row).text() == "Housing":
            dialog.area_list.setCurrentRow(row)
    dialog.rename_to.setText("Home and shelter")
    dialog.rename_area()
    paths.append(grab(dialog, out, "assessment-life-areas", (920, 600)))
    dialog.accept()

    tab.new_stage.setCurrentIndex(tab.new_stage.findData(AssessmentStage.REVIEW))
    tab.domain_set.setCurrentIndex(0)  # the built-in set, not the copy just made
    tab.start_new()
    form = tab.form
    for page in form.pages:
        for reading in _READINGS:
            if page.domain.key == reading.domain_key:
                page.set_reading(reading)
                page.changed.emit()  # as if typed: progress and autosave follow
    form.show_area("housing")
    form.save_now()
    settle()
    paths.append(grab(window, out, "assessment-form"))
    tab.show_overview()

    risk = show_record_tab(window, _high_risk_client(services), "risk")
    assert isinstance(risk, RiskTab)
    risk.start_new()
    risk.levels["worker_safety"].set_level(RiskLevel.MEDIUM)
    risk.notes["worker_safety"].setPlainText("Visit in pairs; the dog is kept in the yard")
    risk.save_draft()
    paths.append(grab(window, out, "risk-screen"))
    return paths

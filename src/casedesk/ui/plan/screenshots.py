"""Shots of the plan screens: plan tab, referrals, review, goal editor, versions, exit, directory.

Called by ``python -m casedesk.ui.screenshots`` with a window on a throw-away demo vault (it can
also be run on its own: ``python -m casedesk.ui.plan.screenshots OUTDIR``). The demo is
fictional and removed afterwards.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from casedesk.domain.clock import today
from casedesk.domain.enums import (
    ClientStatus,
    ClosureReason,
    GoalAchievement,
    PlanState,
    ReferralStatus,
)
from casedesk.services.bundle import Services
from casedesk.services.referrals import ReferralInput
from casedesk.services.reviews import ReviewOutcome
from casedesk.ui.directory import DirectoryScreen
from casedesk.ui.exit.exit_dialog import ExitDialog
from casedesk.ui.main_window import MainWindow
from casedesk.ui.plan.goal_editor import GoalEditor
from casedesk.ui.plan.plan_tab import PlanTab
from casedesk.ui.plan.review_dialog import ReviewDialog
from casedesk.ui.plan.versions_dialog import VersionsDialog
from casedesk.ui.referrals import ReferralsTab
from casedesk.ui.screenshot_kit import grab, show_record_tab
from casedesk.ui.widgets.client_table_model import RowTableModel

SHOTS = (
    "plan-tab",
    "plan-referrals",
    "review",
    "goal-editor",
    "plan-versions",
    "exit",
    "directory",
)


def _pick_client(services: Services) -> str:
    """An active client whose agreed plan has several goals."""
    for row in services.clients.list_clients():
        if row.status is not ClientStatus.ACTIVE:
            continue
        plan = services.plans.current_plan(row.id)
        if plan and plan.state is PlanState.AGREED and len(plan.goals) >= 4:
            return row.id
    raise SystemExit("no suitable demo client")


def _add_referrals(services: Services, client_id: str) -> None:
    """Two referrals for the shots: one sent, one drafted to an agency without consent."""
    plan = services.plans.current_plan(client_id)
    goal_id = plan.goals[0].id if plan else None
    entries = services.directory.list_services()
    housing = next((e for e in entries if e.category == "Housing"), entries[0])
    sent = services.referrals.add_referral(
        ReferralInput(
            client_id, service_id=housing.id, reason="Help to keep the tenancy", goal_id=goal_id
        )
    )
    services.referrals.set_status(sent.id, ReferralStatus.SENT)
    services.referrals.add_referral(
        ReferralInput(
            client_id,
            agency_name="Rural Legal Outreach",
            reason="Advice about the rent arrears letter",
            follow_up_on=today() + timedelta(days=7),  # the worker's own date: kept, rule offered
        )
    )


def render_plan_screens(window: MainWindow, out: Path) -> list[Path]:
    """Render every plan screenshot into ``out`` (on the window's vault)."""
    services = window.ctx.services
    client_id = _pick_client(services)
    _add_referrals(services, client_id)
    tab = show_record_tab(window, client_id, "plan")
    assert isinstance(tab, PlanTab)
    tab.select_goal(tab.plan.goals[1].id)  # type: ignore[union-attr]
    paths = [grab(window, out, "plan-tab")]
    paths.append(_referrals(window, client_id, out))
    tab = show_record_tab(window, client_id, "plan")
    assert isinstance(tab, PlanTab)
    paths.append(_review(tab, out))
    paths.append(_goal_editor(tab, out))
    paths.append(_versions(tab, out))
    paths.append(_exit(tab, out))
    window.show_page("directory")
    directory = window.host.screen("directory")
    if isinstance(directory, DirectoryScreen):
        directory.select(directory.model.rows()[3].id)
    paths.append(grab(window, out, "directory"))
    return paths


def _referrals(window: MainWindow, client_id: str, out: Path) -> Path:
    tab = show_record_tab(window, client_id, "referrals")
    assert isinstance(tab, ReferralsTab)
    for row in range(tab.proxy.rowCount()):
        referral = tab.proxy.data(tab.proxy.index(row, 0), RowTableModel.ObjectRole)
        if referral.is_open and not referral.consent_covered:
            tab.select(referral.id)
            break
    return grab(window, out, "plan-referrals")


def _review(tab: PlanTab, out: Path) -> Path:
    tab.review()
    dialog = tab.dialog
    assert isinstance(dialog, ReviewDialog)
    rows = dialog.rows
    notes = (
        "Started two shifts a week",
        "Went to the community lunch twice",
        "Budget kept 3 of 4 weeks",
    )
    for row, note, score in zip(rows, notes, (8, 6, 4), strict=False):
        row.note.setText(note)
        row.score.setValue(score)
    rows[0].achievement.set_value(GoalAchievement.ACHIEVED)
    dialog.achievements.setPlainText("Tenancy is safe: no arrears for three months.")
    dialog.barriers.setPlainText("Bus fares to appointments; winter evenings.")
    dialog.new_supports.setPlainText("Community transport; neighbour checks in on Sundays.")
    path = grab(dialog, out, "review")
    dialog.finish(ReviewOutcome.CONTINUE_EDITING)
    return path


def _goal_editor(tab: PlanTab, out: Path) -> Path:
    tab.edit_goal(new=True)
    editor = tab.dialog
    assert isinstance(editor, GoalEditor)
    editor.client_words.setPlainText("I want to feel better about money and stop worrying")
    editor.worker_framing.setPlainText("Reduce money worries: a weekly budget Sam can keep to")
    editor.domain.setCurrentIndex(editor.domain.findData("money_benefits"))
    row = editor.rows[0]
    row.measure.setText("Weeks the budget is kept")
    row.baseline.setText("0 of 4")
    editor.refresh_coach()
    path = grab(editor, out, "goal-editor")
    row.target.setText("4 of 4")
    row.due.set_date(today() + timedelta(days=70))
    editor.buttons.accepted.emit()
    return path


def _versions(tab: PlanTab, out: Path) -> Path:
    tab.agree()
    tab.show_versions()
    dialog = tab.dialog
    assert isinstance(dialog, VersionsDialog)
    dialog.from_combo.setCurrentIndex(0)
    dialog.to_combo.setCurrentIndex(1)
    dialog.compare()
    path = grab(dialog, out, "plan-versions")
    dialog.reject()
    return path


def _exit(tab: PlanTab, out: Path) -> Path:
    tab.end_support()
    dialog = tab.dialog
    assert isinstance(dialog, ExitDialog)
    dialog.reason.set_value(ClosureReason.GOALS_ACHIEVED)
    dialog.summary.setPlainText("Eighteen months of support; housing secure, debts in hand.")
    dialog.achievements.setPlainText(
        "Tenancy kept; budget kept every week; back at the walking group."
    )
    dialog.supports.setPlainText("Tenancy support line; GP; walking group; daughter weekly.")
    dialog.rating.setCurrentIndex(dialog.rating.findData(5))
    dialog.comments.setPlainText("You listened and never rushed me.")
    path = grab(dialog, out, "exit")
    dialog.reject()
    return path


if __name__ == "__main__":
    from casedesk.ui.screenshots import render_only

    raise SystemExit(render_only(sys.argv[1:], render_plan_screens))

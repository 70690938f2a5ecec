"""Render the plan screens offscreen on a demo vault (``python -m casedesk.ui.plan.screenshots``).

Writes plan-tab.png, plan-referrals.png, plan-versions.png, goal-editor.png, review.png,
directory.png and exit.png into the given folder (default docs/screenshots). The vault is a
throw-away demo of fictional clients with cheap Argon2 parameters, removed afterwards.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CASEDESK_KDF", "test")

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from casedesk.domain.clock import today
from casedesk.domain.enums import ClosureReason, GoalAchievement, PlanState, ReferralStatus
from casedesk.services.bundle import Services
from casedesk.services.demo import generate_demo_data
from casedesk.services.referrals import ReferralInput
from casedesk.services.vault_service import VaultService
from casedesk.ui.app import _make_application
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.context import AppContext, ChangeHub
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.directory import DirectoryScreen
from casedesk.ui.exit.exit_dialog import ExitDialog
from casedesk.ui.main_window import MainWindow
from casedesk.ui.plan.goal_editor import GoalEditor
from casedesk.ui.plan.plan_tab import PlanTab
from casedesk.ui.plan.review_dialog import ReviewDialog
from casedesk.ui.plan.versions_dialog import VersionsDialog
from casedesk.ui.referrals import ReferralsTab
from casedesk.ui.settings.prefs import UiPrefs
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.widgets.client_table_model import RowTableModel

PASSPHRASE = "quiet river lantern 27"
WINDOW_SIZE = (1366, 800)


class _Yes(Dialogs):
    """Confirms without showing a box (screenshots only)."""

    def confirm(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        *,
        ok: str = "OK",
        irreversible: bool = False,
    ) -> bool:
        return True


def _save(app: QApplication, widget: QWidget, out: Path, name: str) -> None:
    for _ in range(5):
        app.processEvents()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    sys.stdout.write(f"wrote {path}\n")


def _pick_client(services: Services) -> str:
    """An active client whose agreed plan has several goals."""
    for row in services.clients.list_clients():
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
        )
    )


def _plan_tab(window: MainWindow) -> PlanTab:
    record = window.host.screen("record")
    assert isinstance(record, ClientRecordScreen)
    tab = record.slots["plan"]
    assert isinstance(tab, PlanTab)
    record.tabs.setCurrentWidget(tab)
    return tab


def render(out: Path, clients: int = 60) -> None:
    """Render every plan screenshot into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="casedesk-plan-shots-") as tmp_name:
        tmp = Path(tmp_name)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
        QCoreApplication.setOrganizationName("casedesk-screenshots")
        app = _make_application()
        tasks = TaskRunner(inline=True)
        vault = VaultService(tmp / "Demo vault")
        vault.create(PASSPHRASE)
        generate_demo_data(vault.db, clients=clients, seed=5, anchor=today())
        services = Services.for_vault(vault)
        ctx = AppContext(services, tasks, _Yes(), ChangeHub())
        window = MainWindow(ctx, UiPrefs())
        window.resize(*WINDOW_SIZE)
        window.show()
        client_id = _pick_client(services)
        _add_referrals(services, client_id)
        window.open_client(client_id)
        tab = _plan_tab(window)
        tab.select_goal(tab.plan.goals[1].id)  # type: ignore[union-attr]
        _save(app, window, out, "plan-tab")
        _referrals(app, window, out)
        tab = _plan_tab(window)
        _review(app, tab, out)
        _goal_editor(app, tab, out)
        _versions(app, tab, out)
        _exit(app, tab, out)
        window.show_page("directory")
        directory = window.host.screen("directory")
        if isinstance(directory, DirectoryScreen):
            directory.select(directory.model.rows()[3].id)
        _save(app, window, out, "directory")
        window.host.dispose_all()
        window.deleteLater()
        vault.lock()
        tasks.shutdown()


def _referrals(app: QApplication, window: MainWindow, out: Path) -> None:
    record = window.host.screen("record")
    assert isinstance(record, ClientRecordScreen)
    tab = record.slots["referrals"]
    assert isinstance(tab, ReferralsTab)
    record.tabs.setCurrentWidget(tab)
    for row in range(tab.proxy.rowCount()):
        referral = tab.proxy.data(tab.proxy.index(row, 0), RowTableModel.ObjectRole)
        if referral.is_open and not referral.consent_covered:
            tab.select(referral.id)
            break
    _save(app, window, out, "plan-referrals")


def _review(app: QApplication, tab: PlanTab, out: Path) -> None:
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
    dialog.resize(980, 760)
    _save(app, dialog, out, "review")
    from casedesk.services.reviews import ReviewOutcome

    dialog.finish(ReviewOutcome.CONTINUE_EDITING)


def _goal_editor(app: QApplication, tab: PlanTab, out: Path) -> None:
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
    _save(app, editor, out, "goal-editor")
    row.target.setText("4 of 4")
    row.due.set_date(
        today().replace(day=1) + (today() - today()) + __import__("datetime").timedelta(days=70)
    )
    editor.buttons.accepted.emit()


def _versions(app: QApplication, tab: PlanTab, out: Path) -> None:
    tab.agree()
    tab.show_versions()
    dialog = tab.dialog
    assert isinstance(dialog, VersionsDialog)
    dialog.from_combo.setCurrentIndex(0)
    dialog.to_combo.setCurrentIndex(1)
    dialog.compare()
    _save(app, dialog, out, "plan-versions")
    dialog.reject()


def _exit(app: QApplication, tab: PlanTab, out: Path) -> None:
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
    _save(app, dialog, out, "exit")
    dialog.reject()


if __name__ == "__main__":
    render(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))

"""Nothing typed is lost: every form keeps its typing as a draft through a lock (issue 11, 13).

Each test types into a form, locks the way the app does (``ChangeHub.locking``, the screens
cleared, the vault locked and unlocked), opens the form again and checks the draft is offered
and gives the typing back; then that saving or cancelling ends the draft.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QWidget

from casedesk.domain.clock import today
from casedesk.domain.enums import ConsentScope
from casedesk.services.bundle import Services
from casedesk.services.goals import GoalInput
from casedesk.services.vault_service import VaultService
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.clients.clients_screen import ClientsScreen
from casedesk.ui.clients.new_client_dialog import NEW_CLIENT_DRAFT, NewClientDialog
from casedesk.ui.context import AppContext
from casedesk.ui.exit import ExitDialog
from casedesk.ui.plan import PlanTab
from casedesk.ui.plan.action_editor import ActionEditor
from casedesk.ui.plan.goal_editor import GoalEditor
from casedesk.ui.referrals import ReferralsTab
from casedesk.ui.referrals.referral_dialog import ReferralDialog
from casedesk.ui.widgets.form_draft import draft_key

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

WORDS = "Find a flat near my sister — בקרוב 🙂"


@pytest.fixture(autouse=True)
def _quit_at_the_end(ctx: AppContext):
    """Forms left open save their pending typing as the app quits, not into a locked vault."""
    yield
    ctx.hub.locking.emit()


@pytest.fixture
def relock(ctx: AppContext, vault_service: VaultService, passphrase: str) -> Callable[..., None]:
    """Lock the way ``AppController.lock`` does, then unlock with fresh services."""

    def lock_and_unlock(*screens: QWidget) -> None:
        ctx.hub.locking.emit()
        for screen in screens:
            screen.clear()  # what ScreenHost.dispose does on lock
        vault_service.lock()
        vault_service.unlock(passphrase)
        ctx.services = Services.for_vault(vault_service)

    return lock_and_unlock


@pytest.fixture
def client_id(make_client) -> str:
    return make_client("Mara", "Quill").id


@pytest.fixture
def plan_tab(qtbot, ctx, services, client_id) -> Callable[[], PlanTab]:
    """Builds a Plan tab on a draft plan with one goal (a new tab each call)."""
    plan = services.plans.start_plan(client_id, on=today() - timedelta(days=5))
    services.goals.add_goal(plan.id, GoalInput("Keep my flat"))

    def build() -> PlanTab:
        tab = PlanTab(ctx, client_id)
        qtbot.addWidget(tab)
        tab.select_goal(tab.plan.goals[0].id)
        return tab

    return build


@pytest.fixture
def open_record(qtbot, ctx, client_id) -> Callable[[], ClientRecordScreen]:
    """Opens the client's record (a new screen each call, as after a lock)."""

    def build() -> ClientRecordScreen:
        record = ClientRecordScreen(ctx, client_id)
        qtbot.addWidget(record)
        return record

    return build


def _offers(dialogs) -> list[str]:
    return [c.text for c in dialogs.calls if c.kind == "confirm" and c.title == "Unsaved typing"]


def _draft(ctx: AppContext, key: str):
    return ctx.services.drafts.load(key)


# ---------------------------------------------------------------- goal and action editors


def test_new_goal_typing_survives_a_lock(qtbot, ctx, dialogs, client_id, plan_tab, relock):
    tab = plan_tab()
    tab.edit_goal(new=True)
    editor = tab.dialog
    assert isinstance(editor, GoalEditor)
    qtbot.keyClicks(editor.worker_framing, "Secure housing")
    editor.client_words.insertPlainText(WORDS)  # not ASCII: as an input method types it
    editor.rows[0].measure.setText("flat viewings")
    editor.add_target_row().measure.setText("deposit saved")
    assert editor.draft.pending  # the quiet second has not passed: the lock must save it
    relock(tab)

    again = plan_tab()
    again.edit_goal(new=True)
    restored = again.dialog
    assert _offers(dialogs) and _offers(dialogs)[0].startswith("Restore the goal you were")
    assert restored.client_words.toPlainText() == WORDS
    assert restored.worker_framing.toPlainText() == "Secure housing"
    assert [r.measure.text() for r in restored.rows] == ["flat viewings", "deposit saved"]
    restored.buttons.accepted.emit()  # save: the goal is stored and its draft gone with it
    assert _draft(ctx, draft_key("goal", "new", client_id)) is None
    goals = ctx.services.plans.current_plan(client_id).goals
    assert goals[-1].client_words == WORDS and len(goals[-1].targets) == 2


def test_changed_goal_is_keyed_by_the_goal(qtbot, ctx, dialogs, plan_tab, relock):
    tab = plan_tab()
    goal_id = tab.plan.goals[0].id
    tab.edit_goal()
    qtbot.keyClicks(tab.dialog.status_reason, "client asked to pause")
    relock(tab)

    again = plan_tab()
    again.edit_goal(new=True)  # a new goal is another form: nothing offered
    assert _offers(dialogs) == []
    again.dialog.reject()
    again.edit_goal()
    assert again.dialog.status_reason.text() == "client asked to pause"
    assert _draft(ctx, draft_key("goal", "edit", goal_id)) is not None


def test_action_typing_survives_a_lock(qtbot, ctx, dialogs, plan_tab, relock):
    tab = plan_tab()
    goal_id = tab.plan.goals[0].id
    tab.edit_action(new=True)
    editor = tab.dialog
    assert isinstance(editor, ActionEditor)
    qtbot.keyClicks(editor.description, "Call the housing office")
    editor.notes.setPlainText("Ask about the waiting list")
    relock(tab)

    again = plan_tab()
    again.edit_action(new=True)
    restored = again.dialog
    assert _offers(dialogs)[0].startswith("Restore the action you were")
    assert restored.description.text() == "Call the housing office"
    assert restored.notes.toPlainText() == "Ask about the waiting list"
    restored._on_save()
    assert _draft(ctx, draft_key("action", "new", goal_id)) is None
    actions = ctx.services.plans.current_plan(again._client_id).goals[0].actions
    assert [a.description for a in actions] == ["Call the housing office"]


def test_declining_the_offer_throws_the_draft_away(qtbot, ctx, dialogs, plan_tab, relock):
    tab = plan_tab()
    tab.edit_action(new=True)
    qtbot.keyClicks(tab.dialog.description, "half a thought")
    relock(tab)
    dialogs.confirm_answer = False
    again = plan_tab()
    again.edit_action(new=True)
    assert _offers(dialogs)
    assert again.dialog.description.text() == ""
    assert _draft(ctx, draft_key("action", "new", again.plan.goals[0].id)) is None


def test_cancel_with_typing_asks_before_discarding(qtbot, ctx, dialogs, plan_tab):
    tab = plan_tab()
    tab.edit_goal(new=True)
    editor = tab.dialog
    editor.draft.set_delay(10)
    with qtbot.waitSignal(editor.draft.saved, timeout=3000):  # autosaved after the quiet time
        qtbot.keyClicks(editor.client_words, "Get back to work")
    key = editor.draft.key
    assert _draft(ctx, key).payload["client_words"] == "Get back to work"

    dialogs.confirm_answer = False  # "Discard your typing?" -> no
    editor.reject()
    assert dialogs.calls[-1].title == "Discard your typing?"
    assert editor.isVisible() and _draft(ctx, key) is not None
    dialogs.confirm_answer = True
    editor.reject()
    assert not editor.isVisible()
    assert _draft(ctx, key) is None


def test_cancel_without_typing_does_not_ask(qtbot, ctx, dialogs, plan_tab):
    tab = plan_tab()
    tab.edit_goal(new=True)
    tab.dialog.reject()
    assert dialogs.calls == []


# ---------------------------------------------------------------- exit and referral dialogs


def test_exit_form_typing_survives_a_lock(qtbot, ctx, dialogs, client_id, plan_tab, relock):
    tab = plan_tab()
    tab.end_support()
    dialog = tab.dialog
    assert isinstance(dialog, ExitDialog)
    qtbot.keyClicks(dialog.achievements, "Tenancy secure")
    dialog.comments.setPlainText("Thank you for everything")
    dialog.rating.setCurrentIndex(dialog.rating.findData(4))
    relock(tab)

    again = plan_tab()
    again.end_support()
    restored = again.dialog
    assert _offers(dialogs)[0].startswith("Restore the exit form")
    assert restored.achievements.toPlainText() == "Tenancy secure"
    assert restored.comments.toPlainText() == "Thank you for everything"
    assert restored.rating.value() == 4
    restored.save()  # no reason chosen: refused, and the draft stays
    assert restored.isVisible() and _draft(ctx, draft_key("exit", "new", client_id))
    restored.reason.setCurrentIndex(1)
    restored.save()
    assert not restored.isVisible()
    assert _draft(ctx, draft_key("exit", "new", client_id)) is None


def test_referral_typing_survives_a_lock(qtbot, ctx, dialogs, client_id, relock):
    tab = ReferralsTab(ctx, client_id)
    qtbot.addWidget(tab)
    tab.edit(new=True)
    dialog = tab.dialog
    assert isinstance(dialog, ReferralDialog)
    qtbot.keyClicks(dialog.agency, "Food Bank North")
    dialog.reason.setPlainText("Food parcels while benefits are sorted")
    relock(tab)

    again = ReferralsTab(ctx, client_id)
    qtbot.addWidget(again)
    again.edit(new=True)
    restored = again.dialog
    assert _offers(dialogs)[0].startswith("Restore the referral")
    assert restored.agency.text() == "Food Bank North"
    assert restored.reason.toPlainText() == "Food parcels while benefits are sorted"
    restored.save()
    assert _draft(ctx, draft_key("referral", "new", client_id)) is None
    assert [r.agency for r in ctx.services.referrals.list_referrals(client_id)] == [
        "Food Bank North"
    ]


# ---------------------------------------------------------------- intake and consent tabs


def test_intake_typing_survives_a_lock(qtbot, ctx, dialogs, client_id, relock, open_record):
    record = open_record()
    intake = record.intake
    qtbot.keyClicks(intake.source_name, "Dr Patel")
    intake.reason.setPlainText("Rent arrears, at risk of eviction")
    relock(record)

    restored = open_record().intake
    assert _offers(dialogs)[0].startswith("Restore the intake")
    assert restored.source_name.text() == "Dr Patel"
    assert restored.reason.toPlainText() == "Rent arrears, at risk of eviction"
    assert restored.dirty  # a reload must not overwrite the restored typing
    restored.save()
    assert _draft(ctx, draft_key("intake", "edit", client_id)) is None
    assert ctx.services.intake.get_intake(client_id).source_name == "Dr Patel"


def test_intake_reload_is_not_typing(services, client_id, open_record):
    from casedesk.services.intake import IntakeInput

    services.intake.save_intake(client_id, IntakeInput(reason="Stored reason"))
    record = open_record()
    assert record.intake.reason.toPlainText() == "Stored reason"
    assert not record.intake.draft.dirty and not record.intake.draft.pending


def test_consent_typing_survives_a_lock(qtbot, ctx, dialogs, client_id, relock, open_record):
    record = open_record()
    consent = record.consent
    consent.scope.setCurrentIndex(consent.scope.findData(ConsentScope.SHARE))
    qtbot.keyClicks(consent.agencies, "Food Bank North, GP")
    consent.notes.setPlainText("Signed the form at the office")
    relock(record)

    restored = open_record().consent
    assert _offers(dialogs)[0].startswith("Restore the consent")
    assert restored.scope.currentData() == ConsentScope.SHARE
    assert restored.agencies.text() == "Food Bank North, GP"
    restored.add_consent()
    assert _draft(ctx, draft_key("consent", "new", client_id)) is None
    assert not restored.draft.dirty  # the cleared form is the new starting point
    stored = ctx.services.consent.list_consents(client_id)
    assert [c.agencies for c in stored] == [("Food Bank North", "GP")]


# ---------------------------------------------------------------- new client


def test_new_client_typing_survives_a_lock(qtbot, ctx, dialogs, relock):
    screen = ClientsScreen(ctx)
    qtbot.addWidget(screen)
    dialog = screen.new_client()
    qtbot.keyClicks(dialog.form.given_name, "Tui")
    dialog.form.family_name.setText("Ngata")
    dialog.form.notes.setPlainText("Prefers text messages")
    relock(screen)

    again = ClientsScreen(ctx)
    qtbot.addWidget(again)
    restored = again.new_client()
    assert isinstance(restored, NewClientDialog)
    assert _offers(dialogs)[0].startswith("Restore the new client")
    assert restored.form.given_name.text() == "Tui"
    assert restored.form.notes.toPlainText() == "Prefers text messages"
    restored.form.date_of_birth.setText("1990-04-05")
    restored.save()
    assert _draft(ctx, NEW_CLIENT_DRAFT) is None
    assert [c.display_name for c in ctx.services.clients.list_clients()][-1] == "Tui Ngata"


# ---------------------------------------------------------------- the real lock


def test_app_lock_keeps_an_open_action_editor_and_offers_it_after_unlock(
    qtbot, tmp_path, passphrase, task_runner, dialogs
):
    from casedesk.storage.keys import TEST_KDF
    from casedesk.ui.app import AppController
    from casedesk.ui.settings.prefs import UiPrefs

    vault_dir = tmp_path / "app-vault"  # its own vault, opened by the app's unlock dialog
    seed = VaultService(vault_dir, kdf=TEST_KDF)
    seed.create(passphrase)
    client_id = Services.for_vault(seed).clients.add_client(_client_input()).id
    plan = Services.for_vault(seed).plans.start_plan(client_id)
    Services.for_vault(seed).goals.add_goal(plan.id, GoalInput("Keep my flat"))
    seed.lock()
    app = AppController(
        VaultService(vault_dir), tasks=task_runner, dialogs=dialogs, prefs=UiPrefs()
    )
    gate = app.start()
    gate.panel.passphrase.setText(passphrase)
    with qtbot.waitSignal(app.ready, timeout=5000):
        gate.panel.submit()
    qtbot.addWidget(app.window)
    try:
        tab = _open_plan(app, client_id)
        tab.edit_action(new=True)
        qtbot.keyClicks(tab.dialog.description, "Book the GP visit")
        with qtbot.waitSignal(app.locked, timeout=3000):
            app.window.lock_action.trigger()
        panel = app.window.outer.currentWidget().panel
        panel.passphrase.setText(passphrase)
        with qtbot.waitSignal(app.ready, timeout=5000):
            panel.submit()
        again = _open_plan(app, client_id)
        again.edit_action(new=True)
        assert _offers(dialogs)
        assert again.dialog.description.text() == "Book the GP visit"
    finally:
        app.quit()


def _client_input():
    from casedesk.domain.clients import ClientInput

    return ClientInput("Hine", "Walker", date_of_birth="1979-03-04")


def _open_plan(app, client_id: str) -> PlanTab:
    app.window.open_client(client_id)
    record = app.window.host.screen("record")
    tab = record.slots["plan"]
    tab.select_goal(tab.plan.goals[0].id)
    return tab

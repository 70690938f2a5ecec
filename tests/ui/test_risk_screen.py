"""Risk screen: draft kept aside, suggested level and review date, finalise, history, flag."""

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate

from casedesk.domain.clock import today
from casedesk.domain.enums import RiskLevel
from casedesk.services.changes import Changes
from casedesk.ui.risk.screen import RiskTab


@pytest.fixture
def client(make_client):
    return make_client("Tama", "Example")


@pytest.fixture
def tab(qtbot, ctx, client):
    widget = RiskTab(ctx, client.id)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    return widget


def _choose(tab, name, level):
    combo = tab.levels[name]
    combo.set_level(level)
    combo.activated.emit(combo.currentIndex())


def _flag(services, client_id):
    return {r.id: r.risk_level for r in services.clients.list_clients()}[client_id]


def test_new_client_starts_a_fresh_screen(tab):
    assert tab.viewing is None
    assert tab.list.count() == 0
    assert "not screened" in tab.current.text()
    for combo in tab.levels.values():
        assert combo.accessibleName()


def test_levels_suggest_overall_and_review_date(tab):
    _choose(tab, "risk_to_self", RiskLevel.MEDIUM)
    assert tab.overall.level() == RiskLevel.MEDIUM
    _choose(tab, "risk_from_others", RiskLevel.HIGH)
    assert tab.overall.level() == RiskLevel.HIGH
    assert tab.review_on.date() == QDate(today() + timedelta(days=28))
    assert tab.save_pending


def test_draft_does_not_change_the_flag(tab, services, client):
    _choose(tab, "risk_to_self", RiskLevel.HIGH)
    tab.notes["risk_to_self"].setPlainText("Said things were hopeless last week")
    tab.save_draft()
    assert services.risk.load_draft(client.id).risk_to_self == RiskLevel.HIGH
    assert _flag(services, client.id) is None
    # Reopening shows the draft again.
    tab.reload()
    assert tab.notes["risk_to_self"].toPlainText() == "Said things were hopeless last week"


def test_finalise_sets_flag_history_and_is_read_only(tab, services, client, ctx, dialogs):
    announced = []
    ctx.hub.changed.connect(announced.append)
    _choose(tab, "worker_safety", RiskLevel.HIGH)
    tab.notes["worker_safety"].setPlainText("Visit in pairs")
    tab.children_box.click()
    tab.finalise_button.click()
    assert "confirm" in dialogs.kinds()
    assert _flag(services, client.id) == RiskLevel.HIGH
    assert tab.list.count() == 1
    assert tab.viewing is not None
    assert tab.notes["worker_safety"].isReadOnly()
    assert not tab.finalise_button.isVisibleTo(tab)
    assert "HIGH RISK" in tab.current.text()
    assert any(c & Changes.RISK for c in announced)
    assert services.risk.load_draft(client.id) is None
    # A new screen starts from the last answers and supersedes it when finalised.
    tab.new_button.click()
    assert tab.viewing is None
    assert tab.levels["worker_safety"].level() == RiskLevel.HIGH
    _choose(tab, "worker_safety", RiskLevel.LOW)
    tab.overall.set_level(RiskLevel.LOW)
    tab.overall.activated.emit(tab.overall.currentIndex())
    tab.finalise()
    assert tab.list.count() == 2
    assert _flag(services, client.id) == RiskLevel.LOW
    history = services.risk.history(client.id)
    assert history[0].supersedes_id == history[1].id


def test_invalid_review_date_is_reported(tab, services, client, dialogs):
    tab.review_on.setDate(QDate(today() - timedelta(days=3)))
    tab.finalise()
    assert dialogs.kinds()[-1] == "warn"
    assert "review date" in dialogs.calls[-1].text
    assert services.risk.history(client.id) == []


def test_pending_edits_are_saved_before_a_lock(tab, services, client):
    _choose(tab, "risk_to_others", RiskLevel.MEDIUM)
    assert tab.save_pending
    tab.save_draft_now()
    assert not tab.save_pending
    assert services.risk.load_draft(client.id).risk_to_others == RiskLevel.MEDIUM

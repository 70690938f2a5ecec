"""Referrals tab: directory or free-text agency, consent warning, status dates, follow-up task."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentInput
from casedesk.domain.enums import ConsentScope, ReferralStatus
from casedesk.domain.tasks import TaskKind
from casedesk.ui.referrals import ReferralsTab
from casedesk.ui.referrals.referral_dialog import ReferralDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def client_id(make_client):
    return make_client("Mara", "Quill").id


def test_referral_flow_with_consent_warning(qtbot, ctx, services, client_id, qtmodeltester):
    entry = services.directory.save_service({"name": "Food Bank North", "category": "Food"})
    tab = ReferralsTab(ctx, client_id)
    qtbot.addWidget(tab)
    tab.edit(new=True)
    dialog = tab.dialog
    assert isinstance(dialog, ReferralDialog)
    dialog.service.setCurrentIndex(dialog.service.findData(entry.id))
    assert dialog.consent_warning.isVisibleTo(dialog)
    assert "Food Bank North" in dialog.consent_warning.text()
    dialog.reason.setPlainText("Food parcels while benefits are sorted")
    dialog.save()
    assert tab.model.rowCount() == 1
    referral = tab.model.rows()[0]
    assert referral.status is ReferralStatus.DRAFTED and not referral.consent_covered
    tab.select(referral.id)
    assert tab.warning.isVisibleTo(tab)
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.proxy)

    services.consent.add_consent(
        ConsentInput(client_id, ConsentScope.REFERRAL, today(), agencies=("Food Bank North",))
    )
    tab.reload()
    tab.select(referral.id)
    assert not tab.warning.isVisibleTo(tab)

    tab.status.set_value(ReferralStatus.SENT)
    tab.apply_status()
    sent = tab.model.rows()[0]
    assert sent.sent_on == today() and sent.follow_up_on == today() + timedelta(days=14)
    tasks = services.tasks.due_tasks(today=today() + timedelta(days=14))
    assert TaskKind.REFERRAL_FOLLOW_UP in [t.kind for t in tasks if t.client_id == client_id]
    tab.select(sent.id)
    tab.status.set_value(ReferralStatus.CLOSED)
    tab.apply_status()
    assert not tab.model.rows()[0].is_open
    tasks = services.tasks.due_tasks(today=today() + timedelta(days=14))
    assert TaskKind.REFERRAL_FOLLOW_UP not in [t.kind for t in tasks if t.client_id == client_id]


def test_free_text_agency_required(qtbot, ctx, client_id):
    tab = ReferralsTab(ctx, client_id)
    qtbot.addWidget(tab)
    tab.edit(new=True)
    dialog = tab.dialog
    dialog.save()
    assert dialog.error.isVisibleTo(dialog)
    dialog.agency.setText("Rural Legal Outreach")
    dialog.check_consent()
    assert dialog.consent_warning.isVisibleTo(dialog)
    dialog.save()
    assert [r.agency for r in tab.model.rows()] == ["Rural Legal Outreach"]


def test_the_workers_follow_up_date_is_kept_and_the_rule_offered(qtbot, ctx, client_id):
    """Issue 20 item 4: a typed follow-up was silently overwritten when the referral was sent."""
    typed = today() + timedelta(days=7)
    tab = ReferralsTab(ctx, client_id)
    qtbot.addWidget(tab)
    tab.edit(new=True)
    dialog = tab.dialog
    dialog.agency.setText("Rural Legal Outreach")
    dialog.follow_up.set_date(typed)
    dialog.save()
    referral = tab.model.rows()[0]
    tab.select(referral.id)
    tab.status.set_value(ReferralStatus.SENT)
    tab.apply_status()
    sent = tab.model.rows()[0]
    assert sent.status is ReferralStatus.SENT and sent.follow_up_on == typed
    suggested = today() + timedelta(days=14)
    assert tab.follow_up_hint.isVisibleTo(tab)
    assert "your date, kept" in tab.follow_up_hint.text()
    assert f"{suggested.day} {suggested:%b %Y}" in tab.follow_up_hint.text()
    assert tab.use_suggested.isVisibleTo(tab)
    assert tab.use_suggested.text() == f"Use {suggested.day} {suggested:%b}"
    tab.use_suggested.click()
    assert tab.model.rows()[0].follow_up_on == suggested
    assert not tab.use_suggested.isVisibleTo(tab)
    assert "your date" not in tab.follow_up_hint.text()

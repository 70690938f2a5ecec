from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentInput
from casedesk.domain.enums import ClientStatus, ConsentScope, IntakeDecision, ScreeningOutcome
from casedesk.ui.client_record.profile_tab import profile_draft_key
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.widgets.client_fields import select_data

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def record(qtbot, ctx, make_client):
    client = make_client("Ada", "Lovelace", status=ClientStatus.REFERRAL)
    screen = ClientRecordScreen(ctx, client.id)
    qtbot.addWidget(screen)
    return screen


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# ----------------------------------------------------------------------------- profile


def test_profile_edit_round_trip(qtbot, record, services):
    form = record.profile.form
    assert form.given_name.text() == "Ada"
    form.preferred_name.clear()
    qtbot.keyClicks(form.preferred_name, "Addie")
    qtbot.keyClicks(form.pronouns, "she/her")
    qtbot.keyClicks(form.identifiers, "Agency ref: CD-77")
    assert record.profile.dirty
    click(qtbot, record.profile.save_button)
    stored = services.clients.get_client(record.client_id)
    assert stored.preferred_name == "Addie" and stored.pronouns == "she/her"
    assert stored.identifiers == (("Agency ref", "CD-77"),)
    assert record.header.name.text() == "Addie Lovelace"
    assert not record.profile.dirty and record.profile.status.text() == "Saved"
    assert services.drafts.load(profile_draft_key(record.client_id)) is None


def test_profile_inline_errors(qtbot, record, services):
    form = record.profile.form
    form.family_name.clear()
    form.date_of_birth.setText("12/05/1980")
    click(qtbot, record.profile.save_button)
    assert form.errors.message("family_name") == "This is required."
    assert "YYYY-MM-DD" in form.errors.message("date_of_birth")
    assert services.clients.get_client(record.client_id).family_name == "Lovelace"


def test_profile_draft_restored(qtbot, ctx, dialogs, record, services):
    record.profile.autosave.set_delay(5)
    with qtbot.waitSignal(record.profile.autosave.saved, timeout=3000):
        qtbot.keyClicks(record.profile.form.town, "Alice Springs")
    dialogs.confirm_answer = True
    again = ClientRecordScreen(ctx, record.client_id)
    qtbot.addWidget(again)
    assert again.profile.form.town.text() == "Alice Springs"
    assert again.profile.dirty
    click(qtbot, again.profile.revert_button)
    assert again.profile.form.town.text() == ""
    assert services.drafts.load(profile_draft_key(record.client_id)) is None


def test_support_people_add_edit_remove(qtbot, record, services, dialogs):
    tab = record.profile
    click(qtbot, tab.add_support)
    dialog = tab.person_dialog
    click(qtbot, dialog.save_button)
    assert dialog.errors.message("name") == "This is required."
    dialog.name.setText("Huong Tran")
    dialog.relationship.setText("daughter")
    dialog.is_carer.setChecked(True)
    click(qtbot, dialog.save_button)
    assert tab.support_model.rowCount() == 1
    assert tab.support_model.index(0, 3).data() == "Carer"
    tab.support_table.selectRow(0)
    click(qtbot, tab.edit_support)
    tab.person_dialog.phone.setText("0400 111 222")
    click(qtbot, tab.person_dialog.save_button)
    assert services.people.support_network(record.client_id)[0].phone == "0400 111 222"
    tab.support_table.selectRow(0)
    click(qtbot, tab.remove_support)
    assert dialogs.kinds()[-1] == "confirm"
    assert tab.support_model.rowCount() == 0
    assert services.people.support_network(record.client_id) == []


def test_support_names_are_not_cut_at_1366x768(qtbot, ctx, record, services):
    """Equal columns cut names to "Chinedu …" and headings to "Relationshi" in the window."""
    from casedesk.services.changes import Changes
    from casedesk.services.people import SupportPersonInput

    services.people.save_support_person(
        record.client_id, SupportPersonInput("Chinedu Oyelaran-Whitfield", "grandmother")
    )
    ctx.hub.announce(Changes.CLIENTS)
    record.resize(1366 - 210, 700)  # the record beside the sidebar
    record.show()
    qtbot.waitExposed(record)
    table = record.profile.support_table
    metrics = table.fontMetrics()
    name = metrics.horizontalAdvance("Chinedu Oyelaran-Whitfield")
    heading = metrics.horizontalAdvance("Relationship")
    assert table.horizontalHeader().sectionSize(0) > name
    assert table.horizontalHeader().sectionSize(1) > heading


def test_professional_add(qtbot, record, services):
    tab = record.profile
    click(qtbot, tab.add_professional)
    tab.person_dialog.name.setText("Dr Ōtani")
    tab.person_dialog.role.setText("GP")
    tab.person_dialog.organisation.setText("Riverside Clinic")
    click(qtbot, tab.person_dialog.save_button)
    assert tab.professional_model.index(0, 2).data() == "Riverside Clinic"


# ----------------------------------------------------------------------------- intake


def test_intake_accept(qtbot, record, services):
    tab = record.intake
    tab.referral_date.setText((today() - timedelta(days=7)).isoformat())
    tab.source_name.setText("Dr Ng")
    select_data(tab.screening_outcome, ScreeningOutcome.ELIGIBLE)
    select_data(tab.decision, IntakeDecision.ACCEPTED)
    assert not tab.referred_on_to.isEnabled()
    tab.rights_explained_on.setText(today().isoformat())
    tab.limits_explained.setChecked(True)
    click(qtbot, tab.save_button)
    stored = services.intake.get_intake(record.client_id)
    assert stored.decision is IntakeDecision.ACCEPTED and stored.limits_explained
    assert stored.decision_date == today()
    assert services.clients.get_client(record.client_id).status is ClientStatus.ACTIVE
    assert record.header.status.text() == "Active"
    assert tab.decision_date.text() == today().isoformat()


def test_intake_decline_needs_reason_then_refers_on(qtbot, record, services):
    tab = record.intake
    select_data(tab.decision, IntakeDecision.DECLINED)
    assert tab.referred_on_to.isEnabled()
    tab.rights_explained_on.setText("2024-02-31")
    click(qtbot, tab.save_button)
    assert "declined" in tab.errors.message("decline_reason")
    assert "real date" in tab.errors.message("rights_explained_on")
    tab.rights_explained_on.clear()
    tab.decline_reason.setPlainText("Lives outside the service area")
    tab.referred_on_to.setText("Coastal Outreach")
    click(qtbot, tab.save_button)
    stored = services.intake.get_intake(record.client_id)
    assert stored.referred_on_to == "Coastal Outreach"
    assert services.clients.get_client(record.client_id).status is ClientStatus.DECLINED
    assert tab.errors.visible() == {}


# ----------------------------------------------------------------------------- consent


def test_consent_missing_banner_then_current(qtbot, record, services):
    tab = record.consent
    assert tab.banner.isVisibleTo(tab) and "No consent" in tab.banner.text()
    assert record.header.consent.text() == "No consent recorded"
    click(qtbot, tab.add_button)  # given today, collect and store
    assert not tab.banner.isVisibleTo(tab)
    assert record.header.consent.text() == "Consent current"
    assert tab.model.rowCount() == 1


def test_consent_expiring_expired_and_withdrawn(qtbot, record, services, dialogs):
    cid = record.client_id
    services.consent.add_consent(
        ConsentInput(
            cid,
            ConsentScope.COLLECT_STORE,
            today() - timedelta(days=300),
            expires_on=today() + timedelta(days=10),
        )
    )
    record.reload()
    tab = record.consent
    assert "Renew it soon" in tab.banner.text() and tab.banner.property("role") == "notice"
    assert record.header.consent.text() == "Consent expiring soon"
    services.consent.add_consent(
        ConsentInput(
            cid,
            ConsentScope.SHARE,
            today() - timedelta(days=400),
            expires_on=today() - timedelta(days=3),
            agencies=("Housing Trust",),
        )
    )
    record.reload()
    assert "Expired" in tab.banner.text() and "Housing Trust" in tab.banner.text()
    assert tab.banner.property("role") == "error"
    # withdraw the basis consent through the UI
    row = next(
        r
        for r in range(tab.model.rowCount())
        if tab.model.row_at(r).scope is ConsentScope.COLLECT_STORE
    )
    tab.table.selectRow(row)
    click(qtbot, tab.withdraw_button)
    assert dialogs.kinds()[-1] == "confirm"
    assert record.header.consent.text() == "Consent withdrawn"
    assert "Withdrawn" in tab.banner.text()


def test_consent_form_validation(qtbot, record):
    tab = record.consent
    select_data(tab.scope, ConsentScope.REFERRAL)
    tab.given_on.setText("someday")
    click(qtbot, tab.add_button)
    assert "real date" in tab.errors.message("given_on")
    assert "agencies" in tab.errors.message("agencies").lower()
    assert tab.model.rowCount() == 0

from datetime import timedelta

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentInput
from casedesk.domain.enums import ConsentScope, ReferralStatus
from casedesk.domain.tasks import TaskKind
from casedesk.services.bundle import Services
from casedesk.services.errors import ValidationError
from casedesk.services.referrals import ReferralInput
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF


@pytest.fixture
def services(tmp_path):
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    yield Services.for_vault(vault)
    vault.lock()


@pytest.fixture
def client_id(services):
    return services.clients.add_client(
        ClientInput("Ada", "Lovelace", date_of_birth="1980-02-03")
    ).id


def test_needs_an_agency(services, client_id):
    with pytest.raises(ValidationError):
        services.referrals.add_referral(ReferralInput(client_id))


def test_consent_warning_and_status_dates(services, client_id):
    entry = services.directory.save_service({"name": "Food Bank North"})
    ref = services.referrals.add_referral(
        ReferralInput(client_id, service_id=entry.id, reason="Food parcels")
    )
    assert ref.agency == "Food Bank North" and not ref.consent_covered
    assert ref.follow_up_on == today() + timedelta(days=3)
    services.consent.add_consent(
        ConsentInput(client_id, ConsentScope.REFERRAL, today(), agencies=("food bank  north",))
    )
    assert services.referrals.list_referrals(client_id)[0].consent_covered
    assert services.referrals.consent_covers(client_id, "Food Bank North")
    sent = services.referrals.set_status(ref.id, ReferralStatus.SENT)
    assert sent.sent_on == today() and sent.follow_up_on == today() + timedelta(days=14)
    closed = services.referrals.set_status(ref.id, ReferralStatus.CLOSED)
    assert closed.closed_on == today() and closed.follow_up_on is None


def test_follow_up_becomes_a_task_until_closed(services, client_id):
    ref = services.referrals.add_referral(
        ReferralInput(client_id, agency_name="Legal Aid", follow_up_on=today())
    )
    kinds = [t.kind for t in services.tasks.due_tasks() if t.client_id == client_id]
    assert TaskKind.REFERRAL_FOLLOW_UP in kinds
    services.referrals.set_status(ref.id, ReferralStatus.CLOSED)
    kinds = [t.kind for t in services.tasks.due_tasks() if t.client_id == client_id]
    assert TaskKind.REFERRAL_FOLLOW_UP not in kinds


def test_status_date_must_be_sensible(services, client_id):
    ref = services.referrals.add_referral(ReferralInput(client_id, agency_name="Legal Aid"))
    with pytest.raises(ValidationError):
        services.referrals.set_status(ref.id, ReferralStatus.SENT, today() + timedelta(days=1))
    with pytest.raises(ValidationError):
        services.referrals.set_status(ref.id, ReferralStatus.SENT, today() - timedelta(days=1))


def test_a_follow_up_the_worker_typed_survives_a_status_move(services, client_id):
    """Issue 20 item 4: the typed date was silently overwritten when the referral was sent."""
    typed = today() + timedelta(days=7)
    ref = services.referrals.add_referral(
        ReferralInput(client_id, agency_name="Legal Aid", follow_up_on=typed)
    )
    assert ref.follow_up_on == typed
    assert ref.suggested_follow_up_on == today() + timedelta(days=3)
    sent = services.referrals.set_status(ref.id, ReferralStatus.SENT)
    assert sent.follow_up_on == typed  # kept
    assert sent.suggested_follow_up_on == today() + timedelta(days=14)  # offered, not imposed
    taken = services.referrals.set_follow_up(ref.id, sent.suggested_follow_up_on)
    assert taken.follow_up_on == today() + timedelta(days=14)
    assert taken.suggested_follow_up_on is None
    accepted = services.referrals.set_status(ref.id, ReferralStatus.ACCEPTED)
    assert accepted.follow_up_on == today() + timedelta(days=14)  # the rule's date moves
    assert accepted.suggested_follow_up_on is None


def test_a_follow_up_date_before_the_draft_or_on_a_closed_referral_is_refused(services, client_id):
    ref = services.referrals.add_referral(ReferralInput(client_id, agency_name="Legal Aid"))
    with pytest.raises(ValidationError):
        services.referrals.set_follow_up(ref.id, today() - timedelta(days=1))
    services.referrals.set_status(ref.id, ReferralStatus.CLOSED)
    with pytest.raises(ValidationError):
        services.referrals.set_follow_up(ref.id, today() + timedelta(days=1))


def test_a_rule_date_already_past_is_not_suggested(services, client_id):
    drafted = today() - timedelta(days=30)
    ref = services.referrals.add_referral(
        ReferralInput(
            client_id,
            agency_name="Legal Aid",
            drafted_on=drafted,
            follow_up_on=today() + timedelta(days=2),
        )
    )
    assert ref.suggested_follow_up_on is None  # drafted + 3 days has long gone

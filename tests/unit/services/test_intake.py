from datetime import timedelta

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.enums import ClientStatus, IntakeDecision, ScreeningOutcome
from casedesk.domain.validation import ValidationError
from casedesk.services.bundle import Services
from casedesk.services.intake import IntakeInput
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


def test_accept_opens_episode_and_activates(services):
    cid = services.clients.add_client(
        ClientInput("Rangi", "Parata", status=ClientStatus.REFERRAL)
    ).id
    assert services.intake.get_intake(cid) is None
    view = services.intake.save_intake(
        cid,
        IntakeInput(
            referral_date=today() - timedelta(days=10),
            source_type="GP",
            screening_outcome=ScreeningOutcome.ELIGIBLE,
            decision=IntakeDecision.ACCEPTED,
            rights_explained_on=today(),
            limits_explained=True,
        ),
    )
    assert view.decision_date == today() and view.episode_id
    assert services.clients.get_client(cid).status is ClientStatus.ACTIVE
    assert services.episodes.current_episode(cid).id == view.episode_id
    # saving again updates the same intake and does not open a second episode
    again = services.intake.save_intake(
        cid, IntakeInput(decision=IntakeDecision.ACCEPTED, source_type="self")
    )
    assert again.id == view.id and again.episode_id == view.episode_id


def test_decline_needs_reason_and_marks_declined(services, client_id):
    with pytest.raises(ValidationError) as err:
        services.intake.save_intake(client_id, IntakeInput(decision=IntakeDecision.DECLINED))
    assert "decline_reason" in err.value.errors
    view = services.intake.save_intake(
        client_id,
        IntakeInput(
            screening_outcome=ScreeningOutcome.NOT_ELIGIBLE,
            decision=IntakeDecision.DECLINED,
            decline_reason="Outside our area",
            referred_on_to="Coast Support Service",
        ),
    )
    assert view.referred_on_to == "Coast Support Service"
    assert services.clients.get_client(client_id).status is ClientStatus.DECLINED


def test_dates_checked(services, client_id):
    with pytest.raises(ValidationError) as err:
        services.intake.save_intake(
            client_id,
            IntakeInput(
                referral_date=today(),
                decision=IntakeDecision.ACCEPTED,
                decision_date=today() - timedelta(days=2),
                rights_explained_on="31/02/2020",
            ),
        )
    assert set(err.value.errors) == {"decision_date", "rights_explained_on"}


def test_overview_without_plan(services, client_id):
    overview = services.episodes.overview(client_id)
    assert overview.next_review_on is None and overview.goals == () and overview.risk_level is None

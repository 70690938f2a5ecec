from datetime import date, timedelta

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentInput, ConsentState
from casedesk.domain.enums import ConsentScope
from casedesk.domain.validation import ValidationError
from casedesk.services.bundle import Services
from casedesk.services.errors import NotFound
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


def test_missing_then_current_then_withdrawn(services, client_id):
    assert services.consent.summary(client_id).state is ConsentState.MISSING
    view = services.consent.add_consent(
        ConsentInput(
            client_id,
            ConsentScope.COLLECT_STORE,
            today() - timedelta(days=3),
            expires_on=today() + timedelta(days=365),
            method="written",
        )
    )
    assert services.consent.summary(client_id).state is ConsentState.CURRENT
    listed = services.consent.list_consents(client_id)
    assert [c.id for c in listed] == [view.id]
    services.consent.withdraw(view.id)
    summary = services.consent.summary(client_id)
    assert summary.state is ConsentState.WITHDRAWN
    with pytest.raises(ValidationError):
        services.consent.withdraw(view.id)
    actions = [e.action for e in services.audit.client_history(client_id)]
    assert "consent.withdrawn" in actions and "consent.added" in actions


def test_expiring_share_consent_is_a_problem(services, client_id):
    services.consent.add_consent(ConsentInput(client_id, ConsentScope.COLLECT_STORE, today()))
    services.consent.add_consent(
        ConsentInput(
            client_id,
            ConsentScope.SHARE,
            today() - timedelta(days=300),
            expires_on=today() + timedelta(days=5),
            agencies=("GP clinic",),
        )
    )
    summary = services.consent.summary(client_id)
    assert summary.state is ConsentState.CURRENT
    assert [p.state for p in summary.problems] == [ConsentState.EXPIRING_SOON]
    assert services.consent.list_consents(client_id)[0].agencies in (("GP clinic",), ())


def test_invalid_and_unknown(services, client_id):
    with pytest.raises(ValidationError) as err:
        services.consent.add_consent(ConsentInput(client_id, ConsentScope.SHARE, "not a date"))
    assert "given_on" in err.value.errors
    with pytest.raises(NotFound):
        services.consent.add_consent(ConsentInput("nope", ConsentScope.COLLECT_STORE, today()))
    with pytest.raises(NotFound):
        services.consent.withdraw("nope")
    view = services.consent.add_consent(
        ConsentInput(client_id, ConsentScope.COLLECT_STORE, date(2026, 1, 1))
    )
    with pytest.raises(ValidationError):
        services.consent.withdraw(view.id, date(2025, 1, 1))

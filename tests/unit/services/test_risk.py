"""Risk screens: drafts kept aside, final screens set the flag and the review task."""

from datetime import timedelta

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.enums import RiskLevel
from casedesk.domain.tasks import TaskKind
from casedesk.services.bundle import Services
from casedesk.services.errors import ImmutableRecordError, ValidationError
from casedesk.services.risk import RiskInput, suggested_overall, suggested_review
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
    return services.clients.add_client(ClientInput("Ada", "Example", date_of_birth="1980-02-03")).id


def _level(services, client_id):
    return {row.id: row.risk_level for row in services.clients.list_clients()}[client_id]


def test_suggestions():
    data = RiskInput(today(), risk_to_self=RiskLevel.MEDIUM, worker_safety=RiskLevel.HIGH)
    assert suggested_overall(data) == RiskLevel.HIGH
    assert suggested_overall(RiskInput(today())) == RiskLevel.LOW
    assert suggested_review(RiskLevel.HIGH, today()) == today() + timedelta(days=28)


def test_draft_does_not_change_the_flag(services, client_id):
    data = RiskInput(today(), risk_to_self=RiskLevel.HIGH, overall_level=RiskLevel.HIGH)
    services.risk.save_draft(client_id, data)
    assert services.risk.load_draft(client_id) == data
    assert _level(services, client_id) is None
    assert services.risk.history(client_id) == []


def test_final_screen_sets_flag_history_and_review_task(services, client_id):
    first = RiskInput(
        today() - timedelta(days=40),
        overall_level=RiskLevel.LOW,
        review_on=today() - timedelta(days=2),
    )
    one = services.risk.finalise(client_id, first)
    assert _level(services, client_id) == RiskLevel.LOW
    tasks = [t for t in services.tasks.due_tasks() if t.client_id == client_id]
    assert any(t.kind == TaskKind.RISK_REVIEW for t in tasks)
    services.risk.save_draft(client_id, first)
    second = RiskInput(
        today(),
        risk_from_others=RiskLevel.HIGH,
        risk_from_others_notes="Ex-partner",
        children_in_home=True,
        overall_level=RiskLevel.HIGH,
        review_on=today() + timedelta(days=28),
    )
    two = services.risk.finalise(client_id, second)
    assert two.supersedes_id == one.id
    assert services.risk.load_draft(client_id) is None
    assert _level(services, client_id) == RiskLevel.HIGH
    assert [s.id for s in services.risk.history(client_id)] == [two.id, one.id]
    assert services.risk.latest(client_id).data == second


def test_validation(services, client_id):
    with pytest.raises(ValidationError) as caught:
        services.risk.finalise(client_id, RiskInput(today(), overall_level=RiskLevel.NONE))
    assert {"overall_level", "review_on"} <= set(caught.value.errors)
    with pytest.raises(ValidationError):
        services.risk.finalise(client_id, RiskInput(today(), review_on=today() - timedelta(days=1)))


def test_final_screen_is_immutable_in_storage(services, client_id):
    from casedesk.storage.models import RiskScreen

    view = services.risk.finalise(client_id, RiskInput(today(), review_on=today()))
    with pytest.raises(ImmutableRecordError), services.vault.db.session() as session:
        session.get(RiskScreen, view.id).overall_level = RiskLevel.HIGH

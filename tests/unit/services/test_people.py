import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.validation import ValidationError
from casedesk.services.bundle import Services
from casedesk.services.errors import NotFound
from casedesk.services.people import ProfessionalInput, SupportPersonInput
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


def test_support_person_add_edit_remove(services, client_id):
    added = services.people.save_support_person(
        client_id, SupportPersonInput("Mary Ng", "sister", is_carer=True)
    )
    assert services.people.support_network(client_id) == [added]
    edited = services.people.save_support_person(
        client_id, SupportPersonInput("Mary Ng", "sister", phone="0400 000 000"), added.id
    )
    assert edited.phone == "0400 000 000" and not edited.is_carer
    services.people.remove_support_person(added.id)
    assert services.people.support_network(client_id) == []
    with pytest.raises(NotFound):
        services.people.remove_support_person(added.id)
    actions = {e.action for e in services.audit.client_history(client_id)}
    assert {"support_person.added", "support_person.updated", "support_person.removed"} <= actions


def test_professional_round_trip_and_validation(services, client_id):
    prof = services.people.save_professional(
        client_id, ProfessionalInput("Dr Ōtani", "GP", "Riverside Clinic", email="gp@example.org")
    )
    assert services.people.professionals(client_id)[0].organisation == "Riverside Clinic"
    with pytest.raises(ValidationError) as err:
        services.people.save_professional(client_id, ProfessionalInput("", email="bad address"))
    assert set(err.value.errors) == {"name", "email"}
    services.people.remove_professional(prof.id)
    assert services.people.professionals(client_id) == []


def test_unknown_client_or_person(services, client_id):
    with pytest.raises(NotFound):
        services.people.save_support_person("missing", SupportPersonInput("X"))
    with pytest.raises(NotFound):
        services.people.save_professional(client_id, ProfessionalInput("X"), "missing")

"""Domain sets in the vault: built-in registration, copies and versions."""

from dataclasses import replace

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.domain_sets import DomainSetError, builtin_domain_sets, to_data
from casedesk.domain.enums import AssessmentStage
from casedesk.domain.ids import new_id
from casedesk.domain.reference import REFERENCE_STAMP
from casedesk.paths import resources_dir
from casedesk.services.bundle import Services
from casedesk.services.errors import ValidationError
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import DomainSetRecord


@pytest.fixture
def services(tmp_path):
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    yield Services.for_vault(vault)
    vault.lock()


def test_builtin_set_is_registered_once(services):
    first = services.domain_sets.ensure_builtin()
    second = services.domain_sets.ensure_builtin()
    assert [s.id for s in first] == [s.id for s in second]
    core = services.domain_sets.default_set()
    assert core.builtin
    assert core.domain_set.key == "casedesk-core"
    assert len(core.domain_set.domains) == 14
    assert [s.id for s in services.domain_sets.latest_versions()] == [core.id]


def test_copy_add_and_rename_make_new_versions(services):
    core = services.domain_sets.default_set()
    mine = services.domain_sets.copy_set(core.id, "my-set", "My areas")
    assert (mine.domain_set.version, mine.builtin) == (1, False)
    assert mine.domain_set.based_on == core.domain_set.ref
    extra = replace(core.domain_set.domains[0], key="pets", name="Pets and animals")
    v2 = services.domain_sets.add_domain(mine.id, extra)
    assert v2.domain_set.version == 2
    assert "pets" in v2.domain_set.domain_keys()
    v3 = services.domain_sets.rename_domain(v2.id, "housing", "Home")
    assert v3.domain_set.domain("housing").name == "Home"
    # Older versions are unchanged and still readable.
    assert services.domain_sets.get(mine.id).domain_set.domain("housing").name != "Home"
    latest = {
        s.domain_set.key: s.domain_set.version for s in services.domain_sets.latest_versions()
    }
    assert latest == {"casedesk-core": 1, "my-set": 3}


def test_builtin_and_old_versions_cannot_be_revised(services):
    core = services.domain_sets.default_set()
    with pytest.raises(ValidationError):
        services.domain_sets.rename_domain(core.id, "housing", "Home")
    mine = services.domain_sets.copy_set(core.id, "my-set", "My areas")
    services.domain_sets.rename_domain(mine.id, "housing", "Home")
    with pytest.raises(ValidationError):
        services.domain_sets.rename_domain(mine.id, "housing", "House")


def test_copy_refuses_taken_or_bad_keys(services):
    core = services.domain_sets.default_set()
    services.domain_sets.copy_set(core.id, "my-set", "My areas")
    with pytest.raises(ValidationError):
        services.domain_sets.copy_set(core.id, "my-set", "Again")
    with pytest.raises(DomainSetError):
        services.domain_sets.copy_set(core.id, "Bad Key!", "Bad")


def test_old_assessment_keeps_the_version_it_used(services):
    client = services.clients.add_client(ClientInput("Ada", "Example", date_of_birth="1980-01-01"))
    core = services.domain_sets.default_set()
    mine = services.domain_sets.copy_set(core.id, "my-set", "My areas")
    started = services.assessments.start(client.id, AssessmentStage.INITIAL, domain_set_id=mine.id)
    services.domain_sets.rename_domain(mine.id, "housing", "Home")
    again = services.assessments.get(started.id)
    assert again.domain_set.id == mine.id
    assert again.domain_set.domain_set.domain("housing").name != "Home"


def test_slug_and_new_domain_make_valid_unique_keys(services):
    from casedesk.services.domain_sets_service import new_domain, slug

    assert slug("Pets & animals!") == "pets-animals"
    assert slug("Housing", {"housing"}) == "housing-2"
    assert slug("   ") == "area"
    core = services.domain_sets.default_set()
    mine = services.domain_sets.copy_set(core.id, "my-set", "My areas")
    domain = new_domain("Housing", "", mine.domain_set.domain_keys())
    assert domain.key == "housing-2"
    with pytest.raises(DomainSetError):  # same name as an existing area
        services.domain_sets.add_domain(mine.id, domain)
    ok = new_domain("Transport", "Getting places", mine.domain_set.domain_keys())
    assert services.domain_sets.add_domain(mine.id, ok).domain_set.domain("transport").name == (
        "Transport"
    )


def _store_row(services, row_id, domain_set, *, builtin):
    """A domain_set row as another device (or an earlier version) would have stored it."""
    with services.vault.db.session() as session:
        row = DomainSetRecord(
            key=domain_set.key, version=domain_set.version, name=domain_set.name, builtin=builtin
        )
        row.id, row.definition = row_id, to_data(domain_set)
        session.add(row)
    return row_id


def test_builtin_set_has_the_same_id_and_times_on_every_device(services, tmp_path):
    core = services.domain_sets.default_set()
    assert core.id == core.domain_set.ref.reference_id
    other = VaultService(tmp_path / "other", kdf=TEST_KDF)
    other.create("correct horse battery staple")
    try:
        assert Services.for_vault(other).domain_sets.default_set().id == core.id
    finally:
        other.lock()
    with services.vault.db.read() as session:
        row = session.get(DomainSetRecord, core.id)
        assert row.created_at == row.updated_at == REFERENCE_STAMP


def test_a_set_held_under_several_ids_is_offered_once_and_every_row_stays_readable(services):
    core = next(s for s in builtin_domain_sets(resources_dir()) if s.key == "casedesk-core")
    legacy = sorted(_store_row(services, new_id(), core, builtin=True) for _ in range(2))
    chosen = services.domain_sets.default_set()  # registers the shared row beside them
    assert chosen.id == core.ref.reference_id
    assert [s.id for s in services.domain_sets.latest_versions()] == [chosen.id]
    for row_id in legacy:  # assessments made on them still open with their wording
        assert services.domain_sets.get(row_id).domain_set == core


def test_copies_made_under_one_key_on_two_devices_show_once_if_equal_else_both(services):
    base = services.domain_sets.default_set()
    mine = services.domain_sets.copy_set(base.id, "my-set", "My areas")
    twin = _store_row(services, new_id(), mine.domain_set, builtin=False)
    offered = [s.id for s in services.domain_sets.latest_versions() if not s.builtin]
    assert offered == [min(mine.id, twin)]  # the same set: offered once, the same everywhere
    different = replace(mine.domain_set, name="My areas (other laptop)")
    other = _store_row(services, new_id(), different, builtin=False)
    offered = {s.id for s in services.domain_sets.latest_versions() if not s.builtin}
    assert offered == {min(mine.id, twin), other}  # different contents: both kept and shown

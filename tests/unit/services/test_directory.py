import pytest

from casedesk.services.bundle import Services
from casedesk.services.errors import ValidationError
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF


@pytest.fixture
def services(tmp_path):
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    yield Services.for_vault(vault)
    vault.lock()


def _write(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_search_and_edit(services):
    a = services.directory.save_service(
        {"name": "Food Bank North", "category": "Food", "area_served": "Northern district"}
    )
    services.directory.save_service({"name": "Legal Aid", "category": "Legal"})
    assert [s.name for s in services.directory.list_services("north food")] == ["Food Bank North"]
    assert [s.name for s in services.directory.list_services("")] == [
        "Food Bank North",
        "Legal Aid",
    ]
    services.directory.save_service({"name": "Food Bank North", "hours": "9-5"}, a.id)
    assert services.directory.get_service(a.id).hours == "9-5"
    services.directory.remove_service(a.id)
    assert [s.name for s in services.directory.list_services()] == ["Legal Aid"]
    with pytest.raises(ValidationError):
        services.directory.save_service({"name": "  "})


def test_import_with_errors_writes_nothing_unless_skipping(services, tmp_path):
    path = _write(tmp_path, "name,email\nA,\n,x@y.co\nB,bad\nC,\n")
    report = services.directory.preview(path)
    assert len(report.rows) == 2 and len(report.problems) == 2
    with pytest.raises(ValidationError):
        services.directory.import_rows(report)
    assert services.directory.list_services() == []
    result = services.directory.import_rows(report, skip_bad_rows=True)
    assert (result.added, result.updated, result.skipped) == (2, 0, 2)
    assert [s.name for s in services.directory.list_services()] == ["A", "C"]


def test_import_updates_matching_entries_and_export_round_trips(services, tmp_path):
    services.directory.save_service({"name": "Meals on Wheels", "phone": "1"})
    report = services.directory.preview(
        _write(tmp_path, "name,phone,hours\nmeals on wheels,2,Daily\nNew One,,\n")
    )
    result = services.directory.import_rows(report)
    assert (result.added, result.updated) == (1, 1)
    entries = services.directory.list_services()
    assert [(e.name, e.phone, e.hours) for e in entries] == [
        ("Meals on Wheels", "2", "Daily"),
        ("New One", "", ""),
    ]
    out = tmp_path / "out.csv"
    assert services.directory.export_csv(out) == 2
    again = services.directory.preview(out)
    assert again.ok and [r.name for r in again.rows] == ["Meals on Wheels", "New One"]


def test_file_error_and_unreadable_file(services, tmp_path):
    report = services.directory.preview(tmp_path / "missing.csv")
    assert report.file_error and "could not be opened" in report.file_error
    with pytest.raises(ValidationError):
        services.directory.import_rows(report, skip_bad_rows=True)


def test_import_is_one_transaction(services, tmp_path, monkeypatch):
    from casedesk.services import directory as directory_module

    report = services.directory.preview(_write(tmp_path, "name\nA\nB\nC\n"))

    def fail(*_args, **_kwargs):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(directory_module.audit, "record", fail)  # fails after every row is added
    with pytest.raises(RuntimeError):
        services.directory.import_rows(report)
    monkeypatch.undo()
    assert services.directory.list_services() == []


def test_typed_entries_lose_bidi_controls_in_one_line_fields(services):
    entry = services.directory.save_service(
        {"name": "\u202eLegal Aid\u202c", "website": "\u2067example.org\u2069", "notes": "\u200fok"}
    )
    assert (entry.name, entry.website, entry.notes) == ("Legal Aid", "example.org", "\u200fok")
    with pytest.raises(ValidationError):
        services.directory.save_service({"name": "\u202e\u202c"})

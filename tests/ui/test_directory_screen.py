"""Directory screen: search, add/edit, CSV import with a validation report (all or nothing)."""

from __future__ import annotations

import pytest

from casedesk.ui.directory import DirectoryScreen
from casedesk.ui.directory.import_dialog import ImportDialog
from casedesk.ui.directory.service_dialog import ServiceDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

BAD_CSV = (
    "Name,Category,Email,Area served\n"
    "Food Bank North,Food,intake@example.org,North\n"
    ",Legal,legal@example.org,All\n"  # no name
    "Men's Shed,Social,not-an-email,West\n"  # bad email
    '"Rural Legal Outreach",Legal,,"South, East"\n'
)


@pytest.fixture
def screen(qtbot, ctx):
    widget = DirectoryScreen(ctx)
    qtbot.addWidget(widget)
    return widget


def test_add_search_and_models(screen, services, qtmodeltester):
    services.directory.save_service({"name": "Meals on Wheels", "category": "Food"})
    services.directory.save_service({"name": "Tenancy Advice", "area_served": "Northern"})
    screen.reload()
    assert screen.model.rowCount() == 2
    screen.search.setText("tenancy north")
    assert screen.proxy.rowCount() == 1
    screen.search.setText("")
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.proxy)
    screen.edit(new=True)
    dialog = screen.dialog
    assert isinstance(dialog, ServiceDialog)
    dialog.edits["name"].setText("Carers Line")
    dialog.edits["hours"].setText("24/7")
    dialog.accept()
    assert screen.model.rowCount() == 3
    assert screen.selected() is not None and screen.selected().name == "Carers Line"
    assert "24/7" in screen.details.toPlainText()


def test_import_with_bad_rows_imports_nothing_until_skipped(
    screen, services, dialogs, tmp_path, qtmodeltester
):
    path = tmp_path / "directory.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    dialogs.open_path = path
    screen.choose_import()
    dialog = screen.dialog
    assert isinstance(dialog, ImportDialog)
    assert "2 entries ready, 2 rows have problems" in dialog.summary.text()
    assert [p.line for p in dialog.report.problems] == [3, 4]
    assert not dialog.import_button.isEnabled()
    assert dialog.skip_button.isVisibleTo(dialog)
    qtmodeltester.check(dialog.problems)
    qtmodeltester.check(dialog.ready)
    qtmodeltester.check(dialog.problem_proxy)
    qtmodeltester.check(dialog.ready_proxy)
    dialog.run_import(skip_bad_rows=False)  # refused by the service too: nothing written
    assert dialog.error.isVisibleTo(dialog)
    assert services.directory.list_services() == []
    dialog.run_import(skip_bad_rows=True)
    assert sorted(s.name for s in services.directory.list_services()) == [
        "Food Bank North",
        "Rural Legal Outreach",
    ]
    assert screen.model.rowCount() == 2


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("Name\nCaf\xe9\n".encode("latin-1"), "UTF-8"),
        (b"Phone\n123\n", "name"),
        (b'Name,Notes\nA,"never closed\n', "quote"),
    ],
)
def test_malformed_files_get_a_clear_report(screen, services, dialogs, tmp_path, data, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    dialogs.open_path = path
    screen.choose_import()
    dialog = screen.dialog
    assert isinstance(dialog, ImportDialog)
    assert words in dialog.summary.text()
    assert not dialog.import_button.isEnabled() and not dialog.skip_button.isVisibleTo(dialog)
    assert services.directory.list_services() == []


def test_export(screen, services, dialogs, tmp_path):
    services.directory.save_service({"name": "=cmd", "notes": "two\nlines"})
    dialogs.save_path = tmp_path / "out.csv"
    screen.export()
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("name,organisation")
    assert "'=cmd" in text

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from casedesk.domain.clients import ClientInput
from casedesk.domain.enums import ClientStatus, Intensity, RiskLevel
from casedesk.services.clients import ClientRow
from casedesk.ui.clients.client_list_model import (
    ClientFilterProxy,
    ClientQuery,
    ClientTableModel,
    prepare_entries,
)
from casedesk.ui.clients.clients_screen import ClientsScreen

# Showing a top-level dialog on the offscreen platform logs this harmless warning.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _row(i: int, **kw) -> ClientRow:
    values = dict(
        id=f"id{i}",
        display_name=f"Given{i} Family{i}",
        given_name=f"Given{i}",
        family_name=f"Family{i}",
        preferred_name="",
        date_of_birth=date(1980, 1, 1 + i % 28),
        status=ClientStatus.ACTIVE,
        intensity=Intensity.MODERATE,
        risk_level=None,
        last_contact_at=None,
        identifiers="",
    )
    values.update(kw)
    return ClientRow(**values)


@pytest.fixture
def rows():
    return [
        _row(1, given_name="José", family_name="Álvarez", identifiers="Agency ref CD-555"),
        _row(
            2,
            given_name="Mere",
            family_name="Tāwhiri",
            preferred_name="Merry",
            risk_level=RiskLevel.HIGH,
            intensity=Intensity.INTENSIVE,
        ),
        _row(
            3,
            given_name="سارة",
            family_name="الحسن",
            status=ClientStatus.CLOSED,
            risk_level=RiskLevel.MEDIUM,
        ),
        _row(4, given_name="Bob", family_name="Brown", status=ClientStatus.REFERRAL),
    ]


def _proxy(rows):
    model = ClientTableModel()
    model.set_entries(prepare_entries(rows, date(2026, 1, 1)))
    proxy = ClientFilterProxy()
    proxy.setSourceModel(model)
    return model, proxy


def _ids(proxy):
    return [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2) for r in range(proxy.rowCount())]


def test_models_pass_modeltester(qtmodeltester, rows):
    model, proxy = _proxy(rows)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    proxy.set_query(ClientQuery(text="al"))
    qtmodeltester.check(proxy)


def test_search_folds_accents_and_matches_identifiers(rows):
    _, proxy = _proxy(rows)
    proxy.set_query(ClientQuery(text="jose alv", statuses=None))
    assert _ids(proxy) == ["id1"]
    proxy.set_query(ClientQuery(text="cd-5", statuses=None))
    assert _ids(proxy) == ["id1"]
    proxy.set_query(ClientQuery(text="merry", statuses=None))
    assert _ids(proxy) == ["id2"]
    proxy.set_query(ClientQuery(text="سارة", statuses=None))
    assert _ids(proxy) == ["id3"]
    # narrowing then widening again (backspace) restores matches
    proxy.set_query(ClientQuery(text="tawhirix", statuses=None))
    assert _ids(proxy) == []
    proxy.set_query(ClientQuery(text="tawhiri", statuses=None))
    assert _ids(proxy) == ["id2"]


def test_filters(rows):
    _, proxy = _proxy(rows)
    assert sorted(_ids(proxy)) == ["id1", "id2", "id4"]  # default: open clients
    proxy.set_query(ClientQuery(statuses=frozenset({ClientStatus.CLOSED})))
    assert _ids(proxy) == ["id3"]
    proxy.set_query(ClientQuery(statuses=None, min_risk=RiskLevel.MEDIUM))
    assert sorted(_ids(proxy)) == ["id2", "id3"]
    proxy.set_query(ClientQuery(statuses=None, min_risk="unscreened"))
    assert sorted(_ids(proxy)) == ["id1", "id4"]
    proxy.set_query(ClientQuery(statuses=None, intensity=Intensity.INTENSIVE))
    assert _ids(proxy) == ["id2"]


def test_sorting_by_risk_and_age(rows):
    _model, proxy = _proxy(rows)
    proxy.set_query(ClientQuery(statuses=None))
    proxy.sort(ClientTableModel.COL_RISK, Qt.SortOrder.DescendingOrder)
    assert _ids(proxy)[:2] == ["id2", "id3"]
    proxy.sort(ClientTableModel.COL_NAME, Qt.SortOrder.AscendingOrder)
    assert _ids(proxy) == ["id1", "id4", "id2", "id3"]  # accent-folded: Álvarez first
    kept = QPersistentModelIndex(proxy.index(0, 0))
    proxy.sort(ClientTableModel.COL_NAME, Qt.SortOrder.DescendingOrder)
    assert kept.row() == 3 and kept.data(Qt.ItemDataRole.UserRole + 2) == "id1"
    # filter still correct after the source was reordered
    proxy.set_query(ClientQuery(text="bob", statuses=None))
    assert _ids(proxy) == ["id4"]


def test_high_risk_stands_out(rows):
    model, _ = _proxy(rows)
    high = next(r for r in range(model.rowCount()) if model.entry(r).row.id == "id2")
    risk = model.index(high, ClientTableModel.COL_RISK)
    assert risk.data() == "High"
    assert risk.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert risk.data(Qt.ItemDataRole.FontRole).bold()


def test_screen_search_as_you_type_and_open(qtbot, ctx, make_client, make_note):
    ada = make_client("Ada", "Lovelace", identifiers=(("Agency ref", "CD-42"),))
    make_client("Grace", "Hopper")
    make_client("Zoë", "Ōkafor", preferred_name="Zo")
    screen = ClientsScreen(ctx)
    qtbot.addWidget(screen)
    assert screen.loaded and len(screen.visible_client_ids()) == 3
    qtbot.keyClicks(screen.view.search, "love")
    assert screen.visible_client_ids() == [ada.id]
    screen.view.search.clear()
    qtbot.keyClicks(screen.view.search, "zoe okaf")
    assert len(screen.visible_client_ids()) == 1
    screen.view.search.setText("cd-4")
    assert screen.visible_client_ids() == [ada.id]
    assert "1 of 3" in screen.view.count.text()
    with qtbot.waitSignal(ctx.hub.open_client) as opened:
        screen.view.table.activated.emit(screen.proxy.index(0, 0))
    assert opened.args == [ada.id]
    with qtbot.waitSignal(ctx.hub.open_client) as opened:
        qtbot.keyClick(screen.view.search, Qt.Key.Key_Return)
    assert opened.args == [ada.id]
    screen.view.search.setText("nobody-here")
    assert screen.view.empty.isVisibleTo(screen)
    screen.clear()
    assert screen.model.rowCount() == 0 and screen.view.search.text() == ""


def test_screen_filters_and_reload_on_change(qtbot, ctx, make_client, services):
    make_client("Open", "Person")
    make_client("Closed", "Person", status=ClientStatus.CLOSED)
    screen = ClientsScreen(ctx)
    qtbot.addWidget(screen)
    assert len(screen.visible_client_ids()) == 1
    screen.view.status_filter.setCurrentIndex(screen.view.status_filter.count() - 1)
    assert len(screen.visible_client_ids()) == 2
    services.clients.add_client(ClientInput("New", "Person"))
    from casedesk.services.changes import Changes

    ctx.hub.announce(Changes.CLIENTS)
    assert len(screen.visible_client_ids()) == 3


def test_a_match_hidden_by_the_status_filter_is_offered(qtbot, ctx, make_client):
    """Issue 20 item 10: a closed client got "Check the spelling" under the default filter."""
    make_client("Open", "Person")
    closed = make_client("Wilhelmina", "Closedown", status=ClientStatus.CLOSED)
    screen = ClientsScreen(ctx)
    qtbot.addWidget(screen)
    qtbot.keyClicks(screen.view.search, "wilhel")
    assert screen.visible_client_ids() == []
    assert screen.view.empty.text() == "1 closed client matches."
    assert "spelling" not in screen.view.empty.text()
    assert screen.view.show_hidden.isVisibleTo(screen)
    assert screen.view.show_hidden.text() == "Show closed"
    screen.view.show_hidden.click()
    assert screen.visible_client_ids() == [closed.id]
    assert screen.view.status_filter.currentText() == "Closed"
    assert not screen.view.show_hidden.isVisibleTo(screen)
    screen.view.search.setText("nobody at all")
    assert "Check the spelling" in screen.view.empty.text()
    assert not screen.view.show_hidden.isVisibleTo(screen)


def test_matches_of_several_hidden_statuses_offer_all_statuses(qtbot, ctx, make_client):
    make_client("Kim", "Closed", status=ClientStatus.CLOSED)
    make_client("Kim", "Declined", status=ClientStatus.DECLINED)
    screen = ClientsScreen(ctx)
    qtbot.addWidget(screen)
    screen.view.search.setText("kim")
    assert screen.view.empty.text() == "2 clients with other statuses match."
    screen.view.show_hidden.click()
    assert len(screen.visible_client_ids()) == 2
    assert screen.view.count.text() == "2 of 2 clients"


def test_the_count_of_one_client_is_singular(qtbot, ctx, make_client):
    make_client("Only", "One")
    screen = ClientsScreen(ctx)
    qtbot.addWidget(screen)
    assert screen.view.count.text() == "1 of 1 client"


def _dialog(qtbot, ctx):
    screen = ClientsScreen(ctx)
    qtbot.addWidget(screen)
    return screen, screen.new_client()


def test_new_client_validation_inline(qtbot, ctx):
    _screen, dialog = _dialog(qtbot, ctx)
    form = dialog.form
    form.date_of_birth.setText("1990-02-30")
    form.email.setText("not an email")
    form.preferred_name.setText("x" * 300)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    shown = form.errors.visible()
    assert shown["given_name"] == "This is required."
    assert shown["family_name"] == "This is required."
    assert "real date" in shown["date_of_birth"]
    assert "@" in shown["email"]
    assert "200" in shown["preferred_name"]
    assert dialog.isVisible()
    form.date_of_birth.setText("2999-01-01")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "future" in form.errors.message("date_of_birth")
    form.notes.setPlainText("n" * 25_000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "too long" in form.errors.message("notes")


def test_a_message_goes_once_its_field_is_fixed(qtbot, ctx):
    """Issue 20 item 6: "This is required." and the date error stayed after the fix."""
    _screen, dialog = _dialog(qtbot, ctx)
    form = dialog.form
    form.date_of_birth.setText("1990-02-30")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert set(form.errors.visible()) == {"given_name", "family_name", "date_of_birth"}
    qtbot.keyClicks(form.given_name, "Ada")
    assert set(form.errors.visible()) == {"family_name", "date_of_birth"}
    form.date_of_birth.clear()
    qtbot.keyClicks(form.date_of_birth, "1990-02-28")
    assert set(form.errors.visible()) == {"family_name"}
    label = form.errors.label_for("date_of_birth")
    assert label.isHidden() and label.text() == ""
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # saving checks again
    assert form.errors.visible() == {"family_name": "This is required."}


def test_new_client_emoji_and_rtl_names_saved(qtbot, ctx, services):
    screen, dialog = _dialog(qtbot, ctx)
    dialog.form.given_name.setText("🌻 Sunny")
    dialog.form.family_name.setText("אברהם")
    dialog.form.preferred_name.setText("محمد")
    dialog.form.date_of_birth.setText("1975-05-05")
    dialog.form.identifiers.setText("Agency ref: CD-9")
    with qtbot.waitSignal(dialog.created) as created:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    record = created.args[0]
    assert record.family_name == "אברהם" and record.identifiers == (("Agency ref", "CD-9"),)
    assert services.clients.get_client(record.id).given_name == "🌻 Sunny"
    assert record.id in screen.visible_client_ids()


def test_duplicate_warning_open_existing_or_continue(qtbot, ctx, make_client, services):
    existing = make_client("Joanne", "Smith", date_of_birth=date(1970, 3, 4))
    _screen, dialog = _dialog(qtbot, ctx)
    dialog.form.given_name.setText("Jo")
    dialog.form.family_name.setText("smith")
    dialog.form.date_of_birth.setText("1970-03-04")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.duplicates.isVisibleTo(dialog)
    assert len(dialog.duplicates.open_buttons) == 1
    assert services.clients.count() == 1  # nothing saved yet
    with qtbot.waitSignal(ctx.hub.open_client) as opened:
        qtbot.mouseClick(dialog.duplicates.open_buttons[0], Qt.MouseButton.LeftButton)
    assert opened.args == [existing.id]
    # second attempt: continue as a different person
    _, dialog = _dialog(qtbot, ctx)
    dialog.form.given_name.setText("Jo")
    dialog.form.family_name.setText("Smith")
    dialog.form.date_of_birth.setText("1970-03-04")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.created):
        qtbot.mouseClick(dialog.duplicates.continue_button, Qt.MouseButton.LeftButton)
    assert services.clients.count() == 2


def test_every_interactive_widget_has_an_accessible_name(qtbot, ctx):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTableView

    screen, dialog = _dialog(qtbot, ctx)
    for root in (screen, dialog):
        widgets = [
            w
            for kind in (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTableView)
            for w in root.findChildren(kind)
        ]
        for widget in widgets:
            if isinstance(widget.parent(), (QComboBox, QLineEdit, QTableView)):
                continue  # Qt's own internals (combo editor, clear button, corner button)
            assert widget.accessibleName(), widget

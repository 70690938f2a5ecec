"""Home: task counts, the due-now list, recently seen clients and caseload counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from casedesk.domain.enums import ClientStatus, Intensity
from casedesk.domain.tasks import Bucket
from casedesk.services.changes import Changes
from casedesk.services.tasks import RecentClient
from casedesk.ui.home import HomeScreen
from casedesk.ui.home.models import RecentClientsModel, ago
from casedesk.ui.tasks_screen.models import CLIENT_ID_ROLE, TaskTableModel


@pytest.fixture
def caseload(make_client, make_note):
    """Two active clients (one seen 40 days ago, one today) and one closed client."""
    old = make_client("Olwen", "Overdue", intensity=Intensity.INTENSIVE)
    make_note(old.id, "Home visit.", occurred_at=datetime.now(UTC) - timedelta(days=40))
    fresh = make_client("Farida", "Fresh", intensity=Intensity.LOW)
    make_note(fresh.id, "Phoned today.")
    make_client("Cedric", "Closed", status=ClientStatus.CLOSED)
    return old, fresh


@pytest.fixture
def home(qtbot, ctx, caseload) -> HomeScreen:
    screen = HomeScreen(ctx)
    qtbot.addWidget(screen)
    screen.reload()
    return screen


def test_tiles_show_counts(home):
    summary = home.ctx.services.tasks.home_summary()
    assert summary.counts[Bucket.OVERDUE] >= 1  # no contact for 40 days
    assert home.tiles[Bucket.OVERDUE].value.text() == str(summary.counts[Bucket.OVERDUE])
    assert home.active_tile.value.text() == "2"


def test_due_now_lists_overdue_and_today(home, caseload):
    model = home.due_model
    clients = {model.index(r, 0).data(CLIENT_ID_ROLE) for r in range(model.rowCount())}
    assert caseload[0].id in clients  # overdue contact and missing consent
    assert caseload[1].id in clients  # missing consent, due today


def test_recent_clients_newest_first(home, caseload):
    model = home.recent_model
    assert model.rowCount() == 2
    assert model.index(0, 0).data(CLIENT_ID_ROLE) == caseload[1].id
    assert "Farida" in model.index(0, 0).data()


def test_caseload_counts_by_intensity(home):
    figures = home.ctx.services.tasks.caseload()
    assert figures.active == 2
    assert figures.by_intensity[Intensity.INTENSIVE] == 1
    assert "2 active" in home.caseload.heading.text()


def test_activating_a_row_opens_the_client(home, qtbot, caseload):
    index = home.recent_model.index(0, 0)
    with qtbot.waitSignal(home.ctx.hub.open_client, timeout=1000) as signal:
        home.recent_view.activated.emit(index)
    assert signal.args == [caseload[1].id]


def test_reloads_when_clients_change_while_visible(home, qtbot, make_client):
    home.show()
    qtbot.waitExposed(home)
    make_client("Nadia", "New")
    home.ctx.hub.announce(Changes.CLIENTS)
    assert home.active_tile.value.text() == "3"


def test_change_while_hidden_marks_stale(home, make_client):
    make_client("Hana", "Hidden")
    home.ctx.hub.announce(Changes.CLIENTS)
    assert home._stale


def test_dispose_clears_every_model(home):
    home.dispose()
    assert home.due_model.rowCount() == 0
    assert home.recent_model.rowCount() == 0
    assert home.active_tile.value.text() == "–"


def test_models_pass_the_model_tester(home, qtmodeltester):
    qtmodeltester.check(home.due_model)
    qtmodeltester.check(home.recent_model)


def test_empty_models_pass_the_model_tester(qtmodeltester):
    qtmodeltester.check(TaskTableModel())
    model = RecentClientsModel()
    model.set_rows([RecentClient("c1", "Test Person", datetime.now(UTC), None)])
    qtmodeltester.check(model)


def test_ago_wording():
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert ago(now, now) == "today"
    assert ago(now - timedelta(days=1), now) == "yesterday"
    assert ago(now - timedelta(days=3), now) == "3 days ago"
    assert ago(now - timedelta(days=21), now) == "3 weeks ago"


# ---------------------------------------------------------------- issue 20 item 10: first day


@pytest.fixture
def empty_home(qtbot, ctx) -> HomeScreen:
    launches: list[str] = []
    screen = HomeScreen(ctx, demo_launcher=lambda: launches.append("demo") or True)
    screen.launches = launches
    qtbot.addWidget(screen)
    screen.reload()
    return screen


def test_a_new_vault_says_where_to_start_not_blank_boxes(empty_home, qtbot):
    home = empty_home
    assert home.start.isVisibleTo(home) and not home.overview.isVisibleTo(home)
    with qtbot.waitSignal(home.new_client, timeout=1000):
        home.start.add_button.click()
    with qtbot.waitSignal(home.show_sync, timeout=1000):
        home.start.bring_button.click()
    home.start.demo_button.click()
    assert home.launches == ["demo"]


def test_the_start_card_goes_once_there_is_a_client(empty_home, make_client):
    make_client("Frida", "First")
    empty_home.reload()
    assert not empty_home.start.isVisibleTo(empty_home)
    assert empty_home.overview.isVisibleTo(empty_home)


def test_a_demo_that_cannot_start_says_so(qtbot, ctx, dialogs):
    home = HomeScreen(ctx, demo_launcher=lambda: False)
    qtbot.addWidget(home)
    home.open_demo()
    assert dialogs.kinds() == ["warn"] and "casedesk --demo" in dialogs.calls[0].text


def test_one_active_client_is_singular(qtbot, ctx, make_client):
    make_client("Solo", "Client", intensity=Intensity.LOW)
    home = HomeScreen(ctx)
    qtbot.addWidget(home)
    home.reload()
    assert home.caseload.heading.text() == "Caseload · 1 active client"
    assert home.active_tile.caption.text() == "Active client"


def test_two_active_clients_are_plural(home):
    assert home.caseload.heading.text() == "Caseload · 2 active clients"
    assert home.active_tile.caption.text() == "Active clients"


def test_no_high_risk_client_reads_as_good_news(home):
    text = home.caseload.share.text()
    assert text.startswith("No active client is high risk")
    assert "0%" not in text and home.caseload.share.property("role") == "muted"

"""Sync in the app (pytest-qt): status bar text from background sync, the Conflicts screen,
setup / pairing (text + QR) / join dialogs, all against a real hub and real vaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel

from casedesk.storage.models import Client, RiskScreen
from casedesk.ui.context import AppContext, ChangeHub
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.sync.conflicts_screen import ConflictsScreen
from casedesk.ui.sync.controller import SyncController
from casedesk.ui.sync.dialogs import JoinDialog, PairingDialog, SyncSetupDialog
from casedesk.ui.sync.settings_card import SyncCard
from casedesk.ui.tasks import TaskRunner


class _Dialogs(Dialogs):
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, parent: Any, title: str, text: str) -> None:
        self.errors.append(text)


def _ctx(device) -> AppContext:  # type: ignore[no-untyped-def]
    return AppContext(
        services=device.services, tasks=TaskRunner(inline=True), dialogs=_Dialogs(), hub=ChangeHub()
    )


def _set(device, model, row_id: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    with device.db.session() as session:
        row = session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)


def test_status_label_follows_background_sync(qtbot, fleet) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    ctx = _ctx(a)
    controller = SyncController(ctx)
    status = QLabel()
    status.setObjectName("syncStatus")
    qtbot.addWidget(status)
    controller.attach(status)
    a.add_client("Ana")
    controller.refresh()
    assert status.text() == "1 change waiting" or status.text().endswith("changes waiting")
    controller.start()
    try:
        qtbot.waitUntil(lambda: status.text().startswith("Last synced"), timeout=30_000)
        assert a.pending_ops() == []
    finally:
        controller.stop()


def test_conflicts_screen_side_by_side_and_choice_syncs(qtbot, fleet) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from casedesk.domain.enums import RiskLevel

    a, b = fleet.add("a"), fleet.add("b")
    client = a.add_client("Ana")
    with a.db.session() as session:
        screen = RiskScreen(client_id=client, screened_on=date(2026, 1, 1))
        session.add(screen)
        session.flush()
        screen_id = screen.id
    fleet.settle()
    _set(a, Client, client, phone="111")
    _set(b, Client, client, phone="222")
    _set(a, RiskScreen, screen_id, overall_level=RiskLevel.HIGH)
    _set(b, RiskScreen, screen_id, overall_level=RiskLevel.NONE)
    fleet.settle()
    screen = ConflictsScreen(_ctx(b))
    qtbot.addWidget(screen)
    assert screen.list.count() == 2
    assert screen.list.item(0).text().startswith("⚠ Needs review")  # review-required first
    assert screen.badge.isVisibleTo(screen)
    assert {screen.kept.text(), screen.other.text()} == {"high", "none"}
    screen.list.setCurrentRow(1)
    assert not screen.badge.isVisibleTo(screen)
    other = screen.other.text()
    screen.other_button.click()
    assert screen.list.count() == 1
    fleet.settle()
    assert a.services.clients.get_client(client).phone == other
    assert len(a.sync.conflicts()) == 1  # the risk conflict stays open until a person chooses


def test_setup_pairing_and_join_dialogs(qtbot, fleet, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = fleet.new_device("first")
    ctx = _ctx(first)
    setup = SyncSetupDialog(ctx)
    qtbot.addWidget(setup)
    setup.submit()
    assert setup.problem.isVisibleTo(setup)  # nothing entered: a plain hint, no crash
    _account, token = fleet.hub.store.create_account("Worker")
    setup.hub_url.setText(fleet.hub.url)
    setup.token.setText("not-the-token-at-all-123")
    setup.submit()
    assert setup.problem.text() and not first.sync.is_set_up
    setup.token.setText(token)
    setup.submit()
    assert first.sync.is_set_up

    pairing = PairingDialog(ctx)
    qtbot.addWidget(pairing)
    assert pairing.offer is not None
    assert pairing.text.toPlainText().startswith("CDP1-")
    assert not pairing.qr.pixmap().isNull() and pairing.qr.pixmap().width() > 50
    assert pairing.offer.short_code in pairing.short_code.text()

    second = fleet.new_device("second")
    join = JoinDialog(_ctx(second))
    qtbot.addWidget(join)
    join.code.setPlainText(pairing.offer.text)
    join.short_code.setText("WRONGCODE")
    join.submit()
    assert join.problem.text() and not second.sync.is_set_up
    join.short_code.setText(pairing.offer.short_code)
    join.submit()
    assert second.sync.is_set_up
    card = SyncCard(_ctx(second))
    qtbot.addWidget(card)
    assert card.pair_button.isVisibleTo(card) and not card.setup_button.isVisibleTo(card)


class _Yes(_Dialogs):
    def confirm(
        self, parent: Any, title: str, text: str, *, ok: str = "OK", irreversible: bool = False
    ) -> bool:
        return True


def test_paused_mass_deletion_is_applied_only_after_confirmation(qtbot, fleet) -> None:  # type: ignore[no-untyped-def]
    from casedesk.domain.clock import utcnow

    a, b = fleet.add("a"), fleet.add("b")
    ids = [a.add_client(f"C{i}") for i in range(30)]
    fleet.settle(1)
    with a.db.session() as session:
        for row_id in ids[:25]:
            session.get(Client, row_id).deleted_at = utcnow()
    a.sync_ok()
    assert not b.sync.sync_once().in_sync
    ctx = _ctx(b)
    ctx.dialogs = _Yes()
    card = SyncCard(ctx)
    qtbot.addWidget(card)
    assert card.confirm_button.isVisibleTo(card)
    card.confirm_button.click()
    assert len(b.services.clients.list_clients()) == 5

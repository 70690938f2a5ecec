"""A user's saves never fail while background sync pulls thousands of changes (issue 11.3).

The GUI's own save path: the note editor of a client record, saving through the real threaded
``TaskRunner`` (the app's one database thread), while ``SyncController`` runs background sync on
its own thread against a real loopback hub. Before write transactions took the lock up front
(``BEGIN IMMEDIATE``), a save that read and then wrote while a sync page was being applied
failed at once with "database is locked".
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casedesk.services.demo import generate_demo_data
from casedesk.services.sync_service import SyncPhase
from casedesk.storage.models import Attachment, CaseNote, Client
from casedesk.sync.http_client import HubClient
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.context import AppContext, ChangeHub
from casedesk.ui.sync.controller import SyncController
from casedesk.ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

DEMO_CLIENTS = 25  # about 3,000 synced records for the GUI device to pull
MIN_SAVES_DURING_PULL = 10
WAIT_MS = 120_000


class _Dialogs:
    """Records error dialogs (a failed save shows one); never blocks."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, _parent: object, _title: str, text: str) -> None:
        self.errors.append(text)

    def warn(self, _parent: object, _title: str, text: str) -> None:
        self.errors.append(text)

    def info(self, *_args: object) -> None:
        pass

    def confirm(self, *_args: object, **_kwargs: object) -> bool:
        return True


def _count(device, model) -> int:  # type: ignore[no-untyped-def]
    with device.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.slow
def test_note_saves_never_fail_while_background_sync_pulls(qtbot, fleet) -> None:  # type: ignore[no-untyped-def]
    source, gui = fleet.add("source"), fleet.add("gui")
    client_id = gui.add_client("Ada", "Lovelace")
    generate_demo_data(source.db, DEMO_CLIENTS, seed=11)
    source.sync_ok()
    expected_clients = _count(source, Client) + 1

    dialogs = _Dialogs()
    tasks = TaskRunner()  # the real database thread, as in the app
    failures: list[str] = []
    tasks.failed.connect(lambda label, _exc: failures.append(label))
    ctx = AppContext(services=gui.services, tasks=tasks, dialogs=dialogs, hub=ChangeHub())  # type: ignore[arg-type]
    screen = ClientRecordScreen(ctx, client_id)
    qtbot.addWidget(screen)
    tab = screen.notes
    qtbot.waitUntil(lambda: not tasks.busy, timeout=WAIT_MS)
    controller = SyncController(ctx)
    syncing = lambda: (  # noqa: E731
        controller.last_status is not None and controller.last_status.phase is SyncPhase.SYNCING
    )
    bodies: list[str] = []
    during_pull = 0
    try:
        controller.start()
        qtbot.waitUntil(syncing, timeout=WAIT_MS)
        while syncing() or len(bodies) < MIN_SAVES_DURING_PULL:
            body = f"Saved while syncing, number {len(bodies)}."
            tab.editor.body.setPlainText(body)
            tab.save()
            qtbot.waitUntil(
                lambda: tab.editor.body.toPlainText() == "" or bool(dialogs.errors),
                timeout=WAIT_MS,
            )
            assert not dialogs.errors, dialogs.errors
            bodies.append(body)
            during_pull += syncing()
        qtbot.waitUntil(lambda: not syncing() and not tasks.busy, timeout=WAIT_MS)
    finally:
        controller.stop()
        tasks.shutdown()
    assert dialogs.errors == [] and failures == []
    assert during_pull >= MIN_SAVES_DURING_PULL, during_pull  # they really overlapped the pull
    with gui.db.read() as session:
        saved = set(session.scalars(select(CaseNote.body).where(CaseNote.client_id == client_id)))
    assert saved == set(bodies)
    assert _count(gui, Client) == expected_clients  # and the pull itself completed


def test_attachments_are_downloaded_before_the_write_lock_is_taken(fleet, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A slow hub must not hold up saves: blobs of pulled rows are fetched outside the slice's
    write transaction (and its turn among this process's writers)."""
    source, target = fleet.add("source"), fleet.add("target")
    client_id = source.add_client("Ana")
    content = b"%PDF-1.7 scanned consent form " * 400
    with source.db.session() as session:
        scan = Attachment(
            client_id=client_id,
            media_type="application/pdf",
            size=len(content),
            sha256="0" * 64,
            content=content,
        )
        session.add(scan)
        session.flush()
        scan_id = scan.id
    source.sync_ok()
    writing_during_download: list[bool] = []
    download = HubClient.download_blob

    def watched(self, sha256: str) -> bytes:  # type: ignore[no-untyped-def]
        writing_during_download.append(target.db.write_gate.taken)
        return download(self, sha256)

    monkeypatch.setattr(HubClient, "download_blob", watched)
    target.sync_ok()
    assert writing_during_download == [False]
    with target.db.read() as session:
        assert session.get(Attachment, scan_id).content == content

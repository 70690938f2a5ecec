"""Hub restored from a backup (epoch change) and PostgreSQL commit order vs sequence order."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from hub_helpers import enroll_device, start_hub
from sqlalchemy import select
from sqlalchemy.engine import make_url

from casedesk.hub.cli import main as hub_cli
from casedesk.hub.models import ChangeLog
from casedesk.hub.store import DeviceIdentity
from casedesk.sync.envelope import SyncKey
from casedesk.sync.http_client import EpochChanged
from casedesk.sync.protocol import OpStatus, TableDigest, table_digest


def _client_digest(versions: dict[str, int]) -> list[TableDigest]:
    return [table_digest("client", versions.items())]


def test_restore_from_backup_changes_epoch_and_manifest_finds_what_hub_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    backup = tmp_path / "hub-backup.db"
    store, server = start_hub(url)
    _account, token = store.create_account("Worker A")
    device = enroll_device(server.url, token, SyncKey.generate())
    device.push(*[device.op("client", f"old-{i}") for i in range(5)])
    old_cursor = device.client.pull(None, device.epoch).next_cursor
    assert hub_cli(["backup", "--db", url, "--out", str(backup)]) == 0
    device.push(*[device.op("client", f"new-{i}") for i in range(10)])
    server.stop()
    store.engine.dispose()

    assert hub_cli(["restore", "--db", url, "--from", str(backup)]) == 0
    assert "new epoch" in capsys.readouterr().out
    store, server = start_hub(url)
    try:
        device.client = type(device.client)(server.url, device.token)
        with pytest.raises(EpochChanged):
            device.client.pull(old_cursor, None)
        with pytest.raises(EpochChanged):
            device.push(device.op("client", "another"))

        epoch = device.client.hello(schema_version=1).epoch
        assert epoch != device.epoch
        local = {f"old-{i}": 1 for i in range(5)} | {f"new-{i}": 1 for i in range(10)}
        assert device.client.manifest(epoch, _client_digest(local)).mismatched == ["client"]
        on_hub = {row.row_id for row in device.client.manifest_rows("client", epoch).rows}
        lacking = sorted(set(local) - on_hub)
        assert lacking == sorted(f"new-{i}" for i in range(10))

        device.epoch = epoch
        results = device.push(*[device.op("client", row_id) for row_id in lacking]).results
        assert {r.status for r in results} == {OpStatus.APPLIED}
        assert device.client.manifest(epoch, _client_digest(local)).mismatched == []
        assert len(device.client.pull(None, epoch).changes) == 15
    finally:
        server.stop()
        store.engine.dispose()


def test_rotate_epoch_command_invalidates_old_cursors(hub_url: str) -> None:
    store, server = start_hub(hub_url)
    try:
        _account, token = store.create_account("Worker A")
        device = enroll_device(server.url, token, SyncKey.generate())
        device.push(device.op("client", "row-1"))
        cursor = device.client.pull(None, device.epoch).next_cursor

        assert hub_cli(["rotate-epoch", "--db", hub_url]) == 0

        with pytest.raises(EpochChanged) as changed:
            device.client.pull(cursor, None)
        assert changed.value.status == 409
        assert device.client.hello(schema_version=1).epoch != device.epoch
    finally:
        server.stop()
        store.engine.dispose()


@pytest.mark.postgres
def test_pull_between_concurrent_pushes_never_skips_a_late_commit(pg_database: str) -> None:
    """First push holds its transaction open after appending; a second push and a pull run."""
    store, server = start_hub(pg_database)
    release = threading.Event()
    try:
        _account, token = store.create_account("Worker A")
        key = SyncKey.generate()
        first = enroll_device(server.url, token, key)
        second = enroll_device(server.url, first.client.create_pairing_grant().grant, key)
        first.push(first.op("client", "before"))
        page = first.client.pull(None, first.epoch)
        pulled = [c.server_seq for c in page.changes]

        appended = threading.Event()

        def hold_first_transaction(_who: DeviceIdentity, _seqs: object) -> None:
            if not appended.is_set():
                appended.set()
                release.wait(60)

        store.after_append = hold_first_transaction
        slow = threading.Thread(target=first.push, args=(first.op("client", "slow"),))
        fast = threading.Thread(target=second.push, args=(second.op("client", "fast"),))
        slow.start()
        assert appended.wait(60)
        fast.start()
        _wait_until_queued_or_done(pg_database, fast)

        between = first.client.pull(page.next_cursor, first.epoch)
        pulled += [c.server_seq for c in between.changes]
        release.set()
        slow.join(60)
        fast.join(60)

        cursor = between.next_cursor
        while True:
            page = first.client.pull(cursor, first.epoch)
            pulled += [c.server_seq for c in page.changes]
            cursor = page.next_cursor
            if not page.has_more:
                break
        with store.engine.connect() as connection:
            logged = list(connection.execute(
                select(ChangeLog.server_seq).order_by(ChangeLog.server_seq)).scalars())

        assert between.changes == []  # nothing of the held or the waiting push leaked early
        assert pulled == logged and len(logged) == 3
    finally:
        release.set()
        server.stop()
        store.engine.dispose()


def _wait_until_queued_or_done(url: str, push: threading.Thread) -> None:
    """Wait (on a condition, bounded) until the second push waits for a lock or has finished.

    Either outcome lets the test continue: with correct ordering it waits; if the hub did not
    serialise appends it would commit, and the assertions below would catch the skipped row.
    """
    parsed = make_url(url)
    dsn = f"host={parsed.host} port={parsed.port} user={parsed.username} dbname={parsed.database}"
    waiter = threading.Event()
    with psycopg.connect(dsn, autocommit=True) as connection:
        for _ in range(3000):
            waiting = connection.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()
            if (waiting and waiting[0] >= 1) or not push.is_alive():
                return
            waiter.wait(0.01)
    raise AssertionError("the second push never queued behind the first")


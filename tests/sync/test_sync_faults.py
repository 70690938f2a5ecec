"""Network and hub faults seen from the client: lost responses, crashes mid-pull, duplicated,
reordered and replayed deliveries, tampered ciphertext, a restored hub, concurrent pushes."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from fault_proxy import Action, Fault, FaultProxy
from hub_helpers import RunningHub, start_hub
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from syncfix import Fleet

from casedesk.hub.db import rotate_epoch
from casedesk.storage import sync_store as store
from casedesk.storage.models import SyncRowMeta
from casedesk.sync.engine import SETTING_CURSOR, SyncEngine
from casedesk.sync.http_client import HubClient, HubUnreachable
from casedesk.sync.state import SyncPhase

COUNT_LOG = "SELECT count(*) FROM hub_change_log WHERE account_id = :a"


def _hub_sql(hub: RunningHub, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(hub.db_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _cursor(device) -> str | None:  # type: ignore[no-untyped-def]
    with device.db.read() as session:
        return store.get_setting(session, SETTING_CURSOR)


def _direct(device) -> None:  # type: ignore[no-untyped-def]
    device.sync.hub_factory = lambda url, token: HubClient(url, token)
    device.sync.close()


def _via(proxy: FaultProxy):  # type: ignore[no-untyped-def]
    return lambda _url, token: HubClient(proxy.url, token)


def test_response_dropped_after_push_commit_counts_the_retry_once(fleet) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    with FaultProxy(fleet.hub.url) as proxy:
        a.sync.hub_factory = _via(proxy)
        a.sync.close()
        for name in ("Ana", "Ben"):
            a.add_client(name)
        proxy.add(Fault(Action.DROP_RESPONSE, "/push", method="POST"))
        lost = a.sync.sync_once()
        assert lost.phase is SyncPhase.OFFLINE and not lost.in_sync
        assert proxy.stats.faults_fired  # the hub committed, the answer never came
        committed = _hub_sql(fleet.hub, COUNT_LOG, a=fleet.account_id)[0][0]
        assert committed > 0 and a.pending_ops()  # outbox kept until the hub's answer is recorded
        a.sync_ok()  # no new local write: the same batch is simply sent again
    _direct(a)
    assert _hub_sql(fleet.hub, COUNT_LOG, a=fleet.account_id)[0][0] == committed
    doubled = _hub_sql(
        fleet.hub, "SELECT op_id FROM hub_change_log GROUP BY op_id HAVING count(*) > 1"
    )
    assert doubled == [] and a.pending_ops() == []
    fleet.add("b").sync_ok()
    fleet.assert_converged()


def test_crash_mid_pull_leaves_cursor_unchanged_and_converges(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    for name in ("Ana", "Ben", "Cy", "Di"):
        a.add_client(name)
    a.sync_ok()
    before = (_cursor(b), b.table_hashes())

    def crash(count: int) -> None:
        raise RuntimeError(f"crash after applying {count} changes, before commit")

    b.sync.after_page = crash
    with pytest.raises(RuntimeError):
        b.sync.sync_once()
    assert (_cursor(b), b.table_hashes()) == before  # the page and its cursor rolled back together
    b.sync.after_page = None
    # A crash half-way through a page (after half of its changes were applied).
    original = SyncEngine._apply_change
    calls = [0]

    def half_then_crash(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == 3:
            raise RuntimeError("crash in the middle of a page")
        return original(self, *args, **kwargs)

    SyncEngine._apply_change = half_then_crash  # type: ignore[method-assign]
    try:
        with pytest.raises(RuntimeError):
            b.sync.sync_once()
    finally:
        SyncEngine._apply_change = original  # type: ignore[method-assign]
    assert calls[0] == 3
    assert (_cursor(b), b.table_hashes()) == before
    # A cut on the wire mid-pull: same outcome.
    with FaultProxy(fleet.hub.url) as proxy:
        b.sync.hub_factory = _via(proxy)
        b.sync.close()
        proxy.add(Fault(Action.DROP_RESPONSE, "/pull", method="GET"))
        assert b.sync.sync_once().phase is SyncPhase.OFFLINE
        assert (_cursor(b), b.table_hashes()) == before
        b.sync_ok()
    _direct(b)
    fleet.settle()
    fleet.assert_converged()
    assert len(b.services.clients.list_clients()) == 4


class _Recorder:
    """Wraps a hub client: sends each push three times, remembers pulled pages, can replay."""

    def __init__(self, inner: HubClient) -> None:
        self.inner = inner
        self.pages: list[object] = []
        self.replay: object | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def push(self, *args: object, **kwargs: object) -> object:
        for _ in range(2):
            self.inner.push(*args, **kwargs)  # type: ignore[arg-type]
        return self.inner.push(*args, **kwargs)  # type: ignore[arg-type]

    def pull(self, *args: object, **kwargs: object) -> object:
        if self.replay is not None:
            page, self.replay = self.replay, None
            return page
        page = self.inner.pull(*args, **kwargs)  # type: ignore[arg-type]
        self.pages.append(page)
        return page


def test_duplicated_pushes_and_replayed_stale_pages_never_regress(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    wrappers: list[_Recorder] = []

    def factory(url: str, token: str | None) -> _Recorder:
        wrappers.append(_Recorder(HubClient(url, token)))
        return wrappers[-1]

    for device in (a, b):
        device.sync.hub_factory = factory
        device.sync.close()
    client = a.add_client("Ana", phone="1")
    a.sync_ok()
    b.sync_ok()
    stale = next(p for p in wrappers[1].pages if p.changes)  # type: ignore[attr-defined]
    _set_phone(a, client, "2")
    a.sync_ok()
    b.sync_ok()
    versions = _versions(b)
    wrappers[1].replay = stale  # an old page (and its old cursor) delivered again
    b.sync_ok()
    assert b.services.clients.get_client(client).phone == "2"
    assert all(_versions(b)[k] >= v for k, v in versions.items())
    doubled = _hub_sql(
        fleet.hub, "SELECT op_id FROM hub_change_log GROUP BY op_id HAVING count(*) > 1"
    )
    assert doubled == []
    fleet.settle()
    fleet.assert_converged()


def test_reordered_batches_never_overwrite_the_newer_one(fleet) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    client = a.add_client("Ana", phone="0")
    a.sync_ok()
    captured: list[tuple[object, ...]] = []

    class Capture(HubClient):
        def push(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            captured.append(args)
            raise HubUnreachable("held back by the test")

    a.sync.hub_factory = lambda url, token: Capture(url, token)
    a.sync.close()
    _set_phone(a, client, "1")
    a.sync.sync_once()
    _set_phone(a, client, "2")
    a.sync.sync_once()
    first, second = captured[0], captured[-1]
    direct = HubClient(fleet.hub.url, _token(a))
    newer = direct.push(*second)  # type: ignore[arg-type]
    older = direct.push(*first)  # type: ignore[arg-type]
    assert [r.status.value for r in newer.results] == ["applied"]
    assert older.results[0].status.value in ("conflict", "applied")
    a.sync.hub_factory = lambda url, token: HubClient(url, token)
    a.sync.close()
    a.sync_ok()
    b = fleet.add("b")
    b.sync_ok()
    assert b.services.clients.get_client(client).phone == "2"
    fleet.assert_converged()


def _token(device) -> str:  # type: ignore[no-untyped-def]
    from casedesk.sync.state import load_connection

    with device.db.read() as session:
        return load_connection(session).device_token  # type: ignore[union-attr]


def _set_phone(device, client_id: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    from casedesk.storage.models import Client

    with device.db.session() as session:
        session.get(Client, client_id).phone = phone


def _versions(device) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    with device.db.read() as session:
        return {(m.table_name, m.row_id): m.hub_version for m in session.query(SyncRowMeta)}


def test_tampered_and_swapped_ciphertext_is_rejected_and_flagged(fleet) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    ids = [a.add_client(n) for n in ("Ana", "Ben", "Cy", "Di")]
    a.sync_ok()
    heads = dict(
        _hub_sql(
            fleet.hub,
            "SELECT h.row_id, h.last_seq FROM hub_row_head h "
            "WHERE h.table_name = 'client' AND h.account_id = :a",
            a=fleet.account_id,
        )
    )
    seq = [heads[i] for i in ids]
    env = {
        s: _hub_sql(fleet.hub, "SELECT envelope FROM hub_change_log WHERE server_seq=:s", s=s)[0][0]
        for s in seq
    }
    flipped = bytearray(bytes(env[seq[0]]))  # type: ignore[arg-type]
    flipped[-5] = ord("A") if flipped[-5] != ord("A") else ord("B")
    update = "UPDATE hub_change_log SET envelope = :e WHERE server_seq = :s"
    _hub_sql(fleet.hub, update, e=bytes(flipped), s=seq[0])
    _hub_sql(fleet.hub, update, e=env[seq[2]], s=seq[1])  # swap two rows' ciphertexts
    _hub_sql(fleet.hub, update, e=env[seq[1]], s=seq[2])
    b = fleet.add("b")
    result = b.sync.sync_once()
    assert result.integrity_errors == 3 and not result.in_sync
    assert "could not be synced" in result.message
    names = {c.given_name for c in b.services.clients.list_clients()}
    assert names == {"Di"}  # the untouched row synced; the damaged ones were not applied
    with b.db.read() as session:
        flagged = {
            m.row_id: m.error
            for m in session.query(SyncRowMeta).filter(SyncRowMeta.state == "error")
        }
    assert set(flagged) == set(ids[:3]) and all("integrity" in e for e in flagged.values())


def _sqlite_backup(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def test_hub_restored_from_backup_gets_what_it_lacks(tmp_path: Path) -> None:
    db_file = tmp_path / "hub.db"
    url = f"sqlite:///{db_file}"
    store_, server = start_hub(url)
    current = {"url": server.url}
    hub = RunningHub(store_, server, url)
    with Fleet(hub, tmp_path) as fleet:
        fleet.hub_factory = lambda _url, token: HubClient(current["url"], token)
        a, b = fleet.add("a"), fleet.add("b")
        a.add_client("Before")
        fleet.settle()
        _sqlite_backup(db_file, tmp_path / "backup.db")
        later = [a.add_client(f"Later{i}") for i in range(10)]
        a.sync_ok()
        b.add_client("OnlyOnB")  # never reached the hub before the restore
        server.stop()
        store_.engine.dispose()
        _sqlite_backup(tmp_path / "backup.db", db_file)
        store_, server = start_hub(url)
        rotate_epoch(store_.engine)
        current["url"] = server.url
        hub.store, hub.server = store_, server
        for device in (a, b):
            device.sync.close()
        first = a.sync_ok()
        assert first.epoch_changed and first.pushed >= len(later)
        fleet.settle()
        fleet.assert_converged()
        names = {c.given_name for c in b.services.clients.list_clients()}
        assert {"Before", "OnlyOnB", *(f"Later{i}" for i in range(10))} == names
    server.stop()
    store_.engine.dispose()


@pytest.mark.postgres
def test_pull_between_concurrent_pushes_on_postgres_skips_nothing(
    pg_database: str, tmp_path: Path
) -> None:
    store_, server = start_hub(pg_database)
    hub = RunningHub(store_, server, pg_database)
    release, appended = threading.Event(), threading.Event()
    try:
        with Fleet(hub, tmp_path) as fleet:
            a, b, c = fleet.add("a"), fleet.add("b"), fleet.add("c")
            fleet.settle(1)
            a.add_client("Slow")
            b.add_client("Fast")

            def hold_first(_who: object, _seqs: object) -> None:
                if not appended.is_set():
                    appended.set()
                    release.wait(60)

            store_.after_append = hold_first
            slow = threading.Thread(target=a.sync.sync_once)
            fast = threading.Thread(target=b.sync.sync_once)
            slow.start()
            assert appended.wait(60)
            fast.start()
            _wait_until_queued_or_done(pg_database, fast)
            between = c.sync.sync_once()  # a pull while the first push is still open
            assert between.pulled == 0
            release.set()
            slow.join(60)
            fast.join(60)
            store_.after_append = None
            fleet.settle()
            fleet.assert_converged()
            assert {x.given_name for x in c.services.clients.list_clients()} == {"Slow", "Fast"}
    finally:
        release.set()
        server.stop()
        store_.engine.dispose()


def _wait_until_queued_or_done(url: str, push: threading.Thread) -> None:
    parsed = make_url(url)
    dsn = f"host={parsed.host} port={parsed.port} user={parsed.username} dbname={parsed.database}"
    waiter = threading.Event()
    with psycopg.connect(dsn, autocommit=True) as connection:
        for _ in range(3000):
            row = connection.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()
            if (row and row[0] >= 1) or not push.is_alive():
                return
            waiter.wait(0.01)
    raise AssertionError("the second push never queued behind the first")

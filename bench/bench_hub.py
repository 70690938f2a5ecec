"""Sync hub benchmarks over loopback HTTP, on SQLite and on the local PostgreSQL.

Figures (issue 7):

* 10,000 changes pushed (batches of 500) and then pulled (pages of 1,000) by a real client
  through a real hub: target <= 10 s per backend. Sealing the envelopes is client work done
  beforehand and reported separately.
* Pull latency for a caught-up device fetching a page of 500 new changes, with 1,000,000 stored
  operations versus an empty hub: target <= 2x. The large log is bulk-loaded straight into the
  hub tables (COPY on PostgreSQL, then VACUUM ANALYZE as autovacuum would; executemany on
  SQLite) because pushing a million operations through HTTP would only measure the loader. Set
  ``CASEDESK_BENCH_LOG_OPS`` to change the size.

PostgreSQL figures are skipped (reported as such) when no server answers on 127.0.0.1:5432.
"""

from __future__ import annotations

import base64
import os
import secrets
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from casedesk.hub.security import CursorState, encode_cursor
from casedesk.hub.server import BackgroundHub, open_store
from casedesk.hub.store import HubStore
from casedesk.sync.envelope import SyncKey, seal_row
from casedesk.sync.http_client import HubClient
from casedesk.sync.protocol import OpKind, PushOp

CHANGES = 10_000
BATCH = 500
PAGE = 1_000
LOG_OPS = int(os.environ.get("CASEDESK_BENCH_LOG_OPS", "1000000"))
TAIL = 500
LATENCY_RUNS = 40
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"


# ---------------------------------------------------------------- hub plumbing


@contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="casedesk-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'hub.db'}"
        return
    name = f"casedesk_hub_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _hub(url: str) -> Iterator[tuple[HubStore, BackgroundHub]]:
    store = open_store(url)
    server = BackgroundHub(store).start()
    try:
        yield store, server
    finally:
        server.stop()
        store.engine.dispose()


def _device(store: HubStore, server: BackgroundHub) -> tuple[HubClient, str, str]:
    _account, token = store.create_account("bench")
    device_id = str(uuid.uuid4())
    enrolled = HubClient(server.url).enroll(token, device_id)
    client = HubClient(server.url, enrolled.device_token)
    return client, device_id, client.hello(schema_version=1).epoch


def _sealed_ops(key: SyncKey, count: int, device_id: str) -> list[PushOp]:
    ops = []
    for index in range(count):
        row_id = str(uuid.uuid4())
        payload = {"name": f"Client {index}", "phone": "0400 000 000", "status": "active",
                   "notes": "x" * 120}
        envelope = seal_row(key, table="client", row_id=row_id, row_version=1, payload=payload)
        ops.append(PushOp(op_id=str(uuid.uuid4()), table="client", row_id=row_id,
                          kind=OpKind.INSERT, envelope=envelope,
                          hlc=f"{index:015d}-00000-{device_id}", schema_version=1))
    return ops


def _row(figure: str, measured: float, target: float, unit: str, **details: Any) -> dict[str, Any]:
    return {"figure": figure, "target": f"<= {target:g} {unit}",
            "measured": f"{measured:.2f} {unit}", "pass": measured <= target,
            "value": round(measured, 3), "unit": unit, **details}


def _skipped(figure: str, reason: str) -> dict[str, Any]:
    return {"figure": figure, "target": "-", "measured": f"skipped: {reason}", "pass": None}


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


# ---------------------------------------------------------------- 10k push + pull


def push_pull(backend: str) -> list[dict[str, Any]]:
    """Push 10,000 sealed changes in batches, then pull them all; time both."""
    with _database(backend) as url, _hub(url) as (store, server):
        client, device_id, epoch = _device(store, server)
        sealing_started = time.perf_counter()
        ops = _sealed_ops(SyncKey.generate(), CHANGES, device_id)
        sealing = time.perf_counter() - sealing_started

        started = time.perf_counter()
        for start in range(0, CHANGES, BATCH):
            client.push(device_id, epoch, ops[start : start + BATCH])
        pushed = time.perf_counter() - started
        cursor, pulled = None, 0
        while True:
            page = client.pull(cursor, epoch, limit=PAGE)
            pulled += len(page.changes)
            cursor = page.next_cursor
            if not page.has_more:
                break
        total = time.perf_counter() - started
        client.close()
    assert pulled == CHANGES, f"pulled {pulled} of {CHANGES}"
    return [_row(f"hub {backend}: push + pull {CHANGES:,} changes", total, 10.0, "s",
                 push_s=round(pushed, 2), pull_s=round(total - pushed, 2),
                 client_sealing_s=round(sealing, 2))]


# ---------------------------------------------------------------- pull latency vs log size


def _fake_envelope() -> str:
    return "v1:" + "0" * 16 + ":" + base64.urlsafe_b64encode(secrets.token_bytes(220)).decode()


def _bulk_rows(account_id: str, device_id: str, count: int) -> Iterator[tuple[Any, ...]]:
    envelope = _fake_envelope().encode()  # content is irrelevant to the hub's work
    stamp = int(time.time() * 1000)
    for index in range(count):
        row_id = f"bulk-{index:09d}"
        yield (account_id, f"op-{index:09d}", device_id, "client", row_id, "insert", 1, False,
               envelope, f"{index:015d}-00000-{device_id}", 1, stamp)


_COLUMNS = ("account_id, op_id, device_id, table_name, row_id, kind, row_version, deleted, "
            "envelope, hlc, schema_version, received_at_ms")


def _bulk_load(url: str, account_id: str, device_id: str, count: int) -> float:
    started = time.perf_counter()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(str(parsed.database)) as connection:
            connection.executemany(
                f"INSERT INTO hub_change_log ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                _bulk_rows(account_id, device_id, count))
    else:
        dsn = (f"host={parsed.host} port={parsed.port} user={parsed.username} "
               f"dbname={parsed.database}")
        with psycopg.connect(dsn) as connection:
            cursor = connection.cursor()
            with cursor.copy(f"COPY hub_change_log ({_COLUMNS}) FROM STDIN") as copy:
                for row in _bulk_rows(account_id, device_id, count):
                    copy.write_row(row)
        # Steady state of a hub that accumulated its log over time: autovacuum has visited the
        # table (visibility map and hint bits set). Measured right after a bulk COPY, the first
        # readers pay for that work instead and the figure says more about COPY than about us.
        with psycopg.connect(dsn, autocommit=True) as maintenance:
            maintenance.execute("VACUUM (ANALYZE) hub_change_log")
    return time.perf_counter() - started


@dataclass
class _TailProbe:
    """A caught-up device on one hub, ready to pull the same 500-change tail page repeatedly."""

    client: HubClient
    cursor: str
    epoch: str

    def pull_ms(self) -> float:
        started = time.perf_counter()
        page = self.client.pull(self.cursor, self.epoch, limit=TAIL)
        elapsed = (time.perf_counter() - started) * 1000
        assert len(page.changes) == TAIL
        return elapsed


def _tail_probe(store: HubStore, server: BackgroundHub, url: str, log_ops: int) -> _TailProbe:
    """Enroll a device, bulk-load ``log_ops`` older ops, then add a fresh tail of 500.

    The device's cursor sits at the end of the old log, as a caught-up device's would; it is
    minted with the hub's key rather than by paging through a million rows first.
    """
    client, device_id, epoch = _device(store, server)
    account_id = client.hello(schema_version=1).account_id
    if log_ops:
        _bulk_load(url, account_id, device_id, log_ops)
    meta = store.meta()
    high_water = client.pull(None, epoch, limit=1).high_water_seq
    cursor = encode_cursor(meta.cursor_key, CursorState(account_id, meta.epoch, high_water))
    client.push(device_id, epoch, _sealed_ops(SyncKey.generate(), TAIL, device_id))
    probe = _TailProbe(client, cursor, epoch)
    probe.pull_ms()  # warm-up
    return probe


def pull_latency(backend: str, log_ops: int = LOG_OPS) -> list[dict[str, Any]]:
    """Median tail-page pull latency with ``log_ops`` stored operations vs an empty hub.

    Both hubs run side by side and the pulls alternate between them, so a noisy machine (other
    processes, CPU frequency) slows both sides alike instead of skewing the ratio.
    """
    with ExitStack() as stack:
        probes = {}
        load_started = time.perf_counter()
        for size in (log_ops, 0):
            url = stack.enter_context(_database(backend))
            store, server = stack.enter_context(_hub(url))
            probes[size] = _tail_probe(store, server, url, size)
            stack.callback(probes[size].client.close)
        setup_s = time.perf_counter() - load_started
        timings: dict[int, list[float]] = {size: [] for size in probes}
        for _ in range(LATENCY_RUNS):
            for size, probe in probes.items():
                timings[size].append(probe.pull_ms())
    medians = {size: statistics.median(values) for size, values in timings.items()}
    ratio = medians[log_ops] / medians[0]
    return [_row(f"hub {backend}: tail pull latency, {log_ops:,} stored ops vs empty",
                 ratio, 2.0, "x", empty_median_ms=round(medians[0], 2),
                 large_median_ms=round(medians[log_ops], 2), setup_s=round(setup_s, 1))]


# ---------------------------------------------------------------- entry point


def run() -> list[dict[str, Any]]:
    """Every hub figure, SQLite first, then PostgreSQL when reachable."""
    rows: list[dict[str, Any]] = []
    backends = ["sqlite"] + (["postgres"] if _postgres_reachable() else [])
    steps: list[tuple[str, Callable[[str], list[dict[str, Any]]]]] = [
        ("push + pull", push_pull), ("pull latency", pull_latency)]
    for backend in backends:
        for _label, step in steps:
            rows.extend(step(backend))
    if "postgres" not in backends:
        rows.append(_skipped("hub postgres figures", "no PostgreSQL on 127.0.0.1:5432"))
    return rows


if __name__ == "__main__":
    for measured in run():
        print(measured)

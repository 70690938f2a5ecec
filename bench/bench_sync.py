"""Client sync benchmarks: real vaults, the real sync engine, a real hub over loopback.

Figures (issue 7):

* 10,000 local changes pushed by one device and pulled by another, through a loopback hub, on
  SQLite and on PostgreSQL: target <= 10 s (push + pull; making the edits is not timed).
* 3 devices x 1,000 offline edits (the same 300 clients, random fields) converge: target
  <= 30 s from the first sync to identical state on all three.
* The longest GUI-thread stall (``ui.watchdog.StallWatchdog``) while background sync pulls
  2,000 changes and the status bar follows it: target <= 100 ms.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from casedesk.hub.server import open_store
from casedesk.services.bundle import Services
from casedesk.services.vault_service import VaultService
from casedesk.storage.models import Client
from casedesk.sync.pairing import KdfCost

PASSPHRASE = "benchmark passphrase 42"
CHANGES = 10_000
EDITS_PER_DEVICE = 1_000
SHARED_CLIENTS = 300
GUI_CHANGES = 2_000
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"
FAST_PAIRING = KdfCost(time_cost=1, memory_kib=8, parallelism=1)


# ---------------------------------------------------------------- plumbing


@contextmanager
def _hub_process(folder: Path, backend: str = "sqlite") -> Iterator[Any]:
    """A hub in its own process, as in real use (its CPU work then never holds our GIL)."""
    with _database(backend, folder) as url, _serve(url, folder) as hub:
        yield hub


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'hub.db'}"
        return
    name = f"casedesk_sync_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _serve(url: str, folder: Path) -> Iterator[Any]:
    import socket
    import subprocess
    import types

    import httpx

    store = open_store(url)  # schema + accounts; the server process opens the same file
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).with_name("casedesk-hub")), "serve", "--db", url]
    command += ["--port", str(port), "--log-file", str(folder / "hub.log")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.perf_counter() + 60
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() > deadline or process.poll() is not None:
                raise RuntimeError("the hub process did not start")
            time.sleep(0.05)  # waiting for another process to listen (bench set-up only)
        yield store, types.SimpleNamespace(url=base)
    finally:
        process.terminate()
        process.wait(30)
        store.engine.dispose()


def _devices(store: Any, server: Any, folder: Path, count: int) -> list[Services]:
    os.environ.setdefault("CASEDESK_KDF", "test")  # throw-away vaults: tiny Argon2 cost
    devices: list[Services] = []
    for index in range(count):
        vault = VaultService(folder / f"device{index}")
        vault.create(PASSPHRASE)
        services = Services.for_vault(vault)
        services.sync.pairing_cost = FAST_PAIRING
        if not devices:
            _account, token = store.create_account("bench")
            services.sync.setup(server.url, token)
        else:
            offer = devices[0].sync.pairing_code()
            services.sync.join(offer.text, offer.short_code)
        devices.append(services)
    return devices


def _close(devices: list[Services]) -> None:
    for services in devices:
        services.sync.close()
        services.vault.lock()


def _add_clients(services: Services, count: int) -> list[str]:
    ids = []
    with services.vault.db.session() as session:
        for index in range(count):
            client = Client(given_name=f"Given{index}", family_name=f"Family{index % 97}")
            session.add(client)
            if index % 500 == 499:
                session.flush()
            ids.append(client)
        session.flush()
        return [str(c.id) for c in ids]


def _sync_ok(services: Services) -> Any:
    result = services.sync.sync_once(allow_mass_deletion=True)
    if not result.in_sync:
        raise RuntimeError(f"sync did not finish: {result.message}")
    return result


def _row(figure: str, measured: float, target: float, unit: str, **details: Any) -> dict[str, Any]:
    return {
        "figure": figure,
        "target": f"<= {target:g} {unit}",
        "measured": f"{measured:.2f} {unit}",
        "pass": measured <= target,
        "value": round(measured, 3),
        "unit": unit,
        **details,
    }


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


# ---------------------------------------------------------------- figures


def push_pull(backend: str) -> dict[str, Any]:
    """Device A makes 10,000 changes; time A's push and B's pull through the engine.

    The hub runs in its own process (as in real use), on the same machine.
    """
    with tempfile.TemporaryDirectory(prefix="casedesk-sync-bench-") as name:
        folder = Path(name)
        with _hub_process(folder, backend) as (store, server):
            devices = _devices(store, server, folder, 2)
            try:
                _add_clients(devices[0], CHANGES)
                started = time.perf_counter()
                pushed = _sync_ok(devices[0]).pushed
                push_s = time.perf_counter() - started
                pulled = _sync_ok(devices[1]).pulled
                total = time.perf_counter() - started
            finally:
                _close(devices)
    assert pushed >= CHANGES and pulled >= CHANGES, (pushed, pulled)
    return _row(
        f"sync {backend}: {CHANGES:,} changes pushed + pulled (engine, vault to vault)",
        total,
        10.0,
        "s",
        push_s=round(push_s, 2),
        pull_s=round(total - push_s, 2),
    )


def three_devices(backend: str) -> dict[str, Any]:
    """3 devices x 1,000 offline edits on shared clients; time until all three agree."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="casedesk-sync-bench-") as name:
        folder = Path(name)
        with _hub_process(folder, backend) as (store, server):
            devices = _devices(store, server, folder, 3)
            try:
                ids = _add_clients(devices[0], SHARED_CLIENTS)
                for services in devices:
                    _sync_ok(services)
                for index, services in enumerate(devices):
                    _offline_edits(services, ids, rng, index)
                started = time.perf_counter()
                rounds = _until_converged(devices)
                elapsed = time.perf_counter() - started
                conflicts = len(devices[0].sync.conflicts())
            finally:
                _close(devices)
    return _row(
        f"sync {backend}: 3 devices x {EDITS_PER_DEVICE:,} offline edits converge",
        elapsed,
        30.0,
        "s",
        rounds=rounds,
        conflicts=conflicts,
    )


def _offline_edits(services: Services, ids: list[str], rng: random.Random, device: int) -> None:
    with services.vault.db.session() as session:
        for edit in range(EDITS_PER_DEVICE):
            client = session.get(Client, rng.choice(ids))
            assert client is not None
            field = rng.choice(("phone", "town", "email", "postcode"))
            setattr(client, field, f"d{device}-{edit}")
            if edit % 200 == 199:
                session.flush()


def _until_converged(devices: list[Services]) -> int:
    from sqlalchemy import select

    def state(services: Services) -> list[tuple[Any, ...]]:
        with services.vault.db.read() as session:
            rows = session.execute(
                select(Client.id, Client.phone, Client.town, Client.email, Client.postcode)
            )
            return sorted(tuple(r) for r in rows)

    for rounds in range(1, 6):
        for services in devices:
            _sync_ok(services)
        states = [state(s) for s in devices]
        if all(s == states[0] for s in states[1:]):
            return rounds
    raise RuntimeError("devices did not converge in 5 rounds")


def gui_stall() -> dict[str, Any]:
    """Longest GUI-thread stall while background sync pulls changes (status bar updating).

    The hub runs in its own process here, as it does in real use: an in-process hub would
    parse and encode the pages on this process's GIL and be measured as a GUI stall.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel

    from casedesk.ui.context import AppContext, ChangeHub
    from casedesk.ui.dialogs import Dialogs
    from casedesk.ui.sync.controller import SyncController
    from casedesk.ui.tasks import TaskRunner
    from casedesk.ui.watchdog import StallWatchdog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="casedesk-sync-bench-") as name:
        folder = Path(name)
        with _hub_process(folder) as (store, server):
            devices = _devices(store, server, folder, 2)
            tasks = TaskRunner()
            try:
                _add_clients(devices[0], GUI_CHANGES)
                _sync_ok(devices[0])
                ctx = AppContext(
                    services=devices[1], tasks=tasks, dialogs=Dialogs(), hub=ChangeHub()
                )
                controller = SyncController(ctx)
                status = QLabel()
                controller.attach(status)
                watchdog = StallWatchdog(interval_ms=10)
                watchdog.start()
                started = time.perf_counter()
                controller.start()
                while not status.text().startswith("Last synced"):
                    app.processEvents()
                    if time.perf_counter() - started > 120:
                        raise RuntimeError("background sync did not finish")
                    time.sleep(0.001)  # the event loop's own idle wait; measured by ticks
                stall = watchdog.stop()
                controller.stop()
                elapsed = time.perf_counter() - started
            finally:
                tasks.shutdown()
                _close(devices)
    return _row(
        f"sync: longest GUI stall while background sync pulls {GUI_CHANGES:,} changes",
        stall,
        100.0,
        "ms",
        sync_s=round(elapsed, 2),
        ticks=watchdog.ticks,
    )


def run() -> list[dict[str, Any]]:
    """Every client sync figure (PostgreSQL ones when the server answers)."""
    backends = ["sqlite"] + (["postgres"] if _postgres_reachable() else [])
    rows = [push_pull(b) for b in backends]
    rows += [three_devices(b) for b in backends]
    rows.append(gui_stall())
    return rows


if __name__ == "__main__":
    for measured in run():
        print(measured)

"""Real hubs over loopback HTTP, on SQLite and on the local PostgreSQL.

PostgreSQL tests are marked ``postgres``. Module-scoped hubs share one throw-away database per
test run (emptied per module); tests that stop or restore their own hub get a database of their
own. An unreachable server FAILS them (``.ci/system-deps.sh`` installs and starts
one), so they are never skipped silently; a developer without PostgreSQL opts out explicitly with
``CASEDESK_SKIP_POSTGRES=1`` or ``-m "not postgres"``.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from hub_helpers import Device, RunningHub, enroll_device, start_hub
from sqlalchemy import create_engine

from casedesk.hub.logs import JsonFormatter, hub_logger
from casedesk.hub.models import HubBase
from casedesk.sync.envelope import SyncKey

PG_ADMIN_DSN = os.environ.get("CASEDESK_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres")
PG_URL_BASE = os.environ.get("CASEDESK_PG_URL_BASE", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(PG_ADMIN_DSN + " dbname=postgres", autocommit=True, connect_timeout=5)


def _admin_or_stop() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return _admin()
    except psycopg.OperationalError as error:
        if os.environ.get("CASEDESK_SKIP_POSTGRES") == "1":
            pytest.skip(f"PostgreSQL unreachable and CASEDESK_SKIP_POSTGRES=1: {error}")
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is required (run .ci/system-deps.sh): {error}")


@contextmanager
def _throwaway_database() -> Iterator[str]:
    name = f"casedesk_hub_test_{secrets.token_hex(6)}"
    with _admin_or_stop() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_URL_BASE}/{name}"
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_database(url: str) -> None:
    """Drop every hub row so the next hub starts with a new identity (cheaper than a new DB)."""
    engine = create_engine(url)
    try:
        HubBase.metadata.create_all(engine)
        names = ", ".join(table.name for table in HubBase.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_session_database() -> Iterator[str]:
    """The run's shared throw-away PostgreSQL database (module hubs), dropped at the end."""
    with _throwaway_database() as url:
        yield url


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of its own, for a test that runs, stops or restores its own hub."""
    with _throwaway_database() as url:
        yield url


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def hub_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Database URL for a hub of the test's own, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
def hub_log(tmp_path: Path) -> Iterator[Path]:
    """The hub's JSON log lines during this test, written to a file (grepped by leak tests)."""
    path = tmp_path / "hub-log.jsonl"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    logger = hub_logger()
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()


@contextmanager
def _running(url: str) -> Iterator[RunningHub]:
    store, server = start_hub(url)
    try:
        yield RunningHub(store=store, server=server, db_url=url)
    finally:
        server.stop()
        store.engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def hub(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """A hub shared by a test module, per backend. Tests stay isolated by using fresh accounts
    (see ``device``), which is exactly the isolation the hub guarantees between accounts."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.db'}"
    else:
        url = request.getfixturevalue("pg_session_database")
        _empty_database(url)
    with _running(url) as running:
        yield running


@pytest.fixture
def private_hub(hub_url: str) -> Iterator[RunningHub]:
    """A hub for one test only (it may be stopped, inspected on disk or restored)."""
    with _running(hub_url) as running:
        yield running


@pytest.fixture
def device(hub: RunningHub) -> Iterator[Device]:
    """One enrolled device of a fresh account, talking to the hub directly."""
    _account, token = hub.store.create_account("Worker A")
    enrolled = enroll_device(hub.url, token, SyncKey.generate())
    try:
        yield enrolled
    finally:
        enrolled.client.close()

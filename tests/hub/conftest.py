"""Real hubs over loopback HTTP, on SQLite and on the local PostgreSQL.

PostgreSQL tests are marked ``postgres`` and use one throw-away database per test run, emptied
before each test. An unreachable server FAILS them (``.ci/system-deps.sh`` installs and starts
one), so they are never skipped silently; a developer without PostgreSQL opts out explicitly with
``CASEDESK_SKIP_POSTGRES=1`` or ``-m "not postgres"``.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hub_helpers import Device, RunningHub, enroll_device, start_hub
from sqlalchemy import create_engine

from casedesk.hub.logs import JsonFormatter, hub_logger
from casedesk.hub.models import HubBase
from casedesk.hub.store import HubSettings
from casedesk.sync.envelope import SyncKey

PG_ADMIN_DSN = os.environ.get("CASEDESK_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres")
PG_URL_BASE = os.environ.get("CASEDESK_PG_URL_BASE", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(PG_ADMIN_DSN + " dbname=postgres", autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def pg_session_database() -> Iterator[str]:
    """One throw-away PostgreSQL database for this test run, dropped at the end."""
    try:
        admin = _admin()
    except psycopg.OperationalError as error:
        if os.environ.get("CASEDESK_SKIP_POSTGRES") == "1":
            pytest.skip(f"PostgreSQL unreachable and CASEDESK_SKIP_POSTGRES=1: {error}")
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is required (run .ci/system-deps.sh): {error}")
    name = f"casedesk_hub_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_URL_BASE}/{name}"
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database(pg_session_database: str) -> str:
    """The run's PostgreSQL database, emptied: a fresh hub (new identity) starts on it.

    Emptying is much cheaper than CREATE DATABASE per test and just as isolating.
    """
    engine = create_engine(pg_session_database)
    try:
        HubBase.metadata.create_all(engine)
        names = ", ".join(table.name for table in HubBase.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()
    return pg_session_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Database URL for a fresh hub, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
def hub_log(tmp_path: Path) -> Iterator[Path]:
    """The hub's JSON log lines for this test, written to a file (grepped by leak tests)."""
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


@pytest.fixture
def hub_settings() -> HubSettings:
    """Override in a test module for other limits."""
    return HubSettings()


@pytest.fixture
def hub(hub_url: str, hub_settings: HubSettings, hub_log: Path) -> Iterator[RunningHub]:
    """A running hub on the parametrised backend."""
    store, server = start_hub(hub_url, hub_settings)
    try:
        yield RunningHub(store=store, server=server, db_url=hub_url)
    finally:
        server.stop()
        store.engine.dispose()


@pytest.fixture
def device(hub: RunningHub) -> Iterator[Device]:
    """One enrolled device of a fresh account, talking to the hub directly."""
    _account, token = hub.store.create_account("Worker A")
    enrolled = enroll_device(hub.url, token, SyncKey.generate())
    try:
        yield enrolled
    finally:
        enrolled.client.close()

"""Hub database: engine set-up per backend, schema creation/migration, and write transactions.

Ordering rule (why this module exists): a pull returns changes with ``server_seq`` above the
cursor, so a change must never become visible *after* a change with a higher sequence number.

* SQLite has one writer at a time; write transactions start with ``BEGIN IMMEDIATE`` so the write
  lock is taken before any read and two pushes cannot interleave (no upgrade deadlock either).
* PostgreSQL hands out sequence values outside transaction order, so every write transaction of
  an account first takes ``pg_advisory_xact_lock(<account key>)``; the next append of that account
  waits until the previous one committed, making sequence order equal commit order per account.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text, update
from sqlalchemy.engine import make_url

from casedesk.hub.models import HUB_SCHEMA_VERSION, HubBase, HubMeta
from casedesk.sync.protocol import SUPPORTED_PROTOCOLS

SCHEMA_MIN_DEFAULT = 1
SCHEMA_MAX_DEFAULT = 1
"""Range of client sync-schema versions a fresh hub accepts (see hello)."""

_WRITE_OPTION = "casedesk_hub_write"
_SQLITE_BUSY_TIMEOUT_MS = 30_000


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer casedesk-hub (never downgraded silently)."""


def now_ms() -> int:
    """Wall time in milliseconds (hub time is only informational: ordering uses sequences)."""
    return time.time_ns() // 1_000_000


def make_engine(url: str) -> Engine:
    """Create an engine for ``sqlite:///path`` or ``postgresql+psycopg://...``.

    Raises:
        ValueError: Any other backend.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        # hide_parameters: a database error must never print envelopes or tokens into a log.
        engine = create_engine(url, pool_size=8, max_overflow=8, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        # psycopg 3 is the driver we ship; a plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True,
                             hide_parameters=True)
    raise ValueError(f"unsupported hub database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def _configure_sqlite(engine: Engine) -> None:
    """Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is deferred), WAL, busy wait."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_postgres(engine: Engine) -> bool:
    """True when the hub runs on PostgreSQL."""
    return engine.dialect.name == "postgresql"


def is_postgres_connection(connection: Connection) -> bool:
    """True when the connection talks to PostgreSQL."""
    return connection.dialect.name == "postgresql"


def account_lock_key(account_id: str) -> int:
    """A stable signed 64-bit advisory-lock key for one account's change log."""
    return int.from_bytes(hashlib.sha256(b"casedesk-hub:" + account_id.encode()).digest()[:8],
                          "big", signed=True)


@contextmanager
def write_transaction(engine: Engine, account_id: str | None = None) -> Iterator[Connection]:
    """A transaction that may append to the change log, ordered as described in the module doc.

    Args:
        engine: Hub engine.
        account_id: Account whose log is appended to (PostgreSQL lock scope); None for writes
            that touch no change log.

    Yields:
        A connection inside the transaction; commits on normal exit, rolls back on exception.
    """
    with engine.connect() as connection:
        connection = connection.execution_options(**{_WRITE_OPTION: True})
        with connection.begin():
            if account_id is not None and is_postgres(engine):
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                connection.execute(lock, {"key": account_lock_key(account_id)})
            yield connection


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A read transaction with one consistent snapshot on both backends.

    On PostgreSQL the isolation level rides on the BEGIN itself (no extra round trip); SQLite
    transactions are always snapshot-consistent.
    """
    with engine.connect() as connection:
        if is_postgres(engine):
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def init_schema(engine: Engine) -> None:
    """Create missing tables and the identity row; migrate older hub schemas forward.

    Raises:
        SchemaTooNewError: The database was written by a newer hub (never downgrade silently).
    """
    HubBase.metadata.create_all(engine)
    with write_transaction(engine) as connection:
        meta = connection.execute(select(HubMeta).where(HubMeta.id == 1)).first()
        if meta is None:
            _insert_identity(connection)
            return
        if meta.hub_schema_version > HUB_SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"this hub database has schema {meta.hub_schema_version}, newer than this "
                f"casedesk-hub ({HUB_SCHEMA_VERSION}); upgrade casedesk-hub"
            )
        # Future migrations run here, one step per version, inside this transaction.
        connection.execute(
            update(HubMeta)
            .where(HubMeta.id == 1)
            .values(
                hub_schema_version=HUB_SCHEMA_VERSION,
                protocol_min=min(SUPPORTED_PROTOCOLS),
                protocol_max=max(SUPPORTED_PROTOCOLS),
                schema_max=max(meta.schema_max, SCHEMA_MAX_DEFAULT),
            )
        )


def _insert_identity(connection: Connection) -> None:
    stamp = now_ms()
    connection.execute(
        insert(HubMeta).values(
            id=1,
            hub_id=str(uuid.uuid4()),
            epoch=str(uuid.uuid4()),
            hub_schema_version=HUB_SCHEMA_VERSION,
            protocol_min=min(SUPPORTED_PROTOCOLS),
            protocol_max=max(SUPPORTED_PROTOCOLS),
            schema_min=SCHEMA_MIN_DEFAULT,
            schema_max=SCHEMA_MAX_DEFAULT,
            cursor_key=secrets.token_bytes(32),
            compacted_seq=0,
            created_at_ms=stamp,
            epoch_changed_at_ms=stamp,
        )
    )


def rotate_epoch(engine: Engine) -> str:
    """Give the hub a new epoch (after a restore) so every client re-announces what it lacks.

    The cursor key stays: a cursor issued before the restore still verifies, and its old epoch
    earns the client a clear ``409 epoch_mismatch`` rather than a vague "invalid cursor".

    Returns:
        The new epoch.
    """
    epoch = str(uuid.uuid4())
    with write_transaction(engine) as connection:
        connection.execute(
            update(HubMeta)
            .where(HubMeta.id == 1)
            .values(epoch=epoch, epoch_changed_at_ms=now_ms())
        )
    return epoch

"""The keyed SQLCipher engine and unit-of-work sessions.

Every connection is keyed in a SQLAlchemy ``connect`` event (never via the URL, so the key is not
in any string SQLAlchemy logs or reprs), then hardened: memory security on, temp files in memory,
foreign keys on, WAL journal, full fsync on commit.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from casedesk.storage.errors import DiskFull, VaultDamaged, VaultLocked
from casedesk.storage.keys import wipe

# A larger page cache means fewer page decryptions (SQLCipher decrypts on every page read).
PAGE_CACHE_KIB = 64 * 1024
MEMORY_SECURITY_ENV = "CASEDESK_MEMORY_SECURITY"


def memory_security_enabled() -> bool:
    """Whether SQLCipher should wipe and lock its own memory (off unless asked; see docs).

    Measured: ON makes bulk writes about 5x slower, and it only covers SQLite's allocations,
    while every value the app shows also lives in Python and Qt objects it cannot wipe.
    """
    return os.environ.get(MEMORY_SECURITY_ENV, "").lower() in ("1", "on", "true", "yes")


class KeyHolder:
    """Owns the raw database key in a mutable buffer so lock can overwrite it."""

    def __init__(self, key: bytearray) -> None:
        self._key: bytearray | None = key

    def pragma(self) -> str:
        """The ``PRAGMA key`` statement for a raw key (skips SQLCipher's own KDF).

        Raises:
            VaultLocked: after :meth:`wipe`.
        """
        if self._key is None:
            raise VaultLocked("The vault is locked.")
        return f"PRAGMA key = \"x'{self._key.hex()}'\""

    @property
    def key(self) -> bytearray:
        """The live key buffer (for deriving backup keys)."""
        if self._key is None:
            raise VaultLocked("The vault is locked.")
        return self._key

    def wipe(self) -> None:
        """Overwrite and forget the key."""
        if self._key is not None:
            wipe(self._key)
        self._key = None


def harden_connection(dbapi_conn: Any, key_pragma: str) -> None:
    """Key a raw SQLCipher connection and apply the per-connection pragmas."""
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(key_pragma)
        security = "ON" if memory_security_enabled() else "OFF"
        cursor.execute(f"PRAGMA cipher_memory_security = {security}")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA foreign_keys = ON")
        # The first statement that reads the file: a damaged file fails here.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        cursor.execute("PRAGMA busy_timeout = 5000")
    finally:
        cursor.close()


def make_engine(db_path: Path, keys: KeyHolder) -> Engine:
    """An engine whose every connection is keyed and hardened."""
    engine = create_engine(
        f"sqlite:///{db_path}",
        module=sqlcipher3.dbapi2,
        pool_size=2,
        max_overflow=2,
        # Each connection has its own page cache of decrypted pages. Last in, first out hands
        # the database thread the connection it used last, whose cache is warm; first in,
        # first out alternated between them and re-decrypted the caseload every other read.
        pool_use_lifo=True,
    )

    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let transactions be managed by SQLAlchemy, but issue BEGIN ourselves (see _on_begin)
        # so SQLite's own transaction handling is predictable.
        dbapi_conn.isolation_level = None
        harden_connection(dbapi_conn, keys.pragma())

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


class Database:
    """An open, unlocked vault database: engine plus session factory.

    Args:
        db_path: the SQLCipher database file.
        keys: the key holder (wiped on :meth:`close`).
    """

    def __init__(self, db_path: Path, keys: KeyHolder) -> None:
        self.path = db_path
        self.keys = keys
        self.engine = make_engine(db_path, keys)
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.session_info: dict[str, Any] = {}
        # Bumped after every committed unit of work: a cheap "did anything change?" for caches
        # (valid across threads and pooled connections, unlike SQLite's per-connection counters).
        self.generation = 0

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error, always closes."""
        session = self._sessions(info=dict(self.session_info))
        try:
            yield session
            session.commit()
            self.generation += 1
        except KNOWN_DB_ERRORS as exc:
            session.rollback()
            known = translate_db_error(exc)
            if known is exc:
                raise
            raise known from exc  # e.g. disk full: a plain message, nothing half-saved
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back, never commits)."""
        session = self._sessions(info=dict(self.session_info))
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def scalar(self, sql: str) -> Any:
        """Run one SQL statement and return the first column of the first row."""
        with self.engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    def close(self) -> None:
        """Dispose every connection and overwrite the key."""
        self.engine.dispose()
        self.keys.wipe()


def translate_db_error(exc: BaseException) -> Exception:
    """Map low-level SQLite errors to known vault errors with plain messages."""
    message = str(getattr(exc, "orig", exc)).lower()
    if "file is not a database" in message or "malformed" in message:
        return VaultDamaged(
            "The vault database is damaged or is not a casedesk database. Nothing was changed; "
            "restore from a backup or contact support."
        )
    if "database or disk is full" in message or "disk i/o error" in message:
        return DiskFull(
            "The disk is full, so the last change was not saved. Free some space and try again."
        )
    return exc if isinstance(exc, Exception) else RuntimeError(str(exc))


KNOWN_DB_ERRORS = (DatabaseError, OperationalError, sqlcipher3.dbapi2.DatabaseError, sqlite3.Error)

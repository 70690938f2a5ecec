"""The keyed SQLCipher engine and unit-of-work sessions.

Every connection is keyed in a SQLAlchemy ``connect`` event (never via the URL, so the key is not
in any string SQLAlchemy logs or reprs), then hardened: memory security on, temp files in memory,
foreign keys on, WAL journal, full fsync on commit.

Transactions (docs/ARCHITECTURE.md, "Transactions and locking"): read units of work
(:meth:`Database.read`) begin deferred, so under WAL they run beside a writer; write units
(:meth:`Database.session`) begin with ``BEGIN IMMEDIATE``, taking the one write lock before their
first read. A deferred transaction that reads and then writes cannot wait for the lock (SQLite
refuses at once with "database is locked" when another writer committed since its read), while
``BEGIN IMMEDIATE`` waits under ``busy_timeout`` and is then retried a bounded number of times.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from casedesk.storage.errors import DiskFull, VaultBusy, VaultDamaged, VaultLocked
from casedesk.storage.keys import wipe

log = logging.getLogger(__name__)

# A larger page cache means fewer page decryptions (SQLCipher decrypts on every page read).
PAGE_CACHE_KIB = 64 * 1024
MEMORY_SECURITY_ENV = "CASEDESK_MEMORY_SECURITY"
# How long one attempt to take the write lock waits inside SQLite (its busy handler polls).
BUSY_TIMEOUT_MS = 5000
# Attempts at BEGIN IMMEDIATE before a unit of work gives up with VaultBusy: about 15 s in
# all. casedesk's own writers hold the lock for well under a second (a sync page is applied in
# small slices), so only another program holding the vault for long ever reaches the end.
WRITE_LOCK_ATTEMPTS = 3
# The longest a write unit waits for its turn behind this process's other writers (the same
# ~15 s as the SQLite-level wait above, so a save never hangs: it ends in VaultBusy).
WRITE_TURN_TIMEOUT_S = BUSY_TIMEOUT_MS / 1000 * WRITE_LOCK_ATTEMPTS
# Execution option that marks a connection or engine as a write unit of work (BEGIN IMMEDIATE).
WRITE_UNIT = "casedesk_write_unit"


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
        # Before the first statement that reads the file: that read may itself have to wait.
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        security = "ON" if memory_security_enabled() else "OFF"
        cursor.execute(f"PRAGMA cipher_memory_security = {security}")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA foreign_keys = ON")
        # The first statement that reads the file: a damaged file fails here.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
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
        if conn.get_execution_options().get(WRITE_UNIT):
            begin_immediate(conn.connection.driver_connection)
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def begin_immediate(dbapi_conn: Any, attempts: int = WRITE_LOCK_ATTEMPTS) -> None:
    """Begin a write transaction, waiting for the write lock; a bounded retry, then VaultBusy.

    ``BEGIN IMMEDIATE`` is the first statement of a write unit of work (SQLAlchemy begins lazily,
    just before the unit's first statement), so retrying it re-runs the unit from its start with
    nothing done yet: always safe.

    Raises:
        VaultBusy: another program kept the write lock through every attempt.
    """
    for attempt in range(1, attempts + 1):
        try:
            dbapi_conn.execute("BEGIN IMMEDIATE")
            return
        except KNOWN_DB_ERRORS as exc:
            if not is_busy(exc):
                raise
            log.warning("write lock still held elsewhere (attempt %d of %d)", attempt, attempts)
            time.sleep(0)  # hand the interpreter to the thread that may hold the lock
    raise VaultBusy(BUSY_MESSAGE)


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means another connection holds the lock (SQLITE_BUSY)."""
    message = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in message or "database is busy" in message


BUSY_MESSAGE = (
    "Another casedesk window or program is using this vault and did not finish within "
    "15 seconds, so this change was not saved. Close the other casedesk window (or wait for "
    "its backup, import or sync to finish) and try again; nothing was half-saved."
)


class WriteGate:
    """First come, first served among this process's write units of work (re-entrant per thread).

    SQLite's busy handler is not a queue: a waiting writer sleeps and polls, and a writer that
    commits and begins again at once (sync applying slice after slice) wins the lock again and
    again. Measured: a note save waited 3 s behind a pull whose slices each held the lock under
    0.5 s. Taking a ticket here first makes the save next in line after the current slice.
    """

    def __init__(self) -> None:
        self._turns = threading.Condition()
        self._queue: deque[object] = deque()
        self._owner: int | None = None
        self._depth = 0

    @property
    def taken(self) -> bool:
        """Whether some thread of this process is writing now."""
        with self._turns:
            return self._owner is not None

    @property
    def waiting(self) -> int:
        """How many threads wait for their turn."""
        with self._turns:
            return len(self._queue)

    @contextmanager
    def turn(self, timeout: float | None = None) -> Iterator[None]:
        """Wait for this thread's turn to write (immediately when it already has it).

        Args:
            timeout: seconds to wait at most (default ``WRITE_TURN_TIMEOUT_S``).

        Raises:
            VaultBusy: another writer of this process kept its turn for longer.
        """
        me = threading.get_ident()
        with self._turns:
            if self._owner == me:
                self._depth += 1
            else:
                self._wait_for_turn(WRITE_TURN_TIMEOUT_S if timeout is None else timeout)
                self._owner, self._depth = me, 1
        try:
            yield
        finally:
            with self._turns:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
                    self._turns.notify_all()

    def _wait_for_turn(self, timeout: float) -> None:
        ticket = object()
        self._queue.append(ticket)
        deadline = time.monotonic() + timeout
        while self._owner is not None or self._queue[0] is not ticket:
            left = deadline - time.monotonic()
            if left <= 0:
                self._queue.remove(ticket)
                self._turns.notify_all()  # the next in line may be free to go now
                raise VaultBusy(BUSY_MESSAGE)
            self._turns.wait(left)
        self._queue.popleft()


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
        # Write units share the pool; the execution option makes their BEGIN immediate.
        self.write_engine = self.engine.execution_options(**{WRITE_UNIT: True})
        self._sessions = sessionmaker(bind=self.write_engine, expire_on_commit=False)
        self._reads = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.write_gate = WriteGate()
        self.session_info: dict[str, Any] = {}
        # Bumped after every committed unit of work: a cheap "did anything change?" for caches
        # (valid across threads and pooled connections, unlike SQLite's per-connection counters).
        self.generation = 0

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A write unit of work: commits on success, rolls back on any error, always closes.

        It waits for its turn among this process's writers (:class:`WriteGate`), then takes the
        write lock before its first statement (``BEGIN IMMEDIATE``), waiting for another
        program's writer to finish (see :func:`begin_immediate`).
        """
        with self.write_gate.turn():
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
        """A read-only unit of work (rolled back, never commits; runs beside a writer)."""
        session = self._reads(info=dict(self.session_info))
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
    if is_busy(exc):
        return VaultBusy(BUSY_MESSAGE)
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

"""Cheap checks a vault database must pass before it is opened for writing (issue 11.5, 11.8).

SQLite only notices a damaged page when it happens to read it, so a damaged vault used to open,
list and even take new records. Before the engine connects (and so before WAL set-up,
migrations, the device id or any other write), :func:`inspect` looks at the file itself:

- its size: a SQLCipher database is whole pages, so a partial last page is damage;
- its pages' HMACs, verified here in Python with the key SQLCipher derives for them: page 1,
  the last page, the middle page, the root page of every table and index, and an evenly spread
  sample (every page of a small vault, ``FULL_CHECK_PAGES``); a zeroed page is damage too;
- the page count the database header records, against the pages the file holds (a file cut
  short at a page boundary);
- an ``-shm`` file without its ``-wal`` (a crash, then the log deleted: the last acknowledged
  writes are gone), reported as a warning.

A page that the write-ahead log holds a newer copy of is skipped: after a crash the file may
legitimately hold an unfinished checkpoint's pages. Suspect pages are confirmed with SQLCipher's
own ``cipher_integrity_check`` before a vault is refused, so a change in SQLCipher's page format
could never lock a person out of a sound vault. ``casedesk check`` still verifies every page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import sqlcipher3

log = logging.getLogger(__name__)

# SQLCipher 4 defaults, which casedesk never changes: 4 KiB pages; each page ends in a reserved
# area holding its 16-byte IV and its 64-byte HMAC-SHA512; page 1 starts with the 16-byte salt.
PAGE_SIZE = 4096
IV_BYTES = 16
HMAC_BYTES = 64
SALT_BYTES = 16
RESERVE_BYTES = IV_BYTES + HMAC_BYTES
# The HMAC key is PBKDF2-HMAC-SHA512 of the raw key, with the salt XOR 0x3a, over 2 rounds.
HMAC_SALT_MASK = 0x3A
HMAC_KDF_ROUNDS = 2
HMAC_KEY_BYTES = 32
ZERO_PAGE = bytes(PAGE_SIZE)
# A vault of up to this many pages (4 MiB) has every page checked; a larger one, besides its
# root pages, a spread of this many. Measured on the 5,000-client benchmark vault (130,000
# pages, 134 roots) on the loaded shared 2-core machine: about 45 us a page; the whole check
# (see bench_storage, "open-time damage checks") stays a small part of the 150 ms unlock.
FULL_CHECK_PAGES = 1024
SAMPLE_PAGES = 128
WAL_HEADER_BYTES = 32
WAL_FRAME_HEADER_BYTES = 24


@dataclass(frozen=True)
class OpenFindings:
    """What the open-time checks found."""

    damage: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def inspect(db_path: Path, key: bytes | bytearray) -> OpenFindings:
    """Check the database file before it is opened for writing; reads only.

    Args:
        db_path: the SQLCipher database file (it exists).
        key: the raw 32-byte database key.
    """
    warnings = tuple(filter(None, [missing_wal_warning(db_path)]))
    damage = size_damage(db_path) or page_damage(db_path, key)
    return OpenFindings(tuple(damage), warnings)


def missing_wal_warning(db_path: Path) -> str | None:
    """A warning when ``-shm`` exists without ``-wal`` (checked before anything connects).

    SQLite deletes both when the last connection closes cleanly; after a crash both remain. An
    ``-shm`` alone means the write-ahead log was deleted after a crash, and with it every change
    it held that had not reached the database file yet.
    """
    shm, wal = _sibling(db_path, "-shm"), _sibling(db_path, "-wal")
    if not shm.exists() or wal.exists():
        return None
    return (
        f"casedesk found signs of a crash: the vault's recent-changes log ({wal.name}) is "
        f"missing while its index ({shm.name}) is still there, so changes saved just before "
        "the crash may have been lost. Check your most recent records; if some are missing, "
        "restore your latest backup or sync from your hub."
    )


def size_damage(db_path: Path) -> list[str]:
    """Damage visible in the file size alone (a partial page)."""
    size = db_path.stat().st_size
    if size < PAGE_SIZE:
        return [f"it is truncated to {size} bytes"]
    if size % PAGE_SIZE:
        return [f"it ends in a partial page ({size:,} bytes is not a whole number of pages)"]
    return []


def page_damage(db_path: Path, key: bytes | bytearray) -> list[str]:
    """Pages that fail their HMAC or are zeroed, and a file shorter than its header says."""
    file_pages = db_path.stat().st_size // PAGE_SIZE
    superseded = wal_page_numbers(_sibling(db_path, "-wal"))
    with open(db_path, "rb") as handle:
        first = handle.read(PAGE_SIZE)
        hmac_key = hashlib.pbkdf2_hmac(
            "sha512",
            bytes(key),
            bytes(b ^ HMAC_SALT_MASK for b in first[:SALT_BYTES]),
            HMAC_KDF_ROUNDS,
            HMAC_KEY_BYTES,
        )
        suspects = [] if 1 in superseded else _bad_pages(handle, hmac_key, [1])
        if suspects:
            return _confirmed(db_path, key, suspects)
        try:
            header_pages, roots = _schema_facts(db_path, key)
        except sqlcipher3.dbapi2.DatabaseError as exc:
            return [f"its schema cannot be read ({exc})"]
        missing = [p for p in range(file_pages + 1, header_pages + 1) if p not in superseded]
        if missing:
            return [f"it is shorter than its header says ({file_pages:,} of {header_pages:,})"]
        wanted = [p for p in pages_to_check(file_pages, roots) if p not in superseded]
        suspects = _bad_pages(handle, hmac_key, wanted)
    return _confirmed(db_path, key, suspects) if suspects else []


def pages_to_check(file_pages: int, roots: Iterable[int] = ()) -> list[int]:
    """Every page of a small file; else page 1, the middle and last pages, roots and a spread."""
    if file_pages <= FULL_CHECK_PAGES:
        return list(range(1, file_pages + 1))
    stride = max(1, file_pages // SAMPLE_PAGES)
    chosen = {1, file_pages // 2, file_pages, *range(1, file_pages + 1, stride)}
    chosen.update(p for p in roots if 1 <= p <= file_pages)
    return sorted(chosen)


def wal_page_numbers(wal_path: Path) -> set[int]:
    """Page numbers the write-ahead log holds a copy of (frames of its current generation).

    Frame checksums are not verified: a page named by any frame of the log's current salt is
    skipped, which can only make the open-time check see less, never refuse a sound vault.
    """
    if not wal_path.exists():
        return set()
    pages: set[int] = set()
    with open(wal_path, "rb") as handle:
        header = handle.read(WAL_HEADER_BYTES)
        if len(header) < WAL_HEADER_BYTES:
            return pages
        page_size = struct.unpack(">I", header[8:12])[0] or PAGE_SIZE
        salts = header[16:24]
        offset = WAL_HEADER_BYTES
        while True:
            handle.seek(offset)
            frame = handle.read(WAL_FRAME_HEADER_BYTES)
            if len(frame) < WAL_FRAME_HEADER_BYTES or frame[8:16] != salts:
                return pages
            pages.add(struct.unpack(">I", frame[:4])[0])
            offset += WAL_FRAME_HEADER_BYTES + page_size


def _bad_pages(handle: BinaryIO, hmac_key: bytes, numbers: Iterable[int]) -> list[str]:
    found: list[str] = []
    for number in numbers:
        handle.seek((number - 1) * PAGE_SIZE)
        page = handle.read(PAGE_SIZE)
        if page == ZERO_PAGE:
            found.append(f"page {number:,} is zeroed")
        elif not _hmac_ok(page, number, hmac_key):
            found.append(f"page {number:,} fails its integrity check")
    return found


def _hmac_ok(page: bytes, number: int, hmac_key: bytes) -> bool:
    # The HMAC covers the ciphertext and the IV (page 1: after the salt), then the page number
    # as 4 little-endian bytes.
    start = SALT_BYTES if number == 1 else 0
    end = PAGE_SIZE - RESERVE_BYTES + IV_BYTES
    message = page[start:end] + number.to_bytes(4, "little")
    expected = hmac.digest(hmac_key, message, "sha512")
    return hmac.compare_digest(expected, page[end : end + HMAC_BYTES])


def _connect(db_path: Path, key: bytes | bytearray) -> sqlcipher3.dbapi2.Connection:
    conn = sqlcipher3.dbapi2.connect(str(db_path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{bytes(key).hex()}'\"")
    conn.execute("PRAGMA query_only = ON")  # this connection must never write
    return conn


def _schema_facts(db_path: Path, key: bytes | bytearray) -> tuple[int, list[int]]:
    """The page count the database records and the root page of every table and index."""
    conn = _connect(db_path, key)
    try:
        roots = [row[0] for row in conn.execute("SELECT rootpage FROM sqlite_schema")]
        header_pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    finally:
        conn.close()
    return header_pages, [r for r in roots if isinstance(r, int) and r > 0]


def _confirmed(db_path: Path, key: bytes | bytearray, suspects: list[str]) -> list[str]:
    """The suspects, if SQLCipher's own page check also finds damage (else nothing)."""
    try:
        conn = _connect(db_path, key)
        try:
            failures = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        finally:
            conn.close()
    except sqlcipher3.dbapi2.DatabaseError:
        return suspects  # SQLCipher cannot even read it: that is the finding
    if failures:
        return suspects
    log.warning("open-time page check disagreed with SQLCipher on %d pages", len(suspects))
    return []


def _sibling(db_path: Path, suffix: str) -> Path:
    return db_path.with_name(db_path.name + suffix)

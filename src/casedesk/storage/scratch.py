"""Scratch files of backups and restores, and sweeping up after a killed one (issue 11, item 11).

A backup writes a full-size staging copy (``backups/.staging-<id>.db``) and a partial file next
to its target (``.<name>.partial``); a restore a staging directory beside the vault
(``.<vault>.restoring-<id>``). A process killed half-way left them forever. Now each operation
first creates a *record* (``<scratch>.lock``) listing its scratch paths and holds an OS lock on
it while it runs (the lock dies with the process). The next open of the vault sweeps:

- every scratch path of casedesk's own naming in the vault's ``backups/`` folder and beside
  the vault, unless a record still locked by a running operation lists it;
- the paths listed in records nobody holds any more (a partial backup elsewhere on disk), and
  those records.

Nothing else is ever removed: only names matching the patterns below, never a backup or vault.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

RECORD_SUFFIX = ".lock"
PARTIAL_SUFFIX = ".partial"


class ScratchRecord:
    """The locked record of one running operation's scratch paths.

    Args:
        record: the record file (``<first scratch path>.lock``), created owner-only.
    """

    def __init__(self, record: Path) -> None:
        self.path = record
        # Locked under a name no sweep matches, then renamed into place: a sweep never sees
        # the record before its lock is held (the lock belongs to the file, not its name).
        pending = record.with_name(f".casedesk-record-{os.getpid()}-{id(self)}")
        fd = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        self._handle: IO[str] = os.fdopen(fd, "r+", encoding="utf-8")
        if not _try_lock(self._handle):  # pragma: no cover - the name is unique
            raise RuntimeError("scratch record already in use")
        os.replace(pending, record)

    def add(self, path: Path) -> Path:
        """List ``path`` before it is created (so a kill right after leaves nothing unknown).

        One line per path, only ever appended: a sweep reading meanwhile sees whole lines.
        """
        self._handle.write(str(Path(path).absolute()) + "\n")
        self._handle.flush()
        return path

    def close(self) -> None:
        """The operation is over: remove the record (its scratch is the caller's to clean)."""
        try:
            self._handle.close()  # closing releases the lock
        except OSError:
            # A full disk refuses the line still buffered; the file is closed all the same,
            # and the record goes anyway. The operation's own error is the one to report.
            log.warning("the scratch record could not be flushed before it was removed")
        finally:
            self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def scratch_record(record: Path) -> Iterator[ScratchRecord]:
    """A :class:`ScratchRecord` for the length of a ``with`` block."""
    held = ScratchRecord(record)
    try:
        yield held
    finally:
        held.close()


def sweep(vault_dir: Path, backup_dir_name: str) -> list[Path]:
    """Remove scratch left by killed backups and restores of ``vault_dir``; returns what went.

    Safe while other processes run backups or restores of the same vault: paths listed in a
    record that is still locked are left alone.
    """
    vault_dir = Path(vault_dir).absolute()
    backups = vault_dir / backup_dir_name
    candidates = [
        *_matches(backups, ".staging-*"),
        *_matches(backups, f".*{PARTIAL_SUFFIX}"),
        *_matches(vault_dir.parent, f".{vault_dir.name}.restoring-*"),
    ]
    records = [p for p in candidates if p.name.endswith(RECORD_SUFFIX)]
    live: set[str] = set()
    for record in records:
        listed, running = _read_record(record)
        if running:
            live.add(str(record))
            live.update(listed)
        else:
            candidates += [Path(p) for p in listed if _is_partial(Path(p))]
    removed = [p for p in dict.fromkeys(candidates) if str(p) not in live and _remove(p)]
    if removed:
        log.info("removed %d scratch files left by an interrupted backup or restore", len(removed))
    return removed


def _matches(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def _is_partial(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(PARTIAL_SUFFIX)


def _read_record(record: Path) -> tuple[list[str], bool]:
    """The paths a record lists, and whether its operation is still running (holds the lock)."""
    try:
        with open(record, encoding="utf-8") as handle:
            text = handle.read()
            running = not _try_lock(handle)
    except OSError:
        return [], False
    complete = text[: text.rfind("\n") + 1]  # a line still being written is not listed yet
    return complete.splitlines(), running


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        log.warning("could not remove a scratch file left by an interrupted backup or restore")
        return False
    return True


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

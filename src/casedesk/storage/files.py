"""Files the user names: where casedesk may write them, and how it reads them.

Every command and dialog that writes a file the user chose (plan PDFs, backups, bundles, CSV,
the recovery key) goes through :func:`write_output` or :func:`check_output_path`, because one
mistyped path once replaced ``vault.key`` (and with it every way into the vault) or a device
node. The rules:

- the path is resolved first (symlinks followed, the folder's too), so a link cannot smuggle a
  write into a vault;
- nothing is written inside a vault directory: the current one, or any folder that holds a
  ``vault.key`` or ``casedesk.db`` (backups, restore leftovers, another vault);
- nothing is written under ``/proc``, ``/sys`` or ``/dev``, and an existing target must be an
  ordinary file (never a device, pipe, socket or folder);
- the file is written beside the target under a temporary name, flushed to disk and renamed over
  it, so a failed write (a full disk) leaves the old file or nothing, never half a file. The
  rename also means a hard link to some other file is never written through.

Files the user names for reading go through :func:`read_input_file`: an ordinary file of a
bounded size, refused before it is opened otherwise (``/dev/zero`` would never end).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from casedesk.storage.errors import DiskFull, FileRefused, VaultNotFound, WriteFailed
from casedesk.storage.keys import fsync_dir
from casedesk.storage.vault import DB_NAME, KEY_NAME

#: Kernel and device file systems: writing there is never what a case manager meant.
SYSTEM_DIRS = (Path("/proc"), Path("/sys"), Path("/dev"))
#: A folder holding either of these is a vault (possibly a damaged one); never write into it.
VAULT_MARKERS = (KEY_NAME, DB_NAME)


def check_output_path(path: str | os.PathLike[str], protected: Iterable[Path] = ()) -> Path:
    """Where a file the user named may be written, or why not.

    Args:
        path: the path as the user gave it.
        protected: folders never to write into even when they don't look like a vault yet
            (the current vault's directory).

    Returns:
        The resolved path (symlinks followed): write there.

    Raises:
        FileRefused: with a plain reason; nothing was written.
    """
    given = str(path)
    if not given.strip():
        raise FileRefused("No file name was given.")
    target = _resolve(Path(given).expanduser(), given)
    if _is_system_path(target):
        raise FileRefused(f"{given} is a system location; choose a file in your own folders.")
    inside = any(target.is_relative_to(_resolve(Path(p), str(p))) for p in protected)
    if inside or any(_looks_like_vault(folder) for folder in target.parents):
        raise FileRefused(_inside_vault(given, target))
    if not target.parent.is_dir():
        raise FileRefused(f"The folder for {given} does not exist.")
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise FileRefused(f"{given} cannot be used: {exc.strerror}.") from None
    if not stat.S_ISREG(mode):
        raise FileRefused(
            f"{given} is not an ordinary file (a folder, device or pipe); it was not replaced."
        )
    return target


def write_output(path: str | os.PathLike[str], data: bytes, protected: Iterable[Path] = ()) -> Path:
    """Check ``path`` (:func:`check_output_path`) and write ``data`` there atomically, owner-only.

    Returns:
        The resolved path written.

    Raises:
        FileRefused: the path is not acceptable (nothing written).
        DiskFull: the disk filled up (nothing written; an older file there is kept).
        WriteFailed: any other write failure (same guarantee).
    """
    target = check_output_path(path, protected)
    write_atomically(target, data)
    return target


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` via a temporary file beside it (owner-only, fsynced).

    Raises:
        DiskFull: the disk filled up.
        WriteFailed: any other failure. In both cases the temporary file is removed.
    """
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".partial", dir=target.parent
        )
    except OSError as exc:
        raise _write_error(target, exc) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _write_error(target, exc) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def check_input_file(
    path: str | os.PathLike[str], max_bytes: int | None = None, what: str = "file"
) -> Path:
    """An ordinary, readable file of at most ``max_bytes``, checked without opening it.

    Args:
        path: the path as the user gave it.
        max_bytes: the largest acceptable size (None: any).
        what: what the file is, for messages ("backup file").

    Raises:
        VaultNotFound: there is nothing at ``path``.
        FileRefused: not an ordinary file (a device or pipe is never read), or too big.
    """
    given = str(path)
    source = Path(given).expanduser()
    try:
        info = source.stat()
    except FileNotFoundError:
        raise VaultNotFound(f"There is no {what} at {given}.") from None
    except OSError as exc:
        raise FileRefused(f"{given} cannot be read: {exc.strerror}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"{given} is not an ordinary file (a folder, device or pipe).")
    if max_bytes is not None and info.st_size > max_bytes:
        raise FileRefused(
            f"{given} is too large ({_megabytes(info.st_size)}; at most {_megabytes(max_bytes)})."
        )
    return source


def read_input_file(path: str | os.PathLike[str], max_bytes: int, what: str = "file") -> bytes:
    """The bytes of an ordinary file of at most ``max_bytes`` (see :func:`check_input_file`).

    Raises:
        VaultNotFound: there is nothing at ``path``.
        FileRefused: the file is unreadable, not an ordinary file or too large.
    """
    source = check_input_file(path, max_bytes, what)
    try:
        with source.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        raise FileRefused(f"{path} cannot be read: {exc.strerror}.") from None
    if len(data) > max_bytes:
        raise FileRefused(f"{path} is too large (more than {_megabytes(max_bytes)}).")
    return data


def is_system_location(path: Path) -> bool:
    """Whether ``path`` (resolved) lies in a kernel or device file system."""
    return _is_system_path(_resolve(path, str(path)))


# ----------------------------------------------------------------------------- helpers


def _resolve(path: Path, given: str) -> Path:
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop
        raise FileRefused(f"{given} cannot be used: its links go round in a circle.") from None


def _is_system_path(path: Path) -> bool:
    return os.name == "posix" and any(path.is_relative_to(root) for root in SYSTEM_DIRS)


def _looks_like_vault(folder: Path) -> bool:
    return any(os.path.lexists(folder / marker) for marker in VAULT_MARKERS)


def _inside_vault(given: str, target: Path) -> str:
    leads = "" if Path(given).expanduser().absolute() == target else f" (it leads to {target})"
    return (
        f"{given}{leads} is inside a casedesk vault folder; writing there could make the vault "
        "impossible to open. Choose a place outside the vault."
    )


def _write_error(target: Path, exc: OSError) -> DiskFull | WriteFailed:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(f"{target} could not be written: the disk is full. Nothing was written.")
    reason = exc.strerror or type(exc).__name__
    return WriteFailed(f"{target} could not be written ({reason}). Nothing was written.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"

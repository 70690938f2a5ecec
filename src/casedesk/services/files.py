"""Files the user names, for the services, UI and CLI (the UI never imports storage).

The rules (never inside a vault, never a device, written atomically; inputs are ordinary files
of bounded size) live in :mod:`casedesk.storage.files`.
"""

from __future__ import annotations

import os
from pathlib import Path

from casedesk.storage.engine import Database
from casedesk.storage.files import (
    check_input_file,
    check_output_path,
    is_system_location,
    read_input_file,
    write_output,
)

__all__ = [
    "check_input_file",
    "check_output_path",
    "is_system_location",
    "read_input_file",
    "write_output",
    "write_user_file",
]


def write_user_file(db: Database, path: str | os.PathLike[str], data: bytes) -> Path:
    """Write a file the user asked for, never into this vault (whose database is ``db``).

    Raises:
        FileRefused: the path is not acceptable; DiskFull / WriteFailed: the write failed.
            Either way nothing was written.
    """
    return write_output(path, data, (db.path.parent,))

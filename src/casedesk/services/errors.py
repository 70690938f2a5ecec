"""Known errors the UI and CLI handle, re-exported so callers never import storage."""

from casedesk.domain.validation import ValidationError
from casedesk.storage.engine import KNOWN_DB_ERRORS, translate_db_error
from casedesk.storage.errors import (
    BackupError,
    DiskFull,
    FileRefused,
    ImmutableRecordError,
    VaultBusy,
    VaultDamaged,
    VaultError,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    VaultTooNew,
    WriteFailed,
    WrongPassphrase,
)


class NotFound(VaultError):
    """The record asked for does not exist (or was deleted)."""


__all__ = [
    "KNOWN_DB_ERRORS",
    "BackupError",
    "DiskFull",
    "FileRefused",
    "ImmutableRecordError",
    "NotFound",
    "ValidationError",
    "VaultBusy",
    "VaultDamaged",
    "VaultError",
    "VaultExists",
    "VaultLocked",
    "VaultNotFound",
    "VaultTooNew",
    "WriteFailed",
    "WrongPassphrase",
    "translate_db_error",
]

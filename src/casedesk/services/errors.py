"""Known errors the UI and CLI handle, re-exported so callers never import storage."""

from casedesk.domain.validation import ValidationError
from casedesk.storage.engine import KNOWN_DB_ERRORS, translate_db_error
from casedesk.storage.errors import (
    BackupError,
    DiskFull,
    ImmutableRecordError,
    VaultBusy,
    VaultDamaged,
    VaultError,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    VaultTooNew,
    WrongPassphrase,
)


class NotFound(VaultError):
    """The record asked for does not exist (or was deleted)."""


__all__ = [
    "KNOWN_DB_ERRORS",
    "BackupError",
    "DiskFull",
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
    "WrongPassphrase",
    "translate_db_error",
]

"""Known, user-facing storage failures (as opposed to bugs), each with a plain message.

The CLI maps them to exit codes and the UI to dialogs; anything else is a bug and gets a crash
report without client data.
"""

from __future__ import annotations


class VaultError(Exception):
    """Base for failures a user can understand and act on."""

    exit_code = 1


class VaultNotFound(VaultError):
    """No vault at the given location."""

    exit_code = 1


class VaultExists(VaultError):
    """Refusing to create a vault over an existing one."""

    exit_code = 1


class WrongPassphrase(VaultError):
    """The passphrase or recovery key does not open this vault. Nothing was changed."""

    exit_code = 3


class VaultDamaged(VaultError):
    """The key file or database is damaged. Nothing was deleted or rewritten."""

    exit_code = 4


class MigrationFailed(VaultDamaged):
    """Upgrading the schema failed and was rolled back. The vault was not changed."""

    exit_code = 4


class VaultTooNew(VaultError):
    """The vault was written by a newer casedesk. It was not opened for writing."""

    exit_code = 4


class VaultLocked(VaultError):
    """The vault is locked; unlock it first."""

    exit_code = 1


class VaultBusy(VaultError):
    """Another program kept the vault's write lock for long; the change was not saved."""

    exit_code = 1


class DiskFull(VaultError):
    """The disk is full; the last change was not saved (and nothing was half-saved)."""

    exit_code = 1


class FileRefused(VaultError):
    """A file the user named cannot be used (inside a vault, a device...). Nothing changed."""

    exit_code = 2


class WriteFailed(VaultError):
    """A file the user asked for could not be written; nothing was left half-written."""

    exit_code = 1


class ImmutableRecordError(VaultError):
    """An attempt to change a finalised, locked or signed record. Corrections supersede instead."""

    exit_code = 1


class BackupError(VaultError):
    """A backup could not be written or does not verify."""

    exit_code = 4

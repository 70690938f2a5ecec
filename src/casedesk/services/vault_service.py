"""Vault use cases for the UI and CLI: create, unlock, lock, passphrase, backup, restore, check."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from casedesk.services import audit
from casedesk.services.files import (
    check_input_file,
    check_output_path,
    is_system_location,
    write_output,
)
from casedesk.storage.engine import Database
from casedesk.storage.errors import FileRefused, VaultError, VaultLocked
from casedesk.storage.keys import KdfParams, wipe
from casedesk.storage.vault import Vault, read_backup_key_file, restore_backup


@dataclass(frozen=True)
class VaultHealth:
    """Result of ``check``: schema revision, integrity problems, and warnings from the open."""

    schema_revision: str | None
    problems: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    @property
    def sound(self) -> bool:
        """True when no problem was found."""
        return not self.problems


class VaultService:
    """One vault directory and its lock state.

    Args:
        path: the vault directory.
        kdf: Argon2id parameters for new wraps (None: calibrate; tests pass tiny ones).
    """

    def __init__(self, path: Path, kdf: KdfParams | None = None) -> None:
        self.path = Path(path)
        self._kdf = kdf
        self._vault: Vault | None = None

    # ------------------------------------------------------------------ state

    def exists(self) -> bool:
        """Whether a vault is already at the path."""
        return Vault.exists(self.path)

    @property
    def name(self) -> str:
        """Display name of the vault (its directory name; never client data)."""
        return self.path.name

    @property
    def is_unlocked(self) -> bool:
        """Whether the database is open."""
        return self._vault is not None and self._vault.is_unlocked

    @property
    def db(self) -> Database:
        """The open database (for building the other services)."""
        return self._require_vault().db

    @property
    def open_warnings(self) -> tuple[str, ...]:
        """What the last unlock warned about (e.g. recent changes lost in a crash)."""
        return self._vault.open_warnings if self._vault is not None else ()

    @property
    def device_id(self) -> str:
        """This device's id in the vault."""
        return self._require_vault().device_id

    # ------------------------------------------------------------------ lifecycle

    def create(self, passphrase: str) -> str:
        """Create the vault, leave it unlocked, and return the recovery key (show it once).

        Raises:
            VaultExists: a vault is already there.
            FileRefused: the place is a system location (``/proc``, ``/dev``...).
            VaultError: the folder could not be made (the message says why).
        """
        if is_system_location(self.path):
            raise FileRefused(f"{self.path} is a system location; a vault can't be made there.")
        try:
            created = Vault.create(self.path, passphrase, self._kdf)
        except OSError as exc:
            raise VaultError(
                f"The vault could not be created at {self.path}: {exc.strerror or exc}."
            ) from None
        self._vault = created.vault
        return created.recovery_key

    def unlock(self, passphrase: str) -> None:
        """Unlock with the passphrase."""
        vault = Vault.open(self.path)
        vault.unlock(passphrase)
        self._vault = vault

    def unlock_with_recovery_key(self, recovery_key: str) -> None:
        """Unlock with the recovery key."""
        vault = Vault.open(self.path)
        vault.unlock_with_recovery_key(recovery_key)
        self._vault = vault

    def lock(self) -> None:
        """Close the database and overwrite the key in memory."""
        if self._vault is not None:
            self._vault.lock()
            self._vault = None

    def verify_passphrase(self, passphrase: str) -> None:
        """Check a passphrase against the key file; the open database is not touched.

        Raises:
            WrongPassphrase: it is not this vault's passphrase.
        """
        db_key = self._require_vault().key_file.unwrap_with_passphrase(passphrase)
        wipe(db_key)

    def change_passphrase(self, new_passphrase: str) -> None:
        """Set a new passphrase (re-wrap only: the database does not change)."""
        self._require_vault().change_passphrase(new_passphrase, self._kdf)

    def recover(self, recovery_key: str, new_passphrase: str) -> None:
        """Unlock with the recovery key and set a new passphrase."""
        self.unlock_with_recovery_key(recovery_key)
        self.change_passphrase(new_passphrase)

    # ------------------------------------------------------------------ maintenance

    def check(self) -> VaultHealth:
        """Schema revision and integrity (SQLite, SQLCipher page HMACs, foreign keys)."""
        vault = self._require_vault()
        return VaultHealth(vault.schema_revision(), tuple(vault.check()), vault.open_warnings)

    def backup(self, out_file: Path) -> Path:
        """Write a verified, encrypted backup file (never inside a vault, never over a device).

        Raises:
            FileRefused: ``out_file`` is not an acceptable place (nothing was written).
            BackupError: the backup could not be written or does not verify.
        """
        vault = self._require_vault()
        return vault.backup(check_output_path(out_file, (self.path,)))

    def write_user_file(self, path: str | os.PathLike[str], data: bytes) -> Path:
        """Write a file the user asked for (e.g. the recovery key), never into a vault.

        Raises:
            FileRefused: the path is not acceptable; DiskFull / WriteFailed: the write failed.
                Either way nothing was written.
        """
        return write_output(path, data, (self.path,))

    def restore(
        self, backup_file: Path, *, passphrase: str | None = None, recovery_key: str | None = None
    ) -> Path:
        """Restore a backup into this vault's path (an existing vault is moved aside, not lost).

        The backup opens with the passphrase in force when it was made, or the recovery key.

        Returns:
            Where the previous vault was moved (the vault path itself when there was none).
        """
        self.lock()
        # A device or pipe would be read forever.
        backup_file = check_input_file(backup_file, what="backup file")
        key_file = read_backup_key_file(backup_file)
        if recovery_key is not None:
            db_key = key_file.unwrap_with_recovery_key(recovery_key)
        else:
            db_key = key_file.unwrap_with_passphrase(passphrase or "")
        try:
            return restore_backup(Path(backup_file), self.path, db_key, key_file)
        finally:
            wipe(db_key)

    def device_name(self) -> str:
        """This device's name, shown in history ("Ana Lima on Laptop-2")."""
        with self.db.read() as session:
            return audit.device_name(session)

    def set_device_name(self, name: str) -> str:
        """Name this device (local to it; never synced). Returns the name as stored.

        Raises:
            ValidationError: empty, too long, or more than one line.
        """
        with self.db.session() as session:
            return audit.set_device_name(session, name)

    def _require_vault(self) -> Vault:
        if self._vault is None:
            raise VaultLocked("The vault is locked.")
        return self._vault

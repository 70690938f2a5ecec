"""The vault: a directory holding the SQLCipher database and its key file.

Lifecycle: :meth:`Vault.create` (new key, recovery key shown once) or :meth:`Vault.open` (reads the
key file only), then :meth:`Vault.unlock` with the passphrase or recovery key, which opens the
database and migrates it. :meth:`Vault.lock` disposes the engine and overwrites the key.

Safety rules: a vault that fails to open is never deleted or recreated; a wrong passphrase leaves
every file byte-identical (the key file is only read); files are owner-only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy import text

from casedesk.domain.clock import utcnow
from casedesk.domain.ids import new_id
from casedesk.storage import migrate, open_checks, scratch
from casedesk.storage.engine import (
    KNOWN_DB_ERRORS,
    Database,
    KeyHolder,
    harden_connection,
    translate_db_error,
)
from casedesk.storage.errors import (
    BackupError,
    DiskFull,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
)
from casedesk.storage.keys import (
    KEY_BYTES,
    KdfParams,
    KeyFile,
    calibrate_kdf,
    default_kdf_params,
    derive_subkey,
    new_recovery_key,
    wipe,
)
from casedesk.storage.models import LocalMeta
from casedesk.storage.outbox import CLOCK_KEY, install_change_tracking, load_clock

DB_NAME = "casedesk.db"
KEY_NAME = "vault.key"
BACKUP_DIR = "backups"
BACKUP_PURPOSE = "casedesk backup v1"
KEEP_PRE_MIGRATION_BACKUPS = 3
RESTORE_HOW = (
    "Restore your most recent backup: close casedesk and run “casedesk restore BACKUP-FILE” "
    "(the damaged vault is kept aside, not deleted)."
)


@dataclass(frozen=True)
class CreatedVault:
    """A new vault, unlocked, and the recovery key to show the user exactly once."""

    vault: Vault
    recovery_key: str


class Vault:
    """A vault directory. Locked until :meth:`unlock` succeeds.

    Args:
        path: the vault directory.
        key_file: its parsed key file.
    """

    def __init__(self, path: Path, key_file: KeyFile) -> None:
        self.path = path
        self.key_file = key_file
        self._db: Database | None = None
        self.device_id = ""
        # What the last open warned about (e.g. a crash lost the write-ahead log).
        self.open_warnings: tuple[str, ...] = ()

    # ------------------------------------------------------------------ paths and state

    @property
    def db_path(self) -> Path:
        """The SQLCipher database file."""
        return self.path / DB_NAME

    @property
    def key_path(self) -> Path:
        """The key file (wrapped keys and KDF parameters; no secrets in clear)."""
        return self.path / KEY_NAME

    @property
    def name(self) -> str:
        """A display name for the vault (its directory name; never client data)."""
        return self.path.name

    @staticmethod
    def exists(path: Path) -> bool:
        """True when ``path`` holds a vault key file."""
        return (path / KEY_NAME).is_file()

    @property
    def is_unlocked(self) -> bool:
        """Whether the database is open."""
        return self._db is not None

    @property
    def db(self) -> Database:
        """The open database.

        Raises:
            VaultLocked: when locked.
        """
        if self._db is None:
            raise VaultLocked("The vault is locked.")
        return self._db

    # ------------------------------------------------------------------ create and open

    @classmethod
    def create(cls, path: Path, passphrase: str, kdf: KdfParams | None = None) -> CreatedVault:
        """Create a new, empty vault and unlock it.

        Raises:
            VaultExists: a vault (or any database file) is already there.
        """
        path = Path(path)
        if cls.exists(path) or (path / DB_NAME).exists():
            raise VaultExists(f"A vault already exists at {path}; it was left untouched.")
        _make_private_dir(path)
        kdf = kdf or default_kdf_params() or calibrate_kdf()
        db_key = bytearray(secrets.token_bytes(KEY_BYTES))
        recovery_key = new_recovery_key()
        key_file = KeyFile.create(db_key, passphrase, recovery_key, kdf)
        vault = cls(path, key_file)
        # Key file first: a database without its key file could never be opened again.
        key_file.save(vault.key_path)
        vault._open_database(db_key, creating=True)
        return CreatedVault(vault, recovery_key)

    @classmethod
    def open(cls, path: Path) -> Vault:
        """Read the vault's key file (the database stays closed until unlock).

        Raises:
            VaultNotFound: nothing at ``path``.
            VaultDamaged: the key file is unreadable.
        """
        path = Path(path)
        if not cls.exists(path):
            if (path / DB_NAME).exists():
                raise VaultDamaged(
                    f"The vault key file ({KEY_NAME}) is missing from {path}. "
                    "The database was left untouched."
                )
            raise VaultNotFound(f"There is no vault at {path}.")
        return cls(path, KeyFile.load(path / KEY_NAME))

    def unlock(self, passphrase: str) -> None:
        """Unlock with the passphrase (slow on purpose: Argon2id)."""
        self._open_database(self.key_file.unwrap_with_passphrase(passphrase))

    def unlock_with_recovery_key(self, recovery_key: str) -> None:
        """Unlock with the recovery key."""
        self._open_database(self.key_file.unwrap_with_recovery_key(recovery_key))

    def _open_database(self, db_key: bytearray, *, creating: bool = False) -> None:
        if not creating and not self.db_path.exists():
            wipe(db_key)
            raise VaultDamaged(
                f"The vault database ({DB_NAME}) is missing from {self.path}. "
                "Restore it from a backup."
            )
        if not creating:
            self.open_warnings = self._inspect_before_open(db_key)
            scratch.sweep(self.path, BACKUP_DIR)
        install_change_tracking()
        db = Database(self.db_path, KeyHolder(db_key))
        try:
            _set_umask_private()
            migrate.upgrade_to_head(
                db.engine, backup=lambda revision: self._pre_migration_backup(db, revision)
            )
            self.device_id = _ensure_device_id(db)
            with db.read() as session:
                db.session_info[CLOCK_KEY] = load_clock(session, self.device_id)
        except KNOWN_DB_ERRORS as exc:
            db.close()
            raise translate_db_error(exc) from None
        except BaseException:
            db.close()
            raise
        self._db = db

    def _inspect_before_open(self, db_key: bytearray) -> tuple[str, ...]:
        """Refuse a damaged database before anything connects to it (so nothing is written).

        Raises:
            VaultDamaged: the open-time checks found damage (see ``open_checks``).
        """
        findings = open_checks.inspect(self.db_path, db_key)
        if findings.damage:
            wipe(db_key)
            raise VaultDamaged(
                f"The vault database is damaged: {'; '.join(findings.damage[:3])}. Nothing was "
                f"changed. {RESTORE_HOW}"
            )
        return findings.warnings

    # ------------------------------------------------------------------ lock and passphrase

    def lock(self) -> None:
        """Close the database, dispose every connection and overwrite the key."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def change_passphrase(self, new_passphrase: str, kdf: KdfParams | None = None) -> None:
        """Re-wrap the database key for a new passphrase. The database bytes do not change."""
        kdf = kdf or default_kdf_params() or calibrate_kdf()
        self.key_file.set_passphrase(self.db.keys.key, new_passphrase, kdf)
        self.key_file.save(self.key_path)

    # ------------------------------------------------------------------ integrity

    def check(self) -> list[str]:
        """Integrity problems (empty when the vault is sound)."""
        with self.db.engine.connect() as conn:
            problems = migrate.integrity_problems(conn)
            conn.rollback()
        return problems

    def schema_revision(self) -> str | None:
        """The vault's schema revision."""
        with self.db.engine.connect() as conn:
            revision = migrate.current_revision(conn)
            conn.rollback()
        return revision

    # ------------------------------------------------------------------ backup and restore

    def backup(self, out_file: Path) -> Path:
        """Write a verified, encrypted backup file (see :func:`write_backup`)."""
        return write_backup(self.path, self.db, self.key_file, Path(out_file))

    def _pre_migration_backup(self, db: Database, revision: str) -> None:
        directory = self.path / BACKUP_DIR
        _make_private_dir(directory)
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        out = directory / f"pre-migration-{revision}-{stamp}.cdbak"
        write_backup(self.path, db, self.key_file, out)
        old = sorted(directory.glob("pre-migration-*.cdbak"))
        for stale in old[:-KEEP_PRE_MIGRATION_BACKUPS]:
            stale.unlink()


# ====================================================================== backups
#
# A backup is one file (a zip, stored not compressed): the vault's key file as it was, and a
# SQLCipher copy of the database keyed with a backup key derived from the database key. So the
# passphrase of the time, or the recovery key, opens it on any machine; nothing in it is clear.


def write_backup(vault_dir: Path, db: Database, key_file: KeyFile, out_file: Path) -> Path:
    """Copy the open database into an encrypted backup file and verify it.

    Args:
        vault_dir: the vault directory (the encrypted staging copy is made inside it).
        db: the open database.
        key_file: the vault's key file, stored in the backup so it can be opened elsewhere.
        out_file: where to write; replaced atomically.

    Raises:
        BackupError: the backup could not be written or does not verify.
    """
    staging = vault_dir / BACKUP_DIR / f".staging-{new_id()}.db"
    _make_private_dir(staging.parent)
    try:
        with scratch.scratch_record(staging.with_suffix(scratch.RECORD_SUFFIX)) as record:
            _write_verified_backup(db, key_file, record.add(staging), Path(out_file), record)
    except OSError as exc:
        raise BackupError(f"The backup could not be written: {exc.strerror or exc}.") from None
    except KNOWN_DB_ERRORS as exc:
        # The staging copy is written by SQLite: a full disk arrives as a database error.
        if isinstance(translate_db_error(exc), DiskFull):
            raise BackupError(
                "The backup could not be written: the disk is full. Free some space and try "
                "again; the vault was not changed."
            ) from None
        raise
    return Path(out_file)


def _write_verified_backup(
    db: Database, key_file: KeyFile, staging: Path, out_file: Path, record: scratch.ScratchRecord
) -> None:
    backup_key = derive_subkey(db.keys.key, BACKUP_PURPOSE)
    try:
        _copy_database(db.path, db.keys.pragma(), staging, backup_key)
        _verify_copy(staging, backup_key)
        _zip_backup(key_file.to_json(), staging, out_file, record)
    finally:
        wipe(backup_key)
        for leftover in (staging, *_sqlite_siblings(staging)):
            leftover.unlink(missing_ok=True)


def _sqlite_siblings(db_file: Path) -> list[Path]:
    return [db_file.with_name(db_file.name + suffix) for suffix in ("-journal", "-wal", "-shm")]


def _raw_connection(path: Path, key_pragma: str) -> sqlcipher3.dbapi2.Connection:
    conn = sqlcipher3.dbapi2.connect(str(path), isolation_level=None)
    harden_connection(conn, key_pragma)
    return conn


def _pragma_for(key: bytearray) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _copy_database(source: Path, source_pragma: str, target: Path, target_key: bytearray) -> None:
    src = _raw_connection(source, source_pragma)
    dst = sqlcipher3.dbapi2.connect(str(target), isolation_level=None)
    try:
        dst.execute(_pragma_for(target_key))
        dst.execute("PRAGMA temp_store = MEMORY")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
    finally:
        dst.close()
        src.close()


def _verify_copy(path: Path, key: bytearray) -> None:
    conn = sqlcipher3.dbapi2.connect(str(path), isolation_level=None)
    try:
        conn.execute(_pragma_for(key))
        cipher = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlcipher3.dbapi2.DatabaseError as exc:
        raise BackupError(f"The backup is damaged: its copy does not verify ({exc}).") from None
    finally:
        conn.close()
    if cipher or integrity != ["ok"]:
        raise BackupError("The backup copy failed its integrity check; it was not kept.")


def _zip_backup(
    key_json: str, db_copy: Path, out_file: Path, record: scratch.ScratchRecord
) -> None:
    tmp = record.add(out_file.with_name(f".{out_file.name}{scratch.PARTIAL_SUFFIX}"))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr("casedesk-backup.txt", "casedesk encrypted backup, format 1\n")
                archive.writestr(KEY_NAME, key_json)
                archive.write(db_copy, DB_NAME)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out_file)
    except BaseException:
        # e.g. the disk filled up mid-write: never leave a half-written backup behind.
        tmp.unlink(missing_ok=True)
        raise


def read_backup_key_file(backup_file: Path) -> KeyFile:
    """The key file stored inside a backup.

    Raises:
        VaultDamaged: the file is not a casedesk backup or is damaged.
    """
    try:
        with zipfile.ZipFile(backup_file) as archive:
            key_json = archive.read(KEY_NAME)
            archive.getinfo(DB_NAME)
    except FileNotFoundError:
        raise VaultNotFound(f"There is no backup file at {backup_file}.") from None
    except (zipfile.BadZipFile, KeyError, OSError):
        raise VaultDamaged(
            f"{backup_file.name} is not a casedesk backup, or it is damaged."
        ) from None
    return KeyFile.from_bytes(key_json, KEY_NAME)


def restore_backup(backup_file: Path, target: Path, db_key: bytearray, key_file: KeyFile) -> Path:
    """Restore a backup into ``target`` (a new vault directory), verified before it is used.

    Existing data is never overwritten: a vault already at ``target`` is moved aside first.

    Args:
        backup_file: the ``.cdbak`` file.
        target: the vault directory to restore into.
        db_key: the database key unwrapped from the backup's key file.
        key_file: the backup's key file (becomes the restored vault's key file).

    Returns:
        Where an existing vault was moved aside to (or ``target`` when there was none).
    """
    _make_private_dir(target.parent)
    staging = target.with_name(f".{target.name}.restoring-{new_id()}")
    with scratch.scratch_record(staging.with_name(staging.name + scratch.RECORD_SUFFIX)) as record:
        _make_private_dir(record.add(staging))
        return _restore_into(backup_file, target, staging, db_key, key_file)


def _restore_into(
    backup_file: Path, target: Path, staging: Path, db_key: bytearray, key_file: KeyFile
) -> Path:
    backup_key = derive_subkey(db_key, BACKUP_PURPOSE)
    moved_aside = target
    try:
        copy = staging / ".backup-copy.db"
        try:
            with zipfile.ZipFile(backup_file) as archive, archive.open(DB_NAME) as src:
                fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        except (zipfile.BadZipFile, KeyError):
            # e.g. a flipped byte: the member's CRC no longer matches.
            raise BackupError(
                f"The backup {backup_file.name} is damaged (its checksum does not match), so "
                "it was not restored. Nothing was changed."
            ) from None
        _verify_copy(copy, backup_key)
        _copy_database(copy, _pragma_for(backup_key), staging / DB_NAME, db_key)
        copy.unlink()
        key_file.save(staging / KEY_NAME)
        if target.exists():
            moved_aside = target.with_name(f"{target.name}.before-restore-{_stamp()}")
            target.rename(moved_aside)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        wipe(backup_key)
    return moved_aside


# ====================================================================== helpers


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _set_umask_private() -> None:
    # Files SQLite creates later (-wal, -shm) inherit the process umask.
    os.umask(0o077)


def _make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        path.chmod(0o700)


def _ensure_device_id(db: Database) -> str:
    with db.session() as session:
        meta = session.get(LocalMeta, "device_id")
        if meta is None:
            meta = LocalMeta(key="device_id", value=new_id())
            session.add(meta)
        return meta.value


def sqlite_scalar(db: Database, sql: str) -> object:
    """Convenience for diagnostics: run one read-only statement."""
    with db.engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
        conn.rollback()
    return value

"""Encrypted backups: verified, keyed separately, tamper-evident; restore never loses data."""

from __future__ import annotations

import secrets
import zipfile
from pathlib import Path
from typing import Any

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage.errors import BackupError, VaultDamaged, WrongPassphrase
from casedesk.storage.keys import TEST_KDF, derive_subkey
from casedesk.storage.vault import BACKUP_PURPOSE, read_backup_key_file
from vaultkit import NEW_PASSPHRASE, PASSPHRASE, canary_hits, raw_db, tree_digest


@pytest.fixture
def service(tmp_path: Path) -> VaultService:
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create(PASSPHRASE)
    return vault


def _add(service: VaultService, given: str, note: str) -> str:
    client = ClientService(service.db).add_client(ClientInput(given, "Backup"))
    NoteService(service.db).add_note(NoteInput(client.id, note))
    return client.id


def _names(service: VaultService) -> list[str]:
    return sorted(r.given_name for r in ClientService(service.db).list_clients())


def _unzip_db(backup: Path, into: Path) -> Path:
    with zipfile.ZipFile(backup) as archive:
        archive.extract("casedesk.db", into)
    return into / "casedesk.db"


def test_backup_is_encrypted_verified_and_opens_only_with_the_backup_key(
    service: VaultService, tmp_path: Path
) -> None:
    canary = f"CANARY-{secrets.token_hex(8)}"
    _add(service, canary, f"note mentioning {canary}")
    db_key = bytes(service.db.keys.key)
    backup = service.backup(tmp_path / "b.cdbak")
    service.lock()

    assert backup.stat().st_mode & 0o777 == 0o600
    assert canary_hits(canary, tmp_path) == []
    with zipfile.ZipFile(backup) as archive:
        assert set(archive.namelist()) == {"casedesk-backup.txt", "vault.key", "casedesk.db"}
    copy = _unzip_db(backup, tmp_path / "unzipped")
    with raw_db(copy, derive_subkey(db_key, BACKUP_PURPOSE)) as conn:
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT given_name FROM client").fetchall() == [(canary,)]
    for wrong in (db_key, bytes(32)):  # the vault's own key and an arbitrary key both fail
        with raw_db(copy, wrong) as conn, pytest.raises(Exception, match="not a database"):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()


def test_backup_opens_with_passphrase_or_recovery_key_only(
    service: VaultService, tmp_path: Path
) -> None:
    _add(service, "Original", "kept")
    backup = service.backup(tmp_path / "b.cdbak")
    service.lock()
    key_file = read_backup_key_file(backup)
    with pytest.raises(WrongPassphrase):
        key_file.unwrap_with_passphrase("a guess")
    assert len(key_file.unwrap_with_passphrase(PASSPHRASE)) == 32


def test_restore_into_existing_vault_moves_it_aside(service: VaultService, tmp_path: Path) -> None:
    _add(service, "Before", "in the backup")
    backup = service.backup(tmp_path / "b.cdbak")
    _add(service, "After", "only in the live vault")
    service.lock()
    live_digest = tree_digest(service.path)

    moved = service.restore(backup, passphrase=PASSPHRASE)
    assert moved != service.path and moved.exists()
    assert tree_digest(moved) == {
        k.replace(service.path.name, moved.name, 1): v for k, v in live_digest.items()
    }
    service.unlock(PASSPHRASE)
    assert _names(service) == ["Before"]
    assert service.check().sound
    service.lock()

    aside = VaultService(moved)
    aside.unlock(PASSPHRASE)
    assert _names(aside) == ["After", "Before"]  # nothing lost
    aside.lock()


def test_restore_with_recovery_key_after_passphrase_change(
    tmp_path: Path,
) -> None:
    service = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    recovery = service.create(PASSPHRASE)
    _add(service, "Kept", "x")
    backup = service.backup(tmp_path / "b.cdbak")
    service.change_passphrase(NEW_PASSPHRASE)
    service.lock()

    target = VaultService(tmp_path / "elsewhere")
    with pytest.raises(WrongPassphrase):  # the backup keeps the passphrase of its time
        target.restore(backup, passphrase=NEW_PASSPHRASE)
    assert not target.path.exists()
    target.restore(backup, recovery_key=recovery)
    target.unlock(PASSPHRASE)
    assert _names(target) == ["Kept"]
    target.lock()


def _flip_in_place(backup: Path, where: str) -> None:
    """Flip one bit of the stored database member (the zip CRC no longer matches)."""
    with zipfile.ZipFile(backup) as archive:
        info = archive.getinfo("casedesk.db")
    data = bytearray(backup.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)  # stored member
    data[start + (info.file_size // 2 if where == "middle" else 100)] ^= 0x01
    backup.write_bytes(bytes(data))


def _flip_and_rezip(backup: Path, where: str) -> None:
    """Flip one bit and rebuild the zip, so only SQLCipher's page HMACs can catch it."""
    with zipfile.ZipFile(backup) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    db = bytearray(members["casedesk.db"])
    db[len(db) // 2 if where == "middle" else 100] ^= 0x01
    members["casedesk.db"] = bytes(db)
    with zipfile.ZipFile(backup, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


@pytest.mark.parametrize("where", ["middle", "header"])
@pytest.mark.parametrize("tamper", [_flip_in_place, _flip_and_rezip])
def test_byte_flipped_backup_is_rejected(
    service: VaultService, tmp_path: Path, where: str, tamper: Any
) -> None:
    _add(service, "Precious", "data")
    backup = service.backup(tmp_path / "b.cdbak")
    service.lock()
    tamper(backup, where)
    live_before = tree_digest(service.path)

    with pytest.raises((BackupError, VaultDamaged)) as caught:
        service.restore(backup, passphrase=PASSPHRASE)
    message = str(caught.value).lower()
    assert "backup" in message or "damaged" in message
    assert tree_digest(service.path) == live_before  # the live vault was not touched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.cdbak", "vault"]  # no leftovers


def test_not_a_backup_is_a_clear_error(service: VaultService, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.cdbak"
    bogus.write_bytes(b"definitely not a zip")
    service.lock()
    with pytest.raises(VaultDamaged, match="not a casedesk backup"):
        service.restore(bogus, passphrase=PASSPHRASE)

"""Vault lifecycle on real SQLCipher files: create, unlock, lock, passphrase change, refusals."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from casedesk.domain.clients import ClientInput
from casedesk.services.clients import ClientService
from casedesk.storage.errors import (
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from casedesk.storage.keys import TEST_KDF, KdfParams
from casedesk.storage.vault import CreatedVault, Vault
from vaultkit import NEW_PASSPHRASE, PASSPHRASE, WRONG_PASSPHRASE, raw_db, tree_digest


def _add_client(vault: Vault, given: str = "Ada", family: str = "Lovelace") -> str:
    return ClientService(vault.db).add_client(ClientInput(given, family)).id


def _names(vault: Vault) -> list[str]:
    return [row.given_name for row in ClientService(vault.db).list_clients()]


def test_create_makes_owner_only_files(vault: Vault, vault_path: Path) -> None:
    _add_client(vault)
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o700
    files = [p for p in vault_path.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"casedesk.db", "vault.key"}
    for path in files:  # includes -wal and -shm while the vault is open
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_key_file_holds_no_secret_in_clear(created: CreatedVault, vault_path: Path) -> None:
    vault = created.vault
    key_text = (vault_path / "vault.key").read_bytes()
    raw_key = bytes(vault.db.keys.key)
    assert raw_key not in key_text
    assert raw_key.hex().encode() not in key_text
    assert PASSPHRASE.encode() not in key_text
    assert created.recovery_key.encode() not in key_text


def test_database_is_encrypted_and_needs_the_raw_key(vault: Vault, vault_path: Path) -> None:
    _add_client(vault, "Zebedee", "Quux")
    key = bytes(vault.db.keys.key)
    vault.lock()
    header = (vault_path / "casedesk.db").read_bytes()[:16]
    assert header != b"SQLite format 3\x00"
    with raw_db(vault_path / "casedesk.db", key) as conn:
        assert conn.execute("SELECT given_name FROM client").fetchall() == [("Zebedee",)]
    wrong = raw_db(vault_path / "casedesk.db", b"\x01" * 32)
    with wrong as conn, pytest.raises(Exception, match="not a database"):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()


def test_every_connection_is_keyed_and_hardened(vault: Vault) -> None:
    engine = vault.db.engine
    assert "x'" not in str(engine.url) and vault.db.keys.key.hex() not in repr(engine)
    with engine.connect() as first, engine.connect() as second:  # two pooled connections
        for conn in (first, second):
            pragma = lambda name, c=conn: c.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
            assert pragma("temp_store") == 2  # MEMORY: no plaintext temp files
            assert pragma("foreign_keys") == 1
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("cipher_integrity_check") is None  # keyed: HMACs verify
            assert int(pragma("cipher_memory_security")) in (0, 1)


def test_lock_disposes_engine_and_overwrites_key(vault: Vault) -> None:
    holder = vault.db.keys
    buffer = holder.key
    assert any(buffer)
    vault.lock()
    assert not vault.is_unlocked
    assert bytes(buffer) == bytes(len(buffer))
    with pytest.raises(VaultLocked):
        _ = vault.db
    with pytest.raises(VaultLocked):
        holder.pragma()


def test_reopen_keeps_data_and_device_id(vault: Vault, vault_path: Path) -> None:
    _add_client(vault, "Grace", "Hopper")
    device = vault.device_id
    vault.lock()
    again = Vault.open(vault_path)
    again.unlock(PASSPHRASE)
    try:
        assert _names(again) == ["Grace"]
        assert again.device_id == device
        assert again.check() == []
    finally:
        again.lock()


def test_wrong_passphrase_five_times_changes_nothing(vault: Vault, vault_path: Path) -> None:
    _add_client(vault)
    vault.lock()
    before = tree_digest(vault_path)
    for attempt in range(5):
        candidate = Vault.open(vault_path)
        with pytest.raises(WrongPassphrase, match="passphrase does not open"):
            candidate.unlock(f"{WRONG_PASSPHRASE} {attempt}")
        assert not candidate.is_unlocked
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path).unlock_with_recovery_key("A" * 52)
    assert tree_digest(vault_path) == before  # same bytes, no new files


def test_passphrase_change_rewraps_only(created: CreatedVault, vault_path: Path) -> None:
    vault = created.vault
    _add_client(vault, "Katherine", "Johnson")
    vault.lock()
    db_before = (vault_path / "casedesk.db").read_bytes()
    key_before = (vault_path / "vault.key").read_bytes()

    vault = Vault.open(vault_path)
    vault.unlock(PASSPHRASE)
    vault.change_passphrase(NEW_PASSPHRASE, TEST_KDF)
    vault.lock()

    assert (vault_path / "casedesk.db").read_bytes() == db_before  # re-wrap only
    assert (vault_path / "vault.key").read_bytes() != key_before
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path).unlock(PASSPHRASE)
    for unlock in (
        lambda v: v.unlock(NEW_PASSPHRASE),
        lambda v: v.unlock_with_recovery_key(created.recovery_key),
    ):
        reopened = Vault.open(vault_path)
        unlock(reopened)
        assert _names(reopened) == ["Katherine"]
        reopened.lock()
    assert (vault_path / "casedesk.db").read_bytes() == db_before


def test_passphrase_change_never_weakens_kdf(vault: Vault, vault_path: Path) -> None:
    stronger = KdfParams(time_cost=2, memory_kib=2048, parallelism=1)
    vault.change_passphrase(NEW_PASSPHRASE, stronger)
    vault.change_passphrase(PASSPHRASE, TEST_KDF)  # asks for weaker: keeps the stronger
    assert Vault.open(vault_path).key_file.kdf == stronger


def test_recovery_key_is_tolerant_of_how_it_is_typed(created: CreatedVault) -> None:
    vault_path = created.vault.path
    created.vault.lock()
    typed = " ".join(created.recovery_key.lower().split("-"))
    reopened = Vault.open(vault_path)
    reopened.unlock_with_recovery_key(f"  {typed}\n")
    assert reopened.is_unlocked
    reopened.lock()


def test_create_refuses_an_existing_vault(vault: Vault, vault_path: Path) -> None:
    _add_client(vault)
    vault.lock()
    before = tree_digest(vault_path)
    with pytest.raises(VaultExists):
        Vault.create(vault_path, "another passphrase entirely", kdf=TEST_KDF)
    (vault_path / "vault.key").rename(vault_path / "vault.key.aside")
    with pytest.raises(VaultExists):  # a lone database is not overwritten either
        Vault.create(vault_path, "another passphrase entirely", kdf=TEST_KDF)
    (vault_path / "vault.key.aside").rename(vault_path / "vault.key")
    assert tree_digest(vault_path) == before


def test_open_reports_missing_pieces(tmp_path: Path, vault: Vault, vault_path: Path) -> None:
    with pytest.raises(VaultNotFound):
        Vault.open(tmp_path / "nowhere")
    vault.lock()
    (vault_path / "vault.key").rename(tmp_path / "vault.key")
    with pytest.raises(VaultDamaged, match="key file"):
        Vault.open(vault_path)
    (tmp_path / "vault.key").rename(vault_path / "vault.key")
    (vault_path / "casedesk.db").rename(tmp_path / "casedesk.db")
    with pytest.raises(VaultDamaged, match="missing"):
        Vault.open(vault_path).unlock(PASSPHRASE)
    assert not (vault_path / "casedesk.db").exists()  # not recreated


@pytest.mark.parametrize("size", [0, 1, 100, 4095])
def test_truncated_database_is_refused_not_recreated(
    vault: Vault, vault_path: Path, size: int
) -> None:
    _add_client(vault)
    vault.lock()
    with open(vault_path / "casedesk.db", "r+b") as handle:
        handle.truncate(size)
    before = tree_digest(vault_path)
    with pytest.raises(VaultDamaged, match="truncated"):
        Vault.open(vault_path).unlock(PASSPHRASE)
    assert tree_digest(vault_path) == before

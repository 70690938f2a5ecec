"""Leak test (canary method): client data never appears in clear in any file we could touch.

A random canary goes into a client's names, identifiers, notes, an amendment and a draft; then
every file in the vault directory (database, -wal, -shm, key file, backups, pre-migration
backups, a restored-over vault) and in private HOME/TMPDIR/XDG directories is searched for it as
UTF-8, UTF-16-LE and UTF-16-BE, as typed and lower-cased (FTS stores folded tokens).
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.drafts import DraftService
from casedesk.services.errors import FileRefused
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.vault import Vault
from vaultkit import (
    PASSPHRASE,
    canary_hits,
    load_fixture_builder,
    private_dirs,
    private_env,
    run_cli,
)


@pytest.fixture
def canary() -> str:
    return f"Canary{secrets.token_hex(8)}"


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Point this process's TMPDIR/HOME/XDG dirs at fresh directories (for in-process flows)."""
    env = private_env(tmp_path / "private")
    for name in ("HOME", "TMPDIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    yield private_dirs(tmp_path / "private")


def test_services_flow_leaves_no_plaintext(
    tmp_path: Path, canary: str, private_tmp: list[Path]
) -> None:
    service = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    service.create(PASSPHRASE)
    clients, notes = ClientService(service.db), NoteService(service.db)
    client = clients.add_client(
        ClientInput(
            canary,
            f"{canary}family",
            preferred_name=canary,
            town=canary,
            notes=f"Background: {canary}",
            identifiers=(("Agency ref", canary),),
        )
    )
    for index in range(30):
        notes.add_note(NoteInput(client.id, f"Visit {index}: {canary} said " + "words " * 200))
    locked = notes.add_note(NoteInput(client.id, f"Locked {canary}"), lock=True)
    notes.amend_note(locked.id, f"Amendment about {canary}")
    clients.update_client(client.id, ClientInput(canary, f"{canary}family", town="Elsewhere"))
    DraftService(service.db).save(f"note:new:{client.id}", {"body": f"typing {canary}"})
    assert notes.search_notes(canary) and clients.search_clients(canary[:8])
    with pytest.raises(FileRefused):  # a backup is never written inside a vault folder
        service.backup(tmp_path / "vault" / "backups" / "manual.cdbak")
    service.backup(tmp_path / "outside.cdbak")

    live_files = {p.name for p in (tmp_path / "vault").iterdir()}
    assert {"casedesk.db-wal", "casedesk.db-shm"} <= live_files  # searched while open
    assert canary_hits(canary, tmp_path / "vault", tmp_path / "outside.cdbak", *private_tmp) == []
    service.lock()
    assert canary_hits(canary, tmp_path, *private_tmp) == []


def test_pre_migration_backup_leaves_no_plaintext(
    tmp_path: Path, canary: str, private_tmp: list[Path]
) -> None:
    fixture = load_fixture_builder()

    def add_canary(db: object) -> None:
        client = ClientService(db).add_client(ClientInput(canary, "Premigration"))  # type: ignore[arg-type]
        NoteService(db).add_note(NoteInput(client.id, f"old schema note {canary}"))  # type: ignore[arg-type]

    vault_dir = tmp_path / "old-vault"
    fixture.build_v1_vault(vault_dir, demo_clients=0, extra=add_canary)
    vault = Vault.open(vault_dir)
    vault.unlock(fixture.FIXTURE_PASSPHRASE)  # migrates, after a pre-migration backup
    assert list((vault_dir / "backups").glob("pre-migration-0001-*.cdbak"))
    assert canary_hits(canary, vault_dir, *private_tmp) == []
    vault.lock()
    assert canary_hits(canary, tmp_path, *private_tmp) == []


def test_cli_flow_in_private_dirs_leaves_no_plaintext(tmp_path: Path, canary: str) -> None:
    base = tmp_path / "cli"
    vault_dir = base / "home" / "vault"
    env = private_env(base, CASEDESK_VAULT=str(vault_dir), CASEDESK_PASSPHRASE=PASSPHRASE)
    service = VaultService(vault_dir, kdf=TEST_KDF)  # init is covered by test_cli_vault
    service.create(PASSPHRASE)
    service.lock()

    added = run_cli(["client", "add", "--given", canary, "--family", f"{canary}x"], env)
    assert added.returncode == 0, added.stderr
    client_id = added.stdout.strip()
    note = run_cli(["note", "add", "--client", client_id, "--text", f"{canary} " * 50], env)
    assert note.returncode == 0, note.stderr
    found = run_cli(["search", canary, "--json"], env)
    assert found.returncode == 0 and canary in found.stdout  # shown to the user, on purpose
    backup_file = base / "home" / "exports" / "vault.cdbak"
    backup_file.parent.mkdir(parents=True)
    backed_up = run_cli(["backup", "--out", str(backup_file)], env)
    assert backed_up.returncode == 0, backed_up.stderr
    restored = run_cli(["restore", str(backup_file)], env)  # moves the live vault aside
    assert restored.returncode == 0, restored.stderr
    assert len(list(vault_dir.parent.glob("vault.before-restore-*"))) == 1

    assert canary_hits(canary, tmp_path) == []  # vault, moved-aside vault, backup, HOME, TMPDIR
    assert canary not in added.stderr + note.stderr + backed_up.stderr + restored.stderr


def test_the_search_would_see_a_leak(tmp_path: Path, canary: str) -> None:
    # Positive control: the same search finds the canary in each form it looks for.
    (tmp_path / "utf8.txt").write_text(f"x {canary} y", encoding="utf-8")
    (tmp_path / "utf16.bin").write_bytes(canary.encode("utf-16-le"))
    (tmp_path / "folded.idx").write_bytes(canary.lower().encode())
    (tmp_path / "clean.bin").write_bytes(canary[:-1].encode())
    hits = canary_hits(canary, tmp_path)
    assert len(hits) == 3 and not any("clean.bin" in hit for hit in hits)

"""A full disk, for real: plain errors, no partial writes, nothing lost, and recovery after.

The vault lives on a tiny tmpfs mounted for the test (root only). A filler file takes every
free block; then notes are added through the services and through the CLI until a write fails.
Pass: ``DiskFull`` (services) or a plain message and exit 1 (CLI), no traceback; the failed note
and its outbox row are both absent, every earlier note is still there; after space is freed
``casedesk check`` passes and new notes are accepted. A backup onto the full disk fails with a
plain message and leaves no partial file.

Where mounting is not permitted (not root, no ``CAP_SYS_ADMIN``) the same services scenario
runs in a subprocess whose file-size limit (``RLIMIT_FSIZE``, SIGXFSZ ignored) makes the
database file stop growing: a weaker simulation (one file, not the disk), reported by name in
the test id so a run shows which one ran.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput
from casedesk.services.bundle import Services
from casedesk.services.errors import BackupError, DiskFull
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import CaseNote, OutboxOp
from vaultkit import PASSPHRASE, private_env, run_cli

DISK_MIB = 12
NOTE_TEXT = "Home visit; talked through the tenancy letter and the budget. " * 300  # ~19 KB
MAX_ATTEMPTS = 400


def _try_mount(where: Path) -> bool:
    where.mkdir()
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MIB}m,mode=0700", "tmpfs", str(where)],
        capture_output=True, check=False,
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A fresh tmpfs of DISK_MIB MiB, unmounted afterwards (skips when mounting is refused)."""
    disk = tmp_path / "disk"
    if not _try_mount(disk):
        pytest.skip("mounting a tmpfs is not permitted here; the RLIMIT_FSIZE variant runs")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False, capture_output=True)
        subprocess.run(["umount", "-l", str(disk)], check=False, capture_output=True)


def fill(disk: Path, name: str = "filler", leave: int = 0) -> Path:
    """Take every free byte of ``disk`` (then give back ``leave`` bytes)."""
    filler = disk / name
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1):
            block = b"\0" * size
            while True:
                try:
                    os.write(fd, block)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def _note_state(services: Services, client_id: str) -> tuple[list[str], int, int]:
    """(note bodies' markers, notes, outbox rows for notes) for the client."""
    markers = sorted(n.body.split(":", 1)[0] for n in services.notes.list_notes(client_id))
    with services.vault.db.read() as session:
        notes = session.scalar(select(func.count()).select_from(CaseNote)) or 0
        outbox = session.scalar(
            select(func.count()).select_from(OutboxOp).where(
                OutboxOp.table_name == "case_note", OutboxOp.kind == "insert"
            )
        ) or 0
        orphans = session.scalar(
            select(func.count()).select_from(OutboxOp).where(
                OutboxOp.table_name == "case_note", OutboxOp.row_id.not_in(select(CaseNote.id))
            )
        )
    assert orphans == 0, "an outbox row without its note"
    return markers, notes, outbox


def _add_until_full(services: Services, client_id: str, prefix: str) -> tuple[list[str], str]:
    """Add notes until the disk refuses one; return the saved markers and the failed one."""
    saved: list[str] = []
    for attempt in range(MAX_ATTEMPTS):
        marker = f"{prefix}{attempt:04d}"
        try:
            services.notes.add_note(NoteInput(client_id, f"{marker}: {NOTE_TEXT}"))
        except DiskFull as exc:
            assert "disk is full" in str(exc) and "not saved" in str(exc)
            return saved, marker
        saved.append(marker)
    raise AssertionError(f"{MAX_ATTEMPTS} notes fitted on a full {DISK_MIB} MiB disk")


def test_full_disk_refuses_notes_plainly_and_recovers(small_disk: Path, tmp_path: Path) -> None:
    vault_dir = small_disk / "vault"
    vault = VaultService(vault_dir, kdf=TEST_KDF)
    vault.create(PASSPHRASE)
    services = Services.for_vault(vault)
    client_id = services.clients.add_client(ClientInput("Dana", "Fuller")).id
    for index in range(3):
        services.notes.add_note(NoteInput(client_id, f"early{index}: {NOTE_TEXT}"))
    filler = fill(small_disk)

    # Services: DiskFull, and the failed note is absent together with its outbox row.
    saved, failed = _add_until_full(services, client_id, "svc")
    markers, notes, outbox = _note_state(services, client_id)
    expected = sorted(["early0", "early1", "early2", *saved])
    assert markers == expected and failed not in markers
    assert notes == outbox == len(expected)
    with pytest.raises(DiskFull):  # still full: refused again, not half-saved
        services.notes.add_note(NoteInput(client_id, f"again: {NOTE_TEXT}"))
    assert _note_state(services, client_id)[0] == expected
    vault.lock()

    # CLI: room to open the vault, not for the note. A plain message, exit 1, nothing saved.
    fill(small_disk, "filler2", leave=96 * 1024)
    env = private_env(tmp_path / "cli", CASEDESK_VAULT=str(vault_dir),
                      CASEDESK_PASSPHRASE=PASSPHRASE)
    refused = run_cli(["note", "add", "--client", client_id, "--text", "cli0: " + "x" * 99_000],
                      env)
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert "disk is full" in refused.stderr.lower()
    assert "Traceback" not in refused.stderr and refused.stdout == ""

    # Space freed: the vault is sound, keeps every earlier note and accepts new ones.
    filler.unlink()
    (small_disk / "filler2").unlink()
    checked = run_cli(["check"], env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "integrity: ok" in checked.stdout
    vault.unlock(PASSPHRASE)
    services = Services.for_vault(vault)
    services.notes.add_note(NoteInput(client_id, f"after: {NOTE_TEXT}"))
    markers, notes, outbox = _note_state(services, client_id)
    assert markers == sorted([*expected, "after"])
    assert notes == outbox == len(expected) + 1
    vault.lock()


def test_backup_onto_a_full_disk_fails_plainly_and_leaves_no_file(
    small_disk: Path, tmp_path: Path
) -> None:
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)  # the vault itself has room
    vault.create(PASSPHRASE)
    services = Services.for_vault(vault)
    client_id = services.clients.add_client(ClientInput("Bo", "Backup")).id
    for index in range(40):
        services.notes.add_note(NoteInput(client_id, f"b{index}: {NOTE_TEXT}"))
    target = small_disk / "exports"
    target.mkdir()
    fill(small_disk, leave=256 * 1024)  # room to start writing, not to finish

    with pytest.raises(BackupError) as caught:
        vault.backup(target / "vault.cdbak")
    assert "could not be written" in str(caught.value)
    assert "No space left on device" in str(caught.value) or "disk is full" in str(caught.value)
    assert list(target.iterdir()) == []  # no backup, no .partial left behind
    assert list((tmp_path / "vault" / "backups").iterdir()) == []  # staging copy removed
    vault.backup(tmp_path / "elsewhere.cdbak")  # the vault is fine; a backup with room works
    vault.lock()


def test_backup_of_a_vault_on_a_full_disk_fails_plainly(small_disk: Path) -> None:
    vault_dir = small_disk / "vault"
    vault = VaultService(vault_dir, kdf=TEST_KDF)
    vault.create(PASSPHRASE)
    services = Services.for_vault(vault)
    client_id = services.clients.add_client(ClientInput("Cy", "Copy")).id
    for index in range(20):
        services.notes.add_note(NoteInput(client_id, f"c{index}: {NOTE_TEXT}"))
    fill(small_disk)  # not even room for the encrypted staging copy

    with pytest.raises(BackupError) as caught:
        vault.backup(small_disk / "vault.cdbak")
    assert "disk is full" in str(caught.value) or "No space left" in str(caught.value)
    assert not (small_disk / "vault.cdbak").exists()
    assert not list(small_disk.glob(".*partial"))
    assert list((vault_dir / "backups").iterdir()) == []
    assert len(services.notes.list_notes(client_id)) == 20
    vault.lock()


# ------------------------------------------------------------------ fallback: RLIMIT_FSIZE

RLIMIT_DRIVER = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    from casedesk.domain.clients import ClientInput
    from casedesk.domain.notes import NoteInput
    from casedesk.services.bundle import Services
    from casedesk.services.errors import DiskFull
    from casedesk.services.vault_service import VaultService
    from casedesk.storage.keys import TEST_KDF

    vault = VaultService(Path(sys.argv[1]), kdf=TEST_KDF)
    vault.create(sys.argv[2])
    services = Services.for_vault(vault)
    client = services.clients.add_client(ClientInput("Dana", "Fuller"))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    largest = max(p.stat().st_size for p in Path(sys.argv[1]).iterdir() if p.is_file())
    limit = largest + 256 * 1024  # every file (the -wal too) may grow by 256 KiB
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    saved, error = [], ""
    for attempt in range(400):
        try:
            services.notes.add_note(NoteInput(client.id, f"n{attempt}: " + sys.argv[3]))
        except DiskFull as exc:
            error = str(exc)
            break
        saved.append(f"n{attempt}")
    stored = sorted(n.body.split(":", 1)[0] for n in services.notes.list_notes(client.id))
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    services.notes.add_note(NoteInput(client.id, "after: more room"))
    health = vault.check()
    print(json.dumps({"saved": sorted(saved), "stored": stored, "error": error,
                      "sound": health.sound}))
    vault.lock()
    """
)


def test_file_size_limit_variant_when_mounting_is_not_permitted(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    if _try_mount(probe):
        subprocess.run(["umount", str(probe)], check=False)
        pytest.skip("tmpfs mounting works here, so the real full-disk tests above ran")
    script = tmp_path / "driver.py"
    script.write_text(RLIMIT_DRIVER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "vault"), PASSPHRASE, NOTE_TEXT],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "CASEDESK_KDF": "test"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "disk is full" in result["error"]
    assert result["saved"] and result["stored"] == result["saved"] and result["sound"]

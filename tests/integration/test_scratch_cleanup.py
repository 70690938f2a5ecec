"""Backups and restores killed half-way leave no scratch behind once the vault opens again.

A child process runs a real backup or restore and stops at a chosen point (it says where it is,
then waits on its stdin), and the test SIGKILLs it there. Its full-size scratch files are on disk
then; while the child is alive, opening the vault must leave them alone (the operation is still
running); after the kill, the next open removes them, and nothing else: not the vault, not an
earlier backup, not a backup's target directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.services.clients import ClientService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from vaultkit import PASSPHRASE, private_env, tree_digest

CHILD = r"""
import os, sys
from casedesk.services.vault_service import VaultService
from casedesk.storage import vault as vault_module

operation, vault_dir, target = sys.argv[1], sys.argv[2], sys.argv[3]


def stop_here(name, original):
    def stopped(*args, **kwargs):
        result = original(*args, **kwargs)
        os.write(1, f"at {name}\n".encode())
        sys.stdin.readline()  # wait to be killed
        return result
    return stopped


if operation == "backup-staged":  # the staging copy is written and verified
    vault_module._verify_copy = stop_here("staged", vault_module._verify_copy)
elif operation == "backup-partial":  # the partial backup file is written, not yet renamed
    vault_module.os.fsync = stop_here("partial", vault_module.os.fsync)
else:  # restore: the staging vault directory holds the restored copy
    vault_module._copy_database = stop_here("restoring", vault_module._copy_database)

service = VaultService(vault_dir)
if operation.startswith("backup"):
    service.unlock(os.environ["CASEDESK_PASSPHRASE"])
    service.backup(target)
else:
    service.restore(target, passphrase=os.environ["CASEDESK_PASSPHRASE"])
"""


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    service = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    service.create(PASSPHRASE)
    clients = ClientService(service.db)
    for index in range(30):
        clients.add_client(ClientInput(f"Scratch{index}", "Person"))
    # A real backup kept in the vault's own backups folder (as pre-migration backups are): it
    # is written outside, since a backup the user names may not go inside the vault folder.
    made = service.backup(tmp_path / "kept-earlier.cdbak")
    shutil.move(made, tmp_path / "vault" / "backups" / made.name)
    service.lock()
    return service.path


class Child:
    """A backup or restore stopped at a point, to be killed there."""

    def __init__(self, operation: str, vault_dir: Path, target: Path, env: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, operation, str(vault_dir), str(target)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.process.stdout is not None
        self.where = self.process.stdout.readline().decode().strip()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        assert self.process.returncode == -signal.SIGKILL


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return private_env(tmp_path / "env", CASEDESK_PASSPHRASE=PASSPHRASE, CASEDESK_KDF="test")


@pytest.fixture
def children() -> Iterator[list[Child]]:
    made: list[Child] = []
    yield made
    for child in made:  # a failed test must not leave a child waiting forever
        if child.process.poll() is None:
            child.kill()


def _open_and_close(vault_dir: Path) -> None:
    service = VaultService(vault_dir)
    service.unlock(PASSPHRASE)
    service.lock()


def _scratch(*folders: Path) -> list[str]:
    return sorted(
        str(p.relative_to(p.parents[1]))
        for folder in folders
        for p in folder.rglob(".*")
        if ".staging-" in p.name or ".partial" in p.name or ".restoring-" in p.name
    )


@pytest.mark.parametrize(
    ("operation", "stopped_at"), [("backup-staged", "staged"), ("backup-partial", "partial")]
)
def test_killed_backup_leaves_nothing_after_the_next_open(
    operation: str,
    stopped_at: str,
    vault_dir: Path,
    tmp_path: Path,
    env: dict[str, str],
    children: list[Child],
) -> None:
    out_dir = tmp_path / "usb-stick"
    out_dir.mkdir()
    (out_dir / "someone-elses.txt").write_text("not ours")
    child = Child(operation, vault_dir, out_dir / "weekly.cdbak", env)
    children.append(child)
    assert child.where == f"at {stopped_at}"
    left = _scratch(vault_dir, out_dir)
    assert left, "the stopped backup should have scratch files on disk"
    kept = tree_digest(vault_dir / "backups")
    _open_and_close(vault_dir)  # the backup is still running: its scratch stays
    assert _scratch(vault_dir, out_dir) == left
    child.kill()
    _open_and_close(vault_dir)
    assert _scratch(vault_dir, out_dir) == []
    assert not list((vault_dir / "backups").glob("*.lock"))
    remaining = tree_digest(vault_dir / "backups")
    assert remaining == {k: v for k, v in kept.items() if "kept-earlier" in k}
    assert sorted(p.name for p in out_dir.iterdir()) == ["someone-elses.txt"]


def test_killed_restore_leaves_nothing_after_the_next_open(
    vault_dir: Path, tmp_path: Path, env: dict[str, str], children: list[Child]
) -> None:
    backup = vault_dir / "backups" / "kept-earlier.cdbak"
    before = tree_digest(vault_dir)
    child = Child("restore", vault_dir, backup, env)
    children.append(child)
    assert child.where == "at restoring"
    left = _scratch(vault_dir.parent)
    assert any(".restoring-" in name for name in left)
    _open_and_close(vault_dir)  # the restore is still running: its staging stays
    assert _scratch(vault_dir.parent) == left
    child.kill()
    _open_and_close(vault_dir)
    assert _scratch(vault_dir.parent) == []
    assert sorted(os.listdir(vault_dir.parent)) == ["env", "vault"]
    assert tree_digest(vault_dir) == before  # the vault and its backups were not touched

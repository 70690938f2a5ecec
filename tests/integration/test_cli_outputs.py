"""Every command that writes a file refuses a place that could destroy a vault (issue 11 item 4).

``export-plan --out VAULT/vault.key`` used to exit 0 and leave a vault nobody could open again;
``backup --out /dev/full`` replaced the device node. Each writing command is run here against
the vault's own files, a link into the vault, and device nodes: a plain message, exit 2, and
the vault's bytes (and the devices) unchanged. Real vault, real CLI entry point.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from vaultkit import (
    PASSPHRASE,
    InProcessCli,
    private_env,
    run_cli,
    tree_digest,
)


@pytest.fixture
def client_id(cli: InProcessCli) -> str:
    assert cli("demo-data", "--clients", "2", "--anchor-date", "2026-06-30").returncode == 0
    return str(json.loads(cli("client", "list", "--json").stdout)[0]["id"])


def _targets(vault_dir: Path, tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "plan.pdf").symlink_to(vault_dir / "vault.key")
    (tmp_path / "into-vault").symlink_to(vault_dir)
    return {
        "key file": vault_dir / "vault.key",
        "database": vault_dir / "casedesk.db",
        "link to the key file": tmp_path / "plan.pdf",
        "file under a link to the vault": tmp_path / "into-vault" / "copy.out",
        "/dev/full": Path("/dev/full"),
        "/dev/null": Path("/dev/null"),
    }


COMMANDS: dict[str, Callable[[str, str], list[str]]] = {
    "export-plan": lambda out, client: ["export-plan", "--client", client, "--out", out],
    "backup": lambda out, _client: ["backup", "--out", out],
    "sync-export": lambda out, _client: ["sync-export", "--out", out],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_writing_commands_refuse_the_vault_and_devices(
    command: str, cli: InProcessCli, client_id: str, vault_dir: Path, tmp_path: Path
) -> None:
    before = tree_digest(vault_dir)
    full = os.stat("/dev/full")
    for case, target in _targets(vault_dir, tmp_path).items():
        result = cli(*COMMANDS[command](str(target), client_id))
        assert result.returncode == 2, (case, result.stdout, result.stderr)
        assert str(target) in result.stderr, (case, result.stderr)
        assert "inside a casedesk vault" in result.stderr or "system location" in result.stderr
        assert "Traceback" not in result.stderr and "went wrong" not in result.stderr
        assert "written" not in result.stdout, (case, result.stdout)
        assert tree_digest(vault_dir) == before, case
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert os.stat("/dev/full").st_rdev == full.st_rdev
    assert cli("check").returncode == 0  # and the vault still opens


def test_init_refuses_a_recovery_key_file_inside_the_new_vault(
    vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    other = tmp_path / "second"
    cli = InProcessCli(
        monkeypatch,
        capsys,
        {"CASEDESK_VAULT": str(other), "CASEDESK_KDF": "test", "CASEDESK_PASSPHRASE": PASSPHRASE},
    )
    inside = cli("init", "--recovery-key-file", str(other / "recovery.txt"))
    assert inside.returncode == 2 and "inside a casedesk vault" in inside.stderr
    assert not other.exists()  # refused before the vault (and its only recovery key) existed
    device = cli("init", "--recovery-key-file", "/dev/full")
    assert device.returncode == 2 and "system location" in device.stderr
    assert not other.exists()
    fine = cli("init", "--recovery-key-file", str(tmp_path / "recovery.txt"))
    assert fine.returncode == 0, fine.stderr
    assert (tmp_path / "recovery.txt").stat().st_mode & 0o777 == 0o600


def test_a_good_place_still_works_and_replaces_atomically(
    cli: InProcessCli, client_id: str, tmp_path: Path
) -> None:
    out = tmp_path / "plan.pdf"
    out.write_bytes(b"an older export")
    exported = cli("export-plan", "--client", client_id, "--out", str(out))
    assert exported.returncode == 0, exported.stderr  # both demo clients have an agreed plan
    assert out.read_bytes().startswith(b"%PDF")
    assert out.stat().st_mode & 0o777 == 0o600
    backup = cli("backup", "--out", str(tmp_path / "copy.cdbak"))
    assert backup.returncode == 0 and "verified" in backup.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_through_a_real_process_backup_to_dev_full(vault_dir: Path, tmp_path: Path) -> None:
    env = private_env(tmp_path / "env", CASEDESK_PASSPHRASE=PASSPHRASE)
    assert run_cli(["--vault", str(vault_dir), "init"], env).returncode == 0
    before = tree_digest(vault_dir)
    result = run_cli(["--vault", str(vault_dir), "backup", "--out", "/dev/full"], env)
    assert result.returncode == 2
    assert "/dev/full is a system location" in result.stderr
    assert "verified" not in result.stdout
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert tree_digest(vault_dir) == before
    assert not list((tmp_path / "env" / "xdg-state").rglob("crash-*"))

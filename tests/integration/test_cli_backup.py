"""``casedesk backup`` / ``casedesk restore``: round trip, recovery key, refusals."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from vaultkit import NEW_PASSPHRASE, PASSPHRASE, InProcessCli, tree_digest


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    env = {
        "CASEDESK_VAULT": str(tmp_path / "vault"),
        "CASEDESK_KDF": "test",
        "CASEDESK_PASSPHRASE": PASSPHRASE,
    }
    runner = InProcessCli(monkeypatch, capsys, env)
    result = runner("init", "--recovery-key-file", str(tmp_path / "recovery.txt"))
    assert result.returncode == 0
    return runner


def _names(cli: InProcessCli, **env: str) -> list[str]:
    result = cli("client", "list", "--json", **env)
    assert result.returncode == 0, result.stderr
    return sorted(r["given_name"] for r in json.loads(result.stdout))


def test_backup_restore_round_trip(cli: InProcessCli, tmp_path: Path) -> None:
    assert cli("client", "add", "--given", "Before", "--family", "Backup").returncode == 0
    out = tmp_path / "backups" / "b.cdbak"
    out.parent.mkdir()
    backed_up = cli("backup", "--out", str(out))
    assert backed_up.returncode == 0 and "verified" in backed_up.stdout
    assert out.stat().st_mode & 0o777 == 0o600
    assert cli("client", "add", "--given", "After", "--family", "Backup").returncode == 0

    restored = cli("restore", str(out))
    assert restored.returncode == 0, restored.stderr
    assert "previous vault was kept at" in restored.stdout
    assert _names(cli) == ["Before"]
    assert cli("check").returncode == 0
    aside = next(tmp_path.glob("vault.before-restore-*"))
    assert _names(cli, CASEDESK_VAULT=str(aside)) == ["After", "Before"]


def test_restore_with_recovery_key_file(cli: InProcessCli, tmp_path: Path) -> None:
    assert cli("client", "add", "--given", "Kept", "--family", "Safe").returncode == 0
    assert cli("backup", "--out", str(tmp_path / "b.cdbak")).returncode == 0
    assert cli("passwd", CASEDESK_NEW_PASSPHRASE=NEW_PASSPHRASE).returncode == 0
    target = tmp_path / "new-machine" / "vault"
    with_old = cli("restore", str(tmp_path / "b.cdbak"), CASEDESK_VAULT=str(target))
    assert with_old.returncode == 0  # the backup still opens with the passphrase of its time
    restored = cli(
        "restore",
        str(tmp_path / "b.cdbak"),
        "--recovery-key-file",
        str(tmp_path / "recovery.txt"),
        CASEDESK_VAULT=str(tmp_path / "third" / "vault"),
    )
    assert restored.returncode == 0, restored.stderr
    assert _names(cli, CASEDESK_VAULT=str(tmp_path / "third" / "vault")) == ["Kept"]


def test_restore_refusals_leave_the_vault_alone(cli: InProcessCli, tmp_path: Path) -> None:
    assert cli("client", "add", "--given", "Live", "--family", "Data").returncode == 0
    backup = tmp_path / "b.cdbak"
    assert cli("backup", "--out", str(backup)).returncode == 0
    vault_dir = tmp_path / "vault"
    before = tree_digest(vault_dir)

    wrong = cli("restore", str(backup), CASEDESK_PASSPHRASE="not the passphrase at all")
    assert wrong.returncode == 3 and "does not open" in wrong.stderr

    missing = cli("restore", str(tmp_path / "nope.cdbak"))
    assert missing.returncode == 1 and "no backup file" in missing.stderr

    with zipfile.ZipFile(backup) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    flipped = bytearray(members["casedesk.db"])
    flipped[len(flipped) // 2] ^= 0x40
    for label, data in (("crc", None), ("hmac", bytes(flipped))):
        tampered = tmp_path / f"tampered-{label}.cdbak"
        if data is None:  # flip a byte in place: the zip checksum catches it
            raw = bytearray(backup.read_bytes())
            raw[len(raw) // 2] ^= 0x40
            tampered.write_bytes(bytes(raw))
        else:  # consistent zip around a damaged database: the page HMACs catch it
            with zipfile.ZipFile(tampered, "w") as archive:
                for name, content in members.items():
                    archive.writestr(name, data if name == "casedesk.db" else content)
        result = cli("restore", str(tampered))
        assert result.returncode == 4, (label, result.stderr)
        assert "damaged" in result.stderr and "Traceback" not in result.stderr

    assert tree_digest(vault_dir) == before
    assert not list(tmp_path.glob("vault.before-restore-*"))
    assert not list(tmp_path.glob(".vault.restoring-*"))

"""``casedesk init|check|passwd|recover``: exit codes, messages, and what stays untouched."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.services.clients import ClientService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from vaultkit import (
    NEW_PASSPHRASE,
    PASSPHRASE,
    WRONG_PASSPHRASE,
    InProcessCli,
    private_env,
    run_cli,
    tree_digest,
)

RECOVERY_KEY = re.compile(r"\b(?:[A-Z2-7]{4}-){12}[A-Z2-7]{4}\b")
THIRD_PASSPHRASE = "yet another long passphrase 77"


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def cli(vault_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    env = {"CASEDESK_VAULT": str(vault_dir), "CASEDESK_KDF": "test"}
    return InProcessCli(monkeypatch, capsys, {**env, "CASEDESK_PASSPHRASE": PASSPHRASE})


@pytest.fixture
def recovery_file(cli: InProcessCli, tmp_path: Path) -> Path:
    path = tmp_path / "recovery.txt"
    result = cli("init", "--recovery-key-file", str(path))
    assert result.returncode == 0, result.stderr
    return path


def test_init_shows_the_recovery_key_once(cli: InProcessCli, vault_dir: Path) -> None:
    result = cli("init")
    assert result.returncode == 0, result.stderr
    assert len(RECOVERY_KEY.findall(result.stdout)) == 1
    assert "shown only once" in result.stdout
    assert {p.name for p in vault_dir.iterdir()} == {"casedesk.db", "vault.key"}
    check = cli("check")
    assert check.returncode == 0
    assert RECOVERY_KEY.search(check.stdout) is None


def test_init_with_recovery_key_file(recovery_file: Path, cli: InProcessCli) -> None:
    assert recovery_file.stat().st_mode & 0o777 == 0o600
    assert RECOVERY_KEY.fullmatch(recovery_file.read_text().strip())
    assert cli("check").returncode == 0


def test_init_refuses_to_overwrite(recovery_file: Path, cli: InProcessCli, vault_dir: Path) -> None:
    before = tree_digest(vault_dir)
    result = cli("init", CASEDESK_PASSPHRASE="a new and different passphrase")
    assert result.returncode == 1
    assert "already exists" in result.stderr and "untouched" in result.stderr
    assert tree_digest(vault_dir) == before


def test_init_refuses_a_weak_passphrase(cli: InProcessCli, vault_dir: Path) -> None:
    result = cli("init", CASEDESK_PASSPHRASE="password")
    assert result.returncode == 2
    assert "too weak" in result.stderr
    assert not vault_dir.exists()


ONCE_CALLED_GOOD = ("Password123!", "password1234", "P@ssw0rd2024", "casedesk2026")


@pytest.mark.parametrize("weak", ONCE_CALLED_GOOD)
def test_init_passwd_recover_refuse_what_the_old_meter_called_good(
    weak: str, cli: InProcessCli, vault_dir: Path, tmp_path: Path
) -> None:
    refused = cli("init", CASEDESK_PASSPHRASE=weak)
    assert refused.returncode == 2
    assert "too weak" in refused.stderr and "four or more unrelated words" in refused.stderr
    assert not vault_dir.exists()

    key_file = tmp_path / "recovery.txt"
    assert cli("init", "--recovery-key-file", str(key_file)).returncode == 0
    before = tree_digest(vault_dir)
    for command in (("passwd",), ("recover", "--recovery-key-file", str(key_file))):
        result = cli(*command, CASEDESK_NEW_PASSPHRASE=weak)
        assert result.returncode == 2, command
        assert "too weak" in result.stderr and "stolen laptop" in result.stderr
    assert tree_digest(vault_dir) == before


def test_passwd_refuses_a_passphrase_built_from_the_workers_and_clients_names(
    recovery_file: Path, cli: InProcessCli, vault_dir: Path
) -> None:
    added = cli("client", "add", "--given", "Tautahi", "--family", "Orchardbrook")
    assert added.returncode == 0, added.stderr
    before = tree_digest(vault_dir)
    # Strong to a stranger (tests/unit/domain/test_passphrase.py), not with the client's name.
    result = cli("passwd", CASEDESK_NEW_PASSPHRASE="Wirihana Tautahi Orchardbrook")
    assert result.returncode == 2 and "too weak" in result.stderr
    assert tree_digest(vault_dir) == before
    assert cli("passwd", CASEDESK_NEW_PASSPHRASE=NEW_PASSPHRASE).returncode == 0


def test_passphrase_is_never_an_argument(recovery_file: Path, cli: InProcessCli) -> None:
    # Not even as an abbreviation of --passphrase-file (argparse prefix matching is off).
    result = cli("--passphrase", PASSPHRASE, "check")
    assert result.returncode == 2 and "error:" in result.stderr


def test_missing_passphrase_is_a_usage_error(recovery_file: Path, cli: InProcessCli) -> None:
    result = cli("check", CASEDESK_PASSPHRASE="")
    assert result.returncode == 3  # an empty passphrase is just a wrong one
    cli.env.pop("CASEDESK_PASSPHRASE")
    result = cli("check")
    assert result.returncode == 2
    assert "No passphrase given" in result.stderr


def test_passphrase_file(recovery_file: Path, cli: InProcessCli, tmp_path: Path) -> None:
    path = tmp_path / "pass.txt"
    path.write_text(PASSPHRASE + "\nsecond line ignored\n", encoding="utf-8")
    cli.env.pop("CASEDESK_PASSPHRASE")
    assert cli("--passphrase-file", str(path), "check").returncode == 0
    missing = cli("--passphrase-file", str(tmp_path / "nope.txt"), "check")
    assert missing.returncode == 2 and "passphrase file" in missing.stderr


def test_check_reports_schema_and_integrity(recovery_file: Path, cli: InProcessCli) -> None:
    from casedesk.storage.migrate import head_revision

    result = cli("check")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"schema: {head_revision()}",
        "integrity: ok",
        "cipher integrity: ok",
    ]


def test_no_vault_there(cli: InProcessCli, tmp_path: Path) -> None:
    result = cli("--vault", str(tmp_path / "nothing-here"), "check")
    assert result.returncode == 1 and "There is no vault" in result.stderr
    assert not (tmp_path / "nothing-here").exists()


def test_wrong_passphrase_five_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vault_dir = tmp_path / "vault"
    service = VaultService(vault_dir, kdf=TEST_KDF)
    service.create(PASSPHRASE)
    client_id = ClientService(service.db).add_client(ClientInput("Ada", "Lovelace")).id
    service.lock()
    env = private_env(tmp_path / "env", CASEDESK_VAULT=str(vault_dir))
    before = tree_digest(vault_dir)
    commands = [
        ["check"],
        ["client", "list"],
        ["note", "add", "--client", client_id, "--text", "should not be saved"],
        ["stats"],
        ["backup", "--out", str(tmp_path / "never.cdbak")],
    ]
    in_process = InProcessCli(monkeypatch, capsys, env)
    for attempt, command in enumerate(commands):
        wrong = {"CASEDESK_PASSPHRASE": f"{WRONG_PASSPHRASE} {attempt}"}
        if attempt == 0:  # once as a real process: the shell sees exit status 3
            result: Any = run_cli(command, {**env, **wrong})
        else:  # the same main() in this process (a CLI start-up costs seconds here)
            result = in_process(*command, **wrong)
        assert result.returncode == 3, (command, result.stderr)
        assert "That passphrase does not open this vault." in result.stderr
        assert "Traceback" not in result.stderr
    assert tree_digest(vault_dir) == before  # byte-identical, and no new files
    assert not (tmp_path / "never.cdbak").exists()


def test_passwd_then_recover(recovery_file: Path, cli: InProcessCli, vault_dir: Path) -> None:
    added = cli("client", "add", "--given", "Katherine", "--family", "Johnson")
    assert added.returncode == 0
    db_before = (vault_dir / "casedesk.db").read_bytes()
    key_before = (vault_dir / "vault.key").read_bytes()

    changed = cli("passwd", CASEDESK_NEW_PASSPHRASE=NEW_PASSPHRASE)
    assert changed.returncode == 0 and "Passphrase changed." in changed.stdout
    assert (vault_dir / "casedesk.db").read_bytes() == db_before  # re-wrap only
    assert (vault_dir / "vault.key").read_bytes() != key_before
    assert cli("check").returncode == 3  # the old passphrase
    listed = cli("client", "list", CASEDESK_PASSPHRASE=NEW_PASSPHRASE)
    assert listed.returncode == 0 and "Katherine Johnson" in listed.stdout

    recovered = cli(
        "recover",
        "--recovery-key-file",
        str(recovery_file),
        CASEDESK_NEW_PASSPHRASE=THIRD_PASSPHRASE,
    )
    assert recovered.returncode == 0, recovered.stderr  # the recovery key still works
    assert cli("check", CASEDESK_PASSPHRASE=NEW_PASSPHRASE).returncode == 3
    assert cli("check", CASEDESK_PASSPHRASE=THIRD_PASSPHRASE).returncode == 0
    assert (vault_dir / "casedesk.db").read_bytes() == db_before


def test_passwd_refusals_change_nothing(
    recovery_file: Path, cli: InProcessCli, vault_dir: Path, tmp_path: Path
) -> None:
    before = tree_digest(vault_dir)
    weak = cli("passwd", CASEDESK_NEW_PASSPHRASE="short")
    assert weak.returncode == 2 and "too weak" in weak.stderr
    wrong = cli(
        "passwd", CASEDESK_PASSPHRASE=WRONG_PASSPHRASE, CASEDESK_NEW_PASSPHRASE=NEW_PASSPHRASE
    )
    assert wrong.returncode == 3
    no_new = cli("passwd")
    assert no_new.returncode == 2 and "No new passphrase" in no_new.stderr

    bad_key = tmp_path / "bad-recovery.txt"
    bad_key.write_text("this is not a recovery key\n", encoding="utf-8")
    for path, code in ((bad_key, 3), (tmp_path / "missing.txt", 2)):
        result = cli(
            "recover", "--recovery-key-file", str(path), CASEDESK_NEW_PASSPHRASE=NEW_PASSPHRASE
        )
        assert result.returncode == code, result.stderr
    other_key = tmp_path / "other-recovery.txt"
    other_key.write_text("-".join(["ABCD"] * 13), encoding="utf-8")
    result = cli(
        "recover", "--recovery-key-file", str(other_key), CASEDESK_NEW_PASSPHRASE=NEW_PASSPHRASE
    )
    assert result.returncode == 3 and "recovery key does not open" in result.stderr
    assert tree_digest(vault_dir) == before

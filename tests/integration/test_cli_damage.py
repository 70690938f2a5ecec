"""Damaged vaults: a clear error naming the problem, exit code 4, and nothing rewritten."""

from __future__ import annotations

import base64
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from vaultkit import PASSPHRASE, InProcessCli, private_env, run_cli, tree_digest


def _overwrite_middle(vault: Path) -> None:
    path = vault / "casedesk.db"
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\x00" * 5000)


def _overwrite_header(vault: Path) -> None:
    with open(vault / "casedesk.db", "r+b") as handle:
        handle.write(b"\xff" * 64)


def _truncate_half(vault: Path) -> None:
    path = vault / "casedesk.db"
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _truncate_tiny(vault: Path) -> None:
    with open(vault / "casedesk.db", "r+b") as handle:
        handle.truncate(10)


PAGE = 4096


def _pages(vault: Path) -> int:
    return (vault / "casedesk.db").stat().st_size // PAGE


def _flip_byte(vault: Path, page: int) -> None:
    with open(vault / "casedesk.db", "r+b") as handle:
        handle.seek((page - 1) * PAGE + 1000)
        byte = handle.read(1)[0]
        handle.seek(-1, 1)
        handle.write(bytes([byte ^ 0x01]))


def _flip_middle_page(vault: Path) -> None:
    _flip_byte(vault, _pages(vault) // 2)


def _flip_last_page(vault: Path) -> None:
    _flip_byte(vault, _pages(vault))


def _zero_a_page(vault: Path) -> None:
    with open(vault / "casedesk.db", "r+b") as handle:
        handle.seek((_pages(vault) // 3) * PAGE)
        handle.write(bytes(PAGE))


def _truncate_to_partial_page(vault: Path) -> None:
    path = vault / "casedesk.db"
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size - 1000)


# Damage that the commands used to miss (exit 0, and ``client add`` wrote into the damaged
# file): now found when the vault opens, before anything is written.
OPEN_TIME_DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "a byte flipped in a middle page": (_flip_middle_page, r"page [\d,]+ fails its integrity"),
    "a byte flipped in the last page": (_flip_last_page, r"page [\d,]+ fails its integrity"),
    "a zeroed page": (_zero_a_page, r"page [\d,]+ is zeroed"),
    "truncated to a partial page": (_truncate_to_partial_page, "partial page"),
}


def _key_doc(vault: Path) -> dict:
    return dict(json.loads((vault / "vault.key").read_text(encoding="utf-8")))


def _write_key_doc(vault: Path, document: dict) -> None:
    (vault / "vault.key").write_text(json.dumps(document), encoding="utf-8")


def _bad_json(vault: Path) -> None:
    text = (vault / "vault.key").read_text(encoding="utf-8")
    (vault / "vault.key").write_text(text[: len(text) // 2], encoding="utf-8")


def _missing_field(vault: Path) -> None:
    document = _key_doc(vault)
    del document["kdf"]["salt"]
    _write_key_doc(vault, document)


def _wrong_ciphertext_length(vault: Path) -> None:
    document = _key_doc(vault)
    document["slots"]["passphrase"]["ciphertext"] = base64.b64encode(b"\x00" * 40).decode()
    _write_key_doc(vault, document)


def _key_file_deleted(vault: Path) -> None:
    (vault / "vault.key").unlink()


def _database_deleted(vault: Path) -> None:
    (vault / "casedesk.db").unlink()


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "db bytes overwritten in the middle": (_overwrite_middle, "damaged|page HMAC"),
    "db header overwritten": (_overwrite_header, "database is damaged"),
    "db truncated to half": (_truncate_half, "damaged|page HMAC"),
    "db truncated to 10 bytes": (_truncate_tiny, "truncated"),
    "db deleted": (_database_deleted, "database .* is missing"),
    "key file not JSON": (_bad_json, "key file .* is damaged"),
    "key file missing a field": (_missing_field, "key file .* is damaged: a field is missing"),
    "key file wrong ciphertext length": (_wrong_ciphertext_length, "wrapped key has the wrong"),
    "key file deleted": (_key_file_deleted, "key file .* is missing"),
}


@pytest.fixture(scope="module")
def pristine_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per module; each test damages its own copy."""
    service = VaultService(tmp_path_factory.mktemp("pristine") / "vault", kdf=TEST_KDF)
    service.create(PASSPHRASE)
    clients, notes = ClientService(service.db), NoteService(service.db)
    for index in range(40):  # a few hundred KB, so damage lands in real data pages
        client = clients.add_client(ClientInput(f"Person{index}", "Damage"))
        notes.add_note(NoteInput(client.id, f"Note number {index} " + "words " * 300))
    service.lock()
    return service.path


@pytest.fixture
def vault_dir(pristine_vault: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine_vault, tmp_path / "vault"))


@pytest.fixture
def cli(
    vault_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> InProcessCli:
    """The real CLI, in process, on the test's vault copy with its passphrase."""
    return InProcessCli(
        monkeypatch, capsys, {"CASEDESK_VAULT": str(vault_dir), "CASEDESK_PASSPHRASE": PASSPHRASE}
    )


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damage_is_reported_and_nothing_is_rewritten(
    case: str, vault_dir: Path, cli: InProcessCli
) -> None:
    damage, expected = DAMAGE[case]
    damage(vault_dir)
    before = tree_digest(vault_dir)
    check = cli("check")
    assert check.returncode == 4, (case, check.stdout, check.stderr)
    assert re.search(expected, check.stdout + check.stderr), check.stdout + check.stderr
    assert tree_digest(vault_dir) == before  # nothing deleted or rewritten
    for command in (["stats"], ["client", "list"], ["search", "Person1"]):
        # Every one of these is found when the vault opens (a small vault has every page
        # checked): exit 4 and the plain message, never a traceback.
        result = cli(*command)
        assert result.returncode == 4, (case, command, result.stderr)
        assert "damaged" in result.stderr or "missing" in result.stderr, result.stderr
        assert tree_digest(vault_dir) == before, (case, command)


def test_damage_through_a_real_process(vault_dir: Path, tmp_path: Path) -> None:
    _overwrite_header(vault_dir)
    before = tree_digest(vault_dir)
    env = private_env(tmp_path / "env", CASEDESK_PASSPHRASE=PASSPHRASE)
    result = run_cli(["--vault", str(vault_dir), "check"], env)
    assert result.returncode == 4
    assert "The vault database is damaged" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert tree_digest(vault_dir) == before


@pytest.mark.parametrize("case", list(OPEN_TIME_DAMAGE))
def test_damage_found_at_open_refuses_reads_and_writes(
    case: str, vault_dir: Path, cli: InProcessCli
) -> None:
    damage, expected = OPEN_TIME_DAMAGE[case]
    damage(vault_dir)
    before = tree_digest(vault_dir)
    for command in (
        ["client", "list"],
        ["client", "add", "--given", "New", "--family", "Person"],
        ["check"],
    ):
        result = cli(*command)
        assert result.returncode == 4, (case, command, result.stdout, result.stderr)
        assert re.search(expected, result.stderr), result.stderr
        assert "casedesk restore" in result.stderr and "Nothing was changed" in result.stderr
        assert "Traceback" not in result.stderr
        assert tree_digest(vault_dir) == before, (case, command)  # not one byte written


def test_a_crash_that_lost_the_write_ahead_log_is_reported(
    vault_dir: Path, cli: InProcessCli
) -> None:
    (vault_dir / "casedesk.db-shm").write_bytes(bytes(32768))  # left by a crash; -wal deleted
    check = cli("check")
    assert check.returncode == 0, check.stderr  # the database itself is sound
    assert re.search(r"warning: .*recent-changes log \(casedesk.db-wal\) is missing", check.stdout)
    assert "may have been lost" in check.stdout and "restore your latest backup" in check.stdout
    listed = cli("client", "list")
    assert listed.returncode == 0
    assert "warning:" not in listed.stderr  # the first open cleared the orphan: once only
    (vault_dir / "casedesk.db-shm").write_bytes(bytes(32768))
    listed = cli("client", "list")
    assert "warning: casedesk found signs of a crash" in listed.stderr

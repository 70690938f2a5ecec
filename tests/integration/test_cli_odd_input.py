"""Odd command lines get a plain message and a known exit code, never a crash report.

Issue 11 item 9 (client CLI part) and issue 20 item 13 (global options after the command). Each
case used to end in "Something went wrong (...)" with a crash report, or worse (``demo-data
--clients -5`` wrote 151 records; ``verify-pdf /dev/zero`` read without end).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from casedesk.export.verify import MAX_PDF_BYTES
from vaultkit import (
    PASSPHRASE,
    CliResult,
    InProcessCli,
    private_env,
    tree_digest,
)

NEW = "a completely different passphrase 42"


def _plain(result: CliResult, code: int, words: str) -> None:
    assert result.returncode == code, result.stderr
    assert words in result.stderr, result.stderr
    for crash in ("Traceback", "went wrong", "report"):
        assert crash not in result.stderr, result.stderr


def test_demo_data_refuses_a_count_out_of_range_and_writes_nothing(
    cli: InProcessCli, vault_dir: Path
) -> None:
    before = cli("stats", "--json").stdout
    for count in ("0", "-5", "100001"):
        _plain(cli("demo-data", "--clients", count), 2, "Choose between 1 and 100,000 clients")
    assert cli("stats", "--json").stdout == before


@pytest.mark.parametrize(
    ("anchor", "words"),
    [
        ("0001-01-01", "Choose a date from 2000-01-01 to 2099-12-31"),
        ("9999-12-31", "Choose a date from 2000-01-01 to 2099-12-31"),
        ("2026-13-01", "'2026-13-01' is not a date like 2026-06-30"),
    ],
)
def test_demo_data_refuses_an_unusable_anchor_date(
    cli: InProcessCli, anchor: str, words: str
) -> None:
    before = cli("stats", "--json").stdout
    _plain(cli("demo-data", "--clients", "1", "--anchor-date", anchor), 2, words)
    assert cli("stats", "--json").stdout == before


def test_export_plan_refuses_an_impossible_version_number(
    cli: InProcessCli, tmp_path: Path
) -> None:
    out = tmp_path / "plan.pdf"
    for version in ("99999999999999999999999", "0", "-1", "two"):
        result = cli("export-plan", "--client", "x", "--version", version, "--out", str(out))
        _plain(result, 2, "is not a plan version number")
    assert not out.exists()


def test_init_in_a_system_location_or_over_a_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli = InProcessCli(
        monkeypatch, capsys, {"CASEDESK_KDF": "test", "CASEDESK_PASSPHRASE": PASSPHRASE}
    )
    _plain(cli("--vault", "/proc/x", "init"), 2, "/proc/x is a system location")
    (tmp_path / "a-file").write_text("not a folder")
    _plain(cli("--vault", str(tmp_path / "a-file"), "init"), 1, "could not be created")
    assert (tmp_path / "a-file").read_text() == "not a folder"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe\x00\x01binary", "not a text file"),
        (b"\x00" * 100, "not a text file"),
        (b"x" * 70_000, "far too large"),
    ],
)
def test_binary_or_huge_passphrase_and_recovery_key_files(
    cli: InProcessCli, vault_dir: Path, tmp_path: Path, content: bytes, words: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(content)
    before = tree_digest(vault_dir)
    result = _without_env_passphrase(cli, "--passphrase-file", str(secret), "client", "list")
    _plain(result, 2, f"The passphrase file is {words}")
    result = cli("recover", "--recovery-key-file", str(secret), CASEDESK_NEW_PASSPHRASE=NEW)
    _plain(result, 2, f"The recovery key file is {words}")
    assert tree_digest(vault_dir) == before


def _without_env_passphrase(cli: InProcessCli, *args: str) -> CliResult:
    # Even an empty CASEDESK_PASSPHRASE counts as given; drop it so the file is read.
    saved = cli.env.pop("CASEDESK_PASSPHRASE")
    try:
        return cli(*args)
    finally:
        cli.env["CASEDESK_PASSPHRASE"] = saved


def test_passphrase_from_dev_zero_is_refused_without_reading_forever(cli: InProcessCli) -> None:
    result = _without_env_passphrase(cli, "--passphrase-file", "/dev/zero", "client", "list")
    _plain(result, 2, "far too large")


@pytest.mark.parametrize("hub", ["http://[::1", "ftp://hub.example.org", "hub.example.org", ""])
def test_sync_setup_with_a_malformed_hub_address(cli: InProcessCli, hub: str) -> None:
    _plain(cli("sync-setup", "--hub", hub, "--token", "x"), 2, "That is not a hub address")


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "folder", "big"])
def test_verify_pdf_refuses_what_is_not_an_ordinary_file(
    cli: InProcessCli, tmp_path: Path, target: str
) -> None:
    paths = {"/dev/zero": Path("/dev/zero"), "fifo": tmp_path / "f", "folder": tmp_path}
    if target == "fifo":
        os.mkfifo(paths["fifo"])
    if target == "big":
        paths["big"] = tmp_path / "big.pdf"
        with open(paths["big"], "wb") as handle:  # sparse: large without using the disk
            handle.truncate(MAX_PDF_BYTES + 1)
    words = "too large" if target == "big" else "not an ordinary file"
    _plain(cli("verify-pdf", str(paths[target])), 2, words)


def test_restore_from_a_device_is_refused(cli: InProcessCli, vault_dir: Path) -> None:
    before = tree_digest(vault_dir)
    _plain(cli("restore", "/dev/zero"), 2, "not an ordinary file")
    assert tree_digest(vault_dir) == before


def test_global_options_work_after_the_command(
    vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    passphrase_file = tmp_path / "pass.txt"
    passphrase_file.write_text(PASSPHRASE + "\n")
    cli = InProcessCli(monkeypatch, capsys, {"CASEDESK_KDF": "test"})
    made = cli("--vault", str(vault_dir), "init", "--passphrase-file", str(passphrase_file))
    assert made.returncode == 0, made.stderr
    assert (vault_dir / "vault.key").is_file()
    vault, pw = str(vault_dir), str(passphrase_file)
    added = cli(
        "client",
        "add",
        "--given",
        "Ada",
        "--family",
        "Lovelace",
        "--vault",
        vault,
        "--passphrase-file",
        pw,
    )
    assert added.returncode == 0, added.stderr
    for args in (
        ["--vault", vault, "--passphrase-file", pw, "client", "list", "--json"],
        ["client", "list", "--json", "--vault", vault, "--passphrase-file", pw],
        ["client", "--vault", vault, "list", "--passphrase-file", pw, "--json"],
        [
            "--vault",
            "/nowhere",
            "client",
            "list",
            "--vault",
            vault,
            "--passphrase-file",
            pw,
            "--json",
        ],  # the later one wins
    ):
        result = cli(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert [c["family_name"] for c in json.loads(result.stdout)] == ["Lovelace"], args


def test_no_prefix_matching_after_the_command(cli: InProcessCli) -> None:
    # "--passphrase SECRET" must never be taken as "--passphrase-file SECRET".
    result = cli("client", "list", "--passphrase", "correct horse")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_output_into_a_closed_pipe_ends_quietly(vault_dir: Path, tmp_path: Path) -> None:
    env = private_env(tmp_path / "env", CASEDESK_PASSPHRASE=PASSPHRASE)
    subprocess.run(
        [sys.executable, "-m", "casedesk", "--vault", str(vault_dir), "init"],
        env=env,
        capture_output=True,
        check=True,
    )
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line (like "| head -0")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "casedesk", "--vault", str(vault_dir), "stats"],
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert done.stderr == ""
    assert not list((tmp_path / "env").rglob("crash-*"))


def test_restore_from_a_read_only_folder(cli: InProcessCli, tmp_path: Path) -> None:
    # Reading a backup must write nothing beside it (a write-protected USB stick, a CD).
    # An immutable folder stands in for one: even root cannot create files there.
    medium = tmp_path / "usb"
    medium.mkdir()
    assert cli("backup", "--out", str(medium / "copy.cdbak")).returncode == 0
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(medium)], check=False).returncode:
        pytest.skip("chattr +i is not available on this file system")
    try:
        restored = cli("restore", str(medium / "copy.cdbak"))
    finally:
        subprocess.run([chattr, "-i", str(medium)], check=True)
    assert restored.returncode == 0, restored.stderr
    assert [p.name for p in medium.iterdir()] == ["copy.cdbak"]

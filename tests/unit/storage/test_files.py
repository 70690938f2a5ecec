"""Files the user names: never written inside a vault or over a device; inputs read bounded.

Every case runs against real files, links, pipes and device nodes. The vault is a real one.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from casedesk.storage.errors import FileRefused, VaultNotFound, WriteFailed
from casedesk.storage.files import check_output_path, read_input_file, write_output
from casedesk.storage.vault import CreatedVault
from vaultkit import tree_digest


@pytest.fixture
def vault_dir(created: CreatedVault) -> Path:
    """A real vault directory (locked, so its files are at rest)."""
    created.vault.lock()
    return created.vault.path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def _refusals(vault_dir: Path, outside: Path) -> dict[str, Path]:
    (outside / "key-link").symlink_to(vault_dir / "vault.key")
    (outside / "vault-link").symlink_to(vault_dir)
    (outside / "a-folder").mkdir()
    os.mkfifo(outside / "a-pipe")
    (outside / "loop").symlink_to(outside / "loop")
    return {
        "the key file": vault_dir / "vault.key",
        "the database": vault_dir / "casedesk.db",
        "a new file in the vault": vault_dir / "notes.pdf",
        "the vault's backups folder": vault_dir / "backups" / "copy.cdbak",
        "a link to the key file": outside / "key-link",
        "a file under a link to the vault": outside / "vault-link" / "x.pdf",
        "a path that climbs into the vault": outside / ".." / vault_dir.name / "vault.key",
        "/dev/full": Path("/dev/full"),
        "/dev/null": Path("/dev/null"),
        "/proc": Path("/proc/self/environ"),
        "a folder": outside / "a-folder",
        "a pipe": outside / "a-pipe",
        "a missing folder": outside / "no-such-folder" / "x.pdf",
        "a link loop": outside / "loop",
    }


def test_every_dangerous_place_is_refused_and_nothing_changes(
    vault_dir: Path, outside: Path
) -> None:
    before = tree_digest(vault_dir)
    full = os.stat("/dev/full")
    for case, path in _refusals(vault_dir, outside).items():
        with pytest.raises(FileRefused) as caught:
            write_output(path, b"%PDF-1.7 not a key file")
        assert str(path) in str(caught.value), case
        assert tree_digest(vault_dir) == before, case
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert os.stat("/dev/full").st_rdev == full.st_rdev
    assert stat.S_ISFIFO(os.stat(outside / "a-pipe").st_mode)


def test_the_refusal_says_where_a_link_leads(vault_dir: Path, outside: Path) -> None:
    (outside / "innocent.pdf").symlink_to(vault_dir / "vault.key")
    with pytest.raises(FileRefused, match=r"leads to .*vault\.key.*inside a casedesk vault"):
        check_output_path(outside / "innocent.pdf")


def test_a_protected_folder_is_refused_even_before_it_is_a_vault(tmp_path: Path) -> None:
    future_vault = tmp_path / "vault"
    future_vault.mkdir()
    with pytest.raises(FileRefused, match="inside a casedesk vault"):
        check_output_path(future_vault / "recovery.txt", (future_vault,))
    assert (
        check_output_path(tmp_path / "recovery.txt", (future_vault,))
        == (tmp_path / "recovery.txt").resolve()
    )


def test_a_file_merely_named_like_a_vault_file_is_fine_elsewhere(outside: Path) -> None:
    written = write_output(outside / "vault.key", b"just a file")
    assert written.read_bytes() == b"just a file"


def test_written_atomically_owner_only_and_through_links(vault_dir: Path, outside: Path) -> None:
    target = outside / "plan.pdf"
    target.write_bytes(b"old")
    (outside / "latest.pdf").symlink_to(target)
    written = write_output(outside / "latest.pdf", b"new contents")
    assert written == target.resolve()
    assert target.read_bytes() == b"new contents"
    assert (outside / "latest.pdf").is_symlink()  # the link itself is left as it was
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in outside.iterdir()) == ["latest.pdf", "plan.pdf"]


def test_a_hard_link_to_the_key_file_is_replaced_not_written_through(
    vault_dir: Path, outside: Path
) -> None:
    os.link(vault_dir / "vault.key", outside / "same-inode.txt")
    before = tree_digest(vault_dir)
    write_output(outside / "same-inode.txt", b"overwritten?")
    assert tree_digest(vault_dir) == before


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(outside: Path) -> None:
    # A real write failure: the process may not write files beyond 1,000 bytes (RLIMIT_FSIZE,
    # with SIGXFSZ ignored so the write returns EFBIG), exactly like a disk that filled up.
    target = outside / "report.csv"
    target.write_bytes(b"the previous export")
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from casedesk.storage.errors import WriteFailed
        from casedesk.storage.files import write_output
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        try:
            write_output({str(target)!r}, b"x" * 50_000)
        except WriteFailed as exc:
            print("refused:", exc)
            sys.exit(7)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 7, done.stderr
    assert "could not be written" in done.stdout and "Nothing was written" in done.stdout
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in outside.iterdir()) == ["report.csv"]
    assert WriteFailed.exit_code == 1


def test_inputs_must_be_ordinary_files_of_bounded_size(outside: Path) -> None:
    os.mkfifo(outside / "pipe")
    (outside / "big.pdf").write_bytes(b"x" * 2048)
    (outside / "small.pdf").write_bytes(b"%PDF")
    with pytest.raises(FileRefused, match="not an ordinary file"):
        read_input_file("/dev/zero", 1024)  # would never end
    with pytest.raises(FileRefused, match="not an ordinary file"):
        read_input_file(outside / "pipe", 1024)  # would wait for a writer forever
    with pytest.raises(FileRefused, match="too large"):
        read_input_file(outside / "big.pdf", 1024)
    with pytest.raises(VaultNotFound, match="There is no PDF at"):
        read_input_file(outside / "missing.pdf", 1024, "PDF")
    assert read_input_file(outside / "small.pdf", 1024) == b"%PDF"

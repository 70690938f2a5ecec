"""Crash safety: a writer process is SIGKILLed at random points; acknowledged notes survive.

A long-lived helper process imports casedesk once and, for each run, forks a fresh writer child
(so runs cost milliseconds, not interpreter start-ups). The child unlocks the vault and adds
notes in a loop, writing ``ack <note id>`` to stdout only after ``add_note`` (and so the commit)
returned. The test reads a random number of acknowledgements, then SIGKILLs the child: the kill
lands at whatever point it has reached (opening the vault, mid-transaction, mid-fsync, between
notes). No sleeps are used for synchronisation: the acknowledgement stream is the only clock.
After every kill, ``casedesk check`` must pass and every acknowledged note must be present.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casedesk.cli import main as cli_main
from casedesk.domain.clients import ClientInput
from casedesk.services.clients import ClientService
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from vaultkit import PASSPHRASE, private_env, run_cli

RUNS = 24
MAX_ACKS_BEFORE_KILL = 12
READ_TIMEOUT_S = 120  # a guard against a hung helper, never a synchronisation device

HELPER = r"""
import os, sys
from sqlalchemy.orm import configure_mappers
from casedesk.domain.notes import NoteInput
from casedesk.services.notes import NoteService
from casedesk.services.vault_service import VaultService

configure_mappers()
vault_dir, client_id = sys.argv[1], sys.argv[2]


def say(line):
    os.write(1, (line + "\n").encode())  # one write per line: atomic on a pipe


def writer(run):
    vault = VaultService(vault_dir)
    vault.unlock(os.environ["CASEDESK_PASSPHRASE"])
    notes = NoteService(vault.db)
    index = 0
    while True:
        body = f"crash run {run} note {index} " + "padding words " * (index % 9) * 40
        view = notes.add_note(NoteInput(client_id, body))
        say(f"ack {view.id}")  # only after the commit returned
        index += 1


say("ready")
for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    if command == "go":
        pid = os.fork()
        if pid == 0:
            try:
                writer(argument)
            finally:
                os._exit(70)
        say(f"pid {pid}")
    elif command == "reap":
        _, status = os.waitpid(int(argument), 0)
        say(f"reaped {status}")
    else:
        break
"""


class Lines:
    """Line reader over a pipe with a generous guard timeout (select + os.read, unbuffered)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.writers: list[int] = []  # writer pids the helper reported

    def next(self) -> str:
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.fd], [], [], READ_TIMEOUT_S)
            if not ready:
                raise AssertionError("the crash-test helper stopped answering")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError("the crash-test helper exited unexpectedly")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()


@pytest.fixture
def vault_and_client(tmp_path: Path) -> tuple[Path, str]:
    service = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    service.create(PASSPHRASE)
    client = ClientService(service.db).add_client(ClientInput("Crash", "Survivor"))
    service.lock()
    return service.path, client.id


@pytest.fixture
def helper(vault_and_client: tuple[Path, str], tmp_path: Path) -> Iterator[tuple[Any, Lines]]:
    vault_dir, client_id = vault_and_client
    env = private_env(tmp_path / "env", CASEDESK_PASSPHRASE=PASSPHRASE)
    process = subprocess.Popen(
        [sys.executable, "-c", HELPER, str(vault_dir), client_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        bufsize=0,
    )
    assert process.stdout is not None
    lines = Lines(process.stdout.fileno())
    assert lines.next() == "ready"
    yield process, lines
    for pid in lines.writers:  # a failed run must not leave a writer looping forever
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if process.poll() is None:
        assert process.stdin is not None
        process.stdin.write(b"quit\n")
        process.stdin.close()
        process.wait(timeout=READ_TIMEOUT_S)


def _send(process: Any, line: str) -> None:
    process.stdin.write(f"{line}\n".encode())
    process.stdin.flush()


def _one_run(process: Any, lines: Lines, run: int, acks_wanted: int) -> tuple[list[str], int]:
    """Start a writer, read ``acks_wanted`` acknowledgements, SIGKILL it, collect the rest."""
    _send(process, f"go {run}")
    acked: list[str] = []
    pid = None
    while pid is None or len(acked) < acks_wanted:
        kind, _, value = lines.next().partition(" ")
        if kind == "pid":
            pid = int(value)
            lines.writers.append(pid)
        elif kind == "ack":
            acked.append(value)
        else:
            raise AssertionError(f"unexpected line from helper: {kind} {value}")
    os.kill(pid, signal.SIGKILL)
    _send(process, f"reap {pid}")
    while True:  # acknowledgements already in the pipe were also commits that returned
        kind, _, value = lines.next().partition(" ")
        if kind == "ack":
            acked.append(value)
        elif kind == "reaped":
            return acked, int(value)
        else:
            raise AssertionError(f"unexpected line from helper: {kind} {value}")


def _check_in_process(vault_dir: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("CASEDESK_PASSPHRASE", PASSPHRASE)
    return cli_main(["--vault", str(vault_dir), "check"])


@pytest.mark.slow
def test_sigkill_at_random_points_loses_no_acknowledged_note(
    vault_and_client: tuple[Path, str],
    helper: tuple[Any, Lines],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    vault_dir, client_id = vault_and_client
    process, lines = helper
    seed = int(os.environ.get("CASEDESK_CRASH_SEED", "0")) or random.SystemRandom().randrange(
        1, 2**31
    )
    rng = random.Random(seed)
    all_acked: set[str] = set()
    for run in range(RUNS):
        # Every third run dies early (often while opening the vault); the rest mid-stream.
        early = run % 3 == 0
        acks_wanted = rng.choice([0, 0, 1, 2]) if early else rng.randint(1, MAX_ACKS_BEFORE_KILL)
        acked, status = _one_run(process, lines, run, acks_wanted)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (seed, run)
        all_acked.update(acked)

        code = _check_in_process(vault_dir, monkeypatch)  # `casedesk check`, same code path
        output = capsys.readouterr()
        assert code == 0, f"seed {seed}, run {run}: check failed:\n{output.out}\n{output.err}"
        assert "integrity: ok" in output.out

        service = VaultService(vault_dir)
        service.unlock(PASSPHRASE)
        try:
            present = {note.id for note in NoteService(service.db).list_notes(client_id)}
        finally:
            service.lock()
        missing = all_acked - present
        assert not missing, f"seed {seed}, run {run}: acknowledged notes lost: {sorted(missing)}"

    assert len(all_acked) >= RUNS, "the writers barely ran; the test proved little"
    env = private_env(tmp_path / "final-env", CASEDESK_PASSPHRASE=PASSPHRASE)
    final = run_cli(["--vault", str(vault_dir), "check"], env)  # a real subprocess, once
    assert final.returncode == 0, final.stderr
    assert "cipher integrity: ok" in final.stdout

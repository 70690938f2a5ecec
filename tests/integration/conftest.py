"""Shared integration fixtures: the CLI run in-process on a fresh, initialised vault."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultkit import PASSPHRASE, InProcessCli


@pytest.fixture
def cli_vault(tmp_path: Path) -> Path:
    """Where the ``cli_on_new_vault`` vault lives."""
    return tmp_path / "vault"


@pytest.fixture
def cli_on_new_vault(
    cli_vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> InProcessCli:
    """``casedesk`` in this process on a new vault (cheap Argon2, passphrase in the env)."""
    env = {
        "CASEDESK_VAULT": str(cli_vault),
        "CASEDESK_KDF": "test",
        "CASEDESK_PASSPHRASE": PASSPHRASE,
    }
    runner = InProcessCli(monkeypatch, capsys, env)
    assert runner("init").returncode == 0
    return runner

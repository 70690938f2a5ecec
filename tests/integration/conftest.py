"""Fixtures for CLI tests on a real vault (a test module may define its own instead)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultkit import InProcessCli, initialised_cli


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    """Where the test's vault lives."""
    return tmp_path / "vault"


@pytest.fixture
def cli(
    vault_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> InProcessCli:
    """The CLI, in this process, on a new vault at ``vault_dir`` (passphrase in the env)."""
    return initialised_cli(vault_dir, monkeypatch, capsys)

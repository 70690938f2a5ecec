"""Fixtures for storage tests: real SQLCipher vaults with the tiny test Argon2 cost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casedesk.storage.keys import TEST_KDF
from casedesk.storage.vault import CreatedVault, Vault
from vaultkit import PASSPHRASE


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    """Where the test vault lives (not created yet)."""
    return tmp_path / "vault"


@pytest.fixture
def created(vault_path: Path) -> Iterator[CreatedVault]:
    """A new, unlocked vault and its recovery key."""
    result = Vault.create(vault_path, PASSPHRASE, kdf=TEST_KDF)
    yield result
    result.vault.lock()


@pytest.fixture
def vault(created: CreatedVault) -> Vault:
    """A new, unlocked vault."""
    return created.vault

"""Where casedesk keeps things on disk, computed in one place.

The vault directory comes from ``--vault DIR``, then ``CASEDESK_VAULT``, then the platform's
user-data directory. Nothing identifying a client is ever part of a path.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "casedesk"
APP_AUTHOR = "casedesk"
VAULT_ENV = "CASEDESK_VAULT"


def default_vault_dir() -> Path:
    """The vault used when neither ``--vault`` nor ``CASEDESK_VAULT`` is given."""
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)) / "vault"


def resolve_vault_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the vault directory from the command line, the environment or the default."""
    if cli_value:
        return Path(cli_value).expanduser()
    env_value = os.environ.get(VAULT_ENV)
    if env_value:
        return Path(env_value).expanduser()
    return default_vault_dir()


def resources_dir() -> Path:
    """The ``resources/`` tree: inside a wheel, or at the repository root in development."""
    packaged = resources.files("casedesk") / "resources"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "resources"

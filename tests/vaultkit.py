"""Helpers for tests on real SQLCipher vaults: file digests, canary greps, raw keyed access, CLI.

Importable from any test module as ``vaultkit`` (``tests/`` is on ``sys.path`` because the
root ``conftest.py`` lives there). No mocks: every helper works on real vault files.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlcipher3

from casedesk.storage.keys import KeyFile

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
FIXTURES_DIR = TESTS_DIR / "fixtures"
FIXTURE_V1_DIR = FIXTURES_DIR / "vaults" / "v1"

PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "a completely different passphrase 42"
WRONG_PASSPHRASE = "not the right passphrase at all"


# ----------------------------------------------------------------------------- vaults


def demo_vault(path: Path, clients: int, seed: int) -> Path:
    """Create a vault at ``path`` filled with a synthetic caseload (agreed plans included), locked.

    The data is anchored on a fixed date, so the same arguments give the same caseload.
    """
    from datetime import date

    from casedesk.services.demo import generate_demo_data
    from casedesk.services.vault_service import VaultService
    from casedesk.storage.keys import TEST_KDF

    vault = VaultService(path, TEST_KDF)
    vault.create(PASSPHRASE)
    generate_demo_data(vault.db, clients, seed=seed, anchor=date(2026, 11, 1))
    vault.lock()
    return path


def client_with_plan(services: Any) -> str:
    """The id of the first client (of an unlocked ``Services``) with an agreed plan."""
    from casedesk.services.errors import NotFound
    from casedesk.services.plan_documents import PlanDocumentService

    documents = PlanDocumentService(services.vault.db)
    for row in services.clients.list_clients():
        try:
            documents.plan_document(row.id)
        except NotFound:
            continue
        return str(row.id)
    raise AssertionError("the demo caseload has no agreed plan")


# ----------------------------------------------------------------------------- files


def tree_digest(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under ``roots`` (relative path -> hex digest).

    Comparing two digests shows both changed bytes and new or removed files.
    """
    digest: dict[str, str] = {}
    for root in roots:
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            digest[f"{Path(root).name}/{path.relative_to(root)}"] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return digest


def all_files(*roots: Path) -> list[Path]:
    """Every regular file under ``roots``."""
    return [p for root in roots for p in sorted(Path(root).rglob("*")) if p.is_file()]


def canary_hits(needle: str, *roots: Path) -> list[str]:
    """Files under ``roots`` containing ``needle`` as UTF-8, UTF-16-LE or UTF-16-BE bytes.

    The lower-case form is searched too (full-text indexes store folded tokens).
    """
    patterns = {
        f"{form} {encoding}": text.encode(encoding)
        for form, text in (("as given", needle), ("lower-case", needle.lower()))
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
    }
    hits = []
    for path in all_files(*roots):
        data = path.read_bytes()
        for name, pattern in patterns.items():
            if pattern in data:
                hits.append(f"{path} ({name})")
    return hits


# ----------------------------------------------------------------------------- raw access


def database_key(vault_dir: Path, passphrase: str = PASSPHRASE) -> bytearray:
    """The raw database key, unwrapped from the vault's key file."""
    return KeyFile.load(Path(vault_dir) / "vault.key").unwrap_with_passphrase(passphrase)


@contextmanager
def raw_db(db_path: Path, key: bytes | bytearray) -> Iterator[Any]:
    """A raw sqlcipher3 connection keyed with ``key`` (autocommit), closed afterwards."""
    conn = sqlcipher3.dbapi2.connect(str(db_path), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{bytes(key).hex()}'\"")
        yield conn
    finally:
        conn.close()


def table_rows_digest(
    conn: Any, tables: list[str], columns: Mapping[str, list[str]] | None = None
) -> dict[str, tuple[int, str]]:
    """Row count and a content hash per table (rows in primary-key/rowid order).

    ``columns`` limits a table to the named columns (to compare rows across a migration that
    added columns).
    """
    result = {}
    for table in tables:
        names = ", ".join(f'"{c}"' for c in columns[table]) if columns else "*"
        rows = conn.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
        result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def table_columns(conn: Any, tables: list[str]) -> dict[str, list[str]]:
    """The column names of each table."""
    return {t: [row[1] for row in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}


def user_tables(conn: Any) -> list[str]:
    """Ordinary tables (not SQLite internals, FTS shadow tables or Alembic's own)."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        )
    ]
    return sorted(
        n
        for n in names
        if not n.startswith("sqlite_")
        and not n.startswith(("note_fts", "client_fts"))
        and n != "alembic_version"
    )


# ----------------------------------------------------------------------------- CLI


def private_env(base: Path, **extra: str) -> dict[str, str]:
    """An environment whose HOME, TMPDIR and XDG dirs are fresh directories under ``base``."""
    # Bytecode caching stays on (PYTHONDONTWRITEBYTECODE dropped): each CLI process would
    # otherwise recompile every casedesk module it imports.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CASEDESK_", "XDG_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    for name in ("home", "tmp", "xdg-data", "xdg-config", "xdg-cache", "xdg-state", "xdg-run"):
        (base / name).mkdir(parents=True, exist_ok=True, mode=0o700)
    env.update(
        HOME=str(base / "home"),
        TMPDIR=str(base / "tmp"),
        TEMP=str(base / "tmp"),
        TMP=str(base / "tmp"),
        XDG_DATA_HOME=str(base / "xdg-data"),
        XDG_CONFIG_HOME=str(base / "xdg-config"),
        XDG_CACHE_HOME=str(base / "xdg-cache"),
        XDG_STATE_HOME=str(base / "xdg-state"),
        XDG_RUNTIME_DIR=str(base / "xdg-run"),
        CASEDESK_KDF="test",
    )
    env.update(extra)
    return env


def private_dirs(base: Path) -> list[Path]:
    """The directories :func:`private_env` created (to grep them afterwards)."""
    return [
        base / name
        for name in ("home", "tmp", "xdg-data", "xdg-config", "xdg-cache", "xdg-state", "xdg-run")
    ]


def run_cli(
    args: list[str], env: Mapping[str, str], *, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m casedesk ARGS`` as a real subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "casedesk", *args],
        env=dict(env),
        input=input_text,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def initialised_cli(vault_dir: Path, monkeypatch: Any, capsys: Any) -> InProcessCli:
    """An in-process CLI on a new vault at ``vault_dir`` (``init`` done; passphrase in env)."""
    env = {"CASEDESK_VAULT": str(vault_dir), "CASEDESK_KDF": "test"}
    cli = InProcessCli(monkeypatch, capsys, {**env, "CASEDESK_PASSPHRASE": PASSPHRASE})
    created = cli("init")
    assert created.returncode == 0, created.stderr
    return cli


# ----------------------------------------------------------------------------- fixtures


def load_fixture_builder() -> ModuleType:
    """``tests/fixtures/make_fixture_v1.py`` as a module (it is a script, not a package)."""
    name = "casedesk_make_fixture_v1"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, FIXTURES_DIR / "make_fixture_v1.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class CliResult:
    """What a CLI run returned (same attribute names as ``subprocess.CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


class InProcessCli:
    """Run ``casedesk`` through :func:`casedesk.cli.main` in this process (fast; same code).

    The environment is set per call with ``monkeypatch``; output is captured with ``capsys``.
    Use :func:`run_cli` where a real process boundary matters (exit status, private TMPDIR).
    """

    def __init__(self, monkeypatch: Any, capsys: Any, env: Mapping[str, str]) -> None:
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.env = dict(env)

    def __call__(self, *args: str, **env: str) -> CliResult:
        from casedesk.cli import main

        with self.monkeypatch.context() as patch:
            for name in list(os.environ):
                if name.startswith("CASEDESK_"):
                    patch.delenv(name)
            for name, value in {**self.env, **env}.items():
                patch.setenv(name, value)
            self.capsys.readouterr()
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 1
            captured = self.capsys.readouterr()
        return CliResult(code, captured.out, captured.err)


# ----------------------------------------------------------------------------- my details

TEST_WORKER = "Test Worker"
TEST_WORKER_PHONE = "02 5550 0000"


def sample_details() -> Any:
    """A fully filled-in, valid ``MyDetails`` (every field set, no logo)."""
    from casedesk.domain.my_details import MyDetails

    return MyDetails(
        name="Ana Lima",
        role="Case manager",
        organisation="Riverbend Community Support",
        phone="+61 (2) 5550-1234 ext 12",
        email="ana.lima@example.org",
        hours="Mon-Fri 9am-5pm",
        out_of_hours_help="Call 13 11 14 at any time.",
        address="12 River Street\nRiverbend 2999",
    )


def with_my_details(services: Any) -> Any:
    """Set My details (name and phone) so plans can be agreed; returns ``services``."""
    from casedesk.domain.my_details import MyDetails

    services.profile.save(MyDetails(name=TEST_WORKER, phone=TEST_WORKER_PHONE))
    return services

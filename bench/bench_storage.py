"""Storage benchmarks on a realistic caseload (``demo-data --clients 5000``, ~250,000 notes).

Figures (issue 2):
- ``demo-data --clients 5000`` wall time (a real ``casedesk`` subprocess) <= 60 s;
- Argon2id passphrase derivation with calibrated parameters (deliberate, reported on its own);
- unlock to first query, excluding Argon2 <= 150 ms (fresh process each time);
- FTS note search p95 <= 50 ms and client name prefix search p95 <= 20 ms (~100 queries each,
  through the real services);
- the same query workload on SQLCipher vs a plain-SQLite copy (``sqlcipher_export``): <= 1.5x.
Each timed figure is measured with ``PRAGMA cipher_memory_security`` OFF (engine.py's default)
and ON (``CASEDESK_MEMORY_SECURITY=on``). The setting is process-wide and cannot be turned off
once on, so every measurement runs in its own worker process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, RESULTS_DIR, Row, info_row, le_row, summary_ms

PASSPHRASE = "bench vault passphrase - fictional demo data"
SEED = 1
ANCHOR = "2026-11-01"
UNLOCK_RUNS = 5
QUERIES = 100
SETTINGS = ("off", "on")

TARGET_DEMO_S = 60.0
TARGET_UNLOCK_MS = 150.0
TARGET_NOTE_P95_MS = 50.0
TARGET_CLIENT_P95_MS = 20.0
TARGET_RATIO = 1.5


# ============================================================================ vault cache


def vault_dir(clients: int) -> Path:
    """The cached benchmark vault for ``clients`` clients."""
    return RESULTS_DIR / f"vault-{clients}"


def plain_path(clients: int) -> Path:
    """The unencrypted copy (fictional demo data only)."""
    return RESULTS_DIR / f"plain-{clients}.db"


def _meta_path(clients: int) -> Path:
    return RESULTS_DIR / f"vault-{clients}.json"


def _cli_env(vault: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEDESK_")}
    env.update(CASEDESK_VAULT=str(vault), CASEDESK_PASSPHRASE=PASSPHRASE, CASEDESK_KDF="test")
    return env


def _casedesk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "casedesk", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"casedesk {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def ensure_vault(clients: int, *, rebuild: bool = False) -> dict[str, Any]:
    """Build (or reuse) the benchmark vault and its plain copy; returns the build facts."""
    from casedesk.storage.migrate import head_revision

    meta_file = _meta_path(clients)
    vault = vault_dir(clients)
    if not rebuild and meta_file.exists() and plain_path(clients).exists():
        meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8"))
        if meta.get("schema") == head_revision() and (vault / "casedesk.db").exists():
            meta["cached"] = True
            return meta
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(vault, ignore_errors=True)
    plain_path(clients).unlink(missing_ok=True)
    env = _cli_env(vault)
    _casedesk(["init", "--recovery-key-file", str(RESULTS_DIR / f"vault-{clients}.recovery")], env)
    print(f"building the {clients:,}-client benchmark vault (demo-data)...", file=sys.stderr)
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = _casedesk(
        ["demo-data", "--clients", str(clients), "--seed", str(SEED), "--anchor-date", ANCHOR], env
    )
    demo_seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    demo_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    _export_plain(vault, plain_path(clients))
    meta = {
        "clients": clients,
        "seed": SEED,
        "anchor": ANCHOR,
        "demo_seconds": round(demo_seconds, 2),
        "demo_cpu_seconds": round(demo_cpu, 2),  # user+sys: less sensitive to other load
        "load_average": os.getloadavg(),
        "demo_output": output.stdout.strip(),
        "schema": head_revision(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    meta_file.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    meta["cached"] = False
    return meta


def _export_plain(vault: Path, target: Path) -> None:
    """An unencrypted copy via ``sqlcipher_export`` into an ATTACHed plaintext database."""
    import sqlcipher3

    from casedesk.storage.keys import KeyFile

    key = KeyFile.load(vault / "vault.key").unwrap_with_passphrase(PASSPHRASE)
    conn = sqlcipher3.dbapi2.connect(str(vault / "casedesk.db"), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute(f"ATTACH DATABASE '{target}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    plain = sqlcipher3.dbapi2.connect(str(target), isolation_level=None)
    try:
        plain.execute("PRAGMA journal_mode = WAL")  # same journal mode as the vault
    finally:
        plain.close()
    if not target.read_bytes()[:16].startswith(b"SQLite format 3"):
        raise RuntimeError("the plain copy is not a plaintext SQLite file")


# ============================================================================ workloads


def note_queries(count: int, seed: int) -> list[str]:
    """What a case manager types into note search: topic words, phrases, names, prefixes."""
    from casedesk.services import demo_content as C

    rng = random.Random(seed)
    words = sorted(
        {
            w.strip(".,;:!?'()").lower()
            for text in C.NOTE_TOPICS + C.NOTE_CLOSERS
            for w in text.split()
            if len(w.strip(".,;:!?'()")) >= 5
        }
    )
    queries: list[str] = []
    while len(queries) < count:
        kind = rng.random()
        if kind < 0.35:
            queries.append(rng.choice(words))
        elif kind < 0.6:
            queries.append(f"{rng.choice(words)} {rng.choice(words)}")
        elif kind < 0.8:
            word = rng.choice(words)
            queries.append(word[: rng.randint(3, max(3, len(word) - 1))])
        else:
            queries.append(f"{rng.choice(C.GIVEN_NAMES)} {rng.choice(words)}")
    return queries


def client_queries(count: int, seed: int) -> list[str]:
    """Search-as-you-type on client names: 1-5 letter prefixes, and "given family-prefix"."""
    from casedesk.services import demo_content as C

    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        given, family = rng.choice(C.GIVEN_NAMES), rng.choice(C.FAMILY_NAMES)
        kind = rng.random()
        if kind < 0.6:
            name = rng.choice((given, family))
            queries.append(name[: rng.randint(1, min(5, len(name)))])
        else:
            queries.append(f"{given} {family[: rng.randint(1, min(4, len(family)))]}")
    return queries


def _plain_database(path: Path) -> Any:
    """A Database-compatible object on the plain copy (same library, same pragmas, no key)."""
    import sqlcipher3
    from sqlalchemy import create_engine, event
    from sqlalchemy.orm import sessionmaker

    from casedesk.storage.engine import PAGE_CACHE_KIB, Database, WriteGate

    class PlainDatabase(Database):
        def __init__(self, db_path: Path) -> None:
            self.path = db_path
            self.engine = create_engine(
                f"sqlite:///{db_path}", module=sqlcipher3.dbapi2, pool_size=2, max_overflow=2
            )

            @event.listens_for(self.engine, "connect", insert=True)
            def _on_connect(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.isolation_level = None
                cursor = dbapi_conn.cursor()
                for pragma in (
                    "PRAGMA temp_store = MEMORY",
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = FULL",
                    f"PRAGMA cache_size = -{PAGE_CACHE_KIB}",
                ):
                    cursor.execute(pragma)
                cursor.close()

            @event.listens_for(self.engine, "begin")
            def _on_begin(conn: Any) -> None:
                conn.exec_driver_sql("BEGIN")

            self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
            self._reads = self._sessions  # the workload only reads
            self.write_gate = WriteGate()
            self.session_info = {}

        def close(self) -> None:
            self.engine.dispose()

    return PlainDatabase(path)


def _run_workload(db: Any) -> dict[str, list[float]]:
    from bench.common import time_ms

    from casedesk.services.clients import ClientService
    from casedesk.services.notes import NoteService

    notes, clients = NoteService(db), ClientService(db)
    for query in note_queries(10, seed=99):  # warm-up: page cache and statement caches
        notes.search_notes(query)
    for query in client_queries(10, seed=99):
        clients.search_clients(query)
    return {
        "notes": [time_ms(lambda q=q: notes.search_notes(q)) for q in note_queries(QUERIES, 1)],
        "clients": [
            time_ms(lambda q=q: clients.search_clients(q)) for q in client_queries(QUERIES, 2)
        ],
    }


# ============================================================================ workers


def _apply_memory_security(setting: str) -> None:
    """Select cipher_memory_security for this worker process (engine.py's documented switch)."""
    from casedesk.storage import engine

    os.environ[engine.MEMORY_SECURITY_ENV] = setting


def worker_unlock(clients: int, setting: str) -> dict[str, Any]:
    """In a fresh process: key file read + unwrap + open + schema check + first queries.

    SQLAlchemy's one-off mapper configuration (pure Python, on the first ORM use in a process)
    is timed first and on its own: an app can do it at startup while the passphrase prompt is
    showing. The figures then add it back for the cold-process number.
    """
    _apply_memory_security(setting)
    from sqlalchemy.orm import configure_mappers

    from casedesk.services.clients import ClientService
    from casedesk.storage import open_checks
    from casedesk.storage.keys import derive_passphrase_key
    from casedesk.storage.vault import Vault

    mappers_started = time.perf_counter()
    configure_mappers()
    mappers_ms = (time.perf_counter() - mappers_started) * 1000
    path = vault_dir(clients)
    started = time.perf_counter()
    vault = Vault.open(path)
    vault.unlock(PASSPHRASE)
    opened = time.perf_counter()
    service = ClientService(vault.db)
    count = service.count()
    counted = time.perf_counter()
    rows = service.list_clients()
    listed = time.perf_counter()
    memory_security = vault.db.scalar("PRAGMA cipher_memory_security")
    # The open-time damage checks ran inside unlock; time them again on their own.
    checks_started = time.perf_counter()
    open_checks.inspect(vault.db_path, vault.db.keys.key)
    checks_ms = (time.perf_counter() - checks_started) * 1000
    vault.lock()
    # The vault was made with the test KDF; time that derivation to subtract it exactly.
    key_file = Vault.open(path).key_file
    kdf_started = time.perf_counter()
    derive_passphrase_key(PASSPHRASE, key_file.salt, key_file.kdf)
    kdf_ms = (time.perf_counter() - kdf_started) * 1000
    unlock_ms = (opened - started) * 1000 - kdf_ms
    count_ms = (counted - opened) * 1000
    return {
        "setting": setting,
        "memory_security": int(memory_security),
        "orm_setup_ms": round(mappers_ms, 2),
        "unlock_ms": round(unlock_ms, 2),
        "first_query_ms": round(count_ms, 2),
        "to_first_query_ms": round(unlock_ms + count_ms, 2),
        "client_list_ms": round((listed - counted) * 1000, 2),
        "to_client_list_ms": round(unlock_ms + (listed - opened) * 1000, 2),
        "kdf_excluded_ms": round(kdf_ms, 2),
        "open_checks_ms": round(checks_ms, 2),
        "clients": count,
        "clients_listed": len(rows),
    }


def worker_queries(clients: int, setting: str) -> dict[str, Any]:
    """The search workload on the vault, then the same workload on the plain copy."""
    _apply_memory_security(setting)
    from sqlalchemy import text

    from casedesk.storage.vault import Vault

    vault = Vault.open(vault_dir(clients))
    vault.unlock(PASSPHRASE)
    with vault.db.engine.connect() as conn:
        notes = conn.execute(text("SELECT count(*) FROM case_note")).scalar()
        memory_security = conn.execute(text("PRAGMA cipher_memory_security")).scalar()
    encrypted = _run_workload(vault.db)
    vault.lock()
    plain_db = _plain_database(plain_path(clients))
    plain = _run_workload(plain_db)
    plain_db.close()
    return {
        "setting": setting,
        "memory_security": int(memory_security or 0),
        "notes_in_vault": int(notes or 0),
        "encrypted": encrypted,
        "plain": plain,
    }


def _worker_env() -> dict[str, str]:
    # An installed app has compiled bytecode; without it every fresh process (and Alembic's
    # revision scripts, loaded on each open) would be compiled from source each time.
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _spawn(mode: str, clients: int, setting: str, *extra: str) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_storage",
            "--worker",
            mode,
            "--clients",
            str(clients),
            "--memory-security",
            setting,
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env=_worker_env(),
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench worker {mode}/{setting} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# ============================================================================ figures


def argon2_row() -> Row:
    """Calibrate Argon2id as a new vault would, then time one derivation with the result."""
    from casedesk.storage.keys import calibrate_kdf, derive_passphrase_key

    started = time.perf_counter()
    params = calibrate_kdf()
    calibration_s = time.perf_counter() - started
    salt = os.urandom(16)
    timings = []
    for _ in range(3):
        t0 = time.perf_counter()
        derive_passphrase_key(PASSPHRASE, salt, params)
        timings.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(timings)
    return info_row(
        f"Argon2id derivation (calibrated t={params.time_cost}, "
        f"m={params.memory_kib // 1024} MiB, p={params.parallelism}; deliberate, excluded below)",
        f"{median:.0f} ms",
        params=params.as_json(),
        timings_ms=[round(t, 1) for t in timings],
        calibration_s=round(calibration_s, 2),
    )


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def run(clients: int = 5000, rebuild: bool = False) -> list[Row]:
    """Build or reuse the vault, run every storage figure for both memory-security settings."""
    meta = ensure_vault(clients, rebuild=rebuild)
    rows: list[Row] = []
    cached = " (cached build)" if meta.get("cached") else ""
    rows.append(
        le_row(
            f"demo-data --clients {clients:,} wall time{cached}",
            float(meta["demo_seconds"]),
            TARGET_DEMO_S,
            "s",
            built_at=meta.get("built_at"),
            output=meta.get("demo_output"),
            cpu_seconds=meta.get("demo_cpu_seconds"),
            load_average=meta.get("load_average"),
        )
    )
    if meta.get("demo_cpu_seconds") is not None:
        rows.append(
            info_row(
                "  demo-data CPU time (user+sys; the machine's other load excluded)",
                f"{meta['demo_cpu_seconds']:.1f} s",
            )
        )
    rows.append(argon2_row())
    db_size = (vault_dir(clients) / "casedesk.db").stat().st_size
    rows.append(info_row("vault database size", f"{db_size / 2**20:.0f} MiB"))
    for setting in SETTINGS:
        label = f"[memory security {setting.upper()}]"
        _spawn("unlock", clients, setting)  # warm-up: bytecode written, OS file cache warm
        unlocks = [_spawn("unlock", clients, setting) for _ in range(UNLOCK_RUNS)]
        how = f"excl. Argon2, median of {UNLOCK_RUNS} fresh processes {label}"
        rows.append(
            le_row(
                f"unlock to first query (client count), {how}",
                _median(unlocks, "to_first_query_ms"),
                TARGET_UNLOCK_MS,
                "ms",
                runs=unlocks,
            )
        )
        rows.append(
            le_row(
                f"  same, plus one-off ORM setup (cold process, nothing prepared), {how}",
                statistics.median(u["to_first_query_ms"] + u["orm_setup_ms"] for u in unlocks),
                TARGET_UNLOCK_MS,
                "ms",
            )
        )
        rows.append(
            info_row(
                f"  of which open-time damage checks (size, sampled page HMACs), {how}",
                f"{_median(unlocks, 'open_checks_ms'):.1f} ms",
            )
        )
        rows.append(
            le_row(
                f"unlock to full caseload list ({unlocks[0]['clients_listed']:,} clients), {how}",
                _median(unlocks, "to_client_list_ms"),
                TARGET_UNLOCK_MS,
                "ms",
            )
        )
        work = _spawn("queries", clients, setting)
        enc, plain = work["encrypted"], work["plain"]
        note_s, client_s = summary_ms(enc["notes"]), summary_ms(enc["clients"])
        rows.append(
            le_row(
                f"FTS note search p95, {len(enc['notes'])} queries over "
                f"{work['notes_in_vault']:,} notes {label}",
                note_s["p95_ms"],
                TARGET_NOTE_P95_MS,
                "ms",
                encrypted=note_s,
                plain=summary_ms(plain["notes"]),
            )
        )
        rows.append(
            le_row(
                f"client name prefix search p95, {len(enc['clients'])} queries {label}",
                client_s["p95_ms"],
                TARGET_CLIENT_P95_MS,
                "ms",
                encrypted=client_s,
                plain=summary_ms(plain["clients"]),
            )
        )
        enc_total = sum(enc["notes"]) + sum(enc["clients"])
        plain_total = sum(plain["notes"]) + sum(plain["clients"])
        rows.append(
            le_row(
                f"same query workload, SQLCipher / plain SQLite (total time) {label}",
                enc_total / plain_total,
                TARGET_RATIO,
                "x",
                encrypted_total_ms=round(enc_total, 1),
                plain_total_ms=round(plain_total, 1),
                notes_p95_ratio=round(note_s["p95_ms"] / summary_ms(plain["notes"])["p95_ms"], 2),
                clients_p95_ratio=round(
                    client_s["p95_ms"] / summary_ms(plain["clients"])["p95_ms"], 2
                ),
            )
        )
    for row in rows:
        row.source = "storage"
    return rows


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=("unlock", "queries"))
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--memory-security", choices=SETTINGS, default="off")
    args = parser.parse_args(argv)
    if args.worker == "unlock":
        print(json.dumps(worker_unlock(args.clients, args.memory_security)))
    elif args.worker == "queries":
        print(json.dumps(worker_queries(args.clients, args.memory_security)))
    else:
        from bench.common import format_table

        print(format_table(run(args.clients)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

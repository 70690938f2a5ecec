"""SIGKILL at random protocol steps (hypothesis picks step and occurrence), then restart.

Pass: every device and the hub converge to the same per-table hashes, every local edit made
before the kill reaches the other device, and no operation is recorded twice on the hub.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kill_driver import STEPS
from sqlalchemy import create_engine, text
from syncfix import PASSPHRASE

from casedesk.domain.notes import NoteInput
from casedesk.storage.models import Client

DRIVER = Path(__file__).with_name("kill_driver.py")


def _hub_rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _run_killable(vault_dir: Path, step: str, occurrence: int) -> int:
    env = dict(os.environ, CASEDESK_PASSPHRASE=PASSPHRASE, CASEDESK_KDF="test")
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(vault_dir), step, str(occurrence)],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr.decode()[-2000:]
    return done.returncode


def test_sigkill_at_random_steps_then_restart_converges(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    clients = [a.add_client(f"C{i}") for i in range(3)]
    fleet.settle(1)
    examples = 6 if fleet.hub.db_url.startswith("sqlite") else 2
    counter = [0]
    kills: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        step=st.sampled_from(STEPS),
        occurrence=st.integers(min_value=1, max_value=2),
        edits=st.integers(min_value=1, max_value=3),
    )
    def round_with_a_kill(step: str, occurrence: int, edits: int) -> None:
        counter[0] += 1
        expected = {}
        with a.db.session() as session:
            for index in range(edits):
                phone = f"{counter[0]}-{index}"
                session.get(Client, clients[index]).phone = phone
                expected[clients[index]] = phone
        new_client = a.add_client(f"New{counter[0]}")
        b.services.notes.add_note(NoteInput(client_id=clients[0], body=f"note {counter[0]}"))
        b.sync_ok()  # so A has something to pull as well
        a.vault.lock()
        if _run_killable(a.vault.path, step, occurrence) != 0:
            kills.append(step)
        a.reopen()
        fleet.settle(2)
        fleet.assert_converged()
        for client_id, phone in expected.items():
            assert b.services.clients.get_client(client_id).phone == phone
        assert b.services.clients.get_client(new_client).given_name == f"New{counter[0]}"
        doubled = _hub_rows(
            fleet.hub.db_url, "SELECT op_id FROM hub_change_log GROUP BY op_id HAVING count(*) > 1"
        )
        assert doubled == []
        assert a.pending_ops() == [] and b.pending_ops() == []

    round_with_a_kill()
    assert kills  # at least one round really died mid-protocol

"""Child process for the SIGKILL tests: run one ``sync_once`` and kill itself at a chosen step.

Usage: ``python kill_driver.py VAULT_DIR STEP OCCURRENCE`` (passphrase from CASEDESK_PASSPHRASE).
Exits 0 when the step never came up in this round (the parent accepts that too).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from casedesk.services.bundle import Services
from casedesk.services.vault_service import VaultService
from casedesk.storage import sync_store
from casedesk.sync import engine
from casedesk.sync.http_client import HubClient

STEPS = ("hello", "push_send", "push_committed", "push_recorded", "pull_page", "apply_committed")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _countdown(occurrence: int) -> Any:
    left = [occurrence]

    def tick() -> None:
        left[0] -= 1
        if left[0] == 0:
            _die()

    return tick


def _install(step: str, occurrence: int, services: Services) -> None:
    tick = _countdown(occurrence)
    if step == "hello":
        original_hello = HubClient.hello

        def hello(self: HubClient, *args: Any, **kwargs: Any) -> Any:
            result = original_hello(self, *args, **kwargs)
            tick()
            return result

        HubClient.hello = hello  # type: ignore[method-assign]
    elif step in ("push_send", "push_committed"):
        original_push = HubClient.push

        def push(self: HubClient, *args: Any, **kwargs: Any) -> Any:
            if step == "push_send":
                tick()
            result = original_push(self, *args, **kwargs)
            if step == "push_committed":
                tick()  # the hub committed; the answer is never recorded
            return result

        HubClient.push = push  # type: ignore[method-assign]
    elif step == "push_recorded":
        original_ack = sync_store.acknowledge

        def acknowledge(session: Any, seqs: list[int]) -> None:
            original_ack(session, seqs)
            tick()  # inside the local transaction, before its commit

        sync_store.acknowledge = acknowledge  # type: ignore[assignment]
    elif step == "pull_page":
        services.sync.after_page = lambda _count: tick()
    elif step == "apply_committed":
        original_exit = engine._ApplySession.__exit__

        def exit_(self: Any, *exc: Any) -> None:
            original_exit(self, *exc)
            tick()

        engine._ApplySession.__exit__ = exit_  # type: ignore[method-assign]


def main() -> int:
    vault_dir, step, occurrence = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    vault = VaultService(vault_dir)
    vault.unlock(os.environ["CASEDESK_PASSPHRASE"])
    services = Services.for_vault(vault)
    _install(step, occurrence, services)
    result = services.sync.sync_once()
    vault.lock()
    return 0 if result.in_sync else 3


if __name__ == "__main__":
    sys.exit(main())

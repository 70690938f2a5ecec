"""Background sync: a timer-driven loop with exponential backoff and jitter, no user action needed.

The loop runs on its own thread (not the UI's database thread): a sync round spends most of
its time waiting for the network, and running it on the single database thread would queue
every screen's reads behind a slow hub. The round opens its own pooled connection to the vault
(SQLite WAL lets it read while the UI reads; writes take turns under ``busy_timeout``).

Timing:

- after a failed round (hub unreachable, refused, a write conflict): retry after 5 s, 15 s,
  45 s ... up to 15 minutes, each delay drawn from [half, full] (jitter) so a fleet of devices
  coming back online does not hit the hub in lockstep;
- after a good round: check again every ``idle_interval`` seconds (remote changes arrive
  without anyone pressing a button);
- a paused round (a mass deletion needs a person) is not retried by the timer;
- ``trigger()`` ("Sync now", a local change, the network coming back) wakes the loop at once.

Retries never depend on a new local write: the timer alone drains a failed push.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from enum import Enum

log = logging.getLogger(__name__)

MIN_DELAY = 5.0
MAX_DELAY = 15 * 60.0
BACKOFF_FACTOR = 3.0
IDLE_INTERVAL = 60.0


class RoundOutcome(Enum):
    """How a round ended, as far as scheduling cares."""

    DONE = "done"  # in sync: poll again after the idle interval
    RETRY = "retry"  # failed: back off and try again
    HOLD = "hold"  # a person must act first: wait for trigger()


Round = Callable[[], RoundOutcome]
Waiter = Callable[[float | None], bool]


def backoff_delay(failures: int, rng: Callable[[], float] = random.random) -> float:
    """The wait before retry number ``failures`` (1-based), jittered within [half, full].

    Args:
        failures: consecutive failed rounds so far (at least 1).
        rng: a source of floats in [0, 1) (tests pass a fixed one).

    Returns:
        Seconds to wait: 5 s, 15 s, 45 s ... capped at 15 minutes, before jitter.
    """
    ceiling = min(MAX_DELAY, MIN_DELAY * BACKOFF_FACTOR ** max(0, failures - 1))
    return ceiling * (0.5 + 0.5 * rng())


class SyncScheduler:
    """Runs ``run_round`` on a background thread whenever it is due.

    Args:
        run_round: one sync round; must not raise (exceptions are logged and count as RETRY).
        idle_interval: seconds between rounds while everything is in sync.
        rng: jitter source.
        waiter: waits up to N seconds (None: until triggered) and returns True when woken early
            (tests inject one that records the delays and returns at once).
    """

    def __init__(
        self,
        run_round: Round,
        *,
        idle_interval: float = IDLE_INTERVAL,
        rng: Callable[[], float] = random.random,
        waiter: Waiter | None = None,
    ) -> None:
        self._run_round = run_round
        self._idle_interval = idle_interval
        self._rng = rng
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._waiter = waiter or self._wait
        self._thread: threading.Thread | None = None
        self.failures = 0
        self.delays: list[float] = []

    @property
    def running(self) -> bool:
        """Whether the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the loop (the first round runs at once)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="casedesk-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 35.0) -> None:
        """Stop the loop and wait for a running round to finish (the vault is locking)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the loop has ended; True when it did."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def trigger(self) -> None:
        """Run a round as soon as possible ("Sync now", a local change, network back)."""
        self._wake.set()

    def step(self) -> float | None:
        """Run one round and return the delay until the next (None: wait for a trigger)."""
        try:
            outcome = self._run_round()
        except Exception:  # a bug must not kill background sync; it is retried with backoff
            log.exception("a background sync round failed unexpectedly")
            outcome = RoundOutcome.RETRY
        if outcome is RoundOutcome.DONE:
            self.failures = 0
            return self._idle_interval
        if outcome is RoundOutcome.HOLD:
            self.failures = 0
            return None
        self.failures += 1
        return backoff_delay(self.failures, self._rng)

    def _loop(self) -> None:
        while not self._stop.is_set():
            delay = self.step()
            if self._stop.is_set():
                return
            self.delays.append(-1.0 if delay is None else delay)
            self._waiter(delay)

    def _wait(self, seconds: float | None) -> bool:
        woken = self._wake.wait(seconds)
        self._wake.clear()
        return woken

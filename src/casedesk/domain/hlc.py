"""Hybrid logical clock (Kulkarni et al. 2014): causal, deterministic ordering of edits.

Rural laptops have wrong clocks, so wall time alone can't order edits. An HLC timestamp is the
larger of wall time and the last timestamp seen, plus a counter; ties break by device id. The last
value is persisted so the clock never runs backwards across restarts or a clock set back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_COUNTER_MAX = 0xFFFF


@dataclass(frozen=True, order=True)
class Hlc:
    """One HLC timestamp. Ordering is (wall_ms, counter, device_id)."""

    wall_ms: int
    counter: int
    device_id: str

    def encode(self) -> str:
        """A fixed-width string that sorts the same way as the timestamp."""
        return f"{self.wall_ms:015d}-{self.counter:05d}-{self.device_id}"

    @classmethod
    def decode(cls, text: str) -> Hlc:
        """Parse :meth:`encode` output.

        Raises:
            ValueError: when ``text`` is not an encoded HLC.
        """
        wall, counter, device = text.split("-", 2)
        if not device or len(wall) != 15 or len(counter) != 5:
            raise ValueError(f"not an HLC timestamp: {text!r}")
        return cls(int(wall), int(counter), device)


class HybridClock:
    """Issues strictly increasing HLC timestamps for one device.

    Args:
        device_id: this device's id (tie-breaker between devices).
        last: the last timestamp issued or observed (persisted by the caller), if any.
        wall_clock: milliseconds since the epoch; injectable so tests can skew or rewind time.
    """

    def __init__(
        self,
        device_id: str,
        last: Hlc | None = None,
        wall_clock: Callable[[], int] | None = None,
    ) -> None:
        self.device_id = device_id
        self._last_wall = last.wall_ms if last else 0
        self._last_counter = last.counter if last else 0
        self._wall_clock = wall_clock or (lambda: time.time_ns() // 1_000_000)
        # Local edits (the UI's database thread) and background sync (its own thread) share
        # one clock: without the lock two threads could be issued the same timestamp.
        self._lock = threading.Lock()

    def now(self) -> Hlc:
        """A timestamp for a local event, greater than every one issued or observed before."""
        with self._lock:
            return self._now()

    def _now(self) -> Hlc:
        wall = self._wall_clock()
        if wall > self._last_wall:
            self._last_wall, self._last_counter = wall, 0
        else:
            self._bump_counter()
        return Hlc(self._last_wall, self._last_counter, self.device_id)

    def observe(self, remote: Hlc) -> Hlc:
        """Merge a timestamp received from another device, so later local edits sort after it."""
        with self._lock:
            return self._observe(remote)

    def _observe(self, remote: Hlc) -> Hlc:
        wall = self._wall_clock()
        top = max(wall, self._last_wall, remote.wall_ms)
        if top == self._last_wall and top == remote.wall_ms:
            self._last_counter = max(self._last_counter, remote.counter)
            self._bump_counter()
        elif top == self._last_wall:
            self._bump_counter()
        elif top == remote.wall_ms:
            self._last_wall, self._last_counter = top, remote.counter
            self._bump_counter()
        else:
            self._last_wall, self._last_counter = top, 0
        return Hlc(self._last_wall, self._last_counter, self.device_id)

    def _bump_counter(self) -> None:
        if self._last_counter >= _COUNTER_MAX:
            # Counter exhausted within one millisecond: borrow the next millisecond.
            self._last_wall += 1
            self._last_counter = 0
        else:
            self._last_counter += 1

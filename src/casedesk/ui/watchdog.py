"""A GUI-thread stall watchdog: how long did the event loop go without running a timer?

A QTimer ticks every ``interval_ms``; the largest gap between two ticks, minus the interval,
is the longest time the GUI thread was busy (a stall the user would feel). Tests and
``make bench`` start it, run a scenario and read ``longest_stall_ms``.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer


class StallWatchdog(QObject):
    """Measures the longest GUI-thread stall while running.

    Attributes:
        longest_stall_ms: the worst stall seen since ``start`` (or ``reset``).
        ticks: how many ticks ran.
    """

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 20) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.longest_stall_ms = 0.0
        self.ticks = 0
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    @property
    def running(self) -> bool:
        """Whether the watchdog is ticking."""
        return self._timer.isActive()

    def start(self) -> None:
        """Start measuring (resets the figures)."""
        self.reset()
        self._timer.start()

    def stop(self) -> float:
        """Stop, count a stall still in progress, and return the longest stall in ms."""
        self._tick()
        self._timer.stop()
        self._last = None
        return self.longest_stall_ms

    def reset(self) -> None:
        """Forget what was measured so far."""
        self.longest_stall_ms = 0.0
        self.ticks = 0
        self._last = time.perf_counter()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            gap_ms = (now - self._last) * 1000.0 - self.interval_ms
            self.longest_stall_ms = max(self.longest_stall_ms, gap_ms)
        self._last = now
        self.ticks += 1

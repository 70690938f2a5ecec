"""Background retry: backoff with jitter, no user action needed to drain a failed push."""

from __future__ import annotations

from itertools import pairwise

from casedesk.sync.http_client import HubClient, HubUnreachable
from casedesk.sync.scheduler import (
    MAX_DELAY,
    MIN_DELAY,
    RoundOutcome,
    SyncScheduler,
    backoff_delay,
)
from casedesk.sync.state import SyncPhase


def test_backoff_grows_from_5s_to_15min_with_jitter() -> None:
    top = [backoff_delay(n, rng=lambda: 0.999999) for n in range(1, 10)]
    low = [backoff_delay(n, rng=lambda: 0.0) for n in range(1, 10)]
    assert round(top[0]) == MIN_DELAY and round(top[1]) == 15 and round(top[2]) == 45
    assert round(top[-1]) == MAX_DELAY and all(a <= b for a, b in pairwise(top))
    assert all(abs(lo - hi / 2) < 0.01 for lo, hi in zip(low, top, strict=True))


def test_outcomes_drive_the_next_delay() -> None:
    outcomes = iter([RoundOutcome.RETRY, RoundOutcome.RETRY, RoundOutcome.DONE, RoundOutcome.HOLD])
    scheduler = SyncScheduler(lambda: next(outcomes), idle_interval=60, rng=lambda: 0.999999)
    delays = [scheduler.step() for _ in range(4)]
    assert [round(d) if d else d for d in delays] == [5, 15, 60, None]


class _FlakyHub(HubClient):
    """The hub is unreachable for the first two pushes (like two 503s), then fine."""

    failures_left = 2

    def push(self, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        if _FlakyHub.failures_left > 0:
            _FlakyHub.failures_left -= 1
            raise HubUnreachable("the hub had a problem (HTTP 503)")
        return super().push(*args, **kwargs)


def test_failed_push_drains_on_the_timer_without_any_user_action(fleet) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    a.sync.hub_factory = lambda url, token: _FlakyHub(url, token)
    a.sync.close()
    _FlakyHub.failures_left = 2
    a.add_client("Ana")  # the only local write; nothing else happens after it
    waited: list[float | None] = []
    statuses: list[SyncPhase] = []

    def fake_timer(seconds: float | None) -> bool:
        waited.append(seconds)
        if not a.pending_ops() or len(waited) > 5:
            scheduler.stop(timeout=0)
        return False

    scheduler = SyncScheduler(a.sync.background_round, rng=lambda: 0.5, waiter=fake_timer)
    a.sync.start_background(lambda status: statuses.append(status.phase), scheduler)
    scheduler._thread.join(60)  # type: ignore[union-attr]
    a.sync.stop_background()
    assert a.pending_ops() == []
    assert [round(w or 0, 1) for w in waited[:2]] == [3.8, 11.2]  # 5 s and 15 s, jittered
    assert SyncPhase.OFFLINE in statuses and statuses[-1] is SyncPhase.IN_SYNC
    assert SyncPhase.SYNCING in statuses

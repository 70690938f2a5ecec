"""Hybrid logical clock: strictly increasing whatever the wall clock does (properties)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.hlc import Hlc, HybridClock

walls = st.integers(min_value=0, max_value=10**13)
device_ids = st.text(st.characters(categories=("Ll", "Nd")), min_size=1, max_size=12)


class ScriptedWall:
    """A wall clock that returns a scripted sequence (jumps, stalls, going backwards)."""

    def __init__(self, readings: list[int]) -> None:
        self._readings: Iterator[int] = iter(readings)
        self.last = readings[0] if readings else 0

    def __call__(self) -> int:
        self.last = next(self._readings, self.last)
        return self.last


@given(st.lists(walls, min_size=1, max_size=200))
def test_now_strictly_increases_under_any_wall_clock(readings: list[int]) -> None:
    clock = HybridClock("dev", wall_clock=ScriptedWall(readings))
    stamps = [clock.now() for _ in readings]
    assert all(a < b for a, b in itertools.pairwise(stamps))
    assert all(s.wall_ms >= r for s, r in zip(stamps, readings, strict=True))


@given(
    st.lists(
        st.tuples(st.booleans(), walls, st.integers(0, 0xFFFF), device_ids),
        min_size=1,
        max_size=150,
    )
)
def test_observe_keeps_local_time_ahead_of_everything_seen(
    script: list[tuple[bool, int, int, str]],
) -> None:
    wall = ScriptedWall([event[1] for event in script])
    clock = HybridClock("local", wall_clock=wall)
    issued: list[Hlc] = []
    seen: list[Hlc] = []
    for is_remote, _wall, counter, device in script:
        if is_remote:
            remote = Hlc(max(0, wall.last - 5_000 + counter), counter, device)
            seen.append(remote)
            stamp = clock.observe(remote)
            assert (stamp.wall_ms, stamp.counter) > (remote.wall_ms, remote.counter)
        else:
            stamp = clock.now()
        if issued:
            assert (stamp.wall_ms, stamp.counter) > (issued[-1].wall_ms, issued[-1].counter)
        issued.append(stamp)
    after = clock.now()
    for stamp in issued + seen:
        assert (after.wall_ms, after.counter) > (stamp.wall_ms, stamp.counter)


@given(walls, st.integers(0, 0xFFFF), device_ids)
def test_encode_decode_round_trip(wall_ms: int, counter: int, device: str) -> None:
    stamp = Hlc(wall_ms, counter, device)
    assert Hlc.decode(stamp.encode()) == stamp


@given(st.lists(st.tuples(walls, st.integers(0, 0xFFFF)), min_size=2, max_size=50), device_ids)
def test_encoded_strings_sort_like_timestamps(pairs: list[tuple[int, int]], device: str) -> None:
    stamps = [Hlc(w, c, device) for w, c in pairs]
    assert sorted(stamps) == sorted(stamps, key=lambda s: s.encode())


def test_restart_from_persisted_stamp_never_goes_back() -> None:
    first = HybridClock("dev", wall_clock=lambda: 5_000)
    last = [first.now() for _ in range(3)][-1]
    restarted = HybridClock("dev", Hlc.decode(last.encode()), wall_clock=lambda: 1_000)  # set back
    assert restarted.now() > last


def test_counter_exhaustion_borrows_the_next_millisecond() -> None:
    clock = HybridClock("dev", Hlc(1_000, 0xFFFF - 1, "dev"), wall_clock=lambda: 1_000)
    assert clock.now() == Hlc(1_000, 0xFFFF, "dev")
    assert clock.now() == Hlc(1_001, 0, "dev")


def test_ties_break_by_device() -> None:
    assert Hlc(1, 1, "a") < Hlc(1, 1, "b")


@pytest.mark.parametrize("text", ["", "x", "1-2", "000000000000001-1-dev", "12345-00001-"])
def test_decode_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        Hlc.decode(text)

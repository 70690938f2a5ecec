"""Record ids: UUIDv7 strings, time-ordered, deterministic when seeded."""

from __future__ import annotations

import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.ids import is_uuid, new_id, uuid7_from

millis = st.integers(min_value=0, max_value=2**48 - 1)


def test_new_id_is_a_canonical_uuid7() -> None:
    value = new_id()
    parsed = uuid.UUID(value)
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert str(parsed) == value and len(value) == 36 and is_uuid(value)
    assert len({new_id() for _ in range(1000)}) == 1000


@given(millis, st.integers(min_value=0))
def test_seeded_ids_are_valid_and_deterministic(unix_ms: int, seed: int) -> None:
    first = uuid7_from(unix_ms, random.Random(seed))
    assert first == uuid7_from(unix_ms, random.Random(seed))
    parsed = uuid.UUID(first)
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert parsed.int >> 80 == unix_ms


@given(st.lists(millis, min_size=2, max_size=40, unique=True), st.integers(min_value=0))
def test_ids_sort_by_time(times: list[int], seed: int) -> None:
    rng = random.Random(seed)
    ids = {uuid7_from(ms, rng): ms for ms in times}
    assert [ids[i] for i in sorted(ids)] == sorted(times)


@given(st.text(max_size=40))
def test_is_uuid_never_raises(text: str) -> None:
    assert is_uuid(text) in (True, False)


def test_is_uuid_examples() -> None:
    value = new_id()
    assert is_uuid(value.upper())  # case does not matter
    assert not is_uuid("{" + value + "}") and not is_uuid(value.replace("-", ""))
    assert not is_uuid("not-a-uuid") and not is_uuid("")

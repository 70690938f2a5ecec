"""Reference data identity: derived ids, and one canonical row per natural key."""

from __future__ import annotations

import random
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.domain_sets import DomainSetRef
from casedesk.domain.ids import is_uuid, new_id
from casedesk.domain.reference import canonical_id, reference_id


def test_reference_ids_are_stable_uuid5_per_kind_and_natural_key() -> None:
    first = reference_id("domain_set", "casedesk-core", 1)
    assert first == reference_id("domain_set", "casedesk-core", 1)
    assert is_uuid(first) and uuid.UUID(first).version == 5
    others = {
        reference_id("domain_set", "casedesk-core", 2),
        reference_id("domain_set", "casedesk-core1", ""),
        reference_id("preference", "casedesk-core", 1),
    }
    assert first not in others and len(others) == 3
    # Pinned: every device, every release must derive exactly this id for the core set.
    assert DomainSetRef("casedesk-core", 1).reference_id == first
    assert first == "2f3d612a-adf7-5a79-a81c-1916d4116bcf"


def test_the_derived_id_wins_else_the_smallest() -> None:
    derived = reference_id("domain_set", "k", 1)
    legacy = sorted(new_id() for _ in range(3))
    assert canonical_id([*legacy, derived], derived) == derived
    assert canonical_id(legacy, derived) == legacy[0]
    assert canonical_id(legacy) == legacy[0]
    with pytest.raises(ValueError):
        canonical_id([], derived)


@given(st.lists(st.uuids().map(str), min_size=1, max_size=6, unique=True), st.randoms())
def test_every_device_picks_the_same_row_whatever_order_it_holds_them_in(
    ids: list[str], rng: random.Random
) -> None:
    shuffled = list(ids)
    rng.shuffle(shuffled)
    assert canonical_id(shuffled, ids[-1]) == canonical_id(ids, ids[-1]) == ids[-1]
    assert canonical_id(shuffled) == canonical_id(ids) == min(ids)

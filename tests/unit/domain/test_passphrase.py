"""Passphrase strength: explainable, never crashes, refuses the obviously weak."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.passphrase import COMMON, MIN_LENGTH, estimate


@given(st.text(max_size=300))
def test_any_text_gets_a_score_and_advice_when_weak(text: str) -> None:
    strength = estimate(text)
    assert 0 <= strength.score <= 4 and strength.label
    assert strength.acceptable == (strength.score >= 2)
    if not strength.acceptable:
        assert strength.advice
    if len(text) < MIN_LENGTH:
        assert not strength.acceptable


@pytest.mark.parametrize("common", sorted(COMMON))
def test_common_passphrases_are_very_weak(common: str) -> None:
    assert estimate(common).score == 0
    assert estimate(common.upper()).score == 0


@pytest.mark.parametrize(
    ("text", "acceptable"),
    [
        ("", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("short1!", False),
        ("correct horse battery staple", True),
        ("kōrero whānau 2026", True),
        ("тихий океан и горы", True),
        ("🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻", False),
    ],
)
def test_examples(text: str, acceptable: bool) -> None:
    assert estimate(text).acceptable is acceptable

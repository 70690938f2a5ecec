"""Passphrase strength: zxcvbn against the offline attack at our Argon2id cost; never crashes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.domain import passphrase
from casedesk.domain.passphrase import MIN_GUESSES, crack_time_words, estimate
from casedesk.storage.keys import MIN_INTERACTIVE_KDF, calibrate_kdf

# Passwords the home-made meter called "Good" (issue 11, item 12).
ONCE_CALLED_GOOD = ("Password123!", "password1234", "P@ssw0rd2024", "casedesk2026")


@pytest.mark.parametrize("weak", ONCE_CALLED_GOOD)
def test_passwords_the_old_meter_liked_are_refused_with_a_plain_reason(weak: str) -> None:
    strength = estimate(weak)
    assert not strength.acceptable
    assert strength.score <= 2 and strength.label
    assert "stolen laptop" in strength.advice  # what the risk is, in plain words
    assert "four or more unrelated words" in strength.advice  # and what to do instead


@pytest.mark.parametrize(
    "strong",
    [
        "correct horse battery staple",
        "quiet river lantern 27",
        "kōrero whānau 2026 tide",
        "тихий океан и горы",
        "x" * 5 + " plum wagon estuary 7 " + "y" * 200,  # longer than zxcvbn's 72 characters
    ],
)
def test_strong_passphrases_are_accepted(strong: str) -> None:
    strength = estimate(strong)
    assert strength.acceptable and strength.score >= 3
    assert strength.advice == ""
    assert strength.summary.startswith("Someone with a stolen laptop and powerful equipment would")


def test_three_common_words_are_not_enough() -> None:
    strength = estimate("blue river window")
    assert not strength.acceptable
    assert strength.label == "Not strong enough"
    assert "could guess it in about 1 day;" in strength.advice
    assert strength.summary.endswith("could guess it in about 1 day.")


def test_the_workers_and_clients_names_count_against_a_passphrase() -> None:
    text = "Wirihana Tautahi Orchardbrook"
    alone = estimate(text)
    assert alone.acceptable  # unknown names look like random letters
    known = estimate(text, ["Aroha Wirihana", "Tautahi", "Orchardbrook Housing Trust"])
    assert not known.acceptable
    assert known.guesses < alone.guesses


def test_the_app_name_is_always_a_known_word() -> None:
    assert estimate("casedesk").guesses < 10 < estimate("kasqdepk").guesses


def test_threshold_follows_from_the_attack_and_the_kdf_floor() -> None:
    # The domain's attack model assumes the cheapest Argon2id a vault can have.
    assert MIN_INTERACTIVE_KDF.time_cost == passphrase.KDF_TIME_COST
    assert MIN_INTERACTIVE_KDF.memory_kib * 1024 == passphrase.KDF_MEMORY_BYTES
    per_second = 10_000 * 1e12 / (3 * 2 * 64 * 2**20)
    assert pytest.approx(per_second) == passphrase.ATTACKER_GUESSES_PER_SECOND
    assert pytest.approx(per_second * 5 * 365.25 * 86_400) == MIN_GUESSES
    assert 1e15 < MIN_GUESSES < 1e16
    assert crack_time_words(MIN_GUESSES) == "about 5 years"


@pytest.mark.slow
def test_calibration_never_goes_below_the_assumed_floor() -> None:
    params = calibrate_kdf(target_seconds=0.05, max_time_cost=3)
    assert params.memory_kib * 1024 >= passphrase.KDF_MEMORY_BYTES
    assert params.time_cost >= passphrase.KDF_TIME_COST


@settings(deadline=None, max_examples=60)
@given(st.text(max_size=300), st.lists(st.text(max_size=30), max_size=4))
def test_any_text_gets_a_score_and_advice_when_refused(text: str, names: list[str]) -> None:
    strength = estimate(text, names)
    assert 0 <= strength.score <= 4 and strength.label
    assert strength.acceptable == (strength.guesses >= MIN_GUESSES)
    assert strength.acceptable == (strength.score >= 3)
    if not strength.acceptable:
        assert strength.advice


@pytest.mark.parametrize(
    ("guesses", "words"),
    [
        (10, "under a minute"),
        (MIN_GUESSES / 5 / 12 * 3, "about 3 months"),
        (MIN_GUESSES * 1_000, "more than a thousand years"),
    ],
)
def test_crack_time_in_plain_words(guesses: float, words: str) -> None:
    assert crack_time_words(guesses) == words

"""Passphrase strength: a simple, explainable estimate (not a guarantee)."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_LENGTH = 10
COMMON = frozenset(
    {
        "password",
        "passw0rd",
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "qwerty",
        "qwertyuiop",
        "letmein",
        "welcome",
        "iloveyou",
        "admin",
        "casedesk",
        "abc123",
        "password1",
        "monkey",
        "dragon",
        "sunshine",
        "football",
        "baseball",
    }
)


@dataclass(frozen=True)
class Strength:
    """Score 0 (very weak) to 4 (strong), a label, and what to do about it."""

    score: int
    label: str
    advice: str

    @property
    def acceptable(self) -> bool:
        """Weak passphrases are refused; fair and better are accepted."""
        return self.score >= 2


_LABELS = ("Very weak", "Weak", "Fair", "Good", "Strong")


def _pool_size(text: str) -> int:
    pool = 0
    if any(c.islower() for c in text):
        pool += 26
    if any(c.isupper() for c in text):
        pool += 26
    if any(c.isdigit() for c in text):
        pool += 10
    if any(not c.isalnum() for c in text):
        pool += 33
    if any(ord(c) > 127 for c in text):
        pool += 100
    return max(pool, 1)


def estimate(passphrase: str) -> Strength:
    """Estimate strength from length, variety and repetition; explain weak results."""
    if not passphrase:
        return Strength(0, _LABELS[0], "Please choose a passphrase.")
    lowered = passphrase.casefold()
    if lowered in COMMON or len(set(lowered)) <= 2:
        return Strength(0, _LABELS[0], "This is one of the first passphrases an attacker tries.")
    if len(passphrase) < MIN_LENGTH:
        return Strength(
            1, _LABELS[1], f"Use at least {MIN_LENGTH} characters; a few unrelated words work well."
        )
    distinct = len(set(passphrase))
    bits = min(len(passphrase), distinct * 2) * math.log2(_pool_size(passphrase))
    score = 2 if bits < 60 else 3 if bits < 80 else 4
    advice = "" if score >= 3 else "Longer is stronger: add another word or two."
    return Strength(score, _LABELS[score], advice)

"""Passphrase strength: zxcvbn's guess estimate against an offline attack at our Argon2id cost.

A stolen laptop gives an attacker ``vault.key`` and all the time they want: every guess costs
one Argon2id derivation and nothing else. So a passphrase is refused unless zxcvbn estimates
that a smart attacker needs at least :data:`MIN_GUESSES` guesses, the number a well-funded
attacker gets through in :data:`RESIST_YEARS` years at the cheapest parameters a vault can
have. The arithmetic is in ``docs/ARCHITECTURE.md`` ("Passphrase policy").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

# ---------------------------------------------------------------- the attack we resist
# Argon2id as ``storage.keys`` runs it at the least: 64 MiB, two passes (the calibrated time
# cost is usually higher; new wraps never go below this). A test holds these to the storage
# constants.
KDF_TIME_COST = 2
KDF_MEMORY_BYTES = 64 * 1024 * 1024
# Each pass computes every 1 KiB block from two blocks read and writes it: 3 bytes of memory
# traffic per byte of memory, the bound that decides a GPU's speed on a memory-hard function.
BYTES_PER_GUESS = 3 * KDF_TIME_COST * KDF_MEMORY_BYTES
GPU_BANDWIDTH_BYTES_PER_SECOND = 1.0e12  # one high-end GPU-equivalent: ~1 TB/s of memory
ATTACKER_GPUS = 10_000  # a well-funded attacker's farm
RESIST_YEARS = 5
SECONDS_PER_YEAR = 365.25 * 24 * 3600

ATTACKER_GUESSES_PER_SECOND = ATTACKER_GPUS * GPU_BANDWIDTH_BYTES_PER_SECOND / BYTES_PER_GUESS
MIN_GUESSES = ATTACKER_GUESSES_PER_SECOND * SECONDS_PER_YEAR * RESIST_YEARS  # ≈ 3.9e15

# zxcvbn refuses longer input; a prefix is never easier to guess than the whole passphrase,
# so estimating the first 72 characters understates the strength of a longer one, never
# overstates it.
ESTIMATE_CHARS = 72
ALWAYS_AVOID = ("casedesk",)  # the app's own name is a word every attacker tries first

_LABELS = ("Very weak", "Weak", "Not strong enough", "Strong", "Very strong")
_ADVICE = (
    "Use four or more unrelated words, or a short sentence only you would say. "
    "Avoid names, dates and words about your work."
)
_TIME_UNITS = (
    ("year", SECONDS_PER_YEAR),
    ("month", SECONDS_PER_YEAR / 12),
    ("day", 86_400.0),
    ("hour", 3_600.0),
    ("minute", 60.0),
)
# zxcvbn keeps the user inputs in a module-level dictionary while it estimates: one at a time.
_ZXCVBN_LOCK = threading.Lock()


@dataclass(frozen=True)
class Strength:
    """Score 0 (very weak) to 4 (very strong), a label, and what to do about it.

    Attributes:
        score: 0-4 for the meter; 3 and 4 are accepted.
        label: the score in a word or two.
        advice: why a passphrase is refused and what to do instead (empty when accepted).
        guesses: zxcvbn's estimate of the guesses a smart attacker needs.
        summary: one sentence for the meter: how long the attacker would need.
    """

    score: int
    label: str
    advice: str
    guesses: float = 0.0
    summary: str = ""

    @property
    def acceptable(self) -> bool:
        """Whether the passphrase resists the offline attack for :data:`RESIST_YEARS` years."""
        return self.guesses >= MIN_GUESSES


def estimate(passphrase: str, user_inputs: Iterable[str] = ()) -> Strength:
    """Estimate how hard ``passphrase`` is to guess; explain a refusal in plain words.

    Args:
        passphrase: what the person typed.
        user_inputs: words an attacker who knows the person would try first (the worker's
            and clients' names, the organisation); "casedesk" is always added.
    """
    if not passphrase:
        return Strength(0, _LABELS[0], "Please choose a passphrase.")
    from zxcvbn import zxcvbn  # loads its word lists (~50 ms): only when a passphrase is judged

    words = _words(user_inputs)
    with _ZXCVBN_LOCK:
        result = zxcvbn(passphrase[:ESTIMATE_CHARS], user_inputs=words)
    guesses = float(result["guesses"])
    score = _score(guesses)
    when = crack_time_words(guesses)
    if guesses >= MIN_GUESSES:
        summary = f"Someone with a stolen laptop and powerful equipment would need {when}."
        return Strength(score, _LABELS[score], "", guesses, summary)
    summary = f"Someone with a stolen laptop and powerful equipment could guess it in {when}."
    feedback = result["feedback"]
    parts = [_sentence(p) for p in (feedback["warning"], *feedback["suggestions"]) if p]
    parts.append(f"{summary[:-1]}; casedesk needs one that would take them years.")
    parts.append(_ADVICE)
    return Strength(score, _LABELS[score], " ".join(parts), guesses, summary)


def crack_time_words(guesses: float) -> str:
    """How long :data:`ATTACKER_GUESSES_PER_SECOND` take to make ``guesses``, in plain words."""
    seconds = guesses / ATTACKER_GUESSES_PER_SECOND
    if seconds >= 1_000 * SECONDS_PER_YEAR:
        return "more than a thousand years"
    for unit, size in _TIME_UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"about {count} {unit}{'' if count == 1 else 's'}"
    return "under a minute"


def _score(guesses: float) -> int:
    if guesses < 1e6:
        return 0  # guessable even online
    if guesses < 1e10:
        return 1
    if guesses < MIN_GUESSES:
        return 2
    return 3 if guesses < MIN_GUESSES * 1_000 else 4


def _words(user_inputs: Iterable[str]) -> list[str]:
    """Each input whole and word by word ("Ada Lovelace" -> ada lovelace, ada, lovelace)."""
    words: list[str] = list(ALWAYS_AVOID)
    for text in user_inputs:
        cleaned = text.strip().casefold()
        if not cleaned:
            continue
        words.append(cleaned)
        words.extend(w for w in re.split(r"[\W_]+", cleaned) if len(w) >= 3)
    return list(dict.fromkeys(words))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."

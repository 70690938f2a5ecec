"""Record identifiers: time-ordered UUIDv7 strings generated on the device."""

from __future__ import annotations

import random
import uuid

import uuid6


def new_id() -> str:
    """A fresh UUIDv7 as a 36-character string (sorts by creation time)."""
    return str(uuid6.uuid7())


def uuid7_from(unix_ms: int, rng: random.Random) -> str:
    """A UUIDv7 for a given time with random bits from ``rng``: deterministic demo data.

    Args:
        unix_ms: milliseconds since the Unix epoch for the time-ordered prefix.
        rng: the source of the 74 random bits.
    """
    rand_a = rng.getrandbits(12)
    rand_b = rng.getrandbits(62)
    value = (unix_ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version 7
    value |= rand_a << 64
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand_b
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def is_uuid(text: str) -> bool:
    """True when ``text`` is a canonical UUID string."""
    try:
        return str(uuid.UUID(text)) == text.lower()
    except (ValueError, AttributeError, TypeError):
        return False

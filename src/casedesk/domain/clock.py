"""Time helpers. Everything stored is UTC; local time is a presentation concern."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the device's local calendar (what a worker means by "today")."""
    return datetime.now().astimezone().date()


def as_utc(value: datetime) -> datetime:
    """Normalise a datetime to aware UTC (naive values are taken to already be UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)

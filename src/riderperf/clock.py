"""The injected clock: decision code takes a clock, never reads the wall clock itself.

Also the conversions between instants and UTC that the stores and periods use:
`midnight(day)`, `utc_day(moment)` and `as_utc(moment)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always answers `at` (for tests and replays)."""

    def clock() -> datetime:
        return at

    return clock


def midnight(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(), UTC)


def utc_day(moment: datetime) -> date:
    """The UTC date of `moment` (a naive moment is taken as UTC already)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()


def as_utc(moment: datetime) -> datetime:
    """`moment` as aware UTC. SQLite hands back naive datetimes for
    DateTime(timezone=True) columns; they were stored in UTC, so naive means UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)

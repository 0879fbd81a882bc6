"""The injected clock: decision code takes a clock, never reads the wall clock itself.

Also the two conversions between instants and UTC days that the stores and periods use:
`midnight(day)` and `utc_day(moment)`.
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

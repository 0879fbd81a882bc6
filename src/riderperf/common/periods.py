"""Decides which days a period label covers: ISO weeks, months, quarters and rolling windows.

Every period is a half-open range of UTC dates `[start, end)`. A rolling window of N days
for `as_of` is the N complete days *before* `as_of`: the day `as_of` itself is left out
because its data is still arriving (so `rolling_period(date(2026, 12, 1), 28)` covers
2026-11-03 … 2026-11-30 and is labelled `2026-11-03..2026-11-30`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["week", "month", "quarter", "days"]

FORMS = "2026-W45 (ISO week), 2026-11 (month), 2026-Q4 (quarter) or 2026-11-03..2026-11-30 (days)"

_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-Q(\d)$", re.IGNORECASE)
_DAYS = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """A named range of days: `start` is included, `end` is not."""

    label: str
    kind: PeriodKind
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same kind just before this one (for the previous tier)."""
        if self.kind == "week":
            return _week_of(self.start - timedelta(days=7))
        if self.kind == "month":
            before = self.start - timedelta(days=1)
            return month_period(before.year, before.month)
        if self.kind == "quarter":
            before = self.start - timedelta(days=1)
            return quarter_period(before.year, (before.month - 1) // 3 + 1)
        return days_period(self.start - timedelta(days=self.days), self.start)


def parse_period(text: str) -> Period:
    """`2026-W45`, `2026-11`, `2026-Q4` or `2026-11-03..2026-11-30`; ValueError otherwise."""
    value = text.strip()
    if match := _WEEK.match(value):
        year, week = int(match[1]), int(match[2])
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(
                f"period {text!r}: {year} has no ISO week {week} (weeks run 1 to 52, or 53)"
            ) from None
        return _week_of(monday)
    if match := _QUARTER.match(value):
        quarter = int(match[2])
        if not 1 <= quarter <= 4:
            raise ValueError(f"period {text!r}: quarters are Q1 to Q4")
        return quarter_period(int(match[1]), quarter)
    if match := _MONTH.match(value):
        month = int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"period {text!r}: months are 01 to 12")
        return month_period(int(match[1]), month)
    if match := _DAYS.match(value):
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError as exc:
            raise ValueError(f"period {text!r}: {exc}") from None
        if last < first:
            raise ValueError(f"period {text!r}: the last day comes before the first")
        return days_period(first, last + timedelta(days=1))
    raise ValueError(f"period {text!r} is not understood; write {FORMS}")


def rolling_period(as_of: date, days: int) -> Period:
    """The `days` complete days before `as_of` (`as_of` itself is not included)."""
    if days < 1:
        raise ValueError(f"a rolling window needs at least 1 day, not {days}")
    return days_period(as_of - timedelta(days=days), as_of)


def days_period(start: date, end: date) -> Period:
    last = end - timedelta(days=1)
    return Period(f"{start.isoformat()}..{last.isoformat()}", "days", start, end)


def month_period(year: int, month: int) -> Period:
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(f"{year:04d}-{month:02d}", "month", date(year, month, 1), end)


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(f"{year:04d}-Q{quarter}", "quarter", start, end)


def _week_of(monday: date) -> Period:
    year, week, _ = monday.isocalendar()
    return Period(f"{year:04d}-W{week:02d}", "week", monday, monday + timedelta(days=7))

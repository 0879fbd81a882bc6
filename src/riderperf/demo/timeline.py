"""Decides when each act of the demo's story happens, so that the data and the clock agree.

The city's whole weeks end on the Sunday before the demo's week: on a Monday the city ends
the day before the demo's clock, later in the week the current week is the one the demo
lives in and has no data yet. The story runs in order on that one clock: the last week's
Monday decides the week before it, plans and carries out the week's inspections, and a
reviewer decides three appeals; this week's Monday evaluates and decides the last week,
plans this week's inspections and writes the reports. No act is stamped after `now`, so
appeal windows, points on the ledger, SLA clocks and "this week's plan" are what the served
dashboard and portal show when they read the real clock afterwards.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from riderperf.clock import midnight, utc_day
from riderperf.common.periods import Period, month_period, parse_period

MIN_DAYS = 14  # two whole weeks: one to decide and appeal, one to decide "today"


def week_of(day: date) -> Period:
    year, week, _ = day.isocalendar()
    return parse_period(f"{year}-W{week:02d}")


@dataclass(frozen=True)
class Timeline:
    """The city's days and the moment of every act, from the demo's clock `now`."""

    now: datetime
    days: int

    @property
    def current_week(self) -> Period:
        """The ISO week the demo lives in: this week's inspection plan is for it."""
        return week_of(utc_day(self.now))

    @property
    def city_start(self) -> date:
        return self.current_week.start - timedelta(days=self.days)

    @property
    def weeks(self) -> list[Period]:
        """The whole ISO weeks of the city, oldest first; the last ends the day before the
        current week."""
        first = week_of(self.city_start)
        if first.start < self.city_start:
            first = week_of(first.end)
        found = []
        while first.end <= self.current_week.start:
            found.append(first)
            first = week_of(first.end)
        return found

    @property
    def last_week(self) -> Period:
        return self.weeks[-1]

    @property
    def week_before(self) -> Period:
        return self.weeks[-2]

    def at(self, day: date, hour: float) -> datetime:
        """`hour` o'clock UTC on `day`, but never later than the demo's clock."""
        return min(midnight(day) + timedelta(hours=hour), self.now)

    def evaluated_at(self, period: Period) -> datetime:
        """A period is evaluated at six in the morning after its last day (a month that is
        not over yet: this morning)."""
        return self.at(min(period.end, self.current_week.start), 6)

    # The last week's Monday: the week before it is decided and appealed.
    def decide_before_at(self) -> datetime:
        return self.at(self.last_week.start, 7)

    def plan_last_week_at(self) -> datetime:
        return self.at(self.last_week.start, 8)

    def approve_before_at(self) -> datetime:
        return self.at(self.last_week.start, 9)

    def inspected_at(self, n: int) -> datetime:
        """The `n`th inspection of the last week: five days from ten, seven minutes each."""
        day = self.last_week.start + timedelta(days=n % 5)
        return self.at(day, 10 + 7 * (n // 5) / 60)

    def lots_decided_at(self) -> datetime:
        return self.at(self.last_week.start + timedelta(days=5), 10)

    @property
    def appeal_day(self) -> date:
        """Tuesday of the last week, or else the latest day of that week in the month most
        of the city lies in, so that the monthly report counts the appeals too."""
        days = [self.last_week.start + timedelta(days=d) for d in range(7)]
        if _month_of(days[1]) == self._main_month:
            return days[1]
        inside = [day for day in days if _month_of(day) == self._main_month]
        return inside[-1] if inside else days[1]

    def appeal_submitted_at(self, i: int) -> datetime:
        return self.at(self.appeal_day, 10 + i / 3)

    def appeal_reviewed_at(self, i: int) -> datetime:
        return self.at(self.appeal_day, 13 + i / 3)

    def appeal_decided_at(self, i: int) -> datetime:
        return self.at(self.appeal_day, 16 + i / 3)

    # This week's Monday: the last week is evaluated and decided.
    def decide_last_at(self) -> datetime:
        return self.at(self.current_week.start, 7)

    def plan_current_week_at(self) -> datetime:
        return self.at(self.current_week.start, 8)

    def approve_last_at(self) -> datetime:
        return self.at(self.current_week.start, 9)

    def reported_at(self) -> datetime:
        return self.at(self.current_week.start, 10)

    @property
    def month(self) -> Period:
        """The month of the monthly report: the one holding the appeals (the city's main
        month whenever the last week touches it)."""
        return month_period(self.appeal_day.year, self.appeal_day.month)

    @property
    def _main_month(self) -> tuple[int, int]:
        """The calendar month holding most of the city's days (the later one on a tie)."""
        counts = Counter(_month_of(self.city_start + timedelta(days=d)) for d in range(self.days))
        return max(counts, key=lambda month: (counts[month], month))


def _month_of(day: date) -> tuple[int, int]:
    return day.year, day.month

"""Period labels: ISO weeks, months, quarters, day ranges and rolling windows."""

from __future__ import annotations

from datetime import date

import pytest

from riderperf.common.periods import Period, parse_period, rolling_period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-W45", Period("2026-W45", "week", date(2026, 11, 2), date(2026, 11, 9))),
        ("2026-w01", Period("2026-W01", "week", date(2025, 12, 29), date(2026, 1, 5))),
        ("2026-W53", Period("2026-W53", "week", date(2026, 12, 28), date(2027, 1, 4))),
        ("2026-11", Period("2026-11", "month", date(2026, 11, 1), date(2026, 12, 1))),
        ("2026-12", Period("2026-12", "month", date(2026, 12, 1), date(2027, 1, 1))),
        ("2026-Q4", Period("2026-Q4", "quarter", date(2026, 10, 1), date(2027, 1, 1))),
        ("2026-q1", Period("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 4, 1))),
        (
            "2026-11-03..2026-11-30",
            Period("2026-11-03..2026-11-30", "days", date(2026, 11, 3), date(2026, 12, 1)),
        ),
    ],
)
def test_labels_name_half_open_ranges_of_days(text: str, expected: Period) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-W53", "2025 has no ISO week 53"),
        ("2026-W00", "has no ISO week 0"),
        ("2026-13", "months are 01 to 12"),
        ("2026-Q5", "quarters are Q1 to Q4"),
        ("2026-11-30..2026-11-03", "the last day comes before the first"),
        ("2026-02-30..2026-03-03", "day is out of range"),
        ("last week", "is not understood; write 2026-W45"),
        ("", "is not understood"),
    ],
)
def test_bad_labels_say_what_is_wrong_and_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_period(text)


def test_a_rolling_window_is_the_complete_days_before_as_of() -> None:
    window = rolling_period(date(2026, 12, 1), 28)
    assert (window.start, window.end, window.days) == (date(2026, 11, 3), date(2026, 12, 1), 28)
    assert window.last_day == date(2026, 11, 30)
    assert parse_period(window.label) == window
    with pytest.raises(ValueError, match="at least 1 day"):
        rolling_period(date(2026, 12, 1), 0)


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2026-W01", "2025-W52"),
        ("2026-01", "2025-12"),
        ("2026-Q1", "2025-Q4"),
        ("2026-11-03..2026-11-30", "2026-10-06..2026-11-02"),
    ],
)
def test_the_previous_period_is_the_one_just_before_of_the_same_kind(
    text: str, previous: str
) -> None:
    before = parse_period(text).previous()
    assert before.label == previous
    assert before.end == parse_period(text).start

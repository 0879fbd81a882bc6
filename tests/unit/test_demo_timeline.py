"""The demo's timeline: the city ends before the demo's week and no act lies after now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from riderperf.demo.timeline import Timeline


@pytest.mark.parametrize("day", range(7))
def test_city_ends_the_day_before_the_demos_week(day: int) -> None:
    now = datetime(2026, 12, 7, 11, 30, tzinfo=UTC) + timedelta(days=day)
    timeline = Timeline(now, 28)
    assert timeline.city_start == date(2026, 11, 9)
    assert [w.label for w in timeline.weeks] == ["2026-W46", "2026-W47", "2026-W48", "2026-W49"]
    assert timeline.last_week.end == timeline.current_week.start == date(2026, 12, 7)


def test_no_act_is_stamped_after_the_demos_clock() -> None:
    now = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)  # Monday, before the approvals at nine
    timeline = Timeline(now, 28)
    acts = [
        timeline.decide_before_at(),
        timeline.approve_before_at(),
        timeline.appeal_decided_at(2),
        timeline.inspected_at(400),
        timeline.lots_decided_at(),
        timeline.decide_last_at(),
        timeline.approve_last_at(),
        timeline.reported_at(),
    ]
    assert max(acts) == now
    assert acts == sorted(acts)


def test_appeals_fall_in_the_reported_month() -> None:
    for start in range(0, 60, 3):
        now = datetime(2026, 10, 1, 12, tzinfo=UTC) + timedelta(days=start)
        timeline = Timeline(now, 28)
        assert timeline.last_week.start <= timeline.appeal_day < timeline.last_week.end
        assert timeline.month.start <= timeline.appeal_day < timeline.month.end

"""SLA clocks of a case: first response, resolution, at-risk threshold and the rider pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riderperf.cases.model import CaseTiming, Pause, step_timing
from riderperf.cases.sla import SlaHours, sla_state, urgency_key

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOURS = SlaHours(first_response=72, resolution=336, at_risk_fraction=0.75)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_fresh_case_is_on_track_with_due_times_from_submission() -> None:
    state = sla_state(CaseTiming(T0), HOURS, h(1))
    assert (state.first_response, state.resolution) == ("on_track", "on_track")
    assert state.first_response_due == h(72)
    assert state.resolution_due == h(336)


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [(53.9, "on_track"), (54, "at_risk"), (72, "at_risk"), (72.01, "breached")],
)
def test_first_response_turns_at_risk_at_the_fraction_and_breached_after_the_allowance(
    elapsed: float, expected: str
) -> None:
    assert sla_state(CaseTiming(T0), HOURS, h(elapsed)).first_response == expected


def test_a_first_response_in_time_is_met_and_a_late_one_stays_breached() -> None:
    on_time = CaseTiming(T0, first_response_at=h(70))
    assert sla_state(on_time, HOURS, h(300)).first_response == "met"
    late = CaseTiming(T0, first_response_at=h(80))
    assert sla_state(late, HOURS, h(300)).first_response == "breached"


def test_time_waiting_on_the_rider_does_not_count_towards_resolution() -> None:
    timing = step_timing(CaseTiming(T0), "submitted", "under_review", h(1))
    timing = step_timing(timing, "under_review", "waiting_on_rider", h(100))
    # 200 hours of waiting: without the pause the case would be breached at h(400).
    timing = step_timing(timing, "waiting_on_rider", "under_review", h(300))
    state = sla_state(timing, HOURS, h(400))
    assert state.resolution == "on_track"  # 200 counted hours of 336
    assert state.resolution_due == h(336 + 200)
    assert not state.paused
    assert sla_state(timing, HOURS, h(452)).resolution == "at_risk"  # 252 = 0.75 × 336
    assert sla_state(timing, HOURS, h(536)).resolution == "at_risk"
    assert sla_state(timing, HOURS, h(537)).resolution == "breached"


def test_the_clock_stands_still_while_the_case_waits() -> None:
    timing = step_timing(CaseTiming(T0), "submitted", "waiting_on_rider", h(10))
    during = [sla_state(timing, HOURS, h(t)) for t in (20, 200, 2000)]
    assert all(s.resolution == "on_track" and s.paused for s in during)
    assert during[0].resolution_due == h(336 + 10)
    assert during[2].resolution_due == h(336 + 1990)


def test_a_decision_in_time_is_met_even_when_looked_at_much_later() -> None:
    timing = CaseTiming(T0, first_response_at=h(5), decided_at=h(300))
    state = sla_state(timing, HOURS, h(5000))
    assert (state.first_response, state.resolution) == ("met", "met")
    assert state.running_states() == ()


def test_a_late_decision_is_breached_net_of_the_pause() -> None:
    paused = (Pause(h(10), h(60)),)
    in_time = CaseTiming(T0, first_response_at=h(5), decided_at=h(380), pauses=paused)
    assert sla_state(in_time, HOURS, h(400)).resolution == "met"  # 330 counted hours
    late = CaseTiming(T0, first_response_at=h(5), decided_at=h(390), pauses=paused)
    assert sla_state(late, HOURS, h(400)).resolution == "breached"  # 340 counted hours


def test_a_state_at_an_earlier_moment_ignores_later_stamps() -> None:
    timing = CaseTiming(T0, first_response_at=h(100), decided_at=h(200))
    earlier = sla_state(timing, HOURS, h(80))
    assert earlier.first_response == "breached"
    assert earlier.first_response_running


def test_urgency_puts_breached_first_then_at_risk_then_finished_last() -> None:
    breached = sla_state(CaseTiming(h(-100)), HOURS, h(0))
    at_risk = sla_state(CaseTiming(h(-60)), HOURS, h(0))
    fresh = sla_state(CaseTiming(h(-1)), HOURS, h(0))
    done = sla_state(CaseTiming(h(-400), h(-399), h(-300)), HOURS, h(0))
    ranked = sorted([done, fresh, at_risk, breached], key=urgency_key)
    assert ranked == [breached, at_risk, fresh, done]


@given(
    st.floats(min_value=0, max_value=500),
    st.floats(min_value=0, max_value=500),
    st.floats(min_value=0, max_value=500),
)
def test_waiting_longer_never_brings_the_resolution_due_time_closer(
    start: float, wait: float, extra: float
) -> None:
    timing = step_timing(CaseTiming(T0), "submitted", "waiting_on_rider", h(start))
    short = step_timing(timing, "waiting_on_rider", "under_review", h(start + wait))
    long = step_timing(timing, "waiting_on_rider", "under_review", h(start + wait + extra))
    at = h(start + wait + extra + 1)
    assert sla_state(long, HOURS, at).resolution_due >= sla_state(short, HOURS, at).resolution_due


@pytest.mark.parametrize(("first", "resolution", "fraction"), [(0, 1, 0.5), (1, 1, 0), (1, 1, 1.5)])
def test_impossible_sla_hours_are_refused(first: float, resolution: float, fraction: float) -> None:
    with pytest.raises(ValueError, match=r"appeals\.sla"):
        SlaHours(first, resolution, fraction)

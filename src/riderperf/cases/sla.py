"""Decides whether a case is on track, at risk, breached or met against its SLA clocks (pure).

Two clocks run from submission. The first-response clock stops when the case is taken up
(under review) or the rider is asked a question. The resolution clock stops at the
decision and does not run while the case waits on the rider: the due time moves on by the
time spent waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from riderperf.cases.model import CaseTiming

ClockState = Literal["on_track", "at_risk", "breached", "met"]
CLOCK_STATES: tuple[ClockState, ...] = ("on_track", "at_risk", "breached", "met")
_URGENCY = {"breached": 0, "at_risk": 1, "on_track": 2}
_FINISHED_RANK = 3


@dataclass(frozen=True)
class SlaHours:
    """The allowances a case runs against (the policy values in force when it was submitted)."""

    first_response: float
    resolution: float
    at_risk_fraction: float

    def __post_init__(self) -> None:
        if self.first_response <= 0 or self.resolution <= 0:
            raise ValueError(
                "SLA hours must be positive (appeals.sla.first_response_hours and "
                f"resolution_hours), not {self.first_response} and {self.resolution}"
            )
        if not 0 < self.at_risk_fraction <= 1:
            raise ValueError(
                "appeals.sla.at_risk_fraction must be above 0 and at most 1, "
                f"not {self.at_risk_fraction}"
            )


@dataclass(frozen=True)
class SlaState:
    """Both clocks of a case at one moment, with the moments they fall due."""

    first_response: ClockState
    resolution: ClockState
    first_response_due: datetime
    resolution_due: datetime  # moved on by the time spent waiting on the rider so far
    paused: bool  # waiting on the rider: the resolution clock stands still
    first_response_running: bool
    resolution_running: bool

    def running_states(self) -> tuple[ClockState, ...]:
        """States of the clocks still running (a met or late-finished clock is left out)."""
        found: list[ClockState] = []
        if self.first_response_running:
            found.append(self.first_response)
        if self.resolution_running:
            found.append(self.resolution)
        return tuple(found)

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "first_response": self.first_response,
            "resolution": self.resolution,
            "first_response_due": self.first_response_due.isoformat(),
            "resolution_due": self.resolution_due.isoformat(),
            "paused": self.paused,
        }


def clock_state(
    used: timedelta, allowance: timedelta, at_risk_fraction: float, *, stopped: bool
) -> ClockState:
    """A stopped clock is met when it stopped within its allowance and breached otherwise;
    a running one is breached past the allowance and at risk from the fraction on."""
    if stopped:
        return "met" if used <= allowance else "breached"
    if used > allowance:
        return "breached"
    if used >= allowance * at_risk_fraction:
        return "at_risk"
    return "on_track"


def sla_state(timing: CaseTiming, hours: SlaHours, at: datetime) -> SlaState:
    """Both clocks as they stood at `at` (stamps and pauses after `at` are not seen)."""
    view = timing.as_of(at)
    start = view.submitted_at
    first_allowance = timedelta(hours=hours.first_response)
    first_end = view.first_response_at or at
    first = clock_state(
        first_end - start,
        first_allowance,
        hours.at_risk_fraction,
        stopped=view.first_response_at is not None,
    )
    resolution_allowance = timedelta(hours=hours.resolution)
    resolution_end = view.decided_at or at
    paused = timedelta(seconds=view.paused_seconds(resolution_end))
    resolution = clock_state(
        resolution_end - start - paused,
        resolution_allowance,
        hours.at_risk_fraction,
        stopped=view.decided_at is not None,
    )
    return SlaState(
        first_response=first,
        resolution=resolution,
        first_response_due=start + first_allowance,
        resolution_due=start + resolution_allowance + paused,
        paused=view.decided_at is None and view.paused_at(at),
        first_response_running=view.first_response_at is None,
        resolution_running=view.decided_at is None,
    )


def urgency_key(state: SlaState) -> tuple[int, bool, datetime]:
    """Sort key, most urgent first: the worst running clock, then cases not waiting on the
    rider, then the soonest due time; cases whose clocks have all stopped come last."""
    running = state.running_states()
    if not running:
        return (_FINISHED_RANK, False, state.resolution_due)
    rank = min(_URGENCY[s] for s in running)
    due = [state.resolution_due]
    if state.first_response_running:
        due.append(state.first_response_due)
    return (rank, state.paused, min(due))

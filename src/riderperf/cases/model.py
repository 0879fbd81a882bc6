"""Decides how an appeal case may move between states and how each move changes its clocks.

Pure: no database, no wall clock. The service's `transition` is the one place that applies
a move; it asks `check_move` whether the pair is allowed and `step_timing` what the move
does to the first-response stamp, the decision stamp and the pauses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

STATES = ("submitted", "triage", "under_review", "waiting_on_rider", "decided", "closed")
INITIAL_STATE = "submitted"
MOVES: Mapping[str, frozenset[str]] = {
    "submitted": frozenset({"triage", "under_review", "waiting_on_rider"}),
    "triage": frozenset({"under_review", "waiting_on_rider"}),
    "under_review": frozenset({"waiting_on_rider", "decided"}),
    # A rider who never answers does not block the case: the reviewer may decide on the
    # record as it stands.
    "waiting_on_rider": frozenset({"under_review", "decided"}),
    "decided": frozenset({"closed"}),
    "closed": frozenset(),
}
OUTCOMES = ("upheld", "overturned", "partially_overturned")
OVERTURNING = frozenset({"overturned", "partially_overturned"})
FINISHED = frozenset({"decided", "closed"})
# Taking the case up or asking the rider something is the first response a rider sees.
RESPONDING = frozenset({"under_review", "waiting_on_rider"})
PAUSED_STATE = "waiting_on_rider"


class CaseError(ValueError):
    """Something a user asked of a case that cannot be done; the message says why and what to do."""


class CaseNotFound(CaseError, LookupError):
    """No case with that id."""


class ForbiddenMove(CaseError):
    """The case cannot go from its state to the one asked."""


class CaseConflict(CaseError):
    """Someone else changed the case between reading it and writing it."""


class AppealRefused(CaseError):
    """An appeal that cannot be accepted: not the rider's, out of its window, already filed."""


class AppealAlreadyFiled(AppealRefused):
    """The subject already has a case; a subject is appealed once."""


class AppealWindowClosed(AppealRefused):
    """The appeal came after the subject's deadline."""


def allowed_moves(from_state: str) -> frozenset[str]:
    """The states a case in `from_state` may move to."""
    if from_state not in MOVES:
        raise CaseError(f"unknown case state {from_state!r}; states are {', '.join(STATES)}")
    return MOVES[from_state]


def check_move(case_id: str, from_state: str, to_state: str) -> None:
    """Raises ForbiddenMove naming both states (and the possible ones) unless allowed."""
    if to_state not in MOVES:
        raise ForbiddenMove(
            f"case {case_id}: unknown state {to_state!r}; states are {', '.join(STATES)}"
        )
    possible = allowed_moves(from_state)
    if to_state in possible:
        return
    options = ", ".join(s for s in STATES if s in possible) or "nothing (it is final)"
    raise ForbiddenMove(
        f"case {case_id} cannot move from {from_state} to {to_state}; "
        f"from {from_state} it can move to {options}"
    )


@dataclass(frozen=True)
class Pause:
    """A stretch of time the case waited on the rider; `end` is None while it still waits."""

    start: datetime
    end: datetime | None = None

    def seconds_within(self, start: datetime, end: datetime) -> float:
        """Seconds of this pause that fall inside [start, end]."""
        stop = end if self.end is None else min(self.end, end)
        return max(0.0, (stop - max(self.start, start)).total_seconds())


@dataclass(frozen=True)
class CaseTiming:
    """What the SLA clocks of a case need: when it started, answered, ended, and paused."""

    submitted_at: datetime
    first_response_at: datetime | None = None
    decided_at: datetime | None = None
    pauses: tuple[Pause, ...] = ()

    def paused_seconds(self, until: datetime) -> float:
        """Seconds spent waiting on the rider between submission and `until`."""
        return sum(p.seconds_within(self.submitted_at, until) for p in self.pauses)

    def paused_at(self, at: datetime) -> bool:
        return any(p.start <= at and (p.end is None or p.end > at) for p in self.pauses)

    def as_of(self, at: datetime) -> CaseTiming:
        """The timing as it stood at `at`: later stamps dropped, later pauses cut off."""
        pauses = tuple(
            Pause(p.start, p.end if p.end is not None and p.end <= at else None)
            for p in self.pauses
            if p.start <= at
        )
        return CaseTiming(
            submitted_at=self.submitted_at,
            first_response_at=_until(self.first_response_at, at),
            decided_at=_until(self.decided_at, at),
            pauses=pauses,
        )


def _until(stamp: datetime | None, at: datetime) -> datetime | None:
    return stamp if stamp is not None and stamp <= at else None


def step_timing(timing: CaseTiming, from_state: str, to_state: str, at: datetime) -> CaseTiming:
    """The timing after moving from `from_state` to `to_state` at `at` (an allowed move)."""
    pauses = list(timing.pauses)
    if from_state == PAUSED_STATE and pauses and pauses[-1].end is None:
        pauses[-1] = Pause(pauses[-1].start, at)
    if to_state == PAUSED_STATE:
        pauses.append(Pause(at))
    first_response = timing.first_response_at
    if first_response is None and to_state in RESPONDING:
        first_response = at
    decided = at if to_state == "decided" else timing.decided_at
    return replace(
        timing, first_response_at=first_response, decided_at=decided, pauses=tuple(pauses)
    )


def pauses_to_json(pauses: tuple[Pause, ...]) -> list[list[str | None]]:
    return [[p.start.isoformat(), None if p.end is None else p.end.isoformat()] for p in pauses]


def pauses_from_json(raw: list[list[str | None]] | None) -> tuple[Pause, ...]:
    found: list[Pause] = []
    for start, end in raw or []:
        if start is None:
            continue
        found.append(
            Pause(
                datetime.fromisoformat(start), None if end is None else datetime.fromisoformat(end)
            )
        )
    return tuple(found)

"""The case state machine: which moves are allowed and what each does to the clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riderperf.cases.model import (
    MOVES,
    STATES,
    CaseTiming,
    ForbiddenMove,
    Pause,
    allowed_moves,
    check_move,
    pauses_from_json,
    pauses_to_json,
    step_timing,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALLOWED = [
    ("submitted", "triage"),
    ("submitted", "under_review"),
    ("submitted", "waiting_on_rider"),
    ("triage", "under_review"),
    ("triage", "waiting_on_rider"),
    ("under_review", "waiting_on_rider"),
    ("under_review", "decided"),
    ("waiting_on_rider", "under_review"),
    ("waiting_on_rider", "decided"),
    ("decided", "closed"),
]


def test_the_allowed_moves_are_exactly_the_documented_ones() -> None:
    found = {(a, b) for a, targets in MOVES.items() for b in targets}
    assert found == set(ALLOWED)


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED)
def test_every_allowed_move_passes(from_state: str, to_state: str) -> None:
    check_move("case-1", from_state, to_state)


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [
        ("submitted", "decided"),
        ("submitted", "closed"),
        ("triage", "decided"),
        ("decided", "under_review"),
        ("closed", "submitted"),
        ("closed", "under_review"),
        ("under_review", "submitted"),
        ("under_review", "closed"),
    ],
)
def test_a_forbidden_move_names_both_states(from_state: str, to_state: str) -> None:
    with pytest.raises(ForbiddenMove) as caught:
        check_move("case-1", from_state, to_state)
    message = str(caught.value)
    assert f"from {from_state} to {to_state}" in message
    assert "case-1" in message


@given(st.sampled_from(STATES), st.sampled_from(STATES))
def test_check_move_agrees_with_the_table(from_state: str, to_state: str) -> None:
    if to_state in allowed_moves(from_state):
        check_move("c", from_state, to_state)
    else:
        with pytest.raises(ForbiddenMove):
            check_move("c", from_state, to_state)


def test_a_closed_case_says_it_is_final() -> None:
    with pytest.raises(ForbiddenMove, match="it is final"):
        check_move("c", "closed", "triage")


def test_an_unknown_target_state_is_named() -> None:
    with pytest.raises(ForbiddenMove, match="unknown state 'reopened'"):
        check_move("c", "decided", "reopened")


def test_first_response_is_stamped_when_the_case_is_taken_up_not_at_triage() -> None:
    timing = CaseTiming(submitted_at=T0)
    triaged = step_timing(timing, "submitted", "triage", T0 + timedelta(hours=1))
    assert triaged.first_response_at is None
    reviewed = step_timing(triaged, "triage", "under_review", T0 + timedelta(hours=5))
    assert reviewed.first_response_at == T0 + timedelta(hours=5)
    asked = step_timing(reviewed, "under_review", "waiting_on_rider", T0 + timedelta(hours=9))
    assert asked.first_response_at == T0 + timedelta(hours=5)


def test_asking_the_rider_first_is_a_first_response() -> None:
    asked = step_timing(CaseTiming(T0), "submitted", "waiting_on_rider", T0 + timedelta(hours=2))
    assert asked.first_response_at == T0 + timedelta(hours=2)


def test_waiting_on_the_rider_opens_and_closes_a_pause() -> None:
    timing = step_timing(CaseTiming(T0), "submitted", "under_review", T0)
    asked = step_timing(timing, "under_review", "waiting_on_rider", T0 + timedelta(hours=10))
    assert asked.pauses == (Pause(T0 + timedelta(hours=10)),)
    answered = step_timing(asked, "waiting_on_rider", "under_review", T0 + timedelta(hours=40))
    assert answered.pauses == (Pause(T0 + timedelta(hours=10), T0 + timedelta(hours=40)),)
    assert answered.paused_seconds(T0 + timedelta(hours=100)) == 30 * 3600


def test_deciding_while_waiting_ends_the_pause_and_stamps_the_decision() -> None:
    asked = step_timing(CaseTiming(T0), "submitted", "waiting_on_rider", T0)
    decided = step_timing(asked, "waiting_on_rider", "decided", T0 + timedelta(hours=3))
    assert decided.decided_at == T0 + timedelta(hours=3)
    assert decided.pauses[-1].end == T0 + timedelta(hours=3)


def test_timing_as_of_a_moment_forgets_what_came_later() -> None:
    timing = CaseTiming(
        T0,
        first_response_at=T0 + timedelta(hours=2),
        decided_at=T0 + timedelta(hours=50),
        pauses=(Pause(T0 + timedelta(hours=5), T0 + timedelta(hours=20)),),
    )
    view = timing.as_of(T0 + timedelta(hours=10))
    assert view.first_response_at == T0 + timedelta(hours=2)
    assert view.decided_at is None
    assert view.pauses == (Pause(T0 + timedelta(hours=5)),)
    assert view.paused_seconds(T0 + timedelta(hours=10)) == 5 * 3600


def test_pauses_survive_a_json_round_trip() -> None:
    pauses = (Pause(T0, T0 + timedelta(hours=1)), Pause(T0 + timedelta(hours=3)))
    assert pauses_from_json(pauses_to_json(pauses)) == pauses

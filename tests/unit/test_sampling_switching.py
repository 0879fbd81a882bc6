"""The ISO 2859-1 §9.3 switching rules as a pure state machine, lot by lot."""

from __future__ import annotations

from riderperf.sampling.switching import (
    INITIAL_STATE,
    LotOutcome,
    SwitchingState,
    next_severity,
    resume_after_corrective_action,
    switching_score_after,
)

# A lot under a plan with Ac 3 whose tighter AQL has Ac 2.
GOOD = LotOutcome(accepted=True, nonconforming=1, accept_number=3, tighter_accept=2,
                  reduced_approved=True)  # fmt: skip
FAIR = LotOutcome(accepted=True, nonconforming=3, accept_number=3, tighter_accept=2,
                  reduced_approved=True)  # fmt: skip
BAD = LotOutcome(accepted=False, nonconforming=5, accept_number=3, tighter_accept=2,
                 reduced_approved=True)  # fmt: skip


def run(state: SwitchingState, lots: list[LotOutcome]) -> list[SwitchingState]:
    states = []
    for lot in lots:
        state = next_severity(state, lot)
        states.append(state)
    return states


def test_a_sequence_of_lots_goes_through_every_switch() -> None:
    state = INITIAL_STATE
    assert state.severity == "normal"
    # normal -> tightened: the 2nd lot not accepted within 5 consecutive lots.
    states = run(state, [BAD, GOOD, GOOD, BAD])
    assert [s.severity for s in states] == ["normal", "normal", "normal", "tightened"]
    assert "§9.3.1" in states[-1].change
    # tightened -> normal: 5 consecutive lots accepted.
    states = run(states[-1], [GOOD] * 5)
    assert [s.severity for s in states] == ["tightened"] * 4 + ["normal"]
    assert "§9.3.2" in states[-1].change
    # normal -> reduced: switching score 30 (ten lots of +3), steady and approved.
    states = run(states[-1], [GOOD] * 10)
    assert [s.switching_score for s in states[:9]] == [3, 6, 9, 12, 15, 18, 21, 24, 27]
    assert states[-1].severity == "reduced"
    assert "§9.3.3" in states[-1].change
    # reduced stays reduced while lots pass; back to normal on a lot not accepted.
    states = run(states[-1], [GOOD, BAD])
    assert [s.severity for s in states] == ["reduced", "normal"]
    assert "§9.3.4" in states[-1].change
    # tightened again, then 5 lots not accepted on tightened discontinue the scheme.
    states = run(states[-1], [BAD, BAD])
    assert states[-1].severity == "tightened"
    states = run(states[-1], [BAD, GOOD, BAD, BAD, GOOD, GOOD, BAD, BAD])
    assert not states[-2].discontinued
    assert states[-1].discontinued and states[-1].tightened_rejections == 5
    assert "§9.4" in states[-1].change
    # a discontinued scheme takes no lots until corrective action; it resumes tightened.
    assert next_severity(states[-1], GOOD).discontinued
    resumed = resume_after_corrective_action(states[-1])
    assert (resumed.severity, resumed.discontinued, resumed.tightened_rejections) == (
        "tightened",
        False,
        0,
    )


def test_two_rejections_more_than_five_lots_apart_do_not_tighten() -> None:
    states = run(INITIAL_STATE, [BAD, GOOD, GOOD, GOOD, GOOD, BAD])
    assert all(s.severity == "normal" for s in states)


def test_switching_score_adds_three_only_when_the_tighter_aql_would_accept() -> None:
    assert switching_score_after(9, GOOD) == 12
    assert switching_score_after(9, FAIR) == 0  # 3 > Ac 2 of the tighter AQL: reset
    assert switching_score_after(9, BAD) == 0


def test_switching_score_adds_two_for_accepted_lots_with_acceptance_number_0_or_1() -> None:
    small = LotOutcome(accepted=True, nonconforming=1, accept_number=1)
    assert switching_score_after(4, small) == 6
    assert switching_score_after(4, LotOutcome(False, 2, 1)) == 0


def test_reduced_needs_steady_production_and_approval() -> None:
    unsteady = LotOutcome(True, 1, 3, 2, production_steady=False, reduced_approved=True)
    states = run(INITIAL_STATE, [unsteady] * 12)
    assert states[-1].severity == "normal" and states[-1].switching_score == 36
    refused = LotOutcome(True, 1, 3, 2, reduced_approved=False)
    assert run(INITIAL_STATE, [refused] * 12)[-1].severity == "normal"
    # the first steady, approved lot with the score at 30 or more switches
    assert next_severity(states[-1], GOOD).severity == "reduced"


def test_reduced_returns_to_normal_on_a_count_between_ac_and_re_or_irregular_production() -> None:
    reduced = SwitchingState(severity="reduced")
    between = LotOutcome(True, 2, 1, reinstate_normal=True)
    assert next_severity(reduced, between).severity == "normal"
    irregular = LotOutcome(True, 0, 1, production_steady=False)
    after = next_severity(reduced, irregular)
    assert after.severity == "normal" and "production irregular" in after.change


def test_state_survives_a_round_trip_through_its_stored_form() -> None:
    state = run(INITIAL_STATE, [GOOD, BAD, GOOD])[-1]
    assert SwitchingState.from_dict(state.as_dict()) == state

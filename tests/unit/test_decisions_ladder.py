"""The penalty ladder and the repair arithmetic, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from riderperf.decisions.model import (
    History,
    Ladder,
    Offence,
    climb_ladder,
    measure_for_points,
    measure_for_repeat,
    partial_replacement,
    restored_points,
)

LADDER = Ladder(
    points_expiry_days=180,
    lookback_days=90,
    forgiveness_days=60,
    measure_at=(
        ("warning", 3),
        ("retraining", 6),
        ("reduced_priority", 9),
        ("suspension", 12),
        ("deactivation", 18),
    ),
    repeat_cap="suspension",
    suspension_days=3,
    reduced_priority_weight=0.8,
    reduced_priority_days=14,
    appeal_window_days=14,
)
START = date(2026, 11, 2)


def offence(rule_id: str = "late_deliveries", points: int = 2, forgivable: bool = True) -> Offence:
    return Offence(rule_id, "late_deliveries", points, forgivable)


def test_first_forgivable_offence_of_a_clean_rider_is_a_notice_without_points() -> None:
    outcome = climb_ladder([offence()], History(), START, LADDER)
    assert [o.rule_id for o in outcome.forgiven] == ["late_deliveries"]
    assert outcome.scored == ()
    assert outcome.measure is None


def test_forgiveness_needs_the_whole_window_without_offence() -> None:
    recent = History(last_offence_on=date(2026, 9, 20))  # 43 days before the period
    long_ago = History(last_offence_on=date(2026, 8, 1))  # 93 days before
    assert not climb_ladder([offence()], recent, START, LADDER).forgiven
    assert climb_ladder([offence()], long_ago, START, LADDER).forgiven


def test_active_points_rule_out_forgiveness_and_the_total_brings_a_warning() -> None:
    outcome = climb_ladder([offence()], History(active_points=2), START, LADDER)
    assert not outcome.forgiven
    assert outcome.total_points == 4
    assert (outcome.measure, outcome.why) == ("warning", "points")


def test_serious_offence_is_never_forgiven() -> None:
    outcome = climb_ladder([offence("serious", 4, forgivable=False)], History(), START, LADDER)
    assert outcome.total_points == 4
    assert outcome.measure == "warning"


@pytest.mark.parametrize(
    ("total", "measure"),
    [
        (2, None),
        (3, "warning"),
        (8, "retraining"),
        (9, "reduced_priority"),
        (12, "suspension"),
        (17, "suspension"),
        (18, "deactivation"),
        (40, "deactivation"),
    ],
)
def test_measure_follows_the_active_points(total: int, measure: str | None) -> None:
    assert measure_for_points(total, LADDER) == measure


def test_repeat_offence_climbs_one_rung_above_the_prior_sanction() -> None:
    history = History(
        active_points=0, last_offence_on=date(2026, 10, 25), sanctions=("retraining",)
    )
    outcome = climb_ladder([offence()], history, START, LADDER)
    assert (outcome.measure, outcome.why) == ("reduced_priority", "repeat")
    assert outcome.measure_rule is not None and outcome.measure_rule.rule_id == "late_deliveries"


def test_repetition_alone_never_reaches_deactivation() -> None:
    assert measure_for_repeat(("suspension",), LADDER) == "suspension"
    assert measure_for_repeat(("deactivation",), LADDER) == "suspension"
    assert measure_for_repeat((), LADDER) is None


def test_several_offences_add_up_and_the_worst_gets_the_measure() -> None:
    found = [offence("late_deliveries", 2, False), offence("complaints", 3, False)]
    outcome = climb_ladder(found, History(active_points=5), START, LADDER)
    assert [total for _, total in outcome.scored] == [7, 10]
    assert outcome.measure == "reduced_priority"
    assert outcome.measure_rule is not None and outcome.measure_rule.rule_id == "complaints"


def test_forgiven_offence_next_to_a_serious_one_still_gets_its_notice() -> None:
    found = [offence("late_deliveries", 2, True), offence("serious", 4, False)]
    outcome = climb_ladder(found, History(), START, LADDER)
    assert [o.rule_id for o in outcome.forgiven] == ["late_deliveries"]
    assert [(o.rule_id, total) for o, total in outcome.scored] == [("serious", 4)]


@pytest.mark.parametrize(
    ("points", "partial", "back"), [(4, False, 4), (4, True, 2), (3, True, 2), (1, True, 1)]
)
def test_overturn_gives_back_all_points_or_half_rounded_up(
    points: int, partial: bool, back: int
) -> None:
    assert restored_points(points, partial, 0.5) == back


def test_partial_overturn_replaces_a_measure_by_the_next_milder_one() -> None:
    assert partial_replacement("suspension") == "warning"
    assert partial_replacement("deactivation") == "suspension"
    assert partial_replacement("warning") == "notice"
    assert partial_replacement("notice") is None

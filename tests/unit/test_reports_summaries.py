"""Scorecard figures of a report: pooled KPIs, changes, scores, tiers, movements, attention."""

from __future__ import annotations

import pytest

from riderperf.metrics.rules import TierRules
from riderperf.reports.attention import riders_needing_attention
from riderperf.reports.model import NO_TIER, RiderRow
from riderperf.reports.summaries import (
    headline,
    pooled,
    quantiles,
    score_distribution,
    tier_summary,
    trend_point,
)

RULES = TierRules(
    tiers=(("gold", 950.0), ("silver", 800.0), ("bronze", 650.0), ("watch", 0.0)),
    margin=25.0,
    minimum_orders=20,
    new_rider_weeks=4,
)


def rider(
    rider_id: str,
    score: float | None,
    tier: str | None,
    previous: str | None = None,
    *,
    on_time: tuple[float, float] = (9.0, 10.0),
    cancels: tuple[float, float] = (1.0, 10.0),
    complaints: tuple[float, float] = (1.0, 50.0),
    unit: str = "Z01",
    status: str = "ranked",
) -> RiderRow:
    return RiderRow(
        rider_id,
        unit,
        status,
        score,
        tier,
        previous,
        {"on_time_rate": on_time, "rider_cancel_rate": cancels, "complaint_rate": complaints},
    )


def test_pooled_kpi_is_scaled_sum_of_numerators_over_sum_of_denominators() -> None:
    rows = [
        rider("a", 900, "silver", complaints=(1, 50)),
        rider("b", 800, "silver", complaints=(3, 150)),
    ]
    value, num, den = pooled(rows, "complaint_rate")
    assert (num, den) == (4, 200)
    assert value == pytest.approx(100 * 4 / 200)


def test_pooled_kpi_without_denominator_is_none_not_zero() -> None:
    assert pooled([rider("a", 900, "gold", on_time=(0, 0))], "on_time_rate")[0] is None


def test_change_against_previous_period_follows_each_kpis_direction() -> None:
    now = [rider("a", 900, "silver", on_time=(95, 100), cancels=(1, 100))]
    before = [rider("a", 950, "gold", on_time=(90, 100), cancels=(3, 100))]
    figures = {k.name: k for k in headline(now, before, "2026-W01", "e1").kpis}
    on_time, cancels = figures["on_time_rate"], figures["rider_cancel_rate"]
    assert on_time.previous == pytest.approx(0.90)
    assert on_time.change == pytest.approx(0.05)
    assert on_time.better is True  # higher is better and it rose
    assert cancels.change == pytest.approx(-0.02)
    assert cancels.better is True  # lower is better and it fell


def test_equipment_compliance_is_reported_only_for_periods_with_inspections() -> None:
    unchecked = rider("a", 900, "silver")
    unchecked.kpis["equipment_compliance"] = (0.0, 0.0)
    names = [k.name for k in headline([unchecked], None, "2026-W01", None).kpis]
    assert names == ["on_time_rate", "rider_cancel_rate", "complaint_rate"]
    checked = rider("b", 950, "gold")
    checked.kpis["equipment_compliance"] = (3.0, 4.0)
    figures = {k.name: k for k in headline([unchecked, checked], None, "2026-W01", None).kpis}
    assert figures["equipment_compliance"].value == pytest.approx(0.75)


def test_unchanged_kpi_is_neither_better_nor_worse() -> None:
    rows = [rider("a", 900, "silver")]
    figure = headline(rows, rows, "2026-W01", "e1").kpis[0]
    assert figure.change == 0
    assert figure.better is None


def test_without_previous_evaluation_no_change_is_invented() -> None:
    found = headline([rider("a", 900, "silver")], None, "2026-W01", None)
    assert found.previous_evaluation is None
    assert found.previous_riders is None
    assert all(k.previous is None and k.change is None and k.better is None for k in found.kpis)
    assert "no previous evaluation" in found.comparison
    assert "2026-W01" in found.comparison


def test_headline_scores_leave_out_riders_without_a_score() -> None:
    rows = [rider("a", 900, "silver"), rider("b", 700, "bronze"), rider("c", None, None)]
    found = headline(rows, None, "2026-W01", None)
    assert found.riders == 3
    assert found.score_median == 800
    assert found.score_mean == 800


def test_score_histogram_counts_every_score_once_and_1000_in_the_last_band() -> None:
    rows = [rider(str(i), s, "gold") for i, s in enumerate([0, 49.9, 50, 999, 1000, 1000])]
    dist = score_distribution([*rows, rider("x", None, None)], RULES)
    assert sum(dist.counts) == dist.scored == 6
    assert dist.counts[0] == 2 and dist.counts[1] == 1 and dist.counts[-1] == 3
    assert len(dist.bin_edges) == len(dist.counts) + 1
    assert dist.thresholds[0] == ("gold", 950.0)


def test_quantiles_are_the_nearest_rank_ones_evaluate_prints() -> None:
    assert quantiles([float(s) for s in range(11)]) == {
        "p10": 1.0,
        "p25": 2.0,
        "p50": 5.0,
        "p75": 8.0,
        "p90": 9.0,
    }
    assert quantiles([]) == {}


def test_tier_summary_counts_tiers_and_movements_from_previous_tier() -> None:
    rows = [
        rider("up", 960, "gold", "silver"),
        rider("down", 700, "bronze", "silver"),
        rider("stay", 960, "gold", "gold"),
        rider("first", 820, "silver", None),
        rider("none", None, None, "watch"),
    ]
    summary = tier_summary(rows, RULES)
    assert summary.order == ["gold", "silver", "bronze", "watch", NO_TIER]
    assert summary.counts == {"gold": 2, "silver": 1, "bronze": 1, "watch": 0, NO_TIER: 1}
    assert (summary.up, summary.down, summary.same, summary.entered) == (1, 1, 1, 1)
    assert summary.movements["silver"]["gold"] == 1
    assert summary.movements["silver"]["bronze"] == 1
    assert summary.movements[NO_TIER]["silver"] == 1
    assert summary.movements["watch"][NO_TIER] == 1
    assert sum(sum(row.values()) for row in summary.movements.values()) == len(rows)


def test_unit_rows_break_riders_down_by_their_unit() -> None:
    rows = [
        rider("a", 900, "silver", unit="Z02", on_time=(8, 10)),
        rider("b", 960, "gold", unit="Z01", on_time=(10, 10)),
        rider("c", 700, "bronze", unit="Z01", on_time=(5, 10)),
    ]
    units = {u.unit: u for u in tier_summary(rows, RULES).by_unit}
    assert list(units) == ["Z01", "Z02"]
    assert units["Z01"].riders == 2
    assert units["Z01"].tiers["gold"] == 1 and units["Z01"].tiers["bronze"] == 1
    assert units["Z01"].kpis["on_time_rate"] == pytest.approx(15 / 20)
    assert units["Z01"].score_median == 830


def test_tiers_of_another_policy_version_stay_visible() -> None:
    summary = tier_summary([rider("a", 900, "platinum", "gold")], RULES)
    assert summary.counts["platinum"] == 1
    assert summary.movements["gold"]["platinum"] == 1


def test_trend_point_of_a_period_never_evaluated_has_no_numbers() -> None:
    assert trend_point("2026-W01", None).evaluated is False
    point = trend_point("2026-W02", [rider("a", 900, "silver", on_time=(9, 10))])
    assert point.evaluated and point.riders == 1
    assert point.score_median == 900
    assert point.on_time_rate == pytest.approx(0.9)


def test_attention_lists_bottom_tier_drops_and_open_measures_most_reasons_first() -> None:
    rows = [
        rider("fine", 960, "gold", "gold"),
        rider("watch", 500, "watch", "watch"),
        rider("dropped", 700, "bronze", "silver"),
        rider("both", 600, "watch", "bronze"),
        rider("suspended", 900, "silver", "silver"),
    ]
    restrictions = {"suspended": ["suspension in effect until 2026-01-20"]}
    attention = riders_needing_attention(rows, RULES, restrictions, {"both": ["helmet overdue"]})
    assert [r.rider_id for r in attention.rows] == ["both", "watch", "dropped", "suspended"]
    assert attention.rows[0].reasons == [
        "in the watch tier",
        "dropped from bronze to watch",
        "helmet overdue",
    ]
    assert attention.counts == {
        "bottom_tier": 2,
        "tier_drop": 2,
        "restricting_decision": 1,
        "overdue_corrective_action": 1,
    }


def test_attention_without_decision_data_keeps_its_note_and_guesses_nothing() -> None:
    attention = riders_needing_attention(
        [rider("a", 960, "gold", "gold")], RULES, None, None, ["decisions: no data"]
    )
    assert attention.rows == []
    assert attention.notes == ["decisions: no data"]
    assert attention.counts["restricting_decision"] == 0

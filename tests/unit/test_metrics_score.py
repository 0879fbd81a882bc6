"""The 0–1000 score: shrinkage, normalisation, weights, exact decomposition, improvements."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riderperf.metrics.improve import MINIMUM_GAIN, improvements, top_gains
from riderperf.metrics.registry import AVAILABLE_KPIS, fact_columns
from riderperf.metrics.rules import KpiRule, ScoringRules
from riderperf.metrics.score import peer_rates, score_frame, score_rider
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.policy.parameters import ParameterSet

PERFECT = {
    "rider_cancel_rate": (0.0, 100.0),
    "customer_rating": (500.0, 100.0),
    "complaint_rate": (0.0, 100.0),
    "acceptance_rate": (100.0, 100.0),
    "safety_incidents": (0.0, 100.0),
    "document_compliance": (100.0, 100.0),
}


@cache
def params() -> ParameterSet:
    return load_policy(default_policy_folder()).at(date(2026, 11, 2))


@cache
def rules() -> ScoringRules:
    return ScoringRules.from_params(params())


def peers_at_target() -> dict[str, float]:
    """Raw peer rates equal to every KPI's target: a typical peer group."""
    return {n: r.target / r.kpi.scale for n, r in rules().rules.items()}


def test_every_capacity_type_has_weights_for_the_scored_kpis_summing_to_one() -> None:
    for capacity in ("full_time", "part_time", "crowdsourced", "fleet"):
        weights = rules().weights_for(capacity)
        assert list(weights) == [k.name for k in AVAILABLE_KPIS]
        assert math.isclose(sum(weights.values()), 1.0)
    assert rules().weights_for("crowdsourced")["acceptance_rate"] == 0


@given(
    peer=st.floats(min_value=0.5, max_value=0.999),
    late=st.integers(min_value=0, max_value=5),
)
def test_five_lucky_orders_never_outrank_five_hundred_very_good_ones(
    peer: float, late: int
) -> None:
    """Very good: at most 1 % of 500 orders late by the rider, all else equal."""
    peers = peers_at_target() | {"on_time_rate": peer}
    newcomer, _ = score_rider(PERFECT | {"on_time_rate": (5.0, 5.0)}, peers, "full_time", rules())
    veteran, _ = score_rider(
        PERFECT | {"on_time_rate": (500.0 - late, 500.0)}, peers, "full_time", rules()
    )
    assert newcomer <= veteran


@pytest.mark.parametrize("name", [k.name for k in AVAILABLE_KPIS])
def test_one_bad_event_costs_a_newcomer_at_most_a_quarter_of_the_kpis_points(name: str) -> None:
    worst = {
        "on_time_rate": (0.0, 1.0),
        "rider_cancel_rate": (1.0, 1.0),
        "customer_rating": (1.0, 1.0),
        "complaint_rate": (1.0, 1.0),
        "acceptance_rate": (0.0, 1.0),
        "safety_incidents": (1.0, 1.0),
        "document_compliance": (0.0, 1.0),
        "equipment_compliance": (0.0, 1.0),
    }[name]
    _, kpis = score_rider({name: worst}, peers_at_target(), "full_time", rules())
    assert kpis[name].normalised >= 0.75


def test_without_shrinkage_the_same_bad_event_would_cost_everything() -> None:
    flat = replace(
        rules(), rules={n: replace(r, prior_strength=0.0) for n, r in rules().rules.items()}
    )
    _, kpis = score_rider({"on_time_rate": (2.0, 3.0)}, peers_at_target(), "full_time", flat)
    assert kpis["on_time_rate"].normalised == 0.0
    _, kpis = score_rider({"on_time_rate": (2.0, 3.0)}, peers_at_target(), "full_time", rules())
    assert kpis["on_time_rate"].normalised > 0.5


def test_normalising_follows_the_direction_and_clips_to_zero_and_one() -> None:
    peers = peers_at_target()
    _, low = score_rider({"rider_cancel_rate": (1.0, 10_000.0)}, peers, "full_time", rules())
    _, high = score_rider({"rider_cancel_rate": (900.0, 10_000.0)}, peers, "full_time", rules())
    assert low["rider_cancel_rate"].normalised == 1.0
    assert high["rider_cancel_rate"].normalised == 0.0
    _, mid = score_rider({"on_time_rate": (8825.0, 10_000.0)}, peers, "full_time", rules())
    rule = rules().rules["on_time_rate"]
    shrunk = mid["on_time_rate"].shrunk
    expected = (shrunk - rule.floor) / (rule.target - rule.floor)
    assert mid["on_time_rate"].normalised == pytest.approx(expected)
    assert 0 < expected < 1


def test_a_kpi_nobody_has_data_for_is_left_out_and_the_other_weights_scaled_up() -> None:
    peers = peers_at_target() | {"customer_rating": float("nan")}
    counts = PERFECT | {"customer_rating": (0.0, 0.0), "on_time_rate": (50.0, 100.0)}
    score, kpis = score_rider(counts, peers, "full_time", rules())
    assert math.isnan(kpis["customer_rating"].normalised)
    assert kpis["customer_rating"].weight == 0.0
    assert kpis["on_time_rate"].weight == pytest.approx(0.30 / 0.85)
    assert math.isclose(sum(k.weight for k in kpis.values()), 1.0)
    assert score == pytest.approx(sum(k.contribution for k in kpis.values()))


def test_one_kpi_at_its_floor_costs_at_most_350_points_when_others_are_not_measured() -> None:
    unmeasured = ("customer_rating", "complaint_rate", "safety_incidents", "document_compliance")
    peers = peers_at_target() | {name: float("nan") for name in unmeasured}
    counts = PERFECT | {name: (0.0, 0.0) for name in unmeasured} | {"on_time_rate": (0.0, 100.0)}
    score, kpis = score_rider(counts, peers, "full_time", rules())
    on_time = kpis["on_time_rate"]
    # on-time, cancellations and acceptance are measured: 0.285 / (0.285 + 0.1425 + 0.095)
    assert on_time.weight == pytest.approx(0.285 / 0.5225)
    assert on_time.normalised == 0.0
    assert on_time.contribution == round(1000 * on_time.weight - 350, 2)
    assert score == 650.0
    assert [(i.kpi, i.gain) for i in improvements(kpis, rules())] == [("on_time_rate", 350.0)]
    # A version without the bound (published before it) scores as it always did.
    uncapped = replace(rules(), most_points_one_kpi_costs=None)
    before, _ = score_rider(counts, peers, "full_time", uncapped)
    assert before == pytest.approx(1000 * (1 - 0.285 / 0.5225), abs=0.01)


def window_strategy() -> st.SearchStrategy[pd.DataFrame]:
    def build(draw: st.DrawFn) -> pd.DataFrame:
        n = draw(st.integers(min_value=1, max_value=12))
        rows = []
        for i in range(n):
            row: dict[str, object] = {
                "rider_id": f"R{i}",
                "capacity_type": draw(st.sampled_from(["full_time", "crowdsourced", "fleet"])),
                "city": draw(st.sampled_from(["North", "South"])),
            }
            for kpi in AVAILABLE_KPIS:
                den = draw(st.integers(min_value=0, max_value=300))
                top = 5 * den if kpi.name == "customer_rating" else den
                low = den if kpi.name == "customer_rating" else 0
                row[f"{kpi.name}_den"] = den
                row[f"{kpi.name}_num"] = draw(st.integers(min_value=low, max_value=top))
            rows.append(row)
        return pd.DataFrame(rows)

    return st.composite(build)()


@settings(max_examples=60, deadline=None)
@given(window=window_strategy())
def test_bulk_scores_equal_the_per_rider_explanation_and_add_up_exactly(
    window: pd.DataFrame,
) -> None:
    bulk = score_frame(window, rules())
    peers = peer_rates(window)
    for i, row in enumerate(window.to_dict("records")):
        counts = {k.name: (row[f"{k.name}_num"], row[f"{k.name}_den"]) for k in AVAILABLE_KPIS}
        peer = {k.name: float(peers[k.name].iloc[i]) for k in AVAILABLE_KPIS}
        score, kpis = score_rider(counts, peer, str(row["capacity_type"]), rules())
        got = bulk.iloc[i]
        assert got["score"] == score or (math.isnan(score) and math.isnan(got["score"]))
        for name, kpi in kpis.items():
            assert got[f"{name}_contribution"] == kpi.contribution
            assert got[f"{name}_weight"] == kpi.weight
            assert np.isclose(got[f"{name}_shrunk"], kpi.shrunk, equal_nan=True)
        parts = sum(Decimal(str(k.contribution)) for k in kpis.values())
        assert math.isnan(score) or parts == Decimal(str(score))


def test_a_rider_is_shrunk_toward_riders_of_the_same_capacity_type_and_city() -> None:
    window = pd.DataFrame(
        [
            {"rider_id": "A", "capacity_type": "full_time", "city": "North"},
            {"rider_id": "B", "capacity_type": "full_time", "city": "North"},
            {"rider_id": "C", "capacity_type": "full_time", "city": "South"},
            {"rider_id": "D", "capacity_type": "fleet", "city": "North"},
        ]
    )
    for column in fact_columns():
        window[column] = 0
    window["on_time_rate_num"] = [0, 90, 50, 10]
    window["on_time_rate_den"] = [0, 100, 100, 100]
    peers = peer_rates(window)
    assert peers["on_time_rate"].tolist() == pytest.approx([0.9, 0.9, 0.5, 0.1])
    assert math.isnan(peers["customer_rating"][0])


def test_improvements_name_the_largest_gains_in_plain_words() -> None:
    peers = peers_at_target()
    counts = PERFECT | {
        "on_time_rate": (860.0, 1000.0),
        "customer_rating": (4100.0, 1000.0),
        "rider_cancel_rate": (4.0, 1000.0),
    }
    score, kpis = score_rider(counts, peers, "full_time", rules())
    found = improvements(kpis, rules())
    assert [i.kpi for i in found] == ["on_time_rate", "customer_rating"]
    gains = {n: 1000 * k.weight * (1 - k.normalised) for n, k in kpis.items()}
    assert found[0].gain == pytest.approx(gains["on_time_rate"], abs=0.01)
    assert found[0].sentence == (
        f"Raise your on-time rate from 86% to 98.5% to gain about "
        f"{round(gains['on_time_rate'])} points."
    )
    assert found[1].sentence.startswith("Raise your average customer rating from 4.10 to 4.35")
    assert score < 1000


_GAIN_PARTS = st.one_of(
    st.sampled_from([0.0, 0.5, 1.0, 0.04, math.nan]), st.floats(0.0, 1.0, allow_nan=False)
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(_GAIN_PARTS, _GAIN_PARTS), min_size=4, max_size=4),
        min_size=1,
        max_size=6,
    )
)
def test_top_gains_keep_the_two_largest_gains_of_a_point_or_more(
    rows: list[list[tuple[float, float]]],
) -> None:
    """Against a plain sort per rider: ties go to the earlier KPI, a KPI without weight
    or not measured (NaN) is never named, and nothing under a point is."""
    weight = np.array([[w for w, _ in row] for row in rows])
    normalised = np.array([[n for _, n in row] for row in rows])
    columns, gains = top_gains(weight, normalised)
    for i, row in enumerate(rows):
        eligible = [
            (1000.0 * w * (1.0 - n), j)
            for j, (w, n) in enumerate(row)
            if w > 0 and not math.isnan(n) and 1000.0 * w * (1.0 - n) >= MINIMUM_GAIN
        ]
        expected = sorted(eligible, key=lambda g: (-g[0], g[1]))[:2]
        found = [(g, j) for j, g in zip(columns[i], gains[i], strict=True) if j >= 0]
        assert found == expected
        assert columns[i][len(found) :] == [-1] * (2 - len(found))


def test_a_newcomer_at_target_is_told_that_more_orders_will_count() -> None:
    counts = PERFECT | {"on_time_rate": (5.0, 5.0)}
    peers = peers_at_target() | {"on_time_rate": 0.90}
    _, kpis = score_rider(counts, peers, "full_time", rules())
    (first, *_) = improvements(kpis, rules())
    assert first.kpi == "on_time_rate"
    assert first.sentence.startswith("Keep your on-time rate at 98.5% or better to gain about")
    assert "with 5 delivered orders so far" in first.sentence


def test_rules_refuse_a_target_on_the_wrong_side_of_the_floor() -> None:
    rule = rules().rules["rider_cancel_rate"]
    with pytest.raises(ValueError, match="must be below the floor"):
        KpiRule(rule.kpi, target=0.02, floor=0.01, prior_strength=10)


# The weights of the default policy before equipment compliance was scored.
WEIGHTS_BEFORE_EQUIPMENT = {
    "full_time": (0.30, 0.15, 0.15, 0.10, 0.10, 0.15, 0.05),
    "crowdsourced": (0.35, 0.20, 0.15, 0.10, 0.0, 0.15, 0.05),
}


def rules_before_equipment() -> ScoringRules:
    """The default rules as they were before equipment compliance: without it, old weights."""
    kept = {n: r for n, r in rules().rules.items() if n != "equipment_compliance"}
    weights = {c: dict(zip(kept, w, strict=True)) for c, w in WEIGHTS_BEFORE_EQUIPMENT.items()}
    return replace(rules(), rules=kept, weights=weights)


def test_equipment_compliance_takes_a_twentieth_and_the_rest_keep_their_proportions() -> None:
    for capacity, before in WEIGHTS_BEFORE_EQUIPMENT.items():
        now = rules().weights_for(capacity)
        assert now["equipment_compliance"] == 0.05
        others = [w for n, w in now.items() if n != "equipment_compliance"]
        assert others == pytest.approx([0.95 * w for w in before], abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(
    capacity=st.sampled_from(sorted(WEIGHTS_BEFORE_EQUIPMENT)),
    counts=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400)), min_size=7, max_size=7),
    peers=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=7, max_size=7),
)
def test_a_rider_not_inspected_scores_exactly_as_with_the_weights_before_equipment(
    capacity: str, counts: list[tuple[int, int]], peers: list[float]
) -> None:
    old = rules_before_equipment()
    names = list(old.rules)
    mine = {
        n: (float(min(a, b) if old.rules[n].kpi.unit == "share" else a), float(b))
        for n, (a, b) in zip(names, counts, strict=True)
    }
    peer = {
        n: p * (5.0 if n == "customer_rating" else 1.0) for n, p in zip(names, peers, strict=True)
    }
    before, old_kpis = score_rider(mine, peer, capacity, old)
    peer_checked = peer | {"equipment_compliance": 0.98}  # inspected peers do not matter
    after, kpis = score_rider(mine, peer_checked, capacity, rules())
    assert after == before
    assert {n: k.contribution for n, k in kpis.items() if n in old_kpis} == {
        n: k.contribution for n, k in old_kpis.items()
    }
    assert kpis["equipment_compliance"].weight == 0.0
    assert math.isnan(kpis["equipment_compliance"].shrunk)


def test_an_inspected_rider_with_a_failed_item_loses_points_the_uninspected_twin_keeps() -> None:
    counts = PERFECT | {"on_time_rate": (100.0, 100.0)}
    peers = peers_at_target() | {"equipment_compliance": 0.987}
    unseen, unseen_kpis = score_rider(counts, peers, "full_time", rules())
    seen, kpis = score_rider(
        counts | {"equipment_compliance": (3.0, 4.0)}, peers, "full_time", rules()
    )
    equipment = kpis["equipment_compliance"]
    assert unseen == 1000.0 and unseen_kpis["on_time_rate"].weight == 0.30
    assert equipment.weight == 0.05 and kpis["on_time_rate"].weight == 0.285
    # (3 + 20 × 0.987) / (4 + 20) = 0.9475, (0.9475 − 0.75) / 0.235 = 0.840426
    assert equipment.shrunk == pytest.approx(0.9475)
    assert equipment.contribution == pytest.approx(42.02)
    assert seen == pytest.approx(950.0 + 42.02)
    assert seen < unseen
    clean, clean_kpis = score_rider(
        counts | {"equipment_compliance": (4.0, 4.0)}, peers, "full_time", rules()
    )
    assert clean_kpis["equipment_compliance"].normalised == 1.0  # 0.989 >= target 0.985
    assert clean == unseen


def test_the_equipment_peer_rate_comes_from_the_riders_who_were_checked() -> None:
    window = pd.DataFrame(
        [
            {"rider_id": "A", "capacity_type": "full_time", "city": "North"},
            {"rider_id": "B", "capacity_type": "full_time", "city": "North"},
            {"rider_id": "C", "capacity_type": "full_time", "city": "North"},
        ]
    )
    for name, (num, den) in (PERFECT | {"on_time_rate": (95.0, 100.0)}).items():
        window[f"{name}_num"], window[f"{name}_den"] = num, den
    window["equipment_compliance_num"] = [3, 8, 0]
    window["equipment_compliance_den"] = [4, 8, 0]
    scored = score_frame(window, rules()).set_index("rider_id")
    assert scored["equipment_compliance_peer"].tolist() == pytest.approx([11 / 12] * 3)
    # (3 + 20 × 11/12) / 24 = 0.888889
    assert scored.loc["A", "equipment_compliance_shrunk"] == pytest.approx(0.888889)
    assert scored["equipment_compliance_shrunk"].isna().tolist() == [False, False, True]
    assert scored.loc["C", "equipment_compliance_weight"] == 0.0
    assert scored.loc["C", "on_time_rate_weight"] == 0.30
    assert scored.loc["A", "on_time_rate_weight"] == 0.285
    for rider_id, row in scored.iterrows():
        counts = {k.name: (row[f"{k.name}_num"], row[f"{k.name}_den"]) for k in AVAILABLE_KPIS}
        peer = {k.name: row[f"{k.name}_peer"] / k.scale for k in AVAILABLE_KPIS}
        score, _ = score_rider(counts, peer, "full_time", rules())
        assert score == row["score"], rider_id


def test_a_policy_published_before_equipment_compliance_does_not_score_it() -> None:
    values = {
        path: value for path, value in params().values.items() if "equipment_compliance" not in path
    }
    for capacity, before in WEIGHTS_BEFORE_EQUIPMENT.items():
        for name, weight in zip(rules_before_equipment().rules, before, strict=True):
            values[f"scoring.weights.{capacity}.{name}"] = weight
    old = ScoringRules.from_params(ParameterSet(params().when, values))
    assert "equipment_compliance" not in old.rules
    assert old.weights_for("full_time")["on_time_rate"] == 0.30
    values["scoring.weights.full_time.equipment_compliance"] = 0.0
    with pytest.raises(ValueError, match="equipment_compliance has a weight but no target"):
        ScoringRules.from_params(ParameterSet(params().when, values))


def test_the_worked_example_of_the_scoring_doc() -> None:
    """docs/scoring.md, "Worked example": Amina's 28 days against her peers."""
    counts = {
        "on_time_rate": (511.0, 520.0),
        "rider_cancel_rate": (2.0, 526.0),
        "customer_rating": (688.0, 160.0),
        "complaint_rate": (6.0, 520.0),
        "acceptance_rate": (526.0, 850.0),
        "safety_incidents": (1.0, 520.0),
        "document_compliance": (88.0, 88.0),
    }
    peers = {
        "on_time_rate": 0.972,
        "rider_cancel_rate": 0.0024,
        "customer_rating": 4.32,
        "complaint_rate": 0.016,
        "acceptance_rate": 0.66,
        "safety_incidents": 0.0015,
        "document_compliance": 0.97,
    }
    score, kpis = score_rider(counts, peers, "full_time", rules())
    points = {n: k.contribution for n, k in kpis.items()}
    assert points == {
        "on_time_rate": 296.04,
        "rider_cancel_rate": 129.02,
        "customer_rating": 137.10,
        "complaint_rate": 97.69,
        "acceptance_rate": 100.0,
        "safety_incidents": 134.96,
        "document_compliance": 50.0,
        "equipment_compliance": 0.0,  # not inspected: not measured, the others weigh ÷ 0.95
    }
    assert kpis["on_time_rate"].weight == 0.30
    assert score == 944.81
    assert [i.sentence for i in improvements(kpis, rules())] == [
        "Lower your cancellation rate from 0.4% to 0.2% to gain about 21 points.",
        "Lower your safety incident rate from 1.9 to 1.0 per 1,000 orders to gain about 15 points.",
    ]

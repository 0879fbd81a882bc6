"""Risk-based selection: inclusion probabilities, the systematic πps draw, budgets, risk
scores, and the bundled policy's sampling parameters."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

import numpy as np
import pytest

from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.sampling.params import SamplingParams
from riderperf.sampling.risk import RiderFeatures, risk_scores
from riderperf.sampling.selection import (
    allocate_budget,
    draw_sample,
    inclusion_probabilities,
    systematic_pps,
)

RISK = [1.0, 1.0, 2.0, 3.0, 1.0, 8.0, 1.5, 1.0, 4.0, 1.0, 60.0, 1.0]


def test_inclusion_probabilities_add_up_to_the_sample_size_and_rise_with_risk() -> None:
    pi = inclusion_probabilities(RISK, 5, random_share=0.3)
    assert sum(pi) == pytest.approx(5.0)
    order = sorted(range(len(RISK)), key=RISK.__getitem__)
    assert [pi[i] for i in order] == sorted(pi)


def test_a_very_risky_rider_is_taken_with_certainty_and_the_rest_spread() -> None:
    pi = inclusion_probabilities(RISK, 5, random_share=0.3)
    assert pi[10] == 1.0
    assert all(p < 1.0 for i, p in enumerate(pi) if i != 10)


def test_the_random_share_keeps_every_rider_within_reach() -> None:
    pi = inclusion_probabilities(RISK, 5, random_share=0.3)
    assert min(pi) >= 0.3 * 5 / len(RISK) - 1e-12
    assert inclusion_probabilities(RISK, 5, random_share=1.0) == pytest.approx(
        [5 / len(RISK)] * len(RISK)
    )


def test_a_sample_as_large_as_the_lot_takes_everyone() -> None:
    assert inclusion_probabilities(RISK, 20, random_share=0.3) == [1.0] * len(RISK)


def test_the_systematic_draw_takes_exactly_n_distinct_riders_with_probability_pi() -> None:
    pi = inclusion_probabilities(RISK, 5, random_share=0.3)
    rng = np.random.default_rng(7)
    counts: Counter[int] = Counter()
    draws = 6000
    for _ in range(draws):
        drawn = systematic_pps(pi, rng)
        indexes = [d.index for d in drawn]
        assert len(indexes) == len(set(indexes)) == 5
        counts.update(indexes)
    for index, p in enumerate(pi):
        assert counts[index] / draws == pytest.approx(
            p, abs=4 * math.sqrt(p * (1 - p) / draws) + 1e-9
        )


def test_a_fixed_seed_reproduces_the_draw_and_streams_are_independent() -> None:
    first = draw_sample(RISK, 5, random_share=0.3, seed=42, stream="Z1")
    again = draw_sample(RISK, 5, random_share=0.3, seed=42, stream="Z1")
    assert first == again
    others = {
        tuple(d.index for d in draw_sample(RISK, 5, random_share=0.3, seed=42, stream=z)[1])
        for z in ("Z2", "Z3", "Z4", "Z5")
    }
    assert len(others) > 1


def test_a_budget_is_split_in_proportion_to_the_standard_sizes() -> None:
    assert allocate_budget([125, 50, 20], 1000) == [125, 50, 20]
    split = allocate_budget([125, 50, 20], 100)
    assert sum(split) == 100 and all(s <= t for s, t in zip(split, [125, 50, 20], strict=True))
    assert split == [64, 26, 10]
    assert allocate_budget([3, 3], 0) == [0, 0]


def test_risk_scores_start_at_one_and_rise_with_each_signal() -> None:
    weights = {"incidents": 0.5, "expiring_documents": 0.3, "complaint_rate": 0.2}
    riders = [
        RiderFeatures("quiet", complaint_rate=0.5),
        RiderFeatures("gear", complaint_rate=0.5, incidents=2, expiring_documents=1),
        RiderFeatures("complaints", complaint_rate=1.5),
        RiderFeatures("unknown"),
    ]
    scores = risk_scores(riders, weights, strength=2.0, cap=5.0)
    assert scores[0] == 1.0 and scores[3] == 1.0
    assert scores[1] == pytest.approx(1 + 2 * (0.5 * 2 + 0.3 * 1))
    # mean complaint rate 0.833: 1.5 is 0.8 above the mean in units of the mean
    assert scores[2] == pytest.approx(1 + 2 * 0.2 * (1.5 / (2.5 / 3) - 1))
    capped = risk_scores([RiderFeatures("x", incidents=50)], weights, strength=2.0, cap=5.0)
    assert capped == [1 + 2 * 0.5 * 5]
    with pytest.raises(ValueError, match="unknown risk features"):
        risk_scores(riders, {"speed": 1.0}, strength=1.0, cap=5.0)


def test_bundled_policy_has_valid_sampling_parameters() -> None:
    params = SamplingParams.from_parameters(
        load_policy(default_policy_folder()).at(date(2026, 1, 5))
    )
    assert params.level == "II" and params.aql == 2.5
    assert 0 < params.random_share <= 1
    assert sum(params.risk_weights.values()) == pytest.approx(1.0)
    assert "helmet_missing" in params.frame.incident_kinds

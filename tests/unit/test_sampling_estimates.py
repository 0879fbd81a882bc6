"""Horvitz–Thompson and Hájek estimates, their variance and intervals."""

from __future__ import annotations

import statistics

import pytest

from riderperf.sampling.estimates import (
    hajek_mean,
    ht_mean,
    ht_variance,
    ratio_estimate,
    wilson_interval,
)


def test_equal_probabilities_give_the_sample_mean_and_the_srs_variance() -> None:
    y = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    n, population = len(y), 200
    pi = [n / population] * n
    estimate = hajek_mean(y, pi, ["z"] * n)
    assert estimate.value == pytest.approx(statistics.mean(y))
    srs_variance = (1 - n / population) * statistics.variance(y) / n
    assert estimate.std_error**2 == pytest.approx(srs_variance)
    ht = ht_mean(y, pi, ["z"] * n, population)
    assert ht.value == pytest.approx(statistics.mean(y))
    assert ht.std_error**2 == pytest.approx(srs_variance)


def test_unequal_probabilities_weight_each_rider_by_one_over_pi() -> None:
    y = [1.0, 0.0, 1.0]
    pi = [0.5, 0.1, 0.25]
    estimate = hajek_mean(y, pi, ["z"] * 3)
    assert estimate.value == pytest.approx((2 + 4) / (2 + 10 + 4))
    assert ht_mean(y, pi, ["z"] * 3, 20).value == pytest.approx(6 / 20)


def test_strata_add_their_variances() -> None:
    y = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    pi = [0.2, 0.2, 0.2, 0.5, 0.5, 0.5]
    zones = ["a", "a", "a", "b", "b", "b"]
    total = ht_variance(y[:3], pi[:3]) + ht_variance(y[3:], pi[3:])
    assert ht_mean(y, pi, zones, 21).std_error ** 2 == pytest.approx(total / 21**2)


def test_a_census_is_exact() -> None:
    estimate = hajek_mean([1.0, 0.0, 1.0, 1.0], [1.0] * 4, ["z"] * 4)
    assert (estimate.value, estimate.lower, estimate.upper, estimate.std_error) == (
        0.75,
        0.75,
        0.75,
        0.0,
    )


def test_ratio_estimate_of_items_passed_over_items_checked() -> None:
    passed, checked = [9.0, 10.0, 7.0], [10.0, 10.0, 10.0]
    estimate = ratio_estimate(passed, checked, [0.1, 0.1, 0.1], ["z"] * 3)
    assert estimate.value == pytest.approx(26 / 30)
    assert 0.0 <= estimate.lower < estimate.value < estimate.upper <= 1.0


def test_wilson_intervals_stay_inside_zero_and_one() -> None:
    lower, upper = wilson_interval(1.0, 0.0, 30)
    assert 0.85 < lower < 1.0 and upper == pytest.approx(1.0)
    lower, upper = wilson_interval(0.5, 0.01, 30)
    assert lower == pytest.approx(0.5 - 1.96 * 0.1, abs=0.02) and upper < 1.0
    assert wilson_interval(float("nan"), 0.1, 3) == (0.0, 1.0)


def test_probabilities_outside_zero_one_are_refused() -> None:
    with pytest.raises(ValueError, match="inclusion probability"):
        hajek_mean([1.0, 0.0], [0.0, 0.5], ["z", "z"])

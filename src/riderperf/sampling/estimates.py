"""Decides fleet-wide estimates from an inspected sample with its recorded inclusion
probabilities: Horvitz–Thompson and Hájek (ratio) estimates with confidence intervals.

Lots are strata (each zone is drawn on its own), so totals and variances add up over
zones. The variance of a Horvitz–Thompson total within a stratum uses Hájek's
approximation for fixed-size, high-entropy designs (Hájek 1964; Deville 1999; Matei &
Tillé 2005), which needs no joint inclusion probabilities:

    v(Ŷ) = n/(n-1) · Σ_s c_i (y_i/π_i - Ĝ)²,  c_i = 1 - π_i,  Ĝ = Σ_s c_i y_i/π_i / Σ_s c_i

Riders taken with certainty (π = 1) add nothing to it. Ratios (the Hájek mean, a per-KPI
pass rate) use the same formula on linearised residuals (Woodruff 1971). Intervals for
shares are Wilson intervals on the effective sample size p(1-p)/v (Korn & Graubard 1998),
which stay inside [0, 1] and behave near 0 and 1; a census gives the exact value.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error and a confidence interval."""

    value: float
    std_error: float
    lower: float
    upper: float
    sample: int  # units that carry data
    method: str

    def as_dict(self) -> dict[str, float | int | str | None]:
        return {
            "value": _clean(self.value),
            "std_error": _clean(self.std_error),
            "lower": _clean(self.lower),
            "upper": _clean(self.upper),
            "sample": self.sample,
            "method": self.method,
        }


def ht_variance(values: Sequence[float], pi: Sequence[float]) -> float:
    """Hájek's approximate variance of the HT total Σ y/π for one stratum."""
    n = len(values)
    if n != len(pi):
        raise ValueError("one inclusion probability per value is needed")
    c = [1.0 - p for p in pi]
    weight = sum(c)
    if n < 2:
        return 0.0 if weight <= 1e-12 else math.nan
    if weight <= 1e-12:
        return 0.0  # every unit was certain: the stratum is a census
    expanded = [y / p for y, p in zip(values, pi, strict=True)]
    centre = sum(ci * e for ci, e in zip(c, expanded, strict=True)) / weight
    return n / (n - 1) * sum(ci * (e - centre) ** 2 for ci, e in zip(c, expanded, strict=True))


def ht_mean(
    values: Sequence[float],
    pi: Sequence[float],
    strata: Sequence[Hashable],
    population: int,
    *,
    share: bool = True,
) -> Estimate:
    """Horvitz–Thompson mean Σ y/π / N over a known population size N."""
    _check(pi)
    total = sum(y / p for y, p in zip(values, pi, strict=True))
    variance = _stratified(values, pi, strata)
    value = total / population if population else math.nan
    var = variance / population**2 if population else math.nan
    return _estimate(value, var, len(values), "horvitz_thompson", share, _census(pi))


def hajek_mean(
    values: Sequence[float], pi: Sequence[float], strata: Sequence[Hashable]
) -> Estimate:
    """Hájek mean Σ y/π / Σ 1/π, linearised variance; for shares of riders."""
    return ratio_estimate(values, [1.0] * len(values), pi, strata, method="hajek")


def ratio_estimate(
    numerators: Sequence[float],
    denominators: Sequence[float],
    pi: Sequence[float],
    strata: Sequence[Hashable],
    *,
    method: str = "ratio",
) -> Estimate:
    """R = Σ num/π / Σ den/π (e.g. items passed over items checked), linearised variance."""
    _check(pi)
    num = sum(y / p for y, p in zip(numerators, pi, strict=True))
    den = sum(x / p for x, p in zip(denominators, pi, strict=True))
    carrying = sum(1 for x in denominators if x > 0)
    if den <= 0:
        return Estimate(math.nan, math.nan, 0.0, 1.0, carrying, method)
    ratio = num / den
    residuals = [y - ratio * x for y, x in zip(numerators, denominators, strict=True)]
    variance = _stratified(residuals, pi, strata) / den**2
    return _estimate(ratio, variance, carrying, method, True, _census(pi))


def wilson_interval(
    value: float, variance: float, sample: int, z: float = Z_95
) -> tuple[float, float]:
    """Wilson interval for a share on the effective sample size p(1-p)/variance; with no
    variance to speak of (or p at 0 or 1) the actual number of units is used."""
    if math.isnan(value):
        return 0.0, 1.0
    p = min(max(value, 0.0), 1.0)
    effective = variance > 0 and 0.0 < p < 1.0
    size = p * (1.0 - p) / variance if effective else float(sample)
    if size <= 0:
        return 0.0, 1.0
    z2 = z * z
    centre = (p + z2 / (2 * size)) / (1 + z2 / size)
    half = z * math.sqrt(p * (1 - p) / size + z2 / (4 * size * size)) / (1 + z2 / size)
    return max(0.0, centre - half), min(1.0, centre + half)


def _check(pi: Sequence[float]) -> None:
    for p in pi:
        if not 0 < p <= 1:
            raise ValueError(f"an inclusion probability must be in (0, 1], not {p}")


def _stratified(values: Sequence[float], pi: Sequence[float], strata: Sequence[Hashable]) -> float:
    groups: dict[Hashable, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for y, p, stratum in zip(values, pi, strata, strict=True):
        groups[stratum][0].append(y)
        groups[stratum][1].append(p)
    return sum(ht_variance(ys, ps) for ys, ps in groups.values())


def _estimate(
    value: float, variance: float, sample: int, method: str, share: bool, census: bool
) -> Estimate:
    if census:  # every unit of the population was inspected: the value is exact
        return Estimate(value, 0.0, value, value, sample, method)
    if math.isnan(variance):
        lower, upper = (0.0, 1.0) if share else (math.nan, math.nan)
        return Estimate(value, math.nan, lower, upper, sample, method)
    if share:
        lower, upper = wilson_interval(value, variance, sample)
    else:
        half = Z_95 * math.sqrt(variance)
        lower, upper = value - half, value + half
    return Estimate(value, math.sqrt(max(variance, 0.0)), lower, upper, sample, method)


def _census(pi: Sequence[float]) -> bool:
    return bool(pi) and all(p >= 1.0 - 1e-12 for p in pi)


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 6)

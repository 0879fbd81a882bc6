"""Decides each rider's score 0–1000 from the KPI sums of one window.

For every scored KPI (registry order):

1. shrink: `shrunk = scale × (num + k × peer) / (den + k)`, where `peer` is the KPI of the
   rider's peer group (same capacity type and city, the rider included; if that group has
   no data, the capacity type, then everyone) and `k` the policy's prior strength. A rider
   with little data sits near the peers, one with much data near their own rate. A
   sampled KPI (equipment compliance: inspections check a sample of riders) is not
   measured for a rider with nothing counted on it (NaN), since not being checked says
   nothing about the rider; a rider who was checked is shrunk toward the peers who were.
2. normalise: `(shrunk − floor) / (target − floor)` clipped to 0–1; this one formula is
   right for both directions because a lower-is-better KPI has its target below its floor.
3. weigh: the capacity type's weights; a KPI not measured for the rider (nobody has data
   for it, as with an absent table, or a sampled KPI the rider was not checked on) is left
   out and the rider's other weights are scaled up to sum to 1. The scaled weights are
   rounded to 12 decimals, so that leaving out a KPI of weight w from weights that were
   the old ones × (1 − w) gives back the old ones exactly, not 0.30000000000000004.
4. `contribution = round(1000 × weight × normalised, 2)`, but never below
   `round(1000 × weight − cap, 2)` where `cap` is `scoring.most_points_one_kpi_costs`
   (350): one KPI costs a rider at most that many points, so on its own it never takes
   them below 1000 − 350 = 650, bronze (tiers.thresholds.bronze). No weight exceeds 0.35,
   so the cap only acts when KPIs that are not measured scale the others up beyond it:
   on data without ratings, complaints, incidents, documents or inspections the on-time
   rate would weigh up to 0.67 and alone put a rider in the bottom tier.
   `score = round(Σ contributions, 2)`, so the contributions add up to the score exactly.

Only the window's counts enter: history outside the window and past volume do not.
`score_frame` does this for all riders at once (numpy); `score_rider` for one rider, as
the explanation path; a test holds them equal.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from riderperf.metrics.registry import AVAILABLE_KPIS
from riderperf.metrics.rules import SCORE_POINTS, ScoringRules
from riderperf.metrics.scorecard import KpiScore

WEIGHT_DECIMALS = 12  # far below a contribution's 0.01 points, far above float noise
PEER_KEYS: tuple[tuple[str, ...], ...] = (("capacity_type", "city"), ("capacity_type",), ())


# Arrays in the bulk path, numpy scalars in the per-rider path: the same arithmetic.
Numbers = npt.NDArray[np.float64] | np.float64


def shrink(num: Numbers, den: Numbers, peer: Numbers, k: float, sampled: bool = False) -> Numbers:
    """`(num + k × peer) / (den + k)`; NaN when there is nothing to go on, and for a
    sampled KPI when the rider was not checked (`den` 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (num + k * np.nan_to_num(peer)) / (den + k)
        own = np.where(den > 0, num / den, np.nan)
    # Without a peer value the rider's own rate is all there is.
    value = np.where(np.isnan(peer), own, np.where(den + k > 0, out, np.nan))
    return np.where(den > 0, value, np.nan) if sampled else value


def normalise(value: Numbers, floor: float, target: float) -> Numbers:
    with np.errstate(invalid="ignore"):
        return np.clip((value - floor) / (target - floor), 0.0, 1.0)


def peer_rates(window: pd.DataFrame) -> pd.DataFrame:
    """Per rider row, each KPI's raw rate (num / den) in the rider's peer group."""
    columns = [f"{kpi.name}_{part}" for kpi in AVAILABLE_KPIS for part in ("num", "den")]
    # Every KPI's sums at once per peer level (one group-by per level, not per KPI).
    levels: list[dict[str, np.ndarray]] = []
    for keys in PEER_KEYS:
        if keys:
            summed = window.groupby(list(keys), dropna=False)[columns].transform("sum")
            levels.append({c: summed[c].to_numpy(float) for c in columns})
        else:
            levels.append({c: np.full(len(window), float(window[c].sum())) for c in columns})
    out: dict[str, np.ndarray] = {}
    for kpi in AVAILABLE_KPIS:
        num, den = f"{kpi.name}_num", f"{kpi.name}_den"
        rate = np.full(len(window), np.nan)
        for sums in levels:
            n, d = sums[num], sums[den]
            with np.errstate(divide="ignore", invalid="ignore"):
                found = np.where(d > 0, n / d, np.nan)
            rate = np.where(np.isnan(rate), found, rate)
        out[kpi.name] = rate
    return pd.DataFrame(out, index=window.index)


def score_frame(window: pd.DataFrame, rules: ScoringRules) -> pd.DataFrame:
    """`window` (one row per rider, with capacity_type, city and the KPI sums) plus, per
    KPI, `<kpi>` (own value), `_peer`, `_shrunk`, `_normalised`, `_weight`,
    `_contribution`, and `score`."""
    out = window.reset_index(drop=True).copy()
    peers = peer_rates(out)
    capacity = out["capacity_type"].astype(str)
    names = list(rules.rules)
    normalised = np.zeros((len(out), len(names)))
    base = np.zeros((len(out), len(names)))
    for j, name in enumerate(names):
        rule = rules.rules[name]
        num = out[f"{name}_num"].to_numpy(float)
        den = out[f"{name}_den"].to_numpy(float)
        peer = peers[name].to_numpy(float)
        shrunk = rule.kpi.scale * shrink(num, den, peer, rule.prior_strength, rule.kpi.sampled)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(den > 0, rule.kpi.scale * num / den, np.nan)
        out[f"{name}_peer"] = rule.kpi.scale * peer
        out[f"{name}_shrunk"] = shrunk
        normalised[:, j] = normalise(shrunk, rule.floor, rule.target)
        weights = {c: rules.weights_for(c)[name] for c in capacity.unique()}
        base[:, j] = capacity.map(weights).to_numpy(float)
    measured = ~np.isnan(normalised)
    total = np.zeros((len(out), 1))
    for j in range(len(names)):  # registry order, as score_rider adds them
        total[:, 0] = total[:, 0] + np.where(measured[:, j], base[:, j], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(measured, np.round(base / total, WEIGHT_DECIMALS), 0.0)
    points = np.round(SCORE_POINTS * weight * np.nan_to_num(normalised), 2)
    if rules.most_points_one_kpi_costs is not None:
        least = np.round(SCORE_POINTS * weight - rules.most_points_one_kpi_costs, 2)
        points = np.maximum(points, least)
    score = np.zeros(len(out))
    for j, name in enumerate(names):  # registry order, as score_rider adds them
        out[f"{name}_normalised"] = normalised[:, j]
        out[f"{name}_weight"] = weight[:, j]
        out[f"{name}_contribution"] = points[:, j]
        score = score + points[:, j]
    out["score"] = np.where(total[:, 0] > 0, np.round(score, 2), np.nan)
    return out


def score_rider(
    counts: Mapping[str, tuple[float, float]],
    peer: Mapping[str, float],
    capacity_type: str,
    rules: ScoringRules,
) -> tuple[float, dict[str, KpiScore]]:
    """One rider: `counts` KPI → (num, den) and `peer` KPI → raw peer rate (NaN: none)."""
    weights = rules.weights_for(capacity_type)
    rows: dict[str, tuple[float, float, float, float, float, float]] = {}
    total = 0.0
    for name, rule in rules.rules.items():
        num, den = (float(x) for x in counts.get(name, (0.0, 0.0)))
        p = np.float64(peer.get(name, np.nan))
        shrunk = rule.kpi.scale * float(
            shrink(np.float64(num), np.float64(den), p, rule.prior_strength, rule.kpi.sampled)
        )
        norm = float(normalise(np.float64(shrunk), rule.floor, rule.target))
        own = rule.kpi.scale * num / den if den > 0 else np.nan
        rows[name] = (num, den, own, rule.kpi.scale * float(p), shrunk, norm)
        total = total + (0.0 if np.isnan(norm) else weights[name])
    kpis: dict[str, KpiScore] = {}
    score = 0.0
    for name, (num, den, own, peer_value, shrunk, norm) in rows.items():
        measured = not np.isnan(norm)
        weight = float(np.round(weights[name] / total, WEIGHT_DECIMALS)) if measured else 0.0
        points = float(np.round(SCORE_POINTS * weight * (norm if measured else 0.0), 2))
        if rules.most_points_one_kpi_costs is not None:
            least = np.round(SCORE_POINTS * weight - rules.most_points_one_kpi_costs, 2)
            points = max(points, float(least))
        kpis[name] = KpiScore(name, num, den, own, peer_value, shrunk, norm, weight, points)
        score = score + points
    return (float(np.round(score, 2)) if total > 0 else np.nan), kpis

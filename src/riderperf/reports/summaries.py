"""Decides a report's scorecard figures: pooled KPIs and their change, scores, tiers, movements.

Pure functions of the published scorecards (as `RiderRow`s) and the tier rules, so the
report counts exactly what `riderperf scorecards export` lists: a KPI's value for a group
of riders is the pooled `scale × Σ num / Σ den` of their scorecards, the median score is
taken over the riders who have a score.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from riderperf.metrics.registry import KPIS, get_kpi
from riderperf.metrics.rules import TierRules
from riderperf.reports.model import (
    NO_TIER,
    Headline,
    KpiFigure,
    RiderRow,
    ScoreDistribution,
    TierSummary,
    TrendPoint,
    UnitRow,
)

SCORE_BIN = 50.0
SCORE_MAX = 1000.0
QUANTILES = (10, 25, 50, 75, 90)


def scores_of(rows: Sequence[RiderRow]) -> list[float]:
    return sorted(r.score for r in rows if r.score is not None)


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def kpi_names(rows: Sequence[RiderRow]) -> list[str]:
    """The KPIs the scorecards carry, in registry order; a sampled KPI (equipment
    compliance) only when someone was checked on it: in a period without inspections it
    has nothing to report (the inspection section says so)."""
    present = {name for r in rows for name in r.kpis}
    checked = {name for r in rows for name, (_, den) in r.kpis.items() if den > 0}
    return [k.name for k in KPIS if k.name in present and (not k.sampled or k.name in checked)]


def pooled(rows: Sequence[RiderRow], name: str) -> tuple[float | None, float, float]:
    """(value, Σ num, Σ den) of KPI `name` over `rows`; value None without a denominator."""
    num = sum(r.kpis[name][0] for r in rows if name in r.kpis)
    den = sum(r.kpis[name][1] for r in rows if name in r.kpis)
    return (get_kpi(name).scale * num / den if den > 0 else None), num, den


def kpi_figures(rows: Sequence[RiderRow], previous: Sequence[RiderRow] | None) -> list[KpiFigure]:
    figures = []
    for name in kpi_names(rows):
        kpi = get_kpi(name)
        value, num, den = pooled(rows, name)
        before = pooled(previous, name)[0] if previous is not None else None
        change = value - before if value is not None and before is not None else None
        better = None
        if change:
            better = change > 0 if kpi.direction == "higher" else change < 0
        figures.append(
            KpiFigure(
                name, kpi.label, kpi.unit, kpi.direction, value, num, den, before, change, better
            )
        )
    return figures


def headline(
    rows: Sequence[RiderRow],
    previous: Sequence[RiderRow] | None,
    previous_period: str,
    previous_evaluation: str | None,
) -> Headline:
    """The period's headline; `previous` None when the previous period has no evaluation."""
    scores = scores_of(rows)
    if previous is None:
        comparison = (
            f"no previous evaluation: {previous_period} has not been evaluated, "
            "so no change is shown"
        )
    else:
        comparison = f"changes against {previous_period} (evaluation {previous_evaluation})"
    return Headline(
        riders=len(rows),
        statuses=dict(sorted(Counter(r.status for r in rows).items())),
        score_mean=statistics.fmean(scores) if scores else None,
        score_median=median(scores),
        kpis=kpi_figures(rows, previous),
        previous_period=previous_period,
        previous_evaluation=previous_evaluation,
        previous_riders=len(previous) if previous is not None else None,
        previous_score_median=median(scores_of(previous)) if previous is not None else None,
        comparison=comparison,
    )


def score_distribution(rows: Sequence[RiderRow], rules: TierRules) -> ScoreDistribution:
    scores = scores_of(rows)
    bins = int(SCORE_MAX // SCORE_BIN)
    counts = [0] * bins
    for score in scores:
        counts[min(max(int(score // SCORE_BIN), 0), bins - 1)] += 1
    return ScoreDistribution(
        bin_edges=[i * SCORE_BIN for i in range(bins + 1)],
        counts=counts,
        quantiles=quantiles(scores),
        thresholds=list(rules.tiers),
        scored=len(scores),
    )


def quantiles(scores: Sequence[float]) -> dict[str, float]:
    """The same nearest-rank quantiles `riderperf evaluate` prints."""
    if not scores:
        return {}
    last = len(scores) - 1
    return {f"p{q}": round(scores[round(last * q / 100)], 1) for q in QUANTILES}


def tier_order(rules: TierRules) -> list[str]:
    return [name for name, _ in rules.tiers] + [NO_TIER]


def tier_counts(rows: Sequence[RiderRow], order: Sequence[str]) -> dict[str, int]:
    found = Counter(r.tier or NO_TIER for r in rows)
    extra = sorted(set(found) - set(order))  # tiers of another policy version, kept visible
    return {tier: found.get(tier, 0) for tier in [*order, *extra]}


def tier_summary(rows: Sequence[RiderRow], rules: TierRules) -> TierSummary:
    order = tier_order(rules)
    counts = tier_counts(rows, order)
    known = list(counts)
    movements = {before: dict.fromkeys(known, 0) for before in known}
    up = down = same = entered = 0
    for row in rows:
        before, now = row.previous_tier or NO_TIER, row.tier or NO_TIER
        movements.setdefault(before, dict.fromkeys(known, 0))[now] += 1
        change = tier_change(row, rules)
        up += change == "up"
        down += change == "down"
        same += change == "same"
        entered += before == NO_TIER and now != NO_TIER
    return TierSummary(order, counts, movements, up, down, same, entered, unit_rows(rows, order))


def tier_change(row: RiderRow, rules: TierRules) -> str | None:
    """up / down / same between the previous tier and the tier; None if either is missing."""
    names = [name for name, _ in rules.tiers]
    if row.tier not in names or row.previous_tier not in names:
        return None
    now, before = rules.rank(str(row.tier)), rules.rank(str(row.previous_tier))
    return "up" if now < before else "down" if now > before else "same"


def unit_rows(rows: Sequence[RiderRow], order: Sequence[str]) -> list[UnitRow]:
    """One row per unit (city, zone or fleet): riders, median score, tiers, pooled KPIs."""
    by_unit: dict[str, list[RiderRow]] = {}
    for row in rows:
        by_unit.setdefault(row.unit, []).append(row)
    names = kpi_names(rows)
    return [
        UnitRow(
            unit=unit,
            riders=len(members),
            score_median=median(scores_of(members)),
            tiers=tier_counts(members, order),
            kpis={name: pooled(members, name)[0] for name in names},
        )
        for unit, members in sorted(by_unit.items())
    ]


def trend_point(period: str, rows: Sequence[RiderRow] | None) -> TrendPoint:
    if rows is None:
        return TrendPoint(period, evaluated=False)
    on_time = pooled(rows, "on_time_rate")[0] if "on_time_rate" in kpi_names(rows) else None
    return TrendPoint(period, True, len(rows), median(scores_of(rows)), on_time)

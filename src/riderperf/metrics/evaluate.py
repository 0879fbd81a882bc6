"""The scoring use case: a period's daily facts in, one scorecard per rider out.

Typical run (the CLI `riderperf evaluate` does the same)::

    policy = load_policy(folder)
    params = policy.at(period.start)                 # values in force at the period's start
    write_judgments(...)                             # responsibility judgment, same version
    build_daily_facts(warehouse, period.start, period.end, version,
                      equipment_checks=equipment_checks_by_day(session, start, end))
    cards = evaluate_scores(warehouse, period, params, version, previous_tiers, period.end)
    table = scorecards_frame(cards)                  # one row per rider, for export

`previous_tiers` maps rider_id → the tier of the previous period (for hysteresis; riders
in it but without data this period keep their tier with status `insufficient_data`).
`as_of` is the day the evaluation speaks for, normally `period.end`; it decides who is
still new. Riders without data in the window and without a previous tier get no card.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from riderperf.common.periods import Period
from riderperf.metrics.card_table import (
    KPI_PARTS,
    CardRows,
    card_table,
    improvement_column,
    kpi_column,
)
from riderperf.metrics.improve import MOST, top_gains
from riderperf.metrics.registry import fact_columns
from riderperf.metrics.rules import ScoringRules, TierRules
from riderperf.metrics.score import score_frame
from riderperf.metrics.scorecard import Scorecard
from riderperf.metrics.tiers import decide_tier
from riderperf.metrics.windows import RIDER_COLUMNS, kpi_window
from riderperf.policy.parameters import ParameterSet
from riderperf.warehouse.connection import Warehouse

KPI_FIELDS = ("peer", "shrunk", "normalised", "weight", "contribution")


def evaluate_scores(
    warehouse: Warehouse,
    period: Period,
    params: ParameterSet,
    policy_version: str,
    previous_tiers: Mapping[str, str],
    as_of: date,
) -> list[Scorecard]:
    """Scorecards of every rider with data in `period` or a previous tier, by rider_id."""
    window = rider_window(warehouse, period, policy_version, previous_tiers)
    return score_cards(window, params, period, policy_version, previous_tiers, as_of)


def rider_window(
    warehouse: Warehouse, period: Period, policy_version: str, previous_tiers: Mapping[str, str]
) -> pd.DataFrame:
    """What `evaluate_scores` reads from the warehouse: the rider window (`kpi_window`) of
    `period`, with zero counts for riders who have a previous tier but no data in it."""
    window = kpi_window(warehouse, period, policy_version, "rider")
    missing = sorted(set(previous_tiers) - set(window["rider_id"]))
    if missing:
        window = pd.concat([window, _idle_riders(warehouse, missing)], ignore_index=True)
    return window


def score_window(
    window: pd.DataFrame,
    params: ParameterSet,
    period: Period,
    policy_version: str,
    previous_tiers: Mapping[str, str],
    as_of: date,
) -> pa.Table:
    """The pure part of `evaluate_scores`: a rider window table (see `kpi_window`) in, the
    card table (`metrics.card_table`) out. Whole columns are written at once; the only
    loop over riders decides their tiers."""
    scoring, tiering = ScoringRules.from_params(params), TierRules.from_params(params)
    scored = score_frame(window, scoring).sort_values("rider_id", kind="stable")
    names = list(scoring.rules)
    riders = scored["rider_id"].astype(str).tolist()
    scores = scored["score"].astype("float64").tolist()
    orders = scored["rider_cancel_rate_den"].astype("int64").tolist()
    joined = _dates(scored["joined_on"])
    previous = [previous_tiers.get(rider) for rider in riders]
    decisions = [
        decide_tier(scores[i], orders[i], previous[i], _day(joined[i]), as_of, tiering)
        for i in range(len(riders))
    ]
    count = len(riders)
    columns: dict[str, Any] = {
        "rider_id": riders,
        "period": [period.label] * count,
        "policy_version": [policy_version] * count,
        "policy_date": [params.when.isoformat()] * count,
        "capacity_type": scored["capacity_type"].astype(str).tolist(),
        "city": scored["city"].astype(str).tolist(),
        "status": [d.status for d in decisions],
        "score": scores,
        "tier": [d.tier for d in decisions],
        "previous_tier": previous,
        "tier_reason": [d.reason for d in decisions],
        "orders": orders,
    }
    suffixes = ("_num", "_den", "", "_peer", "_shrunk", "_normalised", "_weight", "_contribution")
    for name in names:
        for part, suffix in zip(KPI_PARTS, suffixes, strict=True):
            columns[kpi_column(name, part)] = scored[f"{name}{suffix}"].to_numpy(dtype="float64")
    best, gains = top_gains(
        scored[[f"{name}_weight" for name in names]].to_numpy(dtype=float),
        scored[[f"{name}_normalised" for name in names]].to_numpy(dtype=float),
        cap=scoring.most_points_one_kpi_costs,
    )
    columns |= _improvement_columns(columns, names, best, gains, scoring)
    return card_table(columns, names, MOST)


def _improvement_columns(
    columns: Mapping[str, Any],
    names: list[str],
    best: list[list[int]],
    gains: list[list[float]],
    scoring: ScoringRules,
) -> dict[str, Any]:
    """The improvement slots of every rider: the KPIs `top_gains` chose, their gains, the
    rider's current values and the targets (the sentence is written when a card is read)."""
    rate = np.column_stack([columns[kpi_column(name, "rate")] for name in names])
    shrunk = np.column_stack([columns[kpi_column(name, "shrunk")] for name in names])
    current = np.where(np.isnan(rate), shrunk, rate)
    targets = np.array([float(scoring.rules[name].target) for name in names] + [math.nan])
    # A policy with fewer KPIs than MOST gets fewer columns from top_gains: the rest are -1.
    chosen = np.full((len(best), MOST), -1, dtype=np.int64)
    gained = np.full((len(best), MOST), math.nan)
    width = len(best[0]) if best else 0
    if width:
        chosen[:, :width] = best
        gained[:, :width] = gains
    rows = np.arange(len(best))
    found: dict[str, Any] = {}
    for slot in range(MOST):
        j = chosen[:, slot]
        missing = j < 0
        found[improvement_column(slot, "kpi")] = [None if k < 0 else names[k] for k in j.tolist()]
        found[improvement_column(slot, "gain")] = [
            math.nan if k < 0 else round(g, 2)
            for k, g in zip(j.tolist(), gained[:, slot].tolist(), strict=True)
        ]
        found[improvement_column(slot, "current")] = np.where(
            missing, math.nan, current[rows, np.where(missing, 0, j)]
        )
        found[improvement_column(slot, "target")] = targets[j]  # -1 is the NaN at the end
    return found


def score_cards(
    window: pd.DataFrame,
    params: ParameterSet,
    period: Period,
    policy_version: str,
    previous_tiers: Mapping[str, str],
    as_of: date,
) -> list[Scorecard]:
    """`score_window` as one Scorecard per rider, by rider id."""
    table = score_window(window, params, period, policy_version, previous_tiers, as_of)
    return CardRows(table).cards()


def scorecards_frame(cards: Sequence[Scorecard]) -> pd.DataFrame:
    """One row per scorecard: identity, status, score, tier, then every KPI's value
    (`<kpi>`), counts (`_num`, `_den`) and `_peer`, `_shrunk`, `_normalised`, `_weight`,
    `_contribution`, and the two improvement sentences."""
    rows: list[dict[str, Any]] = []
    for card in cards:
        row: dict[str, Any] = {
            "rider_id": card.rider_id,
            "period": card.period,
            "policy_version": card.policy_version,
            "capacity_type": card.capacity_type,
            "city": card.city,
            "status": card.status,
            "score": card.score,
            "tier": card.tier,
            "previous_tier": card.previous_tier,
            "orders": card.orders,
        }
        for name, kpi in card.kpis.items():
            row[name] = kpi.rate
            row[f"{name}_num"] = kpi.num
            row[f"{name}_den"] = kpi.den
            for part in KPI_FIELDS:
                row[f"{name}_{part}"] = getattr(kpi, "peer_rate" if part == "peer" else part)
        for i in range(2):
            row[f"improvement_{i + 1}"] = (
                card.improvements[i].sentence if i < len(card.improvements) else None
            )
        row["tier_reason"] = card.tier_reason
        rows.append(row)
    return pd.DataFrame(rows)


def _idle_riders(warehouse: Warehouse, rider_ids: list[str]) -> pd.DataFrame:
    """Window rows with zero counts for riders who had no data in the period."""
    placeholders = ", ".join("?" for _ in rider_ids)
    frame = warehouse.con.execute(
        f"SELECT rider_id, {', '.join(RIDER_COLUMNS)} FROM riders "
        f"WHERE rider_id IN ({placeholders})",
        rider_ids,
    ).df()
    return idle_rows(frame)


def idle_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Riders' rows (rider_id and RIDER_COLUMNS) as window rows with zero counts: riders
    who had no data in the period but a previous tier."""
    for column in fact_columns():
        frame[column] = 0
    frame["riders"] = 1
    return frame


def _dates(column: pd.Series) -> list[Any]:
    """The column as Python dates (None when missing); a datetime64 column is converted by
    numpy at once, not one pandas Timestamp per rider."""
    if pd.api.types.is_datetime64_dtype(column.dtype):
        return list(column.to_numpy().astype("datetime64[D]").astype(object))
    return column.tolist()


def _day(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))

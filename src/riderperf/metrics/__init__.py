"""Rider KPIs, the 0–1000 score and tiers: from judged events to explained scorecards.

The API, in the order a run uses it:

- `parse_period("2026-W45" | "2026-11" | "2026-Q4" | "2026-11-03..2026-11-30")`,
  `rolling_period(as_of, days)` → `Period(label, kind, start, end)` (end excluded).
- `build_daily_facts(warehouse, start, end, policy_version, *, equipment_checks=())
  -> int`: the warehouse table `rider_daily` (per rider and day: `<kpi>_num`, `<kpi>_den`)
  for `[start, end)`; `equipment_checks` come from the inspections (app database).
- `kpi_window(warehouse, period, policy_version, group_by="rider"|"zone"|"city"|"fleet"|
  "capacity_type") -> DataFrame`: sums and values per group.
- `evaluate_scores(warehouse, period, params, policy_version, previous_tiers, as_of)
  -> list[Scorecard]`; `scorecards_frame(cards) -> DataFrame` for export.
- `KPIS` / `get_kpi(name)`: the registry. See docs/scoring.md for the rules in words.
"""

from riderperf.common.periods import Period, parse_period, rolling_period
from riderperf.metrics.daily import RIDER_DAILY, build_daily_facts
from riderperf.metrics.evaluate import evaluate_scores, score_window, scorecards_frame
from riderperf.metrics.registry import KPIS, Kpi, get_kpi
from riderperf.metrics.rules import ScoringRules, TierRules
from riderperf.metrics.scorecard import Improvement, KpiScore, Scorecard
from riderperf.metrics.windows import kpi_window

__all__ = [
    "KPIS",
    "RIDER_DAILY",
    "Improvement",
    "Kpi",
    "KpiScore",
    "Period",
    "Scorecard",
    "ScoringRules",
    "TierRules",
    "build_daily_facts",
    "evaluate_scores",
    "get_kpi",
    "kpi_window",
    "parse_period",
    "rolling_period",
    "score_window",
    "scorecards_frame",
]

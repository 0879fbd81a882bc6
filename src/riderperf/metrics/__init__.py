"""Rider KPIs, the 0–1000 score and tiers: from judged events to explained scorecards.

The modules, in the order a run uses them (this package imports none of them, so reading a
scorecard does not load pandas or Ibis):

- `common.periods`: `parse_period("2026-W45" | "2026-11" | "2026-Q4" |
  "2026-11-03..2026-11-30")`, `rolling_period(as_of, days)` → `Period(label, kind, start,
  end)` (end excluded).
- `daily.build_daily_facts(warehouse, start, end, policy_version, *, equipment_checks=())
  -> int`: the warehouse table `rider_daily` (per rider and day: `<kpi>_num`, `<kpi>_den`)
  for `[start, end)`; `equipment_checks` come from the inspections (app database).
- `windows.kpi_window(warehouse, period, policy_version, group_by="rider"|"zone"|"city"|
  "fleet"|"capacity_type") -> DataFrame`: sums and values per group.
- `evaluate.evaluate_scores(warehouse, period, params, policy_version, previous_tiers,
  as_of) -> list[Scorecard]`; `evaluate.scorecards_frame(cards) -> DataFrame` for export.
- `registry.KPIS` / `registry.get_kpi(name)`: the registry; `scorecard.Scorecard` the
  result. See docs/scoring.md for the rules in words.
"""

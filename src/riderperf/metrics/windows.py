"""Sums the daily KPI facts over a period, per rider or per zone, city, fleet or capacity type.

`kpi_window(warehouse, period, policy_version, group_by)` returns a pandas DataFrame with
one row per group: the group key, `riders` (riders with data), every KPI's `<name>_num`
and `<name>_den`, and its value `<name>` = scale × num / den (NaN when den is 0) and
`<name>_enough` (den ≥ the KPI's minimum volume). Rider rows also carry the rider's
capacity_type, city, zone_id, fleet_id, joined_on and status. Groups other than the rider
use the rider's home zone, city, fleet and capacity type from `riders`.
"""

from __future__ import annotations

from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd

from riderperf.clock import midnight
from riderperf.common.periods import Period
from riderperf.metrics.daily import RIDER_DAILY
from riderperf.metrics.registry import AVAILABLE_KPIS, fact_columns
from riderperf.warehouse.compiled import Bounds, bounds_set, compiled_sql
from riderperf.warehouse.connection import Warehouse

GroupBy = Literal["rider", "zone", "city", "fleet", "capacity_type"]

GROUP_KEYS: dict[str, str] = {
    "rider": "rider_id",
    "zone": "zone_id",
    "city": "city",
    "fleet": "fleet_id",
    "capacity_type": "capacity_type",
}
RIDER_COLUMNS = ("capacity_type", "city", "zone_id", "fleet_id", "joined_on", "status")


def window_expr(ib: Any, days: Bounds, policy_version: str, group_by: GroupBy = "rider") -> Any:
    """The Ibis expression behind `kpi_window` (sums only, no values) over `days`."""
    if group_by not in GROUP_KEYS:
        raise ValueError(f"group_by {group_by!r}: choose one of {', '.join(GROUP_KEYS)}")
    daily = ib.table(RIDER_DAILY)
    # A table written before a KPI was added has no columns for it until the next
    # build_daily_facts adds them: nothing was counted for it then.
    missing = {c: ibis.literal(0, "int64") for c in fact_columns() if c not in daily.columns}
    daily = daily.mutate(**missing) if missing else daily
    daily = daily.filter(
        daily.policy_version == policy_version,
        daily.day >= days.first_day,
        daily.day < days.end_day,
    )
    per_rider = daily.group_by("rider_id").aggregate(
        **{c: daily[c].sum().cast("int64") for c in fact_columns()}
    )
    riders = ib.table("riders").select("rider_id", *RIDER_COLUMNS)
    joined = per_rider.left_join(riders, "rider_id")
    if group_by == "rider":
        return joined.mutate(riders=ibis.literal(1, "int64"))
    key = GROUP_KEYS[group_by]
    return joined.group_by(key).aggregate(
        riders=joined.count(), **{c: joined[c].sum().cast("int64") for c in fact_columns()}
    )


def kpi_window(
    warehouse: Warehouse, period: Period, policy_version: str, group_by: GroupBy = "rider"
) -> pd.DataFrame:
    """KPI sums and values per group over `period` for `policy_version` (see module doc)."""
    if group_by not in GROUP_KEYS:
        raise ValueError(f"group_by {group_by!r}: choose one of {', '.join(GROUP_KEYS)}")
    present = warehouse.columns(RIDER_DAILY)
    if not present:
        raise ValueError("there are no daily KPI facts yet: run build_daily_facts first")
    # The same SQL for every period: the days are variables. The columns an older table
    # lacks change the SQL, so they are part of what it is kept under.
    missing = [c for c in fact_columns() if c not in present]
    sql = compiled_sql(
        warehouse,
        "kpi_window",
        f"{policy_version!r} {group_by!r} {missing!r}",
        lambda: window_expr(warehouse.ibis_con, Bounds.variables(), policy_version, group_by),
    )
    with bounds_set(warehouse.con, midnight(period.start), midnight(period.end)):
        frame = warehouse.con.execute(sql).df()
    key = GROUP_KEYS[group_by]
    frame = frame.sort_values(key, na_position="last", kind="stable").reset_index(drop=True)
    return add_values(frame)


def fleet_window(
    warehouse: Warehouse, period: Period, policy_version: str, group_by: GroupBy, fleet_id: str
) -> pd.DataFrame:
    """`kpi_window` counting only the riders of `fleet_id` (what a fleet manager may see):
    the riders' window, narrowed to the fleet and summed per group."""
    riders = kpi_window(warehouse, period, policy_version, "rider")
    mine = riders[riders["fleet_id"] == fleet_id]
    key = GROUP_KEYS[group_by]
    if group_by == "rider":
        return mine.reset_index(drop=True)
    grouped = mine.groupby(key, dropna=False, sort=False)
    frame = grouped[fact_columns()].sum().join(grouped.size().rename("riders")).reset_index()
    frame = frame.sort_values(key, na_position="last", kind="stable").reset_index(drop=True)
    return add_values(frame[[key, "riders", *fact_columns()]])


def add_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds `<name>` (scale × num / den, NaN without data) and `<name>_enough` columns."""
    out = frame.copy()
    for kpi in AVAILABLE_KPIS:
        num = out[f"{kpi.name}_num"].to_numpy(dtype=float)
        den = out[f"{kpi.name}_den"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[kpi.name] = np.where(den > 0, kpi.scale * num / den, np.nan)
        out[f"{kpi.name}_enough"] = den >= kpi.minimum_volume
    return out

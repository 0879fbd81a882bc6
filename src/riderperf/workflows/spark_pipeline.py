"""The warehouse part of an evaluation on Spark: the judgments of a period, the day facts,
the daily KPI counts with document compliance, and the KPI window, as the same Ibis
expressions the embedded DuckDB warehouse runs (`warehouse.spark` opens the engine).

What stays in Python (scoring, tiers, publishing to the app database) reads the window this
returns; the app database and its inspections are not on Spark, so equipment compliance
comes from a table the caller registers (zeros without one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riderperf.clock import midnight
from riderperf.evaluation.overrides import overridden_expr
from riderperf.metrics.daily import RIDER_DAILY
from riderperf.metrics.daily_sources import add_documents, daily_counts
from riderperf.metrics.registry import fact_columns
from riderperf.metrics.windows import GroupBy, window_expr
from riderperf.responsibility.params import JudgmentParams
from riderperf.responsibility.store import judgments_expr
from riderperf.warehouse.compiled import Bounds
from riderperf.warehouse.day_facts import DAY_FACTS, SOURCE_COLUMNS, recount_expr

if TYPE_CHECKING:
    import pyarrow as pa

    from riderperf.warehouse.spark import SparkWarehouse

JUDGMENTS = "judgments"


def judgments(
    spark: SparkWarehouse, params: JudgmentParams, version: str, first: date, end: date
) -> Any:
    """The judgments of the orders and complaints created in the days [first, end)."""
    bounds = Bounds.literals(midnight(first), midnight(end))
    return judgments_expr(spark.ibis_con, params, version, bounds.start_at, bounds.end_at)


def day_facts(spark: SparkWarehouse) -> Any:
    """Every rider-day's counts from the raw tables (what the import keeps in DuckDB)."""
    return recount_expr({source: spark.table(source) for source in SOURCE_COLUMNS})


def daily(
    spark: SparkWarehouse,
    version: str,
    first: date,
    end: date,
    equipment_checks: str | None = None,
) -> Any:
    """The rows of `rider_daily` for the days [first, end): reads the tables `judgments`
    and `rider_day_facts` (and `equipment_checks`, a table of rider_id, day, passed,
    checked, when named)."""
    import ibis

    bounds = Bounds.literals(midnight(first), midnight(end))
    counts = daily_counts(spark.ibis_con, bounds, version, equipment_checks)
    names = ["rider_id", "day", "policy_version", *fact_columns()]
    final = add_documents(spark.ibis_con, counts)
    return final.mutate(policy_version=ibis.literal(version)).select(*names)


def window(
    spark: SparkWarehouse, version: str, first: date, end: date, group_by: GroupBy = "rider"
) -> Any:
    """The KPI sums per group over the days [first, end), from the table `rider_daily`."""
    bounds = Bounds.literals(midnight(first), midnight(end))
    return window_expr(spark.ibis_con, bounds, version, group_by)


@dataclass
class SparkRun:
    """What `run_pipeline` made: the rows of each table and the seconds of each stage."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    window: pa.Table | None = None


def run_pipeline(
    spark: SparkWarehouse,
    params: JudgmentParams,
    version: str,
    first: date,
    end: date,
    *,
    group_by: GroupBy = "rider",
    out: Path | str | None = None,
    equipment_checks: str | None = None,
    overrides: str | None = None,
) -> SparkRun:
    """Judges the days [first, end), counts the day facts, builds the daily counts and the
    KPI window, each kept in Spark's memory for the next stage (`judgments`,
    `rider_day_facts`, `rider_daily`); with `out`, each is also written as a Parquet folder
    `<out>/<table>`. The window is returned as an Arrow table. `overrides` names a table of
    overturned judgments (`evaluation.overrides.latest_overrides`), applied to the
    judgments before they are counted."""
    run = SparkRun()

    def judged() -> Any:
        found = judgments(spark, params, version, first, end)
        return found if overrides is None else overridden_expr(found, spark.table(overrides))

    stages = (
        (JUDGMENTS, judged),
        (DAY_FACTS, lambda: day_facts(spark)),
        (RIDER_DAILY, lambda: daily(spark, version, first, end, equipment_checks)),
    )
    for name, build in stages:
        started = time.perf_counter()
        run.rows[name] = spark.keep(name, build())
        if out is not None:
            spark.write_parquet(spark.table(name), f"{out}/{name}")
        run.seconds[name] = time.perf_counter() - started
    started = time.perf_counter()
    run.window = spark.to_arrow(window(spark, version, first, end, group_by))
    run.seconds["window"] = time.perf_counter() - started
    run.rows["window"] = run.window.num_rows
    return run

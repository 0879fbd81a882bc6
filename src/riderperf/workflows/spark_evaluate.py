"""`riderperf evaluate` over a lakehouse: the warehouse's stages on Spark, scoring and
publishing here.

When `RIDERPERF_WAREHOUSE_URL` is `lakehouse:…` the canonical tables are Parquet files that
Spark reads (docs/scale.md). Spark judges the period, rewrites the judgments overturned on
appeal, counts the day facts and the daily KPI counts with the equipment items of
inspections, and sums the rider window (`workflows.spark_pipeline`); the overturns and the
inspections come from the app database. This process then scores the window and publishes
the scorecards to the app database exactly as an evaluation on the embedded warehouse does
(`evaluation.service.score_and_publish`). Each stage's table is also written as Parquet
under `<lake>/_riderperf/<policy version>/<period>/`, for whoever reads the evidence there.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from riderperf.clock import Clock, midnight, system_clock
from riderperf.common.periods import Period
from riderperf.config import Settings
from riderperf.evaluation.overrides import latest_overrides
from riderperf.evaluation.records import previous_tiers
from riderperf.evaluation.service import (
    Evaluated,
    EvaluationResult,
    choose_purpose,
    resolve_version,
    score_and_publish,
)
from riderperf.inspections.stats import equipment_checks_by_day
from riderperf.metrics.evaluate import idle_rows
from riderperf.metrics.windows import RIDER_COLUMNS
from riderperf.responsibility.params import JudgmentParams
from riderperf.storage.db import app_database, unit_of_work
from riderperf.workflows.spark_pipeline import run_pipeline

if TYPE_CHECKING:
    import pandas as pd

    from riderperf.warehouse.spark import SparkWarehouse

EQUIPMENT = "_riderperf_equipment_checks"
EQUIPMENT_SCHEMA = "rider_id string, day date, passed bigint, checked bigint"
OVERRIDES = "_riderperf_overrides"
OVERRIDES_SCHEMA = "event_id string, party string, case_id string"


def evaluate_on_spark(
    settings: Settings,
    period: Period,
    *,
    policy_version: str | None = None,
    clock: Clock = system_clock,
    purpose: str | None = None,
    spark: SparkWarehouse | None = None,
) -> EvaluationResult:
    """Evaluates `period` on Spark over `settings.lakehouse` and publishes its scorecards
    (an official or a scenario evaluation, chosen as `evaluation.service.evaluate_period`
    chooses). `spark` is a connected warehouse to use; by default one is opened on
    `settings.spark_master` and stopped afterwards."""
    lake = settings.lakehouse
    if lake is None:
        raise ValueError("RIDERPERF_WAREHOUSE_URL names no lakehouse (lakehouse:///path)")
    started = clock()
    with app_database(settings.app_database_url) as engine:
        version = resolve_version(engine, period.start, policy_version, clock)
        chosen = choose_purpose(engine, period, version.version, purpose)
        params = version.policy.at(period.start)
        with unit_of_work(engine) as session:
            checks = equipment_checks_by_day(session, midnight(period.start), midnight(period.end))
            overrides = latest_overrides(session)
        earlier = previous_tiers(engine, period.start)
        warehouse = spark if spark is not None else _connect(settings)
        try:
            warehouse.register_lakehouse(lake)
            equipment = _register(
                warehouse, EQUIPMENT, EQUIPMENT_SCHEMA, [tuple(c) for c in checks]
            )
            overturned = _register(
                warehouse, OVERRIDES, OVERRIDES_SCHEMA, list(overrides.itertuples(index=False))
            )
            run = run_pipeline(
                warehouse,
                JudgmentParams.from_parameters(params),
                version.version,
                period.start,
                period.end,
                out=f"{lake}/_riderperf/{version.version}/{period.label}",
                equipment_checks=equipment,
                overrides=overturned,
            )
            assert run.window is not None
            riders = run.window.to_pandas()
            missing = sorted(set(earlier) - set(riders["rider_id"]))
            if missing:
                riders = _with_idle(warehouse, riders, missing)
        finally:
            if spark is None:
                warehouse.stop()
        seconds = dict(run.seconds)
        days = (period.end - period.start).days  # Spark judges and builds every day
        evaluated = Evaluated(version, chosen, started, run.rows["judgments"], days, 0, days)
        return score_and_publish(
            engine, riders, evaluated, period, earlier, seconds, time.perf_counter(), clock
        )


def _connect(settings: Settings) -> SparkWarehouse:
    from riderperf.warehouse.spark import connect_spark

    return connect_spark(master=settings.spark_master)


def _register(
    warehouse: SparkWarehouse, name: str, schema: str, rows: list[tuple[Any, ...]]
) -> str | None:
    """The rows as Spark's temp view `name` (None, and no view, when there are none)."""
    if not rows:
        return None
    warehouse.session.createDataFrame(rows, schema).createOrReplaceTempView(name)
    return name


def _with_idle(warehouse: SparkWarehouse, riders: pd.DataFrame, missing: list[str]) -> pd.DataFrame:
    """The window with zero-count rows for riders who have a previous tier but no data."""
    import pandas as pd

    table = warehouse.table("riders")
    found = table.filter(table.rider_id.isin(missing)).select("rider_id", *RIDER_COLUMNS)
    idle = idle_rows(warehouse.to_arrow(found).to_pandas())
    return pd.concat([riders, idle], ignore_index=True)

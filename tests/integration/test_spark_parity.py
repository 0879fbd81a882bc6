"""The pipeline's warehouse expressions give the same rows on Spark as on DuckDB.

A small simulated city is imported into a DuckDB warehouse and evaluated there the way
riderperf does (`write_judgments`, `build_daily_facts`, `kpi_window`: the kept SQL with its
variables). Its canonical tables are written as Parquet, and Spark runs the same Ibis
expressions over them (`workflows.spark_pipeline`), each stage reading Spark's own output
of the stage before. Every column of every row must be equal: text character for
character, floats exactly.

Spark needs Java: without it the tests skip on a developer's machine and fail in CI
(`make test` installs Java 17 when it is missing).
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from riderperf.clock import as_utc, midnight
from riderperf.common.periods import days_period
from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.metrics.daily import RIDER_DAILY, build_daily_facts
from riderperf.metrics.registry import fact_columns
from riderperf.metrics.windows import GROUP_KEYS, RIDER_COLUMNS, kpi_window
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.responsibility.model import JUDGMENT_COLUMNS
from riderperf.responsibility.params import JudgmentParams
from riderperf.responsibility.store import write_judgments
from riderperf.warehouse.connection import open_warehouse
from riderperf.warehouse.day_facts import DAY_FACTS, FACT_COUNTS
from riderperf.warehouse.lakehouse import export_parquet
from riderperf.workflows import spark_pipeline
from tests.databases import IN_CI, copy_sqlite
from tests.snapshots import Snapshots

START = date(2026, 2, 2)
DAYS = 3
# The judged days leave out the first, so complaints about its orders come from later days.
FIRST, END = START + timedelta(days=1), START + timedelta(days=DAYS)
VERSION = "parity"
DATE_COLUMNS = {"day", "joined_on"}
# A few hundred rows: Spark's code generation (a Java compile per stage, seconds for the
# judgments' plan) and the JVM's optimising compiler cost more than they save, about
# halving the judgments' time here; adaptive execution re-plans each stage at run time,
# which costs more than it finds on a few hundred rows. Results are the same either way.
SMALL_DATA = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
    "spark.sql.adaptive.enabled": "false",
}


def _java_or_skip() -> None:
    if shutil.which("java") is not None:
        return
    reason = "Spark needs Java 17 (make test installs openjdk-17-jre-headless)"
    if IN_CI:
        pytest.fail(f"the Spark parity tests must run in CI, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark for the whole test session: one core, one shuffle partition."""
    _java_or_skip()
    from riderperf.warehouse.spark import connect_spark

    warehouse = connect_spark(master="local[1]", options=SMALL_DATA)
    warehouse.session.sparkContext.setLogLevel("ERROR")
    yield warehouse
    warehouse.stop()


@pytest.fixture(scope="module")
def params() -> JudgmentParams:
    return JudgmentParams.from_parameters(load_policy(default_policy_folder()).at(START))


@pytest.fixture(scope="module")
def duck(
    snapshots: Snapshots,
    sqlite_template: Path,
    params: JudgmentParams,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """The city evaluated on DuckDB: its tables' rows, and the lakehouse folder."""
    city = snapshots.dataset(riders=40, days=DAYS, seed=5, start=START)
    root = tmp_path_factory.mktemp("spark-parity")
    settings = Settings(home=root / "home")
    copy_sqlite(sqlite_template, settings.home / "riderperf.db")
    assert import_path(city, settings).exit_code == 0
    with open_warehouse(settings.warehouse_path) as warehouse:
        write_judgments(warehouse, params, VERSION, midnight(FIRST), midnight(END))
        build_daily_facts(warehouse, FIRST, END, VERSION)
        found: dict[str, Any] = {
            name: warehouse.con.execute(f"SELECT * FROM {name}").fetchall()
            for name in ("judgments", DAY_FACTS, RIDER_DAILY)
        }
        for group_by in ("rider", "zone"):
            found[group_by] = kpi_window(warehouse, days_period(FIRST, END), VERSION, group_by)
        found["lake"] = root / "lake"
        export_parquet(warehouse, found["lake"])
    return found


@pytest.fixture(scope="module")
def lake(spark: Any, duck: dict[str, Any]) -> Any:
    spark.register_lakehouse(duck["lake"])
    return spark


def plain(value: Any, column: str) -> Any:
    """A value as both engines' rows can be compared: dates as dates, instants in UTC,
    missing as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if column in DATE_COLUMNS and isinstance(value, datetime):
        return value.date()
    if isinstance(value, datetime):
        return as_utc(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def rows_of(records: list[tuple[Any, ...]], columns: list[str]) -> list[tuple[Any, ...]]:
    out = [tuple(plain(v, c) for v, c in zip(r, columns, strict=True)) for r in records]
    return sorted(out, key=lambda r: tuple((v is None, str(v)) for v in r))


def spark_rows(spark: Any, expr: Any, columns: list[str]) -> list[tuple[Any, ...]]:
    table = spark.to_arrow(expr.select(*columns))
    return rows_of([tuple(r.values()) for r in table.to_pylist()], columns)


@pytest.fixture(scope="module")
def run(lake: Any, params: JudgmentParams, duck: dict[str, Any]) -> spark_pipeline.SparkRun:
    """The stages run on Spark, each kept as a table the next one reads and written as
    Parquet."""
    out = duck["lake"].parent / "spark-out"
    return spark_pipeline.run_pipeline(lake, params, VERSION, FIRST, END, out=out)


@pytest.fixture(scope="module")
def on_spark(lake: Any, run: spark_pipeline.SparkRun) -> Any:
    return lake


def test_the_spark_run_writes_each_stage_as_parquet(
    on_spark: Any, run: spark_pipeline.SparkRun, duck: dict[str, Any]
) -> None:
    out = duck["lake"].parent / "spark-out"
    for table in ("judgments", DAY_FACTS, RIDER_DAILY):
        assert on_spark.session.read.parquet(str(out / table)).count() == run.rows[table] > 0
    assert run.window is not None and run.window.num_rows == run.rows["window"] > 0
    assert set(run.seconds) == {"judgments", DAY_FACTS, RIDER_DAILY, "window"}


def test_judgments_on_spark_equal_duckdbs(on_spark: Any, duck: dict[str, Any]) -> None:
    columns = [name for name, _ in JUDGMENT_COLUMNS]
    expected = rows_of(duck["judgments"], columns)
    found = spark_rows(on_spark, on_spark.table("judgments"), columns)
    assert len(found) == len(expected) > 50
    assert {r[1] for r in found} == {"late", "cancelled", "complaint"}
    assert found == expected


def test_day_facts_on_spark_equal_the_ones_the_import_keeps(
    on_spark: Any, duck: dict[str, Any]
) -> None:
    columns = ["rider_id", "day", *FACT_COUNTS]
    expected = rows_of(duck[DAY_FACTS], columns)
    found = spark_rows(on_spark, on_spark.table(DAY_FACTS), columns)
    assert len(found) == len(expected) > 40
    assert found == expected


def test_daily_counts_on_spark_equal_duckdbs(on_spark: Any, duck: dict[str, Any]) -> None:
    columns = ["rider_id", "day", "policy_version", *fact_columns()]
    expected = rows_of(duck[RIDER_DAILY], columns)
    found = spark_rows(on_spark, on_spark.table(RIDER_DAILY), columns)
    assert len(found) == len(expected) > 40
    assert found == expected


@pytest.mark.parametrize("group_by", ["rider", "zone"])
def test_kpi_window_on_spark_equals_duckdbs(
    on_spark: Any, duck: dict[str, Any], group_by: str
) -> None:
    key = GROUP_KEYS[group_by]
    columns = [key, "riders", *fact_columns()]
    if group_by == "rider":
        columns += list(RIDER_COLUMNS)
    frame = duck[group_by]
    expected = rows_of(list(frame[columns].itertuples(index=False, name=None)), columns)
    window = spark_pipeline.window(on_spark, VERSION, FIRST, END, group_by)  # type: ignore[arg-type]
    found = spark_rows(on_spark, window, columns)
    assert len(found) == len(expected) > 1
    assert found == expected

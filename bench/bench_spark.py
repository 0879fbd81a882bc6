"""Benchmark: the pipeline's warehouse expressions on Spark beside DuckDB, per family.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_spark.py --riders 2000 --days 7 --work /tmp/rp-spark

It simulates a city (starting 2026-01-05) and imports it into a DuckDB warehouse, or
reuses the one in `--work`, and writes its canonical tables as Parquet (the lakehouse
Spark reads). Then, for each expression family — the judgments of the period, the day
facts counted from the raw tables, the daily counts with document compliance, the KPI
window per rider — it materialises the result on both engines, each reading its own
result of the stage before:

- DuckDB: `CREATE OR REPLACE TABLE … AS <the family's SQL>` on a copy of the warehouse
  file (the embedded default, as `evaluate` runs it);
- Spark: `SparkWarehouse.keep` (the result cached in Spark's memory and counted), on a
  local master (`--master`, default local[2]) with Spark's default settings but one
  shuffle partition per core.

Each family runs `--repeat` times on each engine (Spark's first run also pays the JVM's
warm-up); it prints JSON with the seconds of every run, the rows, Spark's start-up
seconds, whether the two engines gave identical rows (every column, floats exactly) and
the machine's load average at the start and the end; it exits 1 when they differ.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

START = date(2026, 1, 5)
VERSION = "bench"
FAMILIES = ("judgments", "rider_day_facts", "rider_daily", "kpi_window")


# Each engine's rows of each family, as `comparable` makes them.
ROWS: dict[tuple[str, str], list[tuple[Any, ...]]] = {}


def comparable(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows sorted, instants in UTC (Spark's Arrow and DuckDB's Python values differ only
    in how they carry the zone)."""
    from datetime import datetime

    from riderperf.clock import as_utc

    def plain(value: Any) -> Any:
        return as_utc(value) if isinstance(value, datetime) else value

    out = [tuple(plain(v) for v in row) for row in rows]
    return sorted(out, key=lambda r: tuple((v is None, str(v)) for v in r))


def prepared_city(riders: int, days: int, work: Path) -> Path:
    """The warehouse file of the city in `work`, simulated and imported when missing."""
    from riderperf.config import Settings
    from riderperf.ingest.service import import_path
    from riderperf.simulate import simulate_city

    settings = Settings(home=work / "home")
    if not settings.warehouse_path.exists():
        simulate_city(riders=riders, days=days, seed=1, start=START, out=work / "city")
        report = import_path(work / "city", settings)
        if report.exit_code != 0:
            sys.exit(f"the import failed: {report.as_json()}")
    return settings.warehouse_path


def expressions(con: Any, days: int) -> dict[str, Any]:
    """Each family's expression builder over the Ibis backend `con`."""
    from riderperf.clock import midnight
    from riderperf.metrics.daily import RIDER_DAILY
    from riderperf.metrics.daily_sources import add_documents, daily_counts
    from riderperf.metrics.registry import fact_columns
    from riderperf.metrics.windows import window_expr
    from riderperf.policy import default_policy_folder
    from riderperf.policy.loader import load_policy
    from riderperf.responsibility.params import JudgmentParams
    from riderperf.responsibility.store import judgments_expr
    from riderperf.warehouse.compiled import Bounds
    from riderperf.warehouse.day_facts import SOURCE_COLUMNS, recount_expr

    end = START + timedelta(days=days)
    bounds = Bounds.literals(midnight(START), midnight(end))
    params = JudgmentParams.from_parameters(load_policy(default_policy_folder()).at(START))

    def daily() -> Any:
        import ibis

        counts = add_documents(con, daily_counts(con, bounds, VERSION))
        names = ["rider_id", "day", "policy_version", *fact_columns()]
        return counts.mutate(policy_version=ibis.literal(VERSION)).select(*names)

    assert RIDER_DAILY == "rider_daily"
    return {
        "judgments": lambda: judgments_expr(con, params, VERSION, bounds.start_at, bounds.end_at),
        "rider_day_facts": lambda: recount_expr({s: con.table(s) for s in SOURCE_COLUMNS}),
        "rider_daily": daily,
        "kpi_window": lambda: window_expr(con, bounds, VERSION, "rider"),
    }


def run_duckdb(path: Path, days: int, repeat: int) -> dict[str, Any]:
    import ibis

    from riderperf.warehouse.connection import open_warehouse

    copy = path.with_name("bench-copy.duckdb")
    shutil.copy(path, copy)
    out: dict[str, Any] = {}
    try:
        with open_warehouse(copy) as warehouse:
            built = expressions(warehouse.ibis_con, days)
            for family in FAMILIES:
                sql = ibis.to_sql(built[family](), dialect="duckdb")
                seconds = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    warehouse.con.execute(f"CREATE OR REPLACE TABLE {family} AS {sql}")
                    seconds.append(round(time.perf_counter() - started, 3))
                found = warehouse.con.execute(f"SELECT * FROM {family}").fetchall()
                out[family] = {"seconds": seconds, "rows": len(found)}
                ROWS[("duckdb", family)] = comparable(found)
    finally:
        copy.unlink(missing_ok=True)
    return out


def run_spark(path: Path, lake: Path, days: int, repeat: int, master: str) -> dict[str, Any]:
    from riderperf.warehouse.lakehouse import export_parquet
    from riderperf.warehouse.spark import connect_spark

    if not lake.exists():
        from riderperf.warehouse.connection import open_warehouse

        with open_warehouse(path, read_only=True) as warehouse:
            export_parquet(warehouse, lake)
    cores = master.removeprefix("local[").removesuffix("]")
    started = time.perf_counter()
    spark = connect_spark(master=master, options={"spark.sql.shuffle.partitions": cores})
    spark.session.sparkContext.setLogLevel("ERROR")
    out: dict[str, Any] = {"start_seconds": round(time.perf_counter() - started, 3)}
    try:
        spark.register_lakehouse(lake)
        built = expressions(spark.ibis_con, days)
        for family in FAMILIES:
            seconds, rows = [], 0
            for _ in range(repeat):
                started = time.perf_counter()
                rows = spark.keep(family, built[family]())
                seconds.append(round(time.perf_counter() - started, 3))
            out[family] = {"seconds": seconds, "rows": rows}
            table = spark.to_arrow(spark.table(family))
            ROWS[("spark", family)] = comparable([tuple(r.values()) for r in table.to_pylist()])
    finally:
        spark.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riders", type=int, default=2000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    path = prepared_city(args.riders, args.days, args.work)
    duck = run_duckdb(path, args.days, args.repeat)
    spark = run_spark(path, args.work / "lake", args.days, args.repeat, args.master)
    # Every column of every row, floats exactly (as tests/integration/test_spark_parity.py).
    equal = {f: ROWS[("duckdb", f)] == ROWS[("spark", f)] for f in FAMILIES}
    result = {
        "riders": args.riders,
        "days": args.days,
        "master": args.master,
        "duckdb": duck,
        "spark": spark,
        "identical_rows": equal,
        "load_average": {"before": load_before, "after": os.getloadavg()},
    }
    print(json.dumps(result, indent=2))
    if not all(equal.values()):
        sys.exit(f"the engines disagree: {equal}")


if __name__ == "__main__":
    main()

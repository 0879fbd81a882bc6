"""Benchmark: a daily rolling evaluation after one new day, against a full one of the window.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_rolling.py --riders 20000 --days 28 --work /tmp/rp-roll

It simulates a city of `days + 1` days (Parquet, starting 2026-01-05), imports every day
but the last and evaluates the window of those `days` days (every day judged). Then it
imports the last day, as a daily run would, and evaluates the window one day on: the
rolling evaluation, which judges only the days the new rows changed and keeps the
judgments of the others. Last, it forgets which days were judged and evaluates the same
window again from scratch: the full evaluation of that window, on the same warehouse with
the same warm caches. It prints JSON: import seconds of the first days and of the new day,
seconds per stage of each evaluation, the days judged and kept, and the ratio rolling /
full (the goal is at most 0.15).

It also prints the size of the rolling evaluation's published card table (`published_mb`).

`--work` keeps the simulated city and a copy of the stores as they stood after the first
import (`home-before`); a second run with the same folder starts from that copy (pass
`--reimport` to import again and measure the import too).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

START = date(2026, 1, 5)
GOAL = 0.15


def timed_import(folder: Path, settings: Any) -> float:
    from riderperf.ingest.service import import_path

    began = time.perf_counter()
    report = import_path(folder, settings)
    if report.exit_code != 0:
        raise SystemExit(f"the import of {folder} failed (exit code {report.exit_code})")
    return round(time.perf_counter() - began, 2)


def timed_evaluation(settings: Any, start: date, end: date) -> dict[str, Any]:
    from riderperf.common.periods import days_period
    from riderperf.evaluation.service import evaluate_period

    began = time.perf_counter()
    result = evaluate_period(settings, days_period(start, end))
    seconds = time.perf_counter() - began
    return {
        "seconds": round(seconds, 2),
        "stages": {k: round(v, 2) for k, v in result.seconds.items()},
        "judged_days": result.judged_days,
        "reused_days": result.reused_days,
        "built_days": result.built_days,
        "judgments": result.judgments,
        "riders": result.riders,
        "policy_version": result.policy_version,
        "evaluation_id": result.evaluation_id,
    }


def published_mb(settings: Any, evaluation_id: str) -> float:
    """Size of the evaluation's published card table (Parquet) in the app database."""
    from sqlalchemy import select

    from riderperf.evaluation.orm import ScorecardTable
    from riderperf.storage.db import app_database

    with app_database(settings.app_database_url) as engine, engine.connect() as con:
        query = select(ScorecardTable.parquet).where(ScorecardTable.evaluation_id == evaluation_id)
        data = con.execute(query).scalar_one()
    return round(len(data) / 1e6, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--riders", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=28, help="days in the rolling window")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rp-roll"))
    parser.add_argument("--reimport", action="store_true", help="import the first days again")
    args = parser.parse_args()

    from riderperf.config import Settings
    from riderperf.simulate import simulate_city
    from riderperf.simulate.split import split_at
    from riderperf.warehouse.changed_days import JUDGED_DAYS

    work: Path = args.work
    city = work / "city"
    last = START + timedelta(days=args.days)
    if not (city / "orders.parquet").exists():
        simulate_city(riders=args.riders, days=args.days + 1, seed=args.seed, start=START, out=city)
    split_at(city, last, work / "before", work / "new-day")
    shutil.rmtree(work / "home", ignore_errors=True)
    settings = Settings(home=work / "home")
    out: dict[str, Any] = {"riders": args.riders, "days": args.days}
    kept = work / "home-before"
    if kept.exists() and not args.reimport:
        shutil.copytree(kept, work / "home")
        out["import_first_days_seconds"] = None  # reused: see an earlier run
    else:
        out["import_first_days_seconds"] = timed_import(work / "before", settings)
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(work / "home", kept)
    out["first_window"] = timed_evaluation(settings, START, last)
    out["first_window"].pop("evaluation_id")
    out["import_new_day_seconds"] = timed_import(work / "new-day", settings)
    one_on = (START + timedelta(days=1), last + timedelta(days=1))
    out["rolling"] = timed_evaluation(settings, *one_on)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute(f"DELETE FROM {JUDGED_DAYS}")
    orders = con.execute("SELECT count(*) FROM orders").fetchall()[0][0]
    con.close()
    out["orders"] = int(orders)
    out["full"] = timed_evaluation(settings, *one_on)
    out["full"].pop("evaluation_id")
    ratio = out["rolling"]["seconds"] / out["full"]["seconds"]
    out["rolling_vs_full"] = round(ratio, 3)
    out["goal"] = GOAL
    out["goal_met"] = ratio <= GOAL
    out["published_mb"] = published_mb(settings, out["rolling"].pop("evaluation_id"))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

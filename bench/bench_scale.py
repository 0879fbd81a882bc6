"""Benchmark: simulate, import and evaluate 10, 30 and 100 million orders; cost per stage.

Run on demand (not part of the test suite; the 100 million run takes hours on 2 cores):

    .venv/bin/python bench/bench_scale.py --millions 10 30 100 --work /tmp/rp-scale

For each size it simulates a city of 28 days with as many riders as that many orders need
(about 507 orders per starting rider over 28 days: 20,000 riders give 10.1 million), then
imports it and evaluates the 28 days, each stage in a child process of its own so that
its peak memory (the child's maximum resident set size) is measured alone. The warehouse
runs with `RIDERPERF_WAREHOUSE_MEMORY` (default 12GB here) so that DuckDB spills to disk
instead of growing past the goal of 16 GB. It prints one JSON line per size: orders,
seconds and peak MB per stage, seconds per million orders (flat when cost grows
linearly), the disk the city files and the warehouse take, and the free space before.
The city files are removed once imported unless `--keep`.

Disk: the Parquet files take about 70 MB and the warehouse about 150 MB per million
orders, and DuckDB may spill while importing; check `df` before 100 million (about 25 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_evaluate import run_child

START = date(2026, 1, 5)
DAYS = 28
ORDERS_PER_RIDER = 10_143_024 / 20_000  # measured: 20,000 riders, 28 days
GOAL_PEAK_MB = 16 * 1024


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def child_simulate(options: dict[str, Any]) -> dict[str, Any]:
    from riderperf.simulate import simulate_city

    began = time.perf_counter()
    summary = simulate_city(
        riders=options["riders"], days=DAYS, seed=1, start=START, out=Path(options["city"])
    )
    return {"seconds": round(time.perf_counter() - began, 2), "rows": summary.rows}


def child_import(options: dict[str, Any]) -> dict[str, Any]:
    from riderperf.config import Settings
    from riderperf.ingest.service import import_path

    settings = Settings(
        home=Path(options["home"]),
        warehouse_memory=options["memory"],
        import_batch_rows=options["batch_rows"],
    )
    began = time.perf_counter()
    report = import_path(Path(options["city"]), settings)
    if report.exit_code != 0:
        raise SystemExit(f"the import failed with exit code {report.exit_code}")
    return {"seconds": round(time.perf_counter() - began, 2)}


def child_evaluate(options: dict[str, Any]) -> dict[str, Any]:
    from riderperf.common.periods import days_period
    from riderperf.config import Settings
    from riderperf.evaluation.service import evaluate_period

    settings = Settings(home=Path(options["home"]), warehouse_memory=options["memory"])
    began = time.perf_counter()
    result = evaluate_period(settings, days_period(START, START + timedelta(days=DAYS)))
    return {
        "seconds": round(time.perf_counter() - began, 2),
        "stages": {k: round(v, 2) for k, v in result.seconds.items()},
        "riders": result.riders,
        "judgments": result.judgments,
    }


CHILDREN = {"simulate": child_simulate, "import": child_import, "evaluate": child_evaluate}


class DiskWatch:
    """The least free disk space seen while a stage runs (sampled each second), so the
    report says how much room a run needs, spills included."""

    def __init__(self, path: Path) -> None:
        self.path, self.least = path, shutil.disk_usage(path).free
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            self.least = min(self.least, shutil.disk_usage(self.path).free)

    def __enter__(self) -> DiskWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def one_size(
    millions: float, work: Path, memory: str, keep: bool, batch_rows: int
) -> dict[str, Any]:
    folder = work / f"{millions:g}M"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    riders = max(1, round(millions * 1_000_000 / ORDERS_PER_RIDER))
    options = {
        "riders": riders,
        "city": str(folder / "city"),
        "home": str(folder / "home"),
        "memory": memory,
        "batch_rows": batch_rows,
    }
    out: dict[str, Any] = {
        "millions": millions,
        "riders": riders,
        "free_disk_gb_before": round(shutil.disk_usage(work).free / 1e9, 1),
    }
    free_before = shutil.disk_usage(work).free
    for stage in CHILDREN:
        with DiskWatch(work) as disk:
            result, peak = run_child(stage, options, folder, script=Path(__file__))
        used = (free_before - disk.least) / 1e9
        out[stage] = result | {"peak_mb": round(peak, 1), "peak_disk_used_gb": round(used, 1)}
        if stage == "simulate":
            out["orders"] = int(result["rows"]["orders"])
            out["city_gb"] = round(size_of(folder / "city") / 1e9, 2)
        if stage == "import":
            out["warehouse_gb"] = round(size_of(folder / "home" / "warehouse.duckdb") / 1e9, 2)
            if not keep:
                shutil.rmtree(folder / "city")
    per_million = out["orders"] / 1e6
    out["seconds_per_million_orders"] = {
        stage: round(out[stage]["seconds"] / per_million, 2) for stage in CHILDREN
    }
    out["peak_mb"] = max(out[stage]["peak_mb"] for stage in CHILDREN)
    out["peak_goal_met"] = out["peak_mb"] <= GOAL_PEAK_MB
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--millions", type=float, nargs="+", default=[10.0, 30.0, 100.0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/rp-scale"))
    parser.add_argument("--memory", default="12GB", help="RIDERPERF_WAREHOUSE_MEMORY")
    parser.add_argument("--keep", action="store_true", help="keep the simulated files")
    parser.add_argument(
        "--batch-rows", type=int, default=5_000_000, help="RIDERPERF_IMPORT_BATCH_ROWS"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        role, spec, result = args.child
        options = json.loads(Path(spec).read_text())
        Path(result).write_text(json.dumps(CHILDREN[role](options)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.pop("RIDERPERF_WAREHOUSE_MEMORY", None)  # the children get --memory
    for millions in args.millions:
        found = one_size(millions, args.work, args.memory, args.keep, args.batch_rows)
        print(json.dumps(found), flush=True)


if __name__ == "__main__":
    main()

"""Benchmark: simulate a large city, import it, and compare with DuckDB's bare file reader.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_ingest.py --riders 20000 --days 28 --format parquet

It reports simulate throughput, import throughput (all tables and orders alone), the
re-import (all duplicates), and the floor: DuckDB's own read_parquet/read_csv into a
table of the same files in the same run. The ratio is import time / floor time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.simulate import simulate_city

READERS = {
    "parquet": "read_parquet('{path}')",
    "csv": "read_csv('{path}', header=true)",
    "jsonl": "read_json('{path}', format='newline_delimited')",
}


def floor_seconds(city: Path, fmt: str, work: Path) -> tuple[float, int]:
    """DuckDB reading every dataset file into a table of a fresh database file."""
    (work / "floor.duckdb").unlink(missing_ok=True)  # a kept --work folder holds the last one
    con = duckdb.connect(str(work / "floor.duckdb"))
    rows = 0
    start = time.perf_counter()
    for path in sorted(city.glob(f"*.{fmt}")):
        reader = READERS[fmt].format(path=path)
        con.execute(f"CREATE TABLE {path.stem} AS SELECT * FROM {reader}")
        row = con.execute(f"SELECT count(*) FROM {path.stem}").fetchone()
        rows += int(row[0]) if row else 0
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - start
    con.close()
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riders", type=int, default=20000)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", dest="fmt", default="parquet", choices=sorted(READERS))
    parser.add_argument("--work", type=Path, default=None, help="folder to work in (kept)")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="riderperf-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    city = work / "city"
    try:
        t0 = time.perf_counter()
        sim = simulate_city(
            riders=args.riders,
            days=args.days,
            seed=args.seed,
            start=date(2026, 1, 5),
            out=city,
            fmt=args.fmt,
        )
        simulate_s = time.perf_counter() - t0
        total_rows = sum(sim.rows.values())
        orders = sim.rows["orders"]

        floor_s, floor_rows = floor_seconds(city, args.fmt, work)
        settings = Settings(home=work / "home")
        t1 = time.perf_counter()
        first = import_path(city, settings)
        import_s = time.perf_counter() - t1
        t2 = time.perf_counter()
        second = import_path(city, settings)
        reimport_s = time.perf_counter() - t2

        result = {
            "format": args.fmt,
            "riders": args.riders,
            "days": args.days,
            "rows": sim.rows,
            "simulate_seconds": round(simulate_s, 2),
            "simulate_orders_per_s": round(orders / simulate_s),
            "simulate_rows_per_s": round(total_rows / simulate_s),
            "import_seconds": round(import_s, 2),
            "import_rows_per_s": round(total_rows / import_s),
            "import_inserted": {t: c.inserted for t, c in first.tables.items()},
            "import_exit_code": first.exit_code,
            "reimport_seconds": round(reimport_s, 2),
            "reimport_inserted": sum(c.inserted for c in second.tables.values()),
            "floor_seconds": round(floor_s, 2),
            "floor_rows": floor_rows,
            "import_vs_floor": round(import_s / floor_s, 2),
        }
        print(json.dumps(result, indent=2))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Times the synthetic city generator: rows written, seconds, rows per second.

Run on demand, not in the test suite:
    .venv/bin/python bench/bench_simulate.py                 # ~10 million orders, Parquet
    .venv/bin/python bench/bench_simulate.py --riders 2000 --days 7 --format csv
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from riderperf.simulate import simulate_city


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riders", type=int, default=20_000, help="starting riders")
    parser.add_argument("--days", type=int, default=28, help="days to simulate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet")
    parser.add_argument("--out", type=Path, help="keep the dataset here (default: temp, deleted)")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="riderperf-bench-"))
    try:
        began = time.perf_counter()
        summary = simulate_city(
            riders=args.riders,
            days=args.days,
            seed=args.seed,
            start=date(2026, 1, 5),
            out=out,
            fmt=args.format,
            progress=lambda done, total: print(f"\rday {done}/{total}", end="", file=sys.stderr),
        )
        seconds = time.perf_counter() - began
        print(file=sys.stderr)
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        total = sum(summary.rows.values())
        print(f"riders={args.riders} days={args.days} format={args.format}")
        for table, rows in summary.rows.items():
            print(f"{table:<12} {rows:>12,}")
        print(f"{'all rows':<12} {total:>12,}")
        print(f"seconds      {seconds:>12.1f}")
        print(f"orders/s     {summary.rows['orders'] / seconds:>12,.0f}")
        print(f"rows/s       {total / seconds:>12,.0f}")
        print(f"on disk      {size / 1e6:>12,.0f} MB")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fuzz run: import many files of good rows mixed with rows broken in one field each.

Run on demand (not part of the test suite):

    .venv/bin/python bench/fuzz_import.py --rows 10000 --seed 1

For every canonical table and file format in turn it writes a file of `--rows-per-file`
rows, about `--bad` of them each corrupted in exactly one field (the catalogue of
tests/canonical_fuzz.py, shared with the property test), sometimes with reserved column
names beside the canonical ones, imports it into a fresh home, and compares. It prints:
rows generated, corrupted, kept, reported, crashes (imports that raised), lost good rows,
and each problem found (at most `--show` of them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' fuzz catalogue

from tests.canonical_fuzz import (
    FORMATS,
    FUZZED_TABLES,
    RESERVED_COLUMNS,
    RandomPick,
    compare,
    write_mixed,
)

from riderperf.config import Settings
from riderperf.ingest.service import import_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows to generate in all")
    parser.add_argument("--rows-per-file", type=int, default=500)
    parser.add_argument("--bad", type=float, default=0.3, help="share of corrupted rows")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=20, help="problems to print at most")
    parser.add_argument("--work", type=Path, default=None, help="folder to work in (kept)")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="riderperf-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    pick = RandomPick(args.seed)
    totals = dict.fromkeys(("generated", "corrupted", "kept", "reported", "crashes", "lost"), 0)
    problems: list[str] = []
    cases = itertools.cycle([(t, f) for t in FUZZED_TABLES for f in FORMATS])
    started = time.perf_counter()
    try:
        for run in itertools.count():
            if totals["generated"] >= args.rows:
                break
            table, fmt = next(cases)
            size = min(args.rows_per_file, args.rows - totals["generated"])
            bad = max(1, round(size * args.bad))
            reserved = [pick.one(RESERVED_COLUMNS) for _ in range(pick.number(0, 2))]
            reserved = list({r.lower(): r for r in reserved}.values())
            folder = work / f"run{run}"
            expected = write_mixed(
                folder / "data", table, fmt, size - bad, bad, pick, reserved=reserved
            )
            totals["generated"] += size
            totals["corrupted"] += bad
            settings = Settings(home=folder / "home")
            try:
                report = import_path(folder / "data", settings)
            except Exception:
                totals["crashes"] += 1
                totals["lost"] += len(expected.good_keys)
                problems.append(f"{table}.{fmt}: crashed\n{traceback.format_exc()}")
                continue
            outcome = compare(expected, report, settings.warehouse_path)
            totals["kept"] += outcome.kept_good
            totals["reported"] += outcome.reported_bad
            totals["lost"] += outcome.lost_good
            problems += [f"{table}.{fmt} (run{run}): {p}" for p in outcome.problems]
            if args.work is None:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    result = {
        "rows_generated": totals["generated"],
        "rows_corrupted": totals["corrupted"],
        "good_rows_kept": totals["kept"],
        "bad_rows_reported": totals["reported"],
        "crashes": totals["crashes"],
        "good_rows_lost": totals["lost"],
        "problems": len(problems),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result, indent=2))
    for problem in problems[: args.show]:
        print(problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

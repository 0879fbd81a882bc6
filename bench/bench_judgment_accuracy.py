"""Judgment accuracy: how often the judged party matches a simulated city's planted cause.

The goal (docs/responsibility.md) is at least 95 % of late orders on 2,000 riders × 4 weeks,
with riders delayed only by restaurants or storms practically never judged responsible.

Simulates a city, imports it into a temporary riderperf home, judges every order with the
default policy and compares with truth/orders.csv. Run on demand, not in the test suite:
    .venv/bin/python bench/bench_judgment_accuracy.py                 # 2,000 riders × 28 days
    .venv/bin/python bench/bench_judgment_accuracy.py --riders 600 --days 14 --seed 3
    .venv/bin/python bench/bench_judgment_accuracy.py --keep /tmp/city0   # reuse the city
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.responsibility.params import JudgmentParams
from riderperf.responsibility.store import write_judgments
from riderperf.simulate import simulate_city
from riderperf.warehouse.connection import open_warehouse

PARTIES = ("rider", "merchant", "customer", "platform", "force_majeure", "none")
# Truth causes a rider must never be blamed for (docs/responsibility.md).
NOT_THE_RIDERS = ("merchant", "force_majeure")


def prepare_city(root: Path, riders: int, days: int, seed: int, start: date) -> Settings:
    """A simulated city imported into the riderperf home under `root`; reused when `root`
    already holds one (made by an earlier run with the same arguments)."""
    settings = Settings(home=root / "home")
    done = root / "imported"
    wanted = f"riders={riders} days={days} seed={seed} start={start}"
    if done.exists():
        made = done.read_text().strip()
        if made != wanted:
            raise SystemExit(f"{root} holds a city made with {made}, not {wanted}: use another")
        print(f"reusing the city in {root} ({made})", file=sys.stderr)
        return settings
    began = time.perf_counter()
    summary = simulate_city(riders=riders, days=days, seed=seed, start=start, out=root / "city")
    print(f"simulated {summary.rows['orders']:,} orders in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    report = import_path(root / "city", settings)
    if report.exit_code != 0:
        raise SystemExit(f"import failed: {report.as_json()}")
    print(f"imported in {time.perf_counter() - began:.1f} s")
    done.write_text(wanted + "\n")
    return settings


def confusion(con: Any, truth_csv: Path, event: str) -> dict[tuple[str, str], int]:
    """Orders per (planted cause, judged party) for one event ("late" or "cancelled")."""
    rows = con.execute(
        """
        SELECT t.cause, coalesce(j.party, '(missing)'), count(*)
        FROM read_csv(?, all_varchar = true) AS t
        LEFT JOIN judgments AS j ON j.order_id = t.order_id AND j.event = t.event
        WHERE t.event = ?
        GROUP BY ALL
        """,
        [str(truth_csv), event],
    ).fetchall()
    return {(cause, party): n for cause, party, n in rows}


def print_matrix(event: str, cells: dict[tuple[str, str], int]) -> float:
    total = sum(cells.values())
    hit = sum(n for (cause, party), n in cells.items() if cause == party)
    rate = 100.0 * hit / total if total else float("nan")
    print(f"\n{event}: {hit:,} / {total:,} = {rate:.2f} % match the planted cause")
    judged = [*PARTIES, *sorted({p for _, p in cells} - set(PARTIES))]
    print("truth \\ judged".ljust(16) + "".join(p[:13].rjust(14) for p in judged))
    for cause in sorted({c for c, _ in cells}, key=lambda c: (c not in PARTIES, c)):
        counts = "".join(f"{cells.get((cause, p), 0):,}".rjust(14) for p in judged)
        print(cause.ljust(16) + counts)
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riders", type=int, default=2_000, help="starting riders")
    parser.add_argument("--days", type=int, default=28, help="days to simulate")
    parser.add_argument("--seed", type=int, default=0, help="simulation seed")
    parser.add_argument(
        "--start", type=date.fromisoformat, default=date(2026, 1, 5), help="first day, ISO"
    )
    parser.add_argument(
        "--keep", type=Path, help="keep the city and home here, reuse them when present"
    )
    args = parser.parse_args(argv)

    root = args.keep or Path(tempfile.mkdtemp(prefix="riderperf-accuracy-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        settings = prepare_city(root, args.riders, args.days, args.seed, args.start)
        policy = load_policy(default_policy_folder()).at(args.start)
        params = JudgmentParams.from_parameters(policy)
        # Orders are judged by their creation time (UTC); the city's local days straddle it.
        begin = datetime.combine(args.start, datetime.min.time(), UTC) - timedelta(days=1)
        with open_warehouse(settings.warehouse_path) as warehouse:
            began = time.perf_counter()
            end = begin + timedelta(days=args.days + 2)
            written = write_judgments(warehouse, params, "bench", begin, end)
            print(f"judgments written {written:,} in {time.perf_counter() - began:.2f} s")
            truth = root / "city" / "truth" / "orders.csv"
            late = confusion(warehouse.con, truth, "late")
            cancelled = confusion(warehouse.con, truth, "cancelled")
        late_rate = print_matrix("late", late)
        cancel_rate = print_matrix("cancelled", cancelled)
        not_theirs = sum(n for (c, _), n in late.items() if c in NOT_THE_RIDERS)
        blamed = sum(n for (c, p), n in late.items() if c in NOT_THE_RIDERS and p == "rider")
        print(
            f"\nlate orders with truth merchant/force_majeure judged rider: {blamed:,} of "
            f"{not_theirs:,} ({100.0 * blamed / max(not_theirs, 1):.3f} %)"
        )
        print(
            f"\nsummary seed={args.seed} riders={args.riders} days={args.days}: "
            f"late {late_rate:.2f} %  cancelled {cancel_rate:.2f} %  "
            f"merchant/force_majeure judged rider {blamed}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

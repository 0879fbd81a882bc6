"""Benchmark: evaluate a large simulated city and compare with one hand-written DuckDB query.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_evaluate.py --riders 20000 --days 28 --work /tmp/rp-eval

It simulates a city (Parquet, starting 2026-01-05) and imports it, or reuses the warehouse
already imported in `--work`. Then, each in a child process of its own so that its peak
memory (the child's maximum resident set size) is measured alone:

- `evaluate` for the whole simulated period (judgments, daily facts, scores, publish),
  judging every day again even when the warehouse was evaluated before (a later
  evaluation keeps the judgments of days that did not change: bench/bench_rolling.py);
- the floor: ONE DuckDB statement over the same warehouse file (read-only) computing the
  same per-rider KPI numerators and denominators from the raw canonical tables, with the
  responsibility rules of late, cancelled and complained-about orders written in SQL and
  the numbers of the default policy inlined.

It checks that the floor agrees with what evaluate stored (`rider_daily` summed over the
period) and prints JSON: sizes, evaluate seconds (total and per stage) and peak memory,
floor seconds and peak memory, the ratio evaluate / floor and the agreement. The floor
runs after evaluate, so it never reads a colder page cache than evaluate did.

`evaluate_statement_seconds` is the part of evaluate's time spent inside the warehouse
statements it runs (judging and writing the judgments, building and writing the daily
facts, the window query) and in the checkpoint when it closes the warehouse;
`statements_vs_floor` is that part alone as a ratio to the floor: the least evaluate
could take with no Python around its statements.

At module level only the standard library and duckdb are imported; riderperf (with ibis
and pandas) is imported inside the functions that need it, so the floor child never loads
it and its peak memory is DuckDB's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

START = date(2026, 1, 5)
GOAL_RATIO = 1.5
GOAL_PEAK_MB = 4096.0
SHOWN_DIFFERENCES = 10


# --- the city ------------------------------------------------------------------------------


def orders_in_warehouse(path: Path) -> int:
    """Rows of `orders` in the warehouse file (0 when it has none or does not exist)."""
    if not path.exists():
        return 0
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'orders'"
        ).fetchone()
        if not found or not found[0]:
            return 0
        row = con.execute("SELECT count(*) FROM orders").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def prepare_city(work: Path, riders: int, days: int, seed: int) -> dict[str, Any]:
    """Simulates and imports the city into `work/home`, unless its warehouse holds orders."""
    from riderperf.config import Settings
    from riderperf.ingest.service import import_path
    from riderperf.simulate import simulate_city

    settings = Settings(home=work / "home")
    if orders_in_warehouse(settings.warehouse_path):
        return {"reused": True}
    city = work / "city"
    t0 = time.perf_counter()
    simulate_city(riders=riders, days=days, seed=seed, start=START, out=city, fmt="parquet")
    simulate_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    report = import_path(city, settings)
    import_s = time.perf_counter() - t1
    if report.exit_code != 0:
        raise SystemExit(f"the import of {city} failed (exit code {report.exit_code})")
    shutil.rmtree(city, ignore_errors=True)  # the warehouse holds it now
    return {
        "reused": False,
        "riders": riders,
        "days": days,
        "seed": seed,
        "simulate_seconds": round(simulate_s, 2),
        "import_seconds": round(import_s, 2),
    }


# --- child processes -----------------------------------------------------------------------


# Starts a command and writes its peak RSS (ru_maxrss, kilobytes on Linux) to argv[1]. Linux
# starts a child's ru_maxrss at the resident size of the process that forked it, so the
# children are forked from this bare interpreter, never from the benchmark itself (which
# may hold gigabytes after an import).
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(
    role: str, options: dict[str, Any], work: Path, script: Path | None = None
) -> tuple[dict[str, Any], float]:
    """Runs this script (or `script`, which takes the same `--child role spec out`) as
    `--child role` in a process of its own and returns its JSON result and its peak
    resident memory in MB."""
    spec, out, peak = (work / f"{role}.{part}" for part in ("in.json", "out.json", "maxrss"))
    spec.write_text(json.dumps(options))
    out.unlink(missing_ok=True)
    program = (script or Path(__file__)).resolve()
    command = [sys.executable, str(program), "--child", role, str(spec), str(out)]
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, str(peak), *command], check=False)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"the {role} child failed with exit code {done.returncode}")
    result = json.loads(out.read_text())
    result["process_seconds"] = round(wall, 2)
    return result, int(peak.read_text()) / 1024.0


class TimedConnection:
    """A DuckDB connection that adds up the time its `execute` and `close` calls take.

    `execute` runs a statement to the end before it returns (the result is fetched
    afterwards, into Python), and `close` writes what the statements logged into the
    database file (DuckDB's checkpoint), so the sum is the time evaluate spends waiting on
    the warehouse engine; everything else is Python (scoring, publishing, compiling when
    a statement is not kept yet). Statements Ibis runs itself would go through `sql()`
    and not be counted; evaluate runs none when its statements are kept."""

    def __init__(self, con: Any) -> None:
        self._con = con
        self.seconds = 0.0

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return self._con.execute(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - began

    def close(self) -> None:
        began = time.perf_counter()
        try:
            self._con.close()
        finally:
            self.seconds += time.perf_counter() - began

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def time_warehouse_statements() -> list[TimedConnection]:
    """From now on, every warehouse riderperf opens talks through a TimedConnection; the
    returned list collects them."""
    from riderperf.warehouse.connection import Warehouse

    opened: list[TimedConnection] = []
    plain_init = Warehouse.__init__

    def timed_init(self: Any, con: Any, path: Any, **options: Any) -> None:
        timed = TimedConnection(con)
        opened.append(timed)
        plain_init(self, timed, path, **options)  # type: ignore[arg-type]

    Warehouse.__init__ = timed_init  # type: ignore[method-assign]
    return opened


def child_evaluate(options: dict[str, Any]) -> dict[str, Any]:
    """Child: `evaluate` of the period, timed around evaluate_period alone, with the part of
    that time spent inside warehouse statements."""
    from riderperf.common.periods import days_period
    from riderperf.config import Settings
    from riderperf.evaluation.service import evaluate_period

    settings = Settings(home=Path(options["home"]))
    start = date.fromisoformat(options["start"])
    period = days_period(start, date.fromisoformat(options["end"]))
    con = duckdb.connect(str(settings.warehouse_path))
    rerun = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'judgments'"
    ).fetchone()
    # A full evaluation: every day judged, none kept from an earlier run (an evaluation
    # keeps the judgments of days that did not change; bench_rolling measures that).
    con.execute("DROP TABLE IF EXISTS _judged_days")
    con.close()
    connections = time_warehouse_statements()
    began = time.perf_counter()
    result = evaluate_period(settings, period)
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "statement_seconds": sum(c.seconds for c in connections),
        "stages": result.seconds,
        "policy_version": result.policy_version,
        "judgments": result.judgments,
        "scorecards": result.riders,
        "first_run": not (rerun and rerun[0]),
    }


def child_floor(options: dict[str, Any]) -> dict[str, Any]:
    """Child: the floor query on a read-only connection, timed from connect to last row."""
    began = time.perf_counter()
    con = duckdb.connect(options["warehouse"], read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    cursor = con.execute(options["sql"])
    columns = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    con.close()
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "columns": columns, "rows": rows}


CHILDREN = {"evaluate": child_evaluate, "floor": child_floor}


# --- the floor query -----------------------------------------------------------------------


def _minutes(later: str, earlier: str) -> str:
    """Minutes between two timestamps in whole microseconds, as the judgment counts them.

    The same integer as the judgment's `date_diff('microsecond', …)`, without the ICU
    calendar arithmetic DuckDB runs for it on TIMESTAMPTZ (about 30 times slower)."""
    return f"CAST(epoch_us({later}) - epoch_us({earlier}) AS DOUBLE) / 60000000.0"


def _num(value: float) -> str:
    """A policy number as a SQL DOUBLE, as the judgment's SQL writes it
    (warehouse.functions.double): `1.15` alone would be an exact DECIMAL in DuckDB, and
    `factor - 1.0` would then not round as Python's floats do."""
    return f"CAST({float(value)!r} AS DOUBLE)"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(column: str, values: list[str]) -> str:
    """`column IN (…)`, or FALSE for no values."""
    if not values:
        return "FALSE"
    return f"{column} IN ({', '.join(_text(v) for v in values)})"


def _case(column: str, mapping: dict[str, float], default: float) -> str:
    whens = " ".join(f"WHEN {_text(k)} THEN {_num(v)}" for k, v in mapping.items())
    return f"CASE {column} {whens} ELSE {_num(default)} END"


def _owes_most(rider: str, others: list[str], floor: float, tolerance: float) -> str:
    """The rider is the responsible party: at least the floor and above the tolerance, and
    more than every other party that reaches the floor (ties go to the other party)."""
    beaten = " AND ".join(f"({o} < {_num(floor)} OR {o} < {rider})" for o in others)
    return f"{rider} >= {_num(floor)} AND {rider} > {_num(tolerance)} AND {beaten}"


def floor_sql(params: Any, start: date, end: date) -> str:
    """One DuckDB statement: per rider, every KPI's numerator and denominator over the days
    [start, end), from the canonical tables alone (see the module doc).

    `params` is a riderperf JudgmentParams; its numbers are inlined."""
    from riderperf.common.canonical import SAFETY_AT_FAULT_KINDS, SAFETY_KINDS
    from riderperf.metrics.registry import fact_columns
    from riderperf.responsibility.params import (
        ACCIDENT_INCIDENT,
        DAMAGE_EVIDENCE,
        LATE_FACTS,
        RIDER_REVIEW,
        WAITING_FACTS,
    )

    p = params
    s = f"TIMESTAMPTZ '{start.isoformat()} 00:00:00+00'"
    e = f"TIMESTAMPTZ '{end.isoformat()} 00:00:00+00'"
    reasons = dict(p.cancel_reasons)
    categories = dict(p.complaint_categories)
    rider_reasons = [r for r, d in reasons.items() if d == "rider"]
    waiting_reasons = [r for r, d in reasons.items() if d == WAITING_FACTS]
    accident_reasons = [r for r, d in reasons.items() if d == ACCIDENT_INCIDENT]
    rider_categories = [c for c, d in categories.items() if d in ("rider", RIDER_REVIEW)]
    late_categories = [c for c, d in categories.items() if d == LATE_FACTS]
    damage_categories = [c for c, d in categories.items() if d == DAMAGE_EVIDENCE]
    if p.packaging_words:
        pattern = _text(p.packaging_pattern)
        text_packaging = f"coalesce(regexp_matches(lower(c.text), {pattern}), FALSE)"
        tags_packaging = f"bool_or(coalesce(regexp_matches(lower(tags), {pattern}), FALSE))"
    else:
        text_packaging = tags_packaging = "FALSE"
    # An unknown vehicle gets the slowest speeds.
    speed = _case("r.vehicle", dict(p.speed_kmh), min(p.speed_kmh.values()))
    typical_speed = _case("r.vehicle", dict(p.typical_speed_kmh), min(p.typical_speed_kmh.values()))
    factor = _case("o.weather", dict(p.weather_factor), 1.0)
    at_fault_kinds = _in("kind", list(SAFETY_AT_FAULT_KINDS))
    safety = f"{_in('kind', list(SAFETY_KINDS))} OR ({at_fault_kinds} AND at_fault = 'yes')"
    late_rider = _owes_most(
        "l_rider",
        ["l_platform", "l_merchant", "l_force_majeure", "l_customer"],
        p.attribution_floor,
        p.rider_tolerance,
    )
    waiting_rider = _owes_most(
        "w_rider", ["w_platform", "w_merchant"], p.attribution_floor, p.rider_tolerance
    )
    known_reasons = list(reasons)
    # The food wait before a cancellation ends at the food being ready (or picked up), but
    # no later than the cancellation.
    food_end_capped = (
        "CASE WHEN coalesce(o.merchant_ready_at, o.picked_up_at) IS NULL THEN o.cancelled_at "
        "WHEN o.cancelled_at IS NULL THEN coalesce(o.merchant_ready_at, o.picked_up_at) "
        "WHEN coalesce(o.merchant_ready_at, o.picked_up_at) > o.cancelled_at "
        "THEN o.cancelled_at ELSE coalesce(o.merchant_ready_at, o.picked_up_at) END"
    )
    # The food was ready with the rider there (null when either moment is missing).
    ready_with_rider = (
        "CASE WHEN o.arrived_store_at IS NULL OR o.merchant_ready_at IS NULL THEN NULL "
        "ELSE greatest(o.arrived_store_at, o.merchant_ready_at) END"
    )
    sums = ",\n    ".join(f"coalesce(sum({c}), 0)::BIGINT AS {c}" for c in fact_columns())
    return f"""
WITH
complained AS (
    SELECT order_id, rider_id, category, text
    FROM complaints
    WHERE created_at >= {s} AND created_at < {e}
),
-- The late and cancelled orders of the period, and those its complaints name: the minutes
-- read off each timeline (late.py, cancel.py), in stages so each is computed once.
timeline AS (
    SELECT
        o.order_id,
        o.status,
        o.cancel_reason,
        o.cancel_initiator,
        {factor} AS factor,
        -- the rider is allowed the expected ride (lenient speed) × the weather factor; the
        -- weather is owed what it costs a typical ride (typical speed)
        o.distance_km / {speed} * 60.0 + {_num(p.handling_allowance)} AS expected,
        o.distance_km / {typical_speed} * 60.0 + {_num(p.handling_allowance)} AS typical,
        o.distance_km IS NOT NULL AS has_distance,
        {_minutes("o.accepted_at", "o.created_at")} AS dispatch,
        coalesce({_minutes("o.merchant_ready_at", "o.arrived_store_at")},
                 {_minutes("o.picked_up_at", "o.arrived_store_at")}) AS food_wait,
        {_minutes("o.arrived_store_at", "o.accepted_at")} AS leg,
        {_minutes("o.arrived_store_at", "o.merchant_ready_at")} AS after_ready,
        {_minutes("o.picked_up_at", ready_with_rider)} AS handed,
        {_minutes("o.arrived_customer_at", "o.picked_up_at")} AS arrived_ride,
        {_minutes("o.delivered_at", "o.picked_up_at")} AS delivered_ride,
        {_minutes("o.delivered_at", "o.arrived_customer_at")} AS door,
        {_minutes("coalesce(o.accepted_at, o.cancelled_at)", "o.created_at")} AS w_dispatch,
        {_minutes(food_end_capped, "o.arrived_store_at")} AS w_food_wait,
        CASE WHEN o.accepted_at IS NULL THEN NULL
             ELSE {_minutes("coalesce(o.arrived_store_at, o.cancelled_at)", "o.accepted_at")}
        END AS store_leg,
        o.order_id IN (
            SELECT order_id FROM incidents
            WHERE kind = 'accident' AND at_fault = 'yes' AND order_id IS NOT NULL
        ) AS accident_at_fault
    FROM orders AS o
    LEFT JOIN riders AS r ON r.rider_id = o.rider_id
    WHERE (o.status = 'cancelled' OR (o.status = 'delivered' AND o.delivered_at > o.promised_at))
      AND ((o.created_at >= {s} AND o.created_at < {e})
           OR o.order_id IN (SELECT order_id FROM complained))
),
split AS (
    SELECT
        order_id, status, cancel_reason, cancel_initiator, accident_at_fault,
        -- late: each party's own added delay
        CASE WHEN dispatch IS NULL THEN 0.0
             ELSE greatest(dispatch - {_num(p.dispatch_allowance)}, 0.0) END AS l_platform,
        CASE WHEN food_wait IS NULL THEN 0.0
             ELSE greatest(food_wait - {_num(p.food_wait_allowance)}, 0.0) END AS l_merchant,
        CASE WHEN door IS NULL THEN 0.0
             ELSE greatest(door - {_num(p.door_allowance)}, 0.0) END AS l_customer,
        CASE WHEN leg IS NULL OR after_ready IS NULL THEN 0.0
             ELSE greatest(least(leg * (factor - 1.0) / factor, after_ready), 0.0)
        END AS weather_store,
        CASE WHEN handed IS NULL THEN 0.0
             ELSE greatest(handed - {_num(p.pickup_allowance)}, 0.0) END AS pickup_extra,
        coalesce(arrived_ride, delivered_ride) IS NOT NULL AND has_distance AS has_ride,
        -- without an arrival tap the ride runs to the delivery, door allowance included
        coalesce(arrived_ride, delivered_ride) - expected
            - CASE WHEN arrived_ride IS NULL THEN {_num(p.door_allowance)} ELSE 0.0 END
            AS excess,
        coalesce(arrived_ride, delivered_ride) - typical
            - CASE WHEN arrived_ride IS NULL THEN {_num(p.door_allowance)} ELSE 0.0 END
            AS over_typical,
        expected * (factor - 1.0) AS allowance,
        typical * (factor - 1.0) AS weather_cost,
        -- cancelled, waiting_facts: who kept the customer waiting until the cancellation
        CASE WHEN w_dispatch IS NULL THEN 0.0
             ELSE greatest(w_dispatch - {_num(p.dispatch_allowance)}, 0.0) END AS w_platform,
        CASE WHEN w_food_wait IS NULL THEN 0.0
             ELSE greatest(w_food_wait - {_num(p.food_wait_allowance)}, 0.0) END AS w_merchant,
        CASE WHEN store_leg IS NULL THEN 0.0
             ELSE greatest(store_leg - factor * {_num(p.store_leg_allowance)}, 0.0)
        END AS w_rider
    FROM timeline
),
owed AS (
    SELECT
        order_id, status, cancel_reason, cancel_initiator, accident_at_fault,
        l_platform, l_merchant, l_customer,
        CASE WHEN has_ride THEN least(weather_cost, greatest(over_typical, 0.0)) ELSE 0.0 END
            + weather_store AS l_force_majeure,
        CASE WHEN has_ride THEN greatest(excess - allowance, 0.0) ELSE 0.0 END
            + pickup_extra AS l_rider,
        w_platform, w_merchant, w_rider
    FROM split
),
-- Those whose responsible party is the rider.
fault AS (
    SELECT order_id
    FROM owed
    WHERE CASE
        WHEN status = 'delivered' THEN {late_rider}
        WHEN {_in("cancel_reason", rider_reasons)} THEN TRUE
        WHEN {_in("cancel_reason", waiting_reasons)} THEN {waiting_rider}
        WHEN {_in("cancel_reason", accident_reasons)} THEN accident_at_fault
        WHEN {_in("cancel_reason", known_reasons)} THEN FALSE
        -- a reason the policy does not know falls back on the initiator
        ELSE coalesce(cancel_initiator = 'rider', FALSE)
    END
),
order_days AS (
    SELECT
        o.rider_id,
        CAST(o.created_at AS DATE) AS day,
        count(*) FILTER (o.status = 'delivered' AND o.promised_at IS NOT NULL
                         AND f.order_id IS NULL) AS on_time_rate_num,
        count(*) FILTER (o.status = 'delivered' AND o.promised_at IS NOT NULL)
            AS on_time_rate_den,
        count(*) FILTER (o.status = 'cancelled' AND f.order_id IS NOT NULL)
            AS rider_cancel_rate_num,
        count(*) AS rider_cancel_rate_den,
        count(*) FILTER (o.status = 'delivered') AS delivered
    FROM orders AS o
    LEFT JOIN fault AS f ON f.order_id = o.order_id
    WHERE o.rider_id IS NOT NULL AND o.created_at >= {s} AND o.created_at < {e}
    GROUP BY ALL
),
documents_latest AS (
    SELECT rider_id, doc_type,
           max(expires_on) FILTER (coalesce(verified, true)) AS expires
    FROM documents
    GROUP BY ALL
),
packaging_tags AS (
    SELECT order_id, {tags_packaging} AS packaging
    FROM ratings
    WHERE order_id IN (SELECT order_id FROM complained)
    GROUP BY ALL
),
parts AS (
    SELECT rider_id, on_time_rate_num, on_time_rate_den, rider_cancel_rate_num,
           rider_cancel_rate_den, delivered AS complaint_rate_den,
           delivered AS safety_incidents_den,
           -- equipment items come from inspections, kept in the app database: the
           -- simulated city has none (the agreement check would show any)
           0 AS equipment_compliance_num, 0 AS equipment_compliance_den
    FROM order_days
    UNION ALL BY NAME
    SELECT rider_id, stars AS customer_rating_num, 1 AS customer_rating_den
    FROM ratings
    WHERE source = 'customer' AND created_at >= {s} AND created_at < {e}
    UNION ALL BY NAME
    SELECT rider_id, (response = 'accepted')::INT AS acceptance_rate_num,
           1 AS acceptance_rate_den
    FROM offers
    WHERE offered_at >= {s} AND offered_at < {e}
    UNION ALL BY NAME
    SELECT rider_id, 1 AS safety_incidents_num
    FROM incidents
    WHERE ({safety}) AND occurred_at >= {s} AND occurred_at < {e}
    UNION ALL BY NAME
    -- complaint.py: the category decides, or the order's judgment, or the packaging
    SELECT CASE WHEN o.order_id IS NULL THEN c.rider_id
                ELSE coalesce(c.rider_id, o.rider_id) END AS rider_id,
           1 AS complaint_rate_num
    FROM complained AS c
    LEFT JOIN (
        SELECT order_id, rider_id FROM orders
        WHERE order_id IN (SELECT order_id FROM complained)
    ) AS o ON o.order_id = c.order_id
    LEFT JOIN fault AS f ON f.order_id = c.order_id
    LEFT JOIN packaging_tags AS t ON t.order_id = c.order_id
    WHERE CASE
        WHEN {_in("c.category", rider_categories)} THEN TRUE
        WHEN {_in("c.category", late_categories)} THEN f.order_id IS NOT NULL
        WHEN {_in("c.category", damage_categories)}
            THEN NOT ({text_packaging} OR coalesce(t.packaging, FALSE))
        ELSE FALSE
    END
    UNION ALL BY NAME
    -- document-days: on each working day, the document types on file and those valid
    SELECT d.rider_id, (l.expires >= d.day)::INT AS document_compliance_num,
           1 AS document_compliance_den
    FROM order_days AS d
    JOIN documents_latest AS l ON l.rider_id = d.rider_id
)
SELECT
    rider_id,
    {sums}
FROM parts
WHERE rider_id IS NOT NULL
GROUP BY rider_id
ORDER BY rider_id
"""


# --- agreement -----------------------------------------------------------------------------


def agreement(
    stored: dict[str, dict[str, int]], floor: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """Share of rider × KPI cells where numerator and denominator both agree, and the worst
    differences (a rider missing on one side counts as zeros there)."""
    from riderperf.metrics.registry import AVAILABLE_KPIS

    riders = sorted(set(stored) | set(floor))
    cells = agree = 0
    diffs: list[dict[str, Any]] = []
    per_kpi: dict[str, int] = {}
    for rider in riders:
        a, b = stored.get(rider, {}), floor.get(rider, {})
        for kpi in AVAILABLE_KPIS:
            cells += 1
            pair_a = tuple(int(a.get(f"{kpi.name}_{x}", 0)) for x in ("num", "den"))
            pair_b = tuple(int(b.get(f"{kpi.name}_{x}", 0)) for x in ("num", "den"))
            if pair_a == pair_b:
                agree += 1
                continue
            per_kpi[kpi.name] = per_kpi.get(kpi.name, 0) + 1
            gap = abs(pair_a[0] - pair_b[0]) + abs(pair_a[1] - pair_b[1])
            diffs.append(
                {
                    "rider_id": rider,
                    "kpi": kpi.name,
                    "evaluate": f"{pair_a[0]}/{pair_a[1]}",
                    "floor": f"{pair_b[0]}/{pair_b[1]}",
                    "gap": gap,
                }
            )
    diffs.sort(key=lambda d: (-d["gap"], d["rider_id"], d["kpi"]))
    return {
        "riders_compared": len(riders),
        "riders_only_in_evaluate": len(set(stored) - set(floor)),
        "riders_only_in_floor": len(set(floor) - set(stored)),
        "cells": cells,
        "cells_agreeing": agree,
        "agreement_percent": round(100.0 * agree / cells, 4) if cells else 100.0,
        "disagreeing_cells_per_kpi": per_kpi,
        "worst_differences": diffs[:SHOWN_DIFFERENCES],
    }


def stored_kpis(warehouse: Path, start: date, end: date, version: str) -> dict[str, Any]:
    """What evaluate stored: rider_daily summed per rider over the period (kpi_window)."""
    from riderperf.common.periods import days_period
    from riderperf.metrics.registry import fact_columns
    from riderperf.metrics.windows import kpi_window
    from riderperf.warehouse.connection import open_warehouse

    with open_warehouse(warehouse, read_only=True) as wh:
        frame = kpi_window(wh, days_period(start, end), version, "rider")
        row = wh.con.execute(
            "SELECT (SELECT count(*) FROM orders WHERE created_at >= ? AND created_at < ?), "
            "(SELECT count(*) FROM orders), (SELECT count(*) FROM riders)",
            [_midnight(start), _midnight(end)],
        ).fetchone()
    columns = fact_columns()
    rows = {
        str(r["rider_id"]): {c: int(r[c]) for c in columns}
        for r in frame[["rider_id", *columns]].to_dict("records")
    }
    orders, all_orders, riders = (int(v) for v in row) if row else (0, 0, 0)
    return {"orders": orders, "all_orders": all_orders, "all_riders": riders, "riders": rows}


def judged_with(home: Path, version: str, start: date) -> Any:
    """The JudgmentParams of the policy version evaluate judged with."""
    from riderperf.config import Settings
    from riderperf.policy.versions import get_version
    from riderperf.responsibility.params import JudgmentParams
    from riderperf.storage.db import make_engine

    engine = make_engine(Settings(home=home).app_database_url)
    try:
        chosen = get_version(engine, version)
    finally:
        engine.dispose()
    return JudgmentParams.from_parameters(chosen.policy.at(start))


def _midnight(day: date) -> Any:
    from datetime import UTC, datetime

    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# --- main ----------------------------------------------------------------------------------


def default_params(start: date) -> Any:
    from riderperf.policy import default_policy_folder
    from riderperf.policy.loader import load_policy
    from riderperf.responsibility.params import JudgmentParams

    return JudgmentParams.from_parameters(load_policy(default_policy_folder()).at(start))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--riders", type=int, default=20_000, help="starting riders")
    parser.add_argument("--days", type=int, default=28, help="days to simulate and evaluate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, default=None, help="folder to work in (kept; a city there is reused)"
    )
    parser.add_argument("--sql-out", type=Path, default=None, help="write the floor SQL here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        role, spec, out = args.child
        result = CHILDREN[role](json.loads(Path(spec).read_text()))
        Path(out).write_text(json.dumps(result, default=str))
        return 0

    work = args.work or Path(tempfile.mkdtemp(prefix="riderperf-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    start, end = START, START + timedelta(days=args.days)
    try:
        prepared = prepare_city(work, args.riders, args.days, args.seed)
        from riderperf.config import Settings

        warehouse = Settings(home=work / "home").warehouse_path
        params = default_params(start)
        sql = floor_sql(params, start, end)
        if args.sql_out:
            args.sql_out.write_text(sql)

        evaluated, evaluate_mb = run_child(
            "evaluate",
            {"home": str(work / "home"), "start": start.isoformat(), "end": end.isoformat()},
            work,
        )
        floored, floor_mb = run_child("floor", {"warehouse": str(warehouse), "sql": sql}, work)

        version = evaluated["policy_version"]
        same_policy = judged_with(work / "home", version, start) == params
        if not same_policy:
            print(
                f"warning: evaluate judged with policy version {version!r}, whose "
                "responsibility numbers differ from the default policy the floor inlines; "
                "use a new --work folder",
                file=sys.stderr,
            )
        stored = stored_kpis(warehouse, start, end, version)
        floor_rows = {
            str(row[0]): dict(zip(floored["columns"][1:], row[1:], strict=True))
            for row in floored["rows"]
        }
        agreed = agreement(stored["riders"], floor_rows)
        ratio = evaluated["seconds"] / floored["seconds"]
        result = {
            "period": f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}",
            "orders": stored["orders"],
            "riders": len(stored["riders"]),
            "warehouse": {"orders": stored["all_orders"], "riders": stored["all_riders"]},
            "city": prepared,
            "policy_version": version,
            "policy_is_default": same_policy,
            "evaluate_first_run": evaluated["first_run"],
            "judgments": evaluated["judgments"],
            "evaluate_seconds": round(evaluated["seconds"], 2),
            "evaluate_stage_seconds": {k: round(v, 2) for k, v in evaluated["stages"].items()},
            "evaluate_process_seconds": evaluated["process_seconds"],
            # The time inside the warehouse statements alone (judging and writing 1.4 M
            # judgments, building and writing the daily facts, the window query): what
            # evaluate would take with no Python around them, as a ratio to the floor too.
            "evaluate_statement_seconds": round(evaluated["statement_seconds"], 2),
            "statements_vs_floor": round(evaluated["statement_seconds"] / floored["seconds"], 2),
            "evaluate_peak_rss_mb": round(evaluate_mb, 1),
            "floor_seconds": round(floored["seconds"], 2),
            "floor_process_seconds": floored["process_seconds"],
            "floor_peak_rss_mb": round(floor_mb, 1),
            "evaluate_vs_floor": round(ratio, 2),
            "agreement_percent": agreed["agreement_percent"],
            "agreement": agreed,
            "duckdb_settings": "defaults (memory_limit 80% of RAM, threads = cores)",
            "goals": {
                "ratio_max": GOAL_RATIO,
                "ratio_met": ratio <= GOAL_RATIO,
                "evaluate_peak_mb_max": GOAL_PEAK_MB,
                "memory_met": evaluate_mb <= GOAL_PEAK_MB,
            },
        }
        print(json.dumps(result, indent=2))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Stores the judgments of a period in the warehouse table `judgments`, replacing a re-run.

`judgments_expr` is the whole bulk judgment as one Ibis expression (orders and complaints
created in [start, end)); `write_judgments` materialises it in one transaction, first
deleting the rows of the same policy version in the same period, so running it again gives
the same table. Its SQL is compiled once per policy version (`warehouse.compiled`).

`judge_window` judges only the days of a window whose judgments are out of date (see
`warehouse.changed_days`): a daily rolling evaluation after one new day is imported judges
that day and reuses the others.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from riderperf.clock import midnight, utc_day
from riderperf.responsibility.bulk_complaints import complaint_judgments
from riderperf.responsibility.bulk_orders import cancel_judgments, late_judgments, order_base
from riderperf.responsibility.model import JUDGMENT_COLUMNS, JUDGMENTS_DDL
from riderperf.responsibility.params import JudgmentParams
from riderperf.warehouse import built_days
from riderperf.warehouse.changed_days import day_runs, latest_batch, mark_judged, stale_days
from riderperf.warehouse.compiled import Bounds, bounds_set, compiled_sql, release
from riderperf.warehouse.connection import Warehouse, transaction

_INSTANT = timedelta(microseconds=1)


def order_judgments_expr(con: Any, orders: Any, params: JudgmentParams, version: str) -> Any:
    """Late and cancelled judgments of the given orders (an Ibis table of `orders` rows)."""
    base = order_base(orders, con.table("riders"), con.table("incidents"), params)
    return late_judgments(base, params, version).union(cancel_judgments(base, params, version))


def judgments_expr(
    con: Any, params: JudgmentParams, policy_version: str, start: Any, end: Any
) -> Any:
    """Judgments of the orders created in [start, end) and the complaints created in
    [start, end), as an Ibis table with the columns of `judgments`. `con` is an Ibis
    backend holding the canonical tables (Warehouse.ibis_con); `start` and `end` are
    instants (datetimes, or Ibis values such as `Bounds.variables()`)."""
    orders = con.table("orders")
    complaints = con.table("complaints")
    complained = complaints.filter((complaints.created_at >= start) & (complaints.created_at < end))
    in_period = (orders.created_at >= start) & (orders.created_at < end)
    # A complaint may name an order of another period: judge it too, for the complaint only.
    # Two filters stacked rather than one with OR: a filter on created_at alone lets the
    # engine skip the parts of the table outside the period (one day of 28: 0.1 s instead
    # of 1.8 s to scan 10 million orders), which an OR with the complaints' orders hides.
    relevant = orders.filter(in_period).union(
        orders.filter(orders.order_id.isin(complained.order_id) & ~in_period), distinct=False
    )
    judged = order_judgments_expr(con, relevant, params, policy_version)
    order_rows = judged.filter((judged.occurred_at >= start) & (judged.occurred_at < end))
    complaint_rows = complaint_judgments(
        complained, orders, con.table("ratings"), judged, params, policy_version
    )
    return order_rows.union(complaint_rows)


def write_judgments(
    warehouse: Warehouse,
    params: JudgmentParams,
    policy_version: str,
    start: datetime,
    end: datetime,
) -> int:
    """Judges the period and stores it in `judgments`, replacing the rows of the same policy
    version whose occurred_at is in [start, end); returns the number of rows written.

    The whole UTC days inside [start, end) are recorded as judged (`_judged_days`), in the
    same transaction."""
    # The same SQL for every period of a policy version: the period is in variables.
    bounds = Bounds.variables()
    sql = compiled_sql(
        warehouse,
        "judgments",
        f"{policy_version!r} {params!r}",
        lambda: judgments_expr(
            warehouse.ibis_con, params, policy_version, bounds.start_at, bounds.end_at
        ),
    )
    columns = ", ".join(name for name, _ in JUDGMENT_COLUMNS)
    con = warehouse.con
    # The variables are set outside the transaction, which may roll back.
    with bounds_set(con, start, end), transaction(con):
        con.execute(JUDGMENTS_DDL)
        con.execute(
            "DELETE FROM judgments WHERE policy_version = ? AND occurred_at >= ? "
            "AND occurred_at < ?",
            [policy_version, start, end],
        )
        row = con.execute(f"INSERT INTO judgments ({columns}) SELECT {columns} FROM ({sql})")
        written = row.fetchall()[0] if row else None
        # rider_daily's rows of every day touched were built from the judgments replaced.
        built_days.forget_range(con, policy_version, utc_day(start), utc_day(end - _INSTANT))
        first, end_day = _whole_days(start, end)
        if first < end_day:
            batch = latest_batch(con)
            mark_judged(con, policy_version, judged_inputs(params), first, end_day, batch)
    return int(written[0]) if written else 0


@dataclass(frozen=True)
class WindowJudgments:
    """What `judge_window` did: the judgments of the window it holds now, and how many of
    its days were judged again and how many kept."""

    rows: int
    judged_days: int
    reused_days: int


def judge_window(
    warehouse: Warehouse, params: JudgmentParams, policy_version: str, first: date, end: date
) -> WindowJudgments:
    """Makes the judgments of the days [first, end) under `policy_version` current: judges
    the days that were never judged with these parameters and this release, or whose
    inputs an import changed since (`warehouse.changed_days`); keeps the others."""
    con = warehouse.con
    stale = stale_days(con, policy_version, judged_inputs(params), first, end)
    for run_start, run_end in day_runs(stale):
        write_judgments(warehouse, params, policy_version, midnight(run_start), midnight(run_end))
    row = con.execute(
        "SELECT count(*) FROM judgments WHERE policy_version = ? AND day >= ? AND day < ?",
        [policy_version, first, end],
    ).fetchall()
    days = (end - first).days
    return WindowJudgments(int(row[0][0]), len(stale), days - len(stale))


def judged_inputs(params: JudgmentParams) -> str:
    """What a day's judgments depend on besides the data: the judgment parameters and this
    release of the code (`warehouse.compiled.release`), as one digest."""
    text = "\x00".join((repr(params), release()))
    return hashlib.sha256(text.encode()).hexdigest()


def _whole_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The UTC days lying wholly inside [start, end), as [first, end)."""
    first = utc_day(start)
    if midnight(first) < start:
        first += timedelta(days=1)
    return first, utc_day(end)

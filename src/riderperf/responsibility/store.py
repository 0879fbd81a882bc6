"""Stores the judgments of a period in the warehouse table `judgments`, replacing a re-run.

`judgments_expr` is the whole bulk judgment as one Ibis expression (orders and complaints
created in [start, end)); `write_judgments` materialises it in one transaction, first
deleting the rows of the same policy version in the same period, so running it again gives
the same table. Its SQL is compiled once per policy version (`warehouse.compiled`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riderperf.responsibility.bulk_complaints import complaint_judgments
from riderperf.responsibility.bulk_orders import cancel_judgments, late_judgments, order_base
from riderperf.responsibility.model import JUDGMENT_COLUMNS, JUDGMENTS_DDL
from riderperf.responsibility.params import JudgmentParams
from riderperf.warehouse.compiled import Bounds, bounds_set, compiled_sql
from riderperf.warehouse.connection import Warehouse


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
    relevant = orders.filter(in_period | orders.order_id.isin(complained.order_id))
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
    version whose occurred_at is in [start, end); returns the number of rows written."""
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
    with bounds_set(con, start, end):  # outside the transaction, which may fail
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(JUDGMENTS_DDL)
            con.execute(
                "DELETE FROM judgments WHERE policy_version = ? AND occurred_at >= ? "
                "AND occurred_at < ?",
                [policy_version, start, end],
            )
            row = con.execute(f"INSERT INTO judgments ({columns}) SELECT {columns} FROM ({sql})")
            written = row.fetchall()[0] if row else None
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return int(written[0]) if written else 0

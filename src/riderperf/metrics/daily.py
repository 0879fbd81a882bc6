"""Stores the daily KPI facts: one row per rider, day and policy version in `rider_daily`.

`build_daily_facts(warehouse, start, end, policy_version)` recomputes the days
`[start, end)` from the canonical tables and the `judgments` of that policy version, and
replaces the rows of those days and that version in one transaction. The pipeline is
written as Ibis expressions (see `daily_sources`), compiled to the warehouse's SQL and
run inside the warehouse, so it scales with the engine, not with Python.

Days are UTC dates (the warehouse stores UTC, and the canonical format has no city time
zone): an order counts on the day it was created, a rating, offer or incident on the
day it happened, a complaint on its judgment's `day`.
"""

from __future__ import annotations

from datetime import date

import ibis

from riderperf.metrics.daily_sources import (
    add_documents,
    daily_counts,
    version_has_judgments,
    window_has_bad_orders,
)
from riderperf.metrics.registry import fact_columns
from riderperf.warehouse.connection import Warehouse

RIDER_DAILY = "rider_daily"
_STAGE = "_rider_daily_stage"


def rider_daily_ddl() -> str:
    columns = [
        "rider_id VARCHAR NOT NULL",
        "day DATE NOT NULL",
        "policy_version VARCHAR NOT NULL",
        *(f"{c} BIGINT NOT NULL" for c in fact_columns()),
    ]
    return f"CREATE TABLE IF NOT EXISTS {RIDER_DAILY} (\n    " + ",\n    ".join(columns) + "\n)"


def has_table(warehouse: Warehouse, name: str) -> bool:
    """Whether the warehouse holds table `name`."""
    # Not ibis `list_tables()`: with DuckDB 2 it calls a connection method DuckDB removed.
    rows = warehouse.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]
    ).fetchall()
    return bool(rows[0][0])


def build_daily_facts(warehouse: Warehouse, start: date, end: date, policy_version: str) -> int:
    """Recomputes `rider_daily` for the days `[start, end)` of `policy_version`; returns rows.

    Needs the `judgments` of `policy_version` for those days (the responsibility
    judgment runs first). Rows of other days or other versions are left as they are.
    """
    if end <= start:
        raise ValueError(f"no days to build: the end {end} must come after the start {start}")
    if not policy_version.strip():
        raise ValueError("a policy version is needed to build daily facts")
    ib = warehouse.ibis_con
    if not has_table(warehouse, "judgments"):
        raise ValueError(
            "the warehouse has no judgments table: run the responsibility judgment for "
            f"policy version {policy_version!r} before computing KPIs"
        )
    con = warehouse.con
    if not version_has_judgments(ib, policy_version) and window_has_bad_orders(ib, start, end):
        raise ValueError(
            f"no judgments of policy version {policy_version!r}, but there are late or "
            f"cancelled orders between {start} and {end}: judge them with that version first"
        )
    con.execute(rider_daily_ddl())
    stage_sql = ibis.to_sql(daily_counts(ib, start, end, policy_version), dialect="duckdb")
    names = ["rider_id", "day", "policy_version", *fact_columns()]
    columns = ", ".join(names)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGE} AS {stage_sql}")
        stage = ib.table(_STAGE)
        final = add_documents(ib, stage).mutate(policy_version=ibis.literal(policy_version))
        final_sql = ibis.to_sql(final.select(*names), dialect="duckdb")
        con.execute(
            f"DELETE FROM {RIDER_DAILY} WHERE policy_version = ? AND day >= ? AND day < ?",
            [policy_version, start, end],
        )
        con.execute(f"INSERT INTO {RIDER_DAILY} ({columns}) {final_sql}")
        rows = con.execute(f"SELECT count(*) FROM {_STAGE}").fetchall()
        con.execute(f"DROP TABLE {_STAGE}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return int(rows[0][0])

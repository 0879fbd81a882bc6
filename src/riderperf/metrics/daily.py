"""Stores the daily KPI facts: one row per rider, day and policy version in `rider_daily`.

`build_daily_facts(warehouse, start, end, policy_version)` recomputes the days
`[start, end)` from the day facts the import keeps (`warehouse.day_facts`: orders,
offers, ratings and incidents counted per rider and day) and the `judgments` of that
policy version, and replaces the rows of those days and that version in one transaction.
It reads no raw order, offer, rating or incident: a rider-day is one row. The pipeline is
written as Ibis expressions (see `daily_sources`), compiled to the warehouse's SQL once
per policy version (`warehouse.compiled`: the days are variables) and run inside the
warehouse, so it scales with the engine, not with Python.

Days are UTC dates (the warehouse stores UTC, and the canonical format has no city time
zone): an order counts on the day it was created, a rating, offer or incident on the
day it happened, a complaint on its judgment's `day`, an inspection's equipment items on
the UTC day of the inspection.

Inspections live in the app database, not in the warehouse: the caller reads them
(`inspections.stats.equipment_checks_by_day`) and passes the rows as `equipment_checks`.

A `rider_daily` written before a KPI was added lacks its columns; they are added (zero
for the days already stored) before the table is written again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import pyarrow as pa

from riderperf.clock import midnight
from riderperf.metrics.daily_sources import add_documents, daily_counts
from riderperf.metrics.registry import fact_columns
from riderperf.warehouse.built_days import mark_built, stale_days
from riderperf.warehouse.changed_days import day_runs
from riderperf.warehouse.compiled import Bounds, bounds_set, compiled_sql, release
from riderperf.warehouse.connection import Warehouse, has_table, transaction
from riderperf.warehouse.day_facts import DAY_FACTS, ensure_day_facts

RIDER_DAILY = "rider_daily"
_STAGE = "_rider_daily_stage"
_EQUIPMENT = "_equipment_checks"
# (rider_id, day, items passed, items checked): see inspections.stats.equipment_checks_by_day
EquipmentCheck = tuple[str, date, int, int]
_EQUIPMENT_SCHEMA = pa.schema(
    [
        ("rider_id", pa.string()),
        ("day", pa.date32()),
        ("passed", pa.int64()),
        ("checked", pa.int64()),
    ]
)


def rider_daily_ddl() -> str:
    columns = [
        "rider_id VARCHAR NOT NULL",
        "day DATE NOT NULL",
        "policy_version VARCHAR NOT NULL",
        *(f"{c} BIGINT NOT NULL" for c in fact_columns()),
    ]
    return f"CREATE TABLE IF NOT EXISTS {RIDER_DAILY} (\n    " + ",\n    ".join(columns) + "\n)"


def ensure_rider_daily(warehouse: Warehouse) -> list[str]:
    """Creates `rider_daily`, or adds the fact columns an older one lacks; returns those.

    An added column is 0 on the rows already stored: nothing was counted for a KPI that did
    not exist yet. DuckDB 1.x cannot add a column with a constraint, so it is added with
    its default first and made NOT NULL after, as a new table has it."""
    con = warehouse.con
    con.execute(rider_daily_ddl())
    present = warehouse.columns(RIDER_DAILY)
    missing = [c for c in fact_columns() if c not in present]
    if not missing:
        return []
    with transaction(con):
        for column in missing:
            con.execute(f"ALTER TABLE {RIDER_DAILY} ADD COLUMN {column} BIGINT DEFAULT 0")
            con.execute(f"ALTER TABLE {RIDER_DAILY} ALTER COLUMN {column} SET NOT NULL")
    return missing


def build_daily_facts(
    warehouse: Warehouse,
    start: date,
    end: date,
    policy_version: str,
    *,
    equipment_checks: Iterable[EquipmentCheck] = (),
) -> int:
    """Recomputes `rider_daily` for the days `[start, end)` of `policy_version`; returns rows.

    Needs the `judgments` of `policy_version` for those days (the responsibility
    judgment runs first). Rows of other days or other versions are left as they are.
    `equipment_checks` are the equipment items passed and checked per rider and day (a
    rider inspected on a day without orders gets a row of their own); rows outside the
    days are ignored.
    """
    return _build(warehouse, start, end, policy_version, equipment_checks, reuse=False).rows


@dataclass(frozen=True)
class DailyRefresh:
    """What `refresh_daily_facts` did: the rows it wrote, the days it built and kept."""

    rows: int
    built_days: int
    kept_days: int


def refresh_daily_facts(
    warehouse: Warehouse,
    start: date,
    end: date,
    policy_version: str,
    *,
    equipment_checks: Iterable[EquipmentCheck] = (),
) -> DailyRefresh:
    """`build_daily_facts` for the days of `[start, end)` that are not current only
    (`warehouse.built_days`): a daily rolling evaluation builds the new day and the days an
    import, a judgment or an inspection changed, and keeps the others."""
    return _build(warehouse, start, end, policy_version, equipment_checks, reuse=True)


def _build(
    warehouse: Warehouse,
    start: date,
    end: date,
    policy_version: str,
    equipment_checks: Iterable[EquipmentCheck],
    reuse: bool,
) -> DailyRefresh:
    if end <= start:
        raise ValueError(f"no days to build: the end {end} must come after the start {start}")
    if not policy_version.strip():
        raise ValueError("a policy version is needed to build daily facts")
    if not has_table(warehouse.con, "judgments"):
        raise ValueError(
            "the warehouse has no judgments table: run the responsibility judgment for "
            f"policy version {policy_version!r} before computing KPIs"
        )
    con = warehouse.con
    ensure_day_facts(con)  # a warehouse imported before the day facts existed
    if not _version_has_judgments(warehouse, policy_version) and _window_has_bad_orders(
        warehouse, start, end
    ):
        raise ValueError(
            f"no judgments of policy version {policy_version!r}, but there are late or "
            f"cancelled orders between {start} and {end}: judge them with that version first"
        )
    ensure_rider_daily(warehouse)
    checks = [c for c in equipment_checks if start <= c[1] < end]
    digests = _check_digests(checks)
    built_as = release()
    days = (end - start).days
    stale = (
        stale_days(con, policy_version, built_as, digests, start, end)
        if reuse
        else [start + timedelta(days=n) for n in range(days)]
    )
    if not stale:
        return DailyRefresh(0, 0, days)
    # Without checks the part is left out rather than joined empty: no cost when there
    # are no inspections.
    if checks:
        _load_equipment_checks(warehouse, checks)
    equipment = _EQUIPMENT if checks else None
    # The same SQL for every period of a policy version: the days are variables.
    stage_sql = compiled_sql(
        warehouse,
        "daily_counts",
        f"{policy_version!r} {equipment!r}",
        lambda: daily_counts(
            warehouse.ibis_con, Bounds.variables(), policy_version, equipment_checks=equipment
        ),
    )
    rows = 0
    try:
        for first, run_end in day_runs(stale):
            # Set outside the transaction of _replace_days, which rolls back on failure.
            with bounds_set(con, midnight(first), midnight(run_end)):
                rows += _replace_days(warehouse, first, run_end, policy_version, stage_sql)
                # A kill before this leaves the days unmarked: built again next time.
                with transaction(con):
                    mark_built(con, policy_version, built_as, digests, first, run_end)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_EQUIPMENT}")
    return DailyRefresh(rows, len(stale), days - len(stale))


def _check_digests(checks: list[EquipmentCheck]) -> dict[date, str]:
    """A digest of each day's equipment items, to tell whether they changed since a build."""
    by_day: dict[date, list[EquipmentCheck]] = {}
    for check in checks:
        by_day.setdefault(check[1], []).append(check)
    return {
        day: hashlib.sha256(repr(sorted(rows)).encode()).hexdigest() for day, rows in by_day.items()
    }


def _load_equipment_checks(warehouse: Warehouse, rows: list[EquipmentCheck]) -> None:
    """The checks as the TEMP table `_equipment_checks`."""
    table = pa.Table.from_pylist(
        [{"rider_id": r, "day": d, "passed": p, "checked": c} for r, d, p, c in rows],
        schema=_EQUIPMENT_SCHEMA,
    )
    con = warehouse.con
    con.register("_equipment_rows", table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_EQUIPMENT} AS SELECT * FROM _equipment_rows")
    finally:
        con.unregister("_equipment_rows")


def _replace_days(
    warehouse: Warehouse, start: date, end: date, policy_version: str, stage_sql: str
) -> int:
    """Replaces the rows of `[start, end)` and the version by the staged counts, in one
    transaction."""
    con = warehouse.con
    names = ["rider_id", "day", "policy_version", *fact_columns()]
    columns = ", ".join(names)

    def with_documents() -> ibis.Table:
        ib = warehouse.ibis_con
        final = add_documents(ib, ib.table(_STAGE))
        return final.mutate(policy_version=ibis.literal(policy_version)).select(*names)

    with transaction(con):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGE} AS {stage_sql}")
        final_sql = compiled_sql(warehouse, "daily_documents", repr(policy_version), with_documents)
        con.execute(
            f"DELETE FROM {RIDER_DAILY} WHERE policy_version = ? AND day >= ? AND day < ?",
            [policy_version, start, end],
        )
        con.execute(f"INSERT INTO {RIDER_DAILY} ({columns}) {final_sql}")
        rows = con.execute(f"SELECT count(*) FROM {_STAGE}").fetchall()
        con.execute(f"DROP TABLE {_STAGE}")
    return int(rows[0][0])


def _version_has_judgments(warehouse: Warehouse, policy_version: str) -> bool:
    row = warehouse.con.execute(
        "SELECT EXISTS (SELECT 1 FROM judgments WHERE policy_version = ?)", [policy_version]
    ).fetchone()
    return bool(row and row[0])


def _window_has_bad_orders(warehouse: Warehouse, start: date, end: date) -> bool:
    """Whether any rider's order of the days is cancelled or delivered after its promise."""
    row = warehouse.con.execute(
        f"SELECT EXISTS (SELECT 1 FROM {DAY_FACTS} WHERE day >= ? AND day < ? "
        "AND (late > 0 OR cancelled > 0))",
        [start, end],
    ).fetchone()
    return bool(row and row[0])

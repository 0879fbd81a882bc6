"""Per-rider-day facts that no policy changes, kept up to date by every import.

`rider_day_facts` holds, per rider and UTC day, what the canonical tables say before any
judgment: orders created, delivered, delivered with a promise, delivered after it and
cancelled; dispatch offers and the accepted ones; customer ratings and their stars;
safety incidents. An evaluation reads these few rows instead of rescanning the orders,
offers, ratings and incidents of its window, and adds only what depends on the policy
(the judgments, see `metrics.daily`).

The importer keeps the table up to date: each batch adds the counts of its new rows in
the transaction that inserts them (`add_batch`), so a killed import leaves both or
neither. Canonical rows are only ever added (a row whose key is stored with other content
is a conflict, an exact copy a duplicate that adds nothing), so adding a batch's counts
keeps the table equal to a count of the raw tables from scratch (`recount_sql`); the
tests compare the two. A late row for an old day adds to that day.

A warehouse written before this table existed gets it on first use (`ensure_day_facts`):
created and filled from the raw tables in one transaction.

The counts are Ibis expressions over tables named by the caller (the raw tables, or a
batch's new rows), compiled to SQL without a connection, so the same definitions serve
any engine Ibis reaches.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from riderperf.common.canonical import SAFETY_AT_FAULT_KINDS, SAFETY_KINDS
from riderperf.warehouse import built_days
from riderperf.warehouse.connection import has_table, transaction

DAY_FACTS = "rider_day_facts"
# The counts, in column order; every one is a BIGINT, zero when nothing was counted.
FACT_COUNTS = (
    "orders",
    "delivered",
    "promised",
    "late",
    "cancelled",
    "offers",
    "accepted",
    "ratings",
    "stars",
    "incidents",
)
DAY_FACTS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {DAY_FACTS} (rider_id VARCHAR NOT NULL, day DATE NOT NULL, "
    + ", ".join(f"{c} BIGINT NOT NULL" for c in FACT_COUNTS)
    + ")"
)
# The canonical tables that feed the counts, with the columns the counts read.
_UTC = "timestamp('UTC')"
SOURCE_COLUMNS: dict[str, dict[str, str]] = {
    "orders": {
        "rider_id": "string",
        "status": "string",
        "created_at": _UTC,
        "promised_at": _UTC,
        "delivered_at": _UTC,
    },
    "offers": {"rider_id": "string", "response": "string", "offered_at": _UTC},
    "ratings": {"rider_id": "string", "source": "string", "stars": "int32", "created_at": _UTC},
    "incidents": {
        "rider_id": "string",
        "kind": "string",
        "at_fault": "string",
        "occurred_at": _UTC,
    },
}
_DELTA, _MERGED = "_day_facts_delta", "_day_facts_merged"


def count_where(condition: Any) -> Any:
    """How many rows of the group satisfy `condition` (0 when none; null counts as not), as
    int64."""
    import ibis

    return ibis.ifelse(condition, 1, 0).cast("int64").sum()


def _orders(t: Any) -> Any:
    from riderperf.warehouse.functions import utc_day

    t = t.filter(t.rider_id.notnull())
    t = t.select("rider_id", "status", "promised_at", "delivered_at", day=utc_day(t.created_at))
    delivered = t.status == "delivered"
    return t.group_by(["rider_id", "day"]).aggregate(
        orders=t.count(),
        delivered=count_where(delivered),
        promised=count_where(delivered & t.promised_at.notnull()),
        late=count_where(delivered & (t.delivered_at > t.promised_at)),
        cancelled=count_where(t.status == "cancelled"),
    )


def _offers(t: Any) -> Any:
    from riderperf.warehouse.functions import utc_day

    t = t.filter(t.rider_id.notnull())
    t = t.select("rider_id", "response", day=utc_day(t.offered_at))
    return t.group_by(["rider_id", "day"]).aggregate(
        offers=t.count(), accepted=count_where(t.response == "accepted")
    )


def _ratings(t: Any) -> Any:
    from riderperf.warehouse.functions import utc_day

    t = t.filter(t.rider_id.notnull(), t.source == "customer")
    t = t.select("rider_id", "stars", day=utc_day(t.created_at))
    return t.group_by(["rider_id", "day"]).aggregate(
        ratings=t.count(), stars=t.stars.cast("int64").sum()
    )


def _incidents(t: Any) -> Any:
    from riderperf.warehouse.functions import utc_day

    counted = t.kind.isin(list(SAFETY_KINDS)) | (
        t.kind.isin(list(SAFETY_AT_FAULT_KINDS)) & (t.at_fault == "yes")
    )
    t = t.filter(t.rider_id.notnull(), counted)
    t = t.select("rider_id", day=utc_day(t.occurred_at))
    return t.group_by(["rider_id", "day"]).aggregate(incidents=t.count())


_COUNTS = {"orders": _orders, "offers": _offers, "ratings": _ratings, "incidents": _incidents}


def source_counts(source: str, table: Any) -> Any:
    """The day facts one canonical table adds: rows (rider_id, day, every count), zero for
    the counts it does not feed. `table` is an Ibis table with that table's columns."""
    import ibis

    sums = _COUNTS[source](table)
    zero = ibis.literal(0, "int64")
    return sums.select(
        "rider_id",
        "day",
        **{c: sums[c].cast("int64") if c in sums.columns else zero for c in FACT_COUNTS},
    )


def _unbound(source: str, name: str) -> Any:
    import ibis

    return ibis.table(SOURCE_COLUMNS[source], name=name)


def recount_expr(tables: dict[str, Any]) -> Any:
    """Every day fact from scratch, from the Ibis tables `tables` (source name → table):
    the sources' counts stacked and summed per rider and day."""
    parts = [source_counts(source, table) for source, table in tables.items()]
    stacked = parts[0]
    for part in parts[1:]:
        stacked = stacked.union(part)
    return stacked.group_by(["rider_id", "day"]).aggregate(
        **{c: stacked[c].sum().cast("int64") for c in FACT_COUNTS}
    )


@cache
def recount_sql() -> str:
    """DuckDB SQL counting every day fact from the raw canonical tables (compiled once per
    process: Ibis takes a tenth of a second, which every small import paid)."""
    import ibis

    tables = {source: _unbound(source, source) for source in SOURCE_COLUMNS}
    return str(ibis.to_sql(recount_expr(tables), dialect="duckdb"))


@cache
def batch_sql(source: str, rows: str) -> str:
    """DuckDB SQL counting the day facts of table `rows`, which holds new rows of `source`
    under their canonical column names."""
    import ibis

    return str(ibis.to_sql(source_counts(source, _unbound(source, rows)), dialect="duckdb"))


def ensure_day_facts(con: Any) -> bool:
    """Creates and fills `rider_day_facts` from the raw tables when the warehouse has none
    (one transaction); returns whether it did. Needs a writable warehouse."""
    if has_table(con, DAY_FACTS):
        return False
    sql = recount_sql()
    with transaction(con):
        con.execute(DAY_FACTS_DDL)
        con.execute(f"INSERT INTO {DAY_FACTS} {sql}")
    return True


def add_batch(con: Any, source: str, rows: str) -> int:
    """Adds the day facts of the new rows in table or view `rows` (canonical column names)
    of canonical table `source` to `rider_day_facts`; returns the rider-days touched.

    Runs inside the caller's transaction (the one inserting the rows); a table that feeds
    no day fact adds nothing."""
    if source not in SOURCE_COLUMNS:
        return 0
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_DELTA} AS {batch_sql(source, rows)}")
    added = ", ".join(f"coalesce(f.{c}, 0) + d.{c}" for c in FACT_COUNTS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_MERGED} AS SELECT d.rider_id, d.day, {added} "
        f"FROM {_DELTA} d LEFT JOIN {DAY_FACTS} f ON f.rider_id = d.rider_id AND f.day = d.day"
    )
    con.execute(
        f"DELETE FROM {DAY_FACTS} USING {_DELTA} d "
        f"WHERE {DAY_FACTS}.rider_id = d.rider_id AND {DAY_FACTS}.day = d.day"
    )
    con.execute(f"INSERT INTO {DAY_FACTS} SELECT * FROM {_MERGED}")
    # rider_daily's rows of these days were built from the facts as they were.
    built_days.forget_days(con, f"SELECT DISTINCT day FROM {_DELTA}")
    rows_touched = con.execute(f"SELECT count(*) FROM {_DELTA}").fetchall()
    con.execute(f"DROP TABLE {_DELTA}")
    con.execute(f"DROP TABLE {_MERGED}")
    return int(rows_touched[0][0])

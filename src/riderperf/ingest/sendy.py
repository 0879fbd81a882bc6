"""Converts the Sendy Nairobi 2019 orders and riders into canonical riders.csv and orders.csv.

The conversion is one DuckDB pass per table. Rules and their numbers live in
`sendy_rules`; docs/sendy.md explains every assumption and the measured counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from riderperf.common.canonical import ORDERS, RIDERS, Table
from riderperf.ingest.sendy_rules import (
    SENDY_MONTHS,
    SendyRules,
    check_months,
    clock_sql,
    count_rule_breaks,
    first_weekday_sql,
    int_sql,
    iso_sql,
    months_sql,
    num_sql,
    promised_sql,
    quote_ident,
    sql_literal,
    weather_sql,
    zone_sql,
)

CITY = "Nairobi"
# Sendy's events, in timeline order, and the canonical timestamp each one becomes.
EVENTS: tuple[tuple[str, str], ...] = (
    ("Placement", "created_at"),
    ("Confirmation", "accepted_at"),
    ("Arrival at Pickup", "arrived_store_at"),
    ("Pickup", "picked_up_at"),
    ("Arrival at Destination", "delivered_at"),
)
# Source columns kept beside the canonical ones, as written, under a sendy_ name.
ORDER_EXTRAS = {
    "Vehicle Type": "sendy_vehicle_type",
    "Platform Type": "sendy_platform_type",
    "Personal or Business": "sendy_personal_or_business",
    "Pickup Lat": "sendy_pickup_lat",
    "Pickup Long": "sendy_pickup_long",
    "Destination Lat": "sendy_destination_lat",
    "Destination Long": "sendy_destination_long",
    "Temperature": "sendy_temperature_c",
    "Precipitation in millimeters": "sendy_precipitation_mm",
    "Time from Pickup to Arrival": "sendy_pickup_to_arrival_s",
}
RIDER_EXTRAS = {
    "No_Of_Orders": "sendy_no_of_orders",
    "Age": "sendy_age_days",
    "Average_Rating": "sendy_average_rating",
    "No_of_Ratings": "sendy_no_of_ratings",
}
EVENT_PARTS = ("Day of Month", "Weekday (Mo = 1)", "Time")
# Source columns turned into canonical ones (the rest is kept as sendy_ extras).
TRAIN_CONSUMED = (
    "Order No",
    "User Id",
    "Rider Id",
    "Distance (KM)",
    *(f"{event} - {part}" for event, _ in EVENTS for part in EVENT_PARTS),
)
TRAIN_NEEDED = (*TRAIN_CONSUMED, "Vehicle Type", "Temperature", "Precipitation in millimeters")
RIDERS_CONSUMED = ("Rider Id",)
RIDERS_NEEDED = ("Rider Id", "Age")


@dataclass(frozen=True)
class SendyConversion:
    """What `convert_sendy` wrote, and what it did not write and why."""

    out: Path
    rows: dict[str, int]  # rows written per canonical table
    source_rows: int  # data rows in Train.csv
    set_aside: dict[str, int]  # Train.csv rows not written, by reason
    invalid: dict[str, int]  # written rows that break a canonical rule, by rule
    invalid_rows: dict[str, int]  # per table: written rows the importer will reject
    test_rows_omitted: int  # Test.csv rows: no delivery time, so not orders
    riders_as_of: date  # the day Riders.csv `Age` is counted back from
    joined_on_clamped: int  # riders whose joined_on was moved back to their first order
    months: dict[int, tuple[int, int]] = field(default_factory=dict)


def convert_sendy(
    src: Path,
    out: Path,
    *,
    months: Mapping[int, tuple[int, int]] = SENDY_MONTHS,
    riders_as_of: date | None = None,
    promise_allowance_min: float = SendyRules.promise_allowance_min,
    promise_speed_kmh: float = SendyRules.promise_speed_kmh,
    heavy_rain_mm: float = SendyRules.heavy_rain_mm,
    extreme_heat_c: float = SendyRules.extreme_heat_c,
    zone_cell_deg: float = SendyRules.zone_cell_deg,
) -> SendyConversion:
    """Writes `out`/riders.csv and `out`/orders.csv from `src`/Train.csv and Riders.csv.

    `months` files each weekday of the 1st (ISO, Monday = 1) under the (year, month) that
    stands for it; `riders_as_of` (the day Riders.csv `Age` counts back from) defaults to
    the day of the last converted order. The other keywords are the rules' numbers.
    """
    rules = SendyRules(
        promise_allowance_min, promise_speed_kmh, heavy_rain_mm, extreme_heat_c, zone_cell_deg
    )
    check_months(months)
    train, riders_file, test = (src / name for name in ("Train.csv", "Riders.csv", "Test.csv"))
    con = duckdb.connect()
    train_columns = _read(con, "train_src", train, TRAIN_NEEDED)
    riders_columns = _read(con, "riders_src", riders_file, RIDERS_NEEDED)
    con.execute(_parsed_sql(months))
    con.execute(_orders_sql(rules, _extras(train_columns, TRAIN_CONSUMED, ORDER_EXTRAS)))
    as_of = riders_as_of or _last_order_day(con)
    con.execute(_riders_sql(as_of, _extras(riders_columns, RIDERS_CONSUMED, RIDER_EXTRAS)))

    out.mkdir(parents=True, exist_ok=True)
    rows = {
        "riders": _write(con, "riders_typed", RIDERS, out / "riders.csv"),
        "orders": _write(con, "orders_typed", ORDERS, out / "orders.csv"),
    }
    invalid: dict[str, int] = {}
    invalid_rows: dict[str, int] = {}
    for table in (RIDERS, ORDERS):
        by_rule, n_rows = count_rule_breaks(con, table, f"{table.name}_typed")
        invalid.update(by_rule)
        invalid_rows[table.name] = n_rows
    set_aside = dict(
        con.execute(
            "SELECT reason, count(*) FROM parsed WHERE reason IS NOT NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    clamped = con.execute("SELECT count(*) FROM riders_typed WHERE _clamped").fetchone()
    return SendyConversion(
        out=out,
        rows=rows,
        source_rows=_count(con, "train_src"),
        set_aside={str(k): int(v) for k, v in set_aside.items()},
        invalid=invalid,
        invalid_rows=invalid_rows,
        test_rows_omitted=_count_file(con, test) if test.exists() else 0,
        riders_as_of=as_of,
        joined_on_clamped=int(clamped[0]) if clamped else 0,
        months=dict(months),
    )


def _text(column: str) -> str:
    """A source value as written; blank counts as missing."""
    return f"NULLIF(trim({quote_ident(column)}), '')"


def _read(
    con: duckdb.DuckDBPyConnection, name: str, path: Path, needed: tuple[str, ...]
) -> list[str]:
    """Loads a source file as text; returns its column names."""
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: not found; the Sendy folder needs Train.csv and Riders.csv"
        )
    con.execute(
        f"CREATE TEMP TABLE {name} AS SELECT * FROM "
        f"read_csv({sql_literal(str(path))}, header=true, all_varchar=true)"
    )
    present = [str(r[0]) for r in con.execute(f"DESCRIBE {name}").fetchall()]
    missing = [c for c in needed if c not in present]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)}; is this the Sendy 2019 file?"
        )
    return present


def _extras(
    present: list[str], consumed: tuple[str, ...], named: Mapping[str, str]
) -> dict[str, str]:
    """Every source column not turned into a canonical one -> its sendy_ column name."""
    return {
        c: named.get(c) or "sendy_" + (re.sub(r"[^0-9a-z]+", "_", c.lower()).strip("_") or "x")
        for c in present
        if c not in consumed
    }


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return int(row[0]) if row else 0


def _count_file(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    return _count(con, f"read_csv({sql_literal(str(path))}, header=true, all_varchar=true)")


def _parsed_sql(months: Mapping[int, tuple[int, int]]) -> str:
    """Every Train row with its local timestamps, or the reason it cannot be dated."""
    parts: list[str] = []
    readable: list[str] = []
    for i, (event, _) in enumerate(EVENTS):
        day, wd, clock = (quote_ident(f"{event} - {p}") for p in EVENT_PARTS)
        parts.append(f"{int_sql(day)} AS d{i}, {int_sql(wd)} AS w{i}, {clock_sql(clock)} AS c{i}")
        readable.append(f"d{i} BETWEEN 1 AND 31 AND w{i} BETWEEN 1 AND 7 AND c{i} IS NOT NULL")
    # Each later event is dated by its weekday offset from placement, which crosses midnight
    # and month ends correctly; its day-of-month must then agree.
    dates = ", ".join(f"start + ((w{i} - w0) % 7 + 7) % 7 AS day{i}" for i in range(1, len(EVENTS)))
    stamps = ", ".join(f"day{i} + c{i} AS ts{i}" for i in range(1, len(EVENTS)))
    agree = " AND ".join(f"day(day{i}) = d{i}" for i in range(1, len(EVENTS)))
    return f"""
CREATE TEMP TABLE parsed AS
SELECT *, CASE
    WHEN coalesce({_text("Vehicle Type")}, '') <> 'Bike' THEN 'vehicle is not Bike'
    WHEN NOT coalesce({" AND ".join(readable)}, false) THEN 'unreadable day, weekday or time'
    WHEN start IS NULL THEN 'placement day and weekday fit no month in `months`'
    WHEN NOT ({agree}) THEN 'event weekday and day-of-month disagree'
    END AS reason
FROM (
    SELECT *, start + c0 AS ts0, {stamps}
    FROM (
        SELECT b.*, {dates}
        FROM (
            SELECT b.*, CASE WHEN day(m.month_start + (b.d0 - 1)) = b.d0
                        THEN m.month_start + (b.d0 - 1) END AS start
            FROM (SELECT rowid AS _n, *, {", ".join(parts)} FROM train_src) AS b
            LEFT JOIN {months_sql(months, "m")} ON m.first_wd = {first_weekday_sql("b.d0", "b.w0")}
        ) AS b
    )
)
"""


def _orders_sql(rules: SendyRules, extras: Mapping[str, str]) -> str:
    distance = num_sql(quote_ident("Distance (KM)"))
    exprs = {
        "order_id": _text("Order No"),
        "rider_id": _text("Rider Id"),
        "city": sql_literal(CITY),
        "zone_id": zone_sql(
            num_sql(quote_ident("Pickup Lat")), num_sql(quote_ident("Pickup Long")), rules
        ),
        "customer_id": _text("User Id"),
        **{column: f"ts{i}" for i, (_, column) in enumerate(EVENTS)},
        # Sendy's last event is the rider marking arrival at the destination: the same instant
        # stands for arrival at the door and handover (no door wait can be measured).
        "arrived_customer_at": f"ts{len(EVENTS) - 1}",
        "promised_at": promised_sql("ts0", distance, rules),
        "status": "'delivered'",
        "distance_km": distance,
        "weather": weather_sql(
            num_sql(quote_ident("Temperature")),
            num_sql(quote_ident("Precipitation in millimeters")),
            rules,
        ),
    }
    return f"""
CREATE TEMP TABLE orders_typed AS
SELECT {_canonical_select(ORDERS, exprs)}, {_extras_select(extras)}
FROM parsed WHERE reason IS NULL ORDER BY _n
"""


def _riders_sql(as_of: date, extras: Mapping[str, str]) -> str:
    joined = f"DATE '{as_of.isoformat()}' - {int_sql(quote_ident('Age'))}"
    exprs = {
        "rider_id": "rid",
        "capacity_type": "'crowdsourced'",
        "city": sql_literal(CITY),
        "vehicle": "'motorbike'",
        # A rider cannot join after their first order in the data (see docs/sendy.md).
        "joined_on": "least(joined, first_day)",
        "language": "'en'",
        "status": "'active'",
    }
    return f"""
CREATE TEMP TABLE riders_typed AS
WITH firsts AS (
    SELECT rider_id, min(CAST(created_at AS DATE)) AS first_day
    FROM orders_typed WHERE rider_id IS NOT NULL GROUP BY rider_id
), listed AS (
    SELECT 0 AS src, rowid AS _n, {_text("Rider Id")} AS rid, {joined} AS joined, *
    FROM riders_src
), everyone AS (
    SELECT * FROM listed
    UNION ALL BY NAME
    SELECT 1 AS src, 0 AS _n, f.rider_id AS rid
    FROM firsts AS f ANTI JOIN listed ON listed.rid = f.rider_id
)
SELECT {_canonical_select(RIDERS, exprs)}, {_extras_select(extras)},
       coalesce(first_day < joined, false) AS _clamped
FROM everyone LEFT JOIN firsts ON firsts.rider_id = everyone.rid
ORDER BY src, _n, rid
"""


def _canonical_select(table: Table, exprs: Mapping[str, str]) -> str:
    unknown = set(exprs) - set(table.column_names)
    if unknown:
        raise AssertionError(f"not {table.name} columns in schema v1: {sorted(unknown)}")
    return ", ".join(f"{exprs.get(c, 'NULL')} AS {quote_ident(c)}" for c in table.column_names)


def _extras_select(extras: Mapping[str, str]) -> str:
    return ", ".join(f"{_text(source)} AS {quote_ident(name)}" for source, name in extras.items())


def _last_order_day(con: duckdb.DuckDBPyConnection) -> date:
    row = con.execute(
        "SELECT max(CAST(coalesce(delivered_at, created_at) AS DATE)) FROM orders_typed"
    ).fetchone()
    if not row or row[0] is None:
        raise ValueError("no order could be converted, so pass riders_as_of to date Riders.csv Age")
    value = row[0]
    assert isinstance(value, date)
    return value


def _write(con: duckdb.DuckDBPyConnection, relation: str, table: Table, path: Path) -> int:
    """Writes the canonical columns (timestamps with their offset) then the sendy_ extras."""
    extras = [
        str(r[0])
        for r in con.execute(f"DESCRIBE {relation}").fetchall()
        if str(r[0]).startswith("sendy_")
    ]
    cols = [
        f"{iso_sql(quote_ident(c.name))} AS {quote_ident(c.name)}"
        if c.kind == "timestamp"
        else quote_ident(c.name)
        for c in table.columns
    ] + [quote_ident(c) for c in extras]
    select = f"SELECT {', '.join(cols)} FROM {relation}"
    con.execute(f"COPY ({select}) TO {sql_literal(str(path))} (HEADER, DELIMITER ',')")
    return _count(con, relation)

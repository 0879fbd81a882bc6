"""The rules turning Sendy's fields into canonical values: calendar, clock, weather, promise, zone.

Each rule is a small SQL expression builder (so the bulk conversion stays vectorised)
or a pure function over a handful of values. docs/sendy.md gives the reason for every
number here.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import duckdb

from riderperf.common.canonical import Table

# Nairobi keeps East Africa Time, UTC+03:00, all year: no daylight saving.
NAIROBI_OFFSET = "+03:00"

# Weekday (ISO, Monday = 1) of the 1st of the month -> the (year, month) that stands for it.
# Sendy gives only day-of-month and weekday. Every weekday of the 1st occurs in the data with
# days up to 30 or 31, so the orders span at least seven calendar months; `infer_months`
# picks, for each, the latest month up to the competition launch (August 2019) that starts
# on that weekday and is long enough. tests/integration/test_sendy.py re-derives this table.
SENDY_MONTHS: Mapping[int, tuple[int, int]] = MappingProxyType(
    {
        1: (2019, 7),
        2: (2019, 1),
        3: (2019, 5),
        4: (2019, 8),
        5: (2019, 3),
        6: (2018, 12),
        7: (2018, 7),
    }
)
SENDY_LATEST_MONTH = (2019, 8)


@dataclass(frozen=True)
class SendyRules:
    """The tunable numbers of the conversion; the defaults are the documented choices."""

    promise_allowance_min: float = 40.0  # placement -> pickup, about its 75th percentile
    promise_speed_kmh: float = 16.0  # pickup -> destination, about its 25th percentile
    heavy_rain_mm: float = 7.6  # heavy rain is more than 7.6 mm (AMS glossary, per hour)
    extreme_heat_c: float = 32.0  # NOAA heat-index "extreme caution" starts at 32 °C
    zone_cell_deg: float = 0.05  # about 5.5 km at Nairobi's latitude

    def __post_init__(self) -> None:
        positive = {
            "promise_speed_kmh": self.promise_speed_kmh,
            "zone_cell_deg": self.zone_cell_deg,
        }
        for name, value in positive.items():
            if not value > 0:
                raise ValueError(f"{name} must be greater than 0, got {value}")
        if self.promise_allowance_min < 0 or self.heavy_rain_mm < 0:
            raise ValueError("promise_allowance_min and heavy_rain_mm must not be negative")


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def first_weekday(day: int, weekday: int) -> int:
    """ISO weekday of the 1st of the month in which `day` falls on `weekday`."""
    return (weekday - day) % 7 + 1


def first_weekday_sql(day: str, weekday: str) -> str:
    """SQL twin of `first_weekday` (DuckDB's % keeps the sign of the dividend)."""
    return f"((({weekday}) - ({day})) % 7 + 7) % 7 + 1"


def check_months(months: Mapping[int, tuple[int, int]]) -> None:
    """Raises ValueError unless each month really starts on the weekday it is filed under."""
    for weekday, (year, month) in months.items():
        actual = date(year, month, 1).isoweekday()
        if actual != weekday:
            raise ValueError(
                f"months[{weekday}] = {year}-{month:02d}, but {year}-{month:02d}-01 is ISO "
                f"weekday {actual}; file it under {actual} or pick a month starting on {weekday}"
            )


def infer_months(
    longest_day: Mapping[int, int], latest: tuple[int, int] = SENDY_LATEST_MONTH
) -> dict[int, tuple[int, int]]:
    """For each weekday of the 1st, the latest month up to `latest` starting on it and long
    enough to hold the largest day-of-month seen with it (`longest_day`)."""
    found: dict[int, tuple[int, int]] = {}
    for weekday, day in longest_day.items():
        year, month = latest
        for _ in range(12 * 28):  # the Gregorian calendar repeats every 28 years or sooner
            starts, length = calendar.monthrange(year, month)
            if starts + 1 == weekday and length >= day:
                found[weekday] = (year, month)
                break
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        else:
            raise ValueError(f"no month starting on ISO weekday {weekday} has {day} days")
    return dict(sorted(found.items()))


def months_sql(months: Mapping[int, tuple[int, int]], alias: str) -> str:
    """A VALUES list `alias`(first_wd, month_start) to join the month table on."""
    rows = ", ".join(
        f"({int(wd)}, DATE '{int(y):04d}-{int(m):02d}-01')" for wd, (y, m) in sorted(months.items())
    )
    return f"(VALUES {rows}) AS {alias}(first_wd, month_start)"


def clock_sql(text: str) -> str:
    """12-hour clock text such as '9:35:46 AM' as a TIME; 12:xx AM is just after midnight."""
    return f"CAST(try_strptime(upper(trim({text})), '%I:%M:%S %p') AS TIME)"


def int_sql(text: str) -> str:
    return f"TRY_CAST(trim({text}) AS INTEGER)"


def num_sql(text: str) -> str:
    return f"TRY_CAST(trim({text}) AS DOUBLE)"


def iso_sql(ts: str) -> str:
    """A local Nairobi TIMESTAMP written as ISO-8601 with its +03:00 offset."""
    return f"strftime({ts}, '%Y-%m-%dT%H:%M:%S') || '{NAIROBI_OFFSET}'"


def promised_sql(created: str, distance_km: str, rules: SendyRules) -> str:
    """Promise = placement + fixed allowance + distance at the promise speed, to the second."""
    minutes = (
        f"{float(rules.promise_allowance_min)!r} + ({distance_km}) / "
        f"{float(rules.promise_speed_kmh)!r} * 60.0"
    )
    return f"({created}) + to_seconds(CAST(round(({minutes}) * 60.0) AS BIGINT))"


def weather_sql(temperature_c: str, precipitation_mm: str, rules: SendyRules) -> str:
    """Rain over heat over clear; clear needs a measurement, none at all means unknown."""
    heavy = float(rules.heavy_rain_mm)
    heat = float(rules.extreme_heat_c)
    return (
        f"CASE WHEN ({precipitation_mm}) > {heavy!r} THEN 'heavy_rain' "
        f"WHEN ({precipitation_mm}) > 0 THEN 'rain' "
        f"WHEN ({temperature_c}) > {heat!r} THEN 'extreme_heat' "
        f"WHEN ({temperature_c}) IS NOT NULL OR ({precipitation_mm}) IS NOT NULL THEN 'clear' "
        "END"
    )


def zone_sql(lat: str, lon: str, rules: SendyRules) -> str:
    """The grid cell holding a point, named by its south-west corner in ISO 6709 form."""
    cell = float(rules.zone_cell_deg)
    # round() first so that a point exactly on a cell edge is not pushed into the cell below
    # by floating-point error (-1.35 / 0.05 is -27.000000000000004).
    corner = f"floor(round(({{}}) / {cell!r}, 9)) * {cell!r}"
    return (
        f"CASE WHEN ({lat}) BETWEEN -90 AND 90 AND ({lon}) BETWEEN -180 AND 180 THEN "
        f"'NBO' || printf('%+07.3f%+08.3f', {corner.format(lat)}, {corner.format(lon)}) END"
    )


def count_rule_breaks(
    con: duckdb.DuckDBPyConnection, table: Table, relation: str
) -> tuple[dict[str, int], int]:
    """Rows of `relation` (typed canonical columns) breaking each rule of `table` that the
    importer checks, by rule, and the rows breaking at least one: what it will reject."""
    checks: dict[str, str] = {}
    for c in table.columns:
        if c.required:
            checks[f"{table.name}: {c.name} missing"] = f"{quote_ident(c.name)} IS NULL"
        if c.minimum is not None:
            checks[f"{table.name}: {c.name} below {c.minimum:g}"] = (
                f"{quote_ident(c.name)} < {c.minimum}"
            )
        if c.maximum is not None:
            checks[f"{table.name}: {c.name} above {c.maximum:g}"] = (
                f"{quote_ident(c.name)} > {c.maximum}"
            )
    for cond in table.conditions:
        values = ", ".join(sql_literal(v) for v in cond.equals)
        checks[
            f"{table.name}: {cond.column} missing while {cond.when} is {'/'.join(cond.equals)}"
        ] = f"{quote_ident(cond.column)} IS NULL AND {quote_ident(cond.when)} IN ({values})"
    for order in table.timeline:
        checks[f"{table.name}: {order.later} before {order.earlier}"] = (
            f"{quote_ident(order.later)} < {quote_ident(order.earlier)}"
        )
    names = list(checks)
    counts = ", ".join(f"count(*) FILTER (WHERE {checks[n]})" for n in names)
    anyone = " OR ".join(f"coalesce({checks[n]}, false)" for n in names)
    row = con.execute(
        f"SELECT {counts}, count(*) FILTER (WHERE {anyone}) FROM {relation}"
    ).fetchone()
    assert row is not None
    by_rule = {n: int(v) for n, v in zip(names, row[:-1], strict=True) if v}
    return by_rule, int(row[-1])

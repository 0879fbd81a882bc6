"""The pipeline's large statements, compiled once per policy version and release.

Building and compiling the judgment expression takes about half a second and the daily
facts a quarter of one, on every evaluation. Yet their SQL depends only on the policy's
numbers and version and on this release of riderperf and its libraries, not on the
period: the period's bounds are DuckDB variables that the SQL reads when it runs
(`Bounds.variables()`, given values by `bounds_set`). So each statement is compiled once
and kept, in this process and in the warehouse table `_compiled_sql`, and the next
evaluation of any period under the same policy version starts from the text.

A statement is kept under a SHA-256 digest of its name, of what it depends on (the
caller passes the policy numbers and version), of every source file of the riderperf
package and of the versions of Ibis, sqlglot and DuckDB. A change to any of them gives
a new key, so a kept statement is never run with other code or other numbers. The
statements kept by another release (other sources or libraries) are removed when this
one keeps its first, so the table holds one release's statements.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.datatypes as dt
import sqlglot

from riderperf.clock import as_utc, utc_day
from riderperf.warehouse.connection import Warehouse

COMPILED_TABLE = "_compiled_sql"
_COMPILED_DDL = (
    f"CREATE TABLE IF NOT EXISTS {COMPILED_TABLE} (key VARCHAR PRIMARY KEY, "
    "name VARCHAR NOT NULL, release VARCHAR NOT NULL, sql VARCHAR NOT NULL, "
    "compiled_at TIMESTAMPTZ NOT NULL)"
)
_COLUMNS = ["key", "name", "release", "sql", "compiled_at"]
# The variables the statements read their period from.
START_AT, END_AT = "riderperf_start_at", "riderperf_end_at"
FIRST_DAY, END_DAY = "riderperf_first_day", "riderperf_end_day"
_KEPT: dict[str, str] = {}


@ibis.udf.scalar.builtin(name="getvariable")
def _instant_variable(variable: str) -> dt.Timestamp(timezone="UTC"):  # type: ignore[valid-type]
    """The instant a DuckDB variable holds."""


@ibis.udf.scalar.builtin(name="getvariable")
def _day_variable(variable: str) -> dt.date:
    """The date a DuckDB variable holds."""


@dataclass(frozen=True)
class Bounds:
    """A period [start, end) as the pipeline compares with it: as instants (for the times
    of orders, offers, ratings, incidents) and as UTC days (for `day` columns), each an
    Ibis value: literals would bake the period into the SQL, variables leave it to run
    time."""

    start_at: Any
    end_at: Any
    first_day: Any
    end_day: Any

    @classmethod
    def variables(cls) -> Bounds:
        """The period `bounds_set` gives when the statement runs."""
        return cls(
            _instant_variable(START_AT),
            _instant_variable(END_AT),
            _day_variable(FIRST_DAY),
            _day_variable(END_DAY),
        )

    @classmethod
    def literals(cls, start_at: datetime, end_at: datetime) -> Bounds:
        """The instants [start_at, end_at) and their UTC days written into the statement:
        for an engine without DuckDB's variables (Spark), where nothing is kept compiled."""
        return cls(
            ibis.literal(as_utc(start_at), type=dt.Timestamp(timezone="UTC")),
            ibis.literal(as_utc(end_at), type=dt.Timestamp(timezone="UTC")),
            ibis.literal(utc_day(start_at), type=dt.date),
            ibis.literal(utc_day(end_at), type=dt.date),
        )


@contextmanager
def bounds_set(con: Any, start_at: datetime, end_at: datetime) -> Iterator[None]:
    """Gives the variables of `Bounds.variables()` the instants [start_at, end_at) and
    their UTC days while the block runs, then removes them."""
    values = {
        START_AT: start_at,
        END_AT: end_at,
        FIRST_DAY: utc_day(start_at),
        END_DAY: utc_day(end_at),
    }
    try:
        for name, value in values.items():
            con.execute(f"SET VARIABLE {name} = ?", [value])
        yield
    finally:
        for name in values:
            con.execute(f"RESET VARIABLE {name}")


def compiled_sql(warehouse: Warehouse, name: str, depends_on: str, build: Callable[[], Any]) -> str:
    """The SQL of the expression `build()` returns, compiled the first time `name` is
    asked for with `depends_on` (a text holding every value the expression is built
    from) in this release, and kept from then on."""
    key = statement_key(name, depends_on)
    sql = _KEPT.get(key)
    if sql is None:
        sql = _kept_in_warehouse(warehouse, key)
    if sql is None:
        sql = ibis.to_sql(build(), dialect="duckdb")
        if not warehouse.read_only:  # a read-only reader keeps it in this process only
            con = warehouse.con
            con.execute(f"DELETE FROM {COMPILED_TABLE} WHERE release <> ?", [release()])
            con.execute(
                f"INSERT INTO {COMPILED_TABLE} VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [key, name, release(), sql, datetime.now(UTC)],
            )
    _KEPT[key] = sql
    return sql


def _kept_in_warehouse(warehouse: Warehouse, key: str) -> str | None:
    con = warehouse.con
    columns = warehouse.columns(COMPILED_TABLE)
    if columns != _COLUMNS:
        if warehouse.read_only:
            return None
        # Kept by a riderperf whose table had other columns: a cache, so it starts over.
        con.execute(f"DROP TABLE IF EXISTS {COMPILED_TABLE}")
        con.execute(_COMPILED_DDL)
    row = con.execute(f"SELECT sql FROM {COMPILED_TABLE} WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def statement_key(name: str, depends_on: str) -> str:
    text = "\x00".join((name, depends_on, release()))
    return hashlib.sha256(text.encode()).hexdigest()


def release() -> str:
    """What a statement's text depends on besides its own inputs: the sources of riderperf
    and the versions of Ibis, sqlglot and DuckDB, as one digest."""
    parts = (source_digest(), ibis.__version__, sqlglot.__version__, duckdb.__version__)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@cache
def source_digest() -> str:
    """SHA-256 of every Python source file of the riderperf package, with its path."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\x00")
        digest.update(path.read_bytes())
    return digest.hexdigest()

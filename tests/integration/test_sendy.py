"""The Sendy Nairobi 2019 data converts completely, consistently, and imports as counted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from riderperf.cli.app import app
from riderperf.common.canonical import ORDERS, RIDERS
from riderperf.ingest.sendy import SendyConversion, convert_sendy
from riderperf.ingest.sendy_rules import SENDY_MONTHS, first_weekday, infer_months

pytestmark = pytest.mark.datasets

NAME = "sendy-nairobi-2019"


def dataset_dir() -> Path:
    """$RIDERPERF_DATASETS/<name> when set, else the shared folder beside the repository."""
    root = os.environ.get("RIDERPERF_DATASETS")
    base = (
        Path(root) if root else Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
    )
    return base / NAME


@pytest.fixture(scope="module")
def src() -> Path:
    folder = dataset_dir()
    if not (folder / "Train.csv").is_file() or not (folder / "Riders.csv").is_file():
        pytest.skip(f"Sendy dataset not found at {folder} (set RIDERPERF_DATASETS to its parent)")
    return folder


@pytest.fixture(scope="module")
def converted(src: Path, tmp_path_factory: pytest.TempPathFactory) -> SendyConversion:
    return convert_sendy(src, tmp_path_factory.mktemp("sendy") / "canonical")


@pytest.fixture(scope="module")
def con(src: Path, converted: SendyConversion) -> duckdb.DuckDBPyConnection:
    """The source files and the converted files, all as text, in one DuckDB connection."""
    c = duckdb.connect()
    for name, path in {
        "train": src / "Train.csv",
        "test": src / "Test.csv",
        "orders": converted.out / "orders.csv",
        "riders": converted.out / "riders.csv",
    }.items():
        if path.exists():
            c.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', all_varchar=true)")
    return c


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [str(r[0]) for r in con.execute(f"DESCRIBE {table}").fetchall()]


def test_every_train_row_is_written_or_set_aside_with_a_reason(
    converted: SendyConversion, con: duckdb.DuckDBPyConnection
) -> None:
    source_rows = scalar(con, "SELECT count(*) FROM train")
    written = scalar(con, "SELECT count(*) FROM orders")
    assert converted.source_rows == source_rows
    assert written == converted.rows["orders"]
    assert written + sum(converted.set_aside.values()) == source_rows
    assert scalar(con, "SELECT count(DISTINCT order_id) FROM orders") == written


def test_test_rows_are_counted_as_omitted(
    src: Path, converted: SendyConversion, con: duckdb.DuckDBPyConnection
) -> None:
    expected = scalar(con, "SELECT count(*) FROM test") if (src / "Test.csv").exists() else 0
    assert converted.test_rows_omitted == expected


def test_every_rider_of_an_order_and_of_riders_csv_is_in_riders(
    src: Path, converted: SendyConversion, con: duckdb.DuckDBPyConnection
) -> None:
    assert scalar(con, "SELECT count(*) FROM orders WHERE rider_id IS NULL") == 0
    missing = "SELECT count(*) FROM orders o ANTI JOIN riders r ON r.rider_id = o.rider_id"
    assert scalar(con, missing) == 0
    listed = f"read_csv('{src / 'Riders.csv'}', all_varchar=true)"
    unlisted = f'SELECT count(*) FROM {listed} s ANTI JOIN riders r ON r.rider_id = s."Rider Id"'
    assert scalar(con, unlisted) == 0
    assert scalar(con, "SELECT count(*) FROM riders WHERE joined_on IS NULL") == 0
    assert converted.rows["riders"] == scalar(con, "SELECT count(DISTINCT rider_id) FROM riders")


def test_files_have_exactly_the_schema_columns_then_sendy_extras(
    con: duckdb.DuckDBPyConnection,
) -> None:
    for table in (ORDERS, RIDERS):
        names = columns(con, table.name)
        n = len(table.column_names)
        assert tuple(names[:n]) == table.column_names
        assert names[n:] and all(c.startswith("sendy_") for c in names[n:])


def test_timelines_keep_the_schema_order_except_the_counted_invalid_rows(
    converted: SendyConversion, con: duckdb.DuckDBPyConnection
) -> None:
    broken = [f"{o.later}::TIMESTAMPTZ < {o.earlier}::TIMESTAMPTZ" for o in ORDERS.timeline]
    any_broken = " OR ".join(f"coalesce({b}, false)" for b in broken)
    assert (
        scalar(con, f"SELECT count(*) FROM orders WHERE {any_broken}")
        == (converted.invalid_rows["orders"])
    )
    for order, condition in zip(ORDERS.timeline, broken, strict=True):
        n = scalar(con, f"SELECT count(*) FROM orders WHERE {condition}")
        assert n == converted.invalid.get(f"orders: {order.later} before {order.earlier}", 0)


def test_timestamps_keep_the_source_day_weekday_and_clock(con: duckdb.DuckDBPyConnection) -> None:
    events = {
        "Placement": "created_at",
        "Confirmation": "accepted_at",
        "Arrival at Pickup": "arrived_store_at",
        "Pickup": "picked_up_at",
        "Arrival at Destination": "delivered_at",
    }
    joined = 'FROM orders o JOIN train t ON t."Order No" = o.order_id'
    for event, column in events.items():
        local = f"CAST(left(o.{column}, 19) AS TIMESTAMP)"
        mismatch = (
            f'day({local}) <> t."{event} - Day of Month"::INT '
            f'OR isodow({local}) <> t."{event} - Weekday (Mo = 1)"::INT '
            f"OR CAST({local} AS TIME) <> "
            f"CAST(strptime(t.\"{event} - Time\", '%I:%M:%S %p') AS TIME)"
        )
        assert scalar(con, f"SELECT count(*) {joined} WHERE {mismatch}") == 0, event
    assert scalar(con, "SELECT count(*) FROM orders WHERE right(created_at, 6) <> '+03:00'") == 0
    # Sendy's own duration column agrees with the converted timestamps, midnight or not.
    duration = "epoch(o.delivered_at::TIMESTAMPTZ - o.picked_up_at::TIMESTAMPTZ)"
    wrong = f'SELECT count(*) {joined} WHERE {duration} <> t."Time from Pickup to Arrival"::INT'
    assert scalar(con, wrong) == 0


def test_default_months_are_the_ones_the_data_implies(con: duckdb.DuckDBPyConnection) -> None:
    day, weekday = '"Placement - Day of Month"::INT', '"Placement - Weekday (Mo = 1)"::INT'
    pairs = con.execute(f"SELECT DISTINCT {day}, {weekday} FROM train").fetchall()
    longest: dict[int, int] = {}
    for d, w in pairs:
        first = first_weekday(int(d), int(w))
        longest[first] = max(longest.get(first, 0), int(d))
    assert infer_months(longest) == dict(SENDY_MONTHS)


def test_importer_takes_every_converted_row_but_the_counted_invalid_ones(
    converted: SendyConversion, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        ["import", str(converted.out), "--json"],
        env={"RIDERPERF_HOME": str(tmp_path / "home")},
    )
    assert result.exit_code in (0, 3), result.output
    tables = json.loads(result.stdout)["tables"]
    invalid = converted.invalid_rows
    assert tables["riders"]["inserted"] == converted.rows["riders"] - invalid["riders"]
    assert tables["orders"]["read"] == converted.rows["orders"]
    assert tables["orders"]["inserted"] == converted.rows["orders"] - invalid["orders"]
    assert tables["orders"]["rejected"] == invalid["orders"]
    assert tables["riders"]["rejected"] == invalid["riders"]

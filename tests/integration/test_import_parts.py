"""A Parquet file larger than `import_batch_rows` is imported in parts, each its own
transaction: the warehouse, the counts, the day facts and the rejects are those of a whole
import, and the rejects name the rows of the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.warehouse.day_facts import DAY_FACTS, recount_sql
from tests.canonical_rows import order, rider, write_table
from tests.databases import copy_sqlite
from tests.integration.test_import import mixed_orders, read_rejects, warehouse_rows
from tests.snapshots import Snapshots

TABLES = ("riders", "orders", "offers", "ratings", "complaints", "incidents", "documents")


def settings_for(root: Path, sqlite_template: Path, batch_rows: int) -> Settings:
    settings = Settings(home=root / "home", import_batch_rows=batch_rows)
    copy_sqlite(sqlite_template, settings.home / "riderperf.db")
    return settings


def test_mixed_file_in_parts_keeps_the_good_rows_and_one_rejects_file_in_file_rows(
    tmp_path: Path, sqlite_template: Path
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1"), rider("R2")], "parquet")
    write_table(data, "orders", mixed_orders(), "parquet")
    settings = settings_for(tmp_path, sqlite_template, batch_rows=2)
    steps: list[str] = []

    report = import_path(data, settings, progress=lambda done, total, what: steps.append(what))

    counts = report.tables["orders"].as_dict()
    assert counts == {"read": 9, "inserted": 3, "duplicates": 0, "conflicts": 1, "rejected": 5}
    assert [s for s in steps if s.startswith("orders.parquet part") and "read" in s] == [
        f"orders.parquet part {n}: read {rows} rows"
        for n, rows in ((1, 2), (2, 2), (3, 2), (4, 2), (5, 1))
    ]
    stored = warehouse_rows(settings, "SELECT order_id, _source_row FROM orders ORDER BY 1")
    assert stored == [("O1", 1), ("O2", 2), ("O8", 8)]
    (rejects_file,) = report.rejects
    assert rejects_file.name == "orders.rejects.parquet"
    assert sorted(p.name for p in rejects_file.parent.iterdir()) == [rejects_file.name]
    rejects = read_rejects(rejects_file)
    assert [int(r["_row"]) for r in rejects] == [3, 4, 5, 6, 7, 9]
    assert [r["order_id"] for r in rejects] == [
        mixed_orders()[r - 1]["order_id"] for r in (3, 4, 5, 6, 7, 9)
    ]
    # Row 9 repeats O1's key from an earlier part, which is stored by then: a conflict with
    # the stored row, naming the field that differs.
    last = rejects[-1]
    assert (
        last["_field"] == "delivered_at" and "stored orders row with order_id O1" in last["_error"]
    )


def test_a_file_in_one_part_keeps_its_rejects_file_name(
    tmp_path: Path, sqlite_template: Path
) -> None:
    data = tmp_path / "data"
    write_table(data, "riders", [rider("R1")], "parquet")
    write_table(data, "orders", [order("O1"), order("O2", status="lost")], "parquet")
    report = import_path(data, settings_for(tmp_path, sqlite_template, batch_rows=100))
    assert [p.name for p in report.rejects] == ["orders.rejects.parquet"]


@pytest.fixture(scope="module")
def city(snapshots: Snapshots) -> Path:
    return snapshots.dataset(riders=40, days=3, seed=5, start=date(2026, 2, 2))


def test_a_city_in_parts_equals_the_city_whole_and_a_second_import_adds_nothing(
    city: Path, tmp_path: Path, sqlite_template: Path
) -> None:
    whole = settings_for(tmp_path / "whole", sqlite_template, batch_rows=10_000_000)
    parted = settings_for(tmp_path / "parted", sqlite_template, batch_rows=1000)
    first = import_path(city, whole)
    in_parts = import_path(city, parted)
    assert first.exit_code == in_parts.exit_code == 0
    assert first.tables["orders"].read > 2 * 1000  # the orders file was cut in several parts
    assert {t: c.as_dict() for t, c in in_parts.tables.items()} == {
        t: c.as_dict() for t, c in first.tables.items()
    }
    for table in TABLES:
        sql = f"SELECT * EXCLUDE (_import_id) FROM {table} ORDER BY ALL"
        assert warehouse_rows(parted, sql) == warehouse_rows(whole, sql), table
    facts = f"SELECT * FROM {DAY_FACTS} ORDER BY ALL"
    assert warehouse_rows(parted, facts) == warehouse_rows(whole, facts)
    assert warehouse_rows(parted, facts) == warehouse_rows(parted, f"{recount_sql()} ORDER BY ALL")

    again = import_path(city, parted)
    assert again.tables["orders"].inserted == 0
    assert again.tables["orders"].duplicates == first.tables["orders"].inserted

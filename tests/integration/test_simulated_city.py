"""A simulated city imports whole, and importing it again changes nothing.

Four weeks of a 300-rider city hold every table; the import's speed at scale is measured by
bench/bench_ingest.py, not here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from riderperf.common.canonical import TABLES
from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.simulate import simulate_city


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("city")
    summary = simulate_city(riders=300, days=28, seed=11, start=date(2026, 3, 2), out=out)
    return out, summary.rows


def test_a_four_week_city_imports_whole_then_inserts_nothing_again(
    city: tuple[Path, dict[str, int]], sqlite_settings: Settings
) -> None:
    folder, written = city
    first = import_path(folder, sqlite_settings)
    second = import_path(folder, sqlite_settings)

    assert first.exit_code == 0, first.as_json()
    assert {t: c.inserted for t, c in first.tables.items()} == written
    assert second.exit_code == 0
    assert {t: c.inserted for t, c in second.tables.items()} == {t.name: 0 for t in TABLES}
    assert {t: c.duplicates for t, c in second.tables.items()} == written
    con = duckdb.connect(str(sqlite_settings.warehouse_path), read_only=True)
    stored = {t.name: con.execute(f"SELECT count(*) FROM {t.name}").fetchone() for t in TABLES}
    con.close()
    assert stored == {t: (n,) for t, n in written.items()}


def test_truth_files_are_not_imported_as_tables(
    city: tuple[Path, dict[str, int]], sqlite_settings: Settings
) -> None:
    folder, _ = city
    assert (folder / "truth" / "orders.csv").exists()
    report = import_path(folder / "riders.parquet", sqlite_settings)
    assert set(report.tables) == {"riders"}

"""Whatever one field of a row is broken into, the import finishes, keeps every good row and
reports the broken row by its number and that field.

Hypothesis writes a small file of one canonical table (CSV, JSON Lines or Parquet) with good
rows and rows each corrupted in exactly one field, in a way the format forbids (see
tests/canonical_fuzz.py), sometimes with reserved column names beside the canonical ones,
and imports it. `bench/fuzz_import.py` runs the same catalogue on 10,000 rows and more.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.storage.db import unit_of_work
from riderperf.storage.models import ImportRun
from riderperf.stores import open_stores
from tests.canonical_fuzz import FORMATS, FUZZED_TABLES, RESERVED_COLUMNS, compare, write_mixed
from tests.databases import copy_sqlite

T = TypeVar("T")
_runs = itertools.count()


class DataPick:
    """The fuzz catalogue's choices, drawn by hypothesis (so it can shrink them)."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def one(self, options: Sequence[T]) -> T:
        return self.data.draw(st.sampled_from(options))

    def number(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Path, Path]:
    return tmp_path_factory.mktemp("import_fuzz"), sqlite_template


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=st.sampled_from(FUZZED_TABLES),
    fmt=st.sampled_from(FORMATS),
    good=st.integers(0, 4),
    bad=st.integers(1, 4),
    reserved=st.lists(st.sampled_from(RESERVED_COLUMNS), max_size=2, unique_by=str.lower),
    data=st.data(),
)
def test_a_file_with_one_broken_field_per_bad_row_keeps_the_good_rows_and_names_the_bad(
    workspace: tuple[Path, Path],
    table: str,
    fmt: str,
    good: int,
    bad: int,
    reserved: list[str],
    data: st.DataObject,
) -> None:
    root, template = workspace
    run = root / f"run{next(_runs)}"
    home_settings = Settings(home=run / "home")
    copy_sqlite(template, home_settings.home / "riderperf.db")
    expected = write_mixed(run / "data", table, fmt, good, bad, DataPick(data), reserved=reserved)

    report = import_path(run / "data", home_settings)

    outcome = compare(expected, report, home_settings.warehouse_path)
    assert outcome.problems == [], report.as_json()
    assert report.tables[table].rejected == bad
    assert report.exit_code == 3
    with open_stores(home_settings) as stores, unit_of_work(stores.engine) as session:
        run_row = session.get(ImportRun, report.import_id)
        assert run_row is not None and run_row.finished_at is not None
        assert run_row.exit_code == 3

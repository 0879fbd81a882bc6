"""Exit status of an import, from its counts."""

from __future__ import annotations

from pathlib import Path

from riderperf.ingest.report import FileError, ImportReport, TableCounts


def report(**tables: TableCounts) -> ImportReport:
    r = ImportReport("id", Path("."))
    r.tables.update(tables)
    return r


def test_all_inserted_or_duplicate_is_0() -> None:
    assert report(orders=TableCounts(read=3, inserted=1, duplicates=2)).exit_code == 0


def test_some_rejected_or_conflicting_is_3() -> None:
    assert report(orders=TableCounts(read=3, inserted=2, rejected=1)).exit_code == 3
    assert report(orders=TableCounts(read=3, inserted=2, conflicts=1)).exit_code == 3


def test_nothing_imported_is_1() -> None:
    assert report(orders=TableCounts(read=2, rejected=1, conflicts=1)).exit_code == 1
    assert report().exit_code == 1


def test_unreadable_file_beside_good_ones_is_3() -> None:
    r = report(riders=TableCounts(read=1, inserted=1))
    r.file_errors.append(FileError(Path("orders.parquet"), "orders", "cannot be read"))
    assert r.exit_code == 3

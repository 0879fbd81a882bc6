"""The warehouse writes its log into its file alongside other work, and loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from riderperf.warehouse.connection import open_warehouse


def wal_size(path: Path) -> int:
    wal = path.with_name(path.name + ".wal")
    return wal.stat().st_size if wal.exists() else 0


def test_the_log_is_written_into_the_file_while_the_block_runs(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with open_warehouse(path) as wh:
        wh.con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(1000)")
        assert wal_size(path) > 0
        with wh.checkpoint_alongside():
            done_in_block = sum(range(10))
        assert wal_size(path) == 0
        assert wh.count("numbers") == 1000
    assert done_in_block == 45
    with open_warehouse(path, read_only=True) as wh:
        assert wh.count("numbers") == 1000


def test_an_error_of_the_block_is_raised_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with open_warehouse(path) as wh:
        wh.con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(10)")
        with pytest.raises(KeyError, match="scoring"), wh.checkpoint_alongside():
            raise KeyError("scoring")
        assert wal_size(path) == 0  # the checkpoint still finished before the error left
        assert wh.count("numbers") == 10


def test_a_read_only_warehouse_has_nothing_to_write(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with open_warehouse(path) as wh:
        wh.con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(10)")
    with open_warehouse(path, read_only=True) as wh, wh.checkpoint_alongside():
        assert wh.read_only

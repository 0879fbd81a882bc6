"""RIDERPERF_WAREHOUSE_MEMORY caps what the warehouse engine holds before it spills."""

from __future__ import annotations

from pathlib import Path

import pytest

from riderperf.config import Settings
from riderperf.stores import open_stores
from riderperf.warehouse.connection import connect


def test_the_limit_reaches_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIDERPERF_WAREHOUSE_MEMORY", "96MiB")
    settings = Settings(home=tmp_path)
    assert settings.warehouse_memory == "96MiB"
    with open_stores(settings) as stores:
        [(limit,)] = stores.warehouse.con.execute(
            "SELECT current_setting('memory_limit')"
        ).fetchall()
    assert limit == "96.0 MiB"


def test_a_size_duckdb_would_not_read_is_refused_with_what_to_write(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="write a size such as 12GB"):
        connect(tmp_path / "w.duckdb", memory_limit="lots")
    assert not (tmp_path / "w.duckdb").exists()

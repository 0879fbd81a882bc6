"""Which file holds which table, and settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from riderperf.config import Settings
from riderperf.ingest.sources import find_sources, table_for


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("orders.csv", "orders"),
        ("orders-2026-01.parquet", "orders"),
        ("ratings_part2.jsonl", "ratings"),
        ("offers.ndjson", "offers"),
        ("ORDERS.CSV", None),
        ("orderstuff.csv", None),
        ("orders.xlsx", None),
        ("notes.txt", None),
    ],
)
def test_table_is_named_by_the_file(name: str, table: str | None) -> None:
    assert table_for(Path(name)) == table


def test_files_come_in_dependency_order(tmp_path: Path) -> None:
    for name in ("ratings.csv", "orders.csv", "riders.csv", "documents.csv", "readme.md"):
        (tmp_path / name).write_text("x\n")
    sources, ignored = find_sources(tmp_path)
    assert [s.table for s in sources] == ["riders", "orders", "ratings", "documents"]
    assert ignored == [tmp_path / "readme.md"]


def test_settings_default_to_files_under_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RIDERPERF_HOME", str(tmp_path))
    monkeypatch.delenv("RIDERPERF_DATABASE_URL", raising=False)
    monkeypatch.delenv("RIDERPERF_WAREHOUSE_URL", raising=False)
    s = Settings()
    assert s.app_database_url == f"sqlite:///{tmp_path.resolve() / 'riderperf.db'}"
    assert s.warehouse_path == tmp_path.resolve() / "warehouse.duckdb"


def test_warehouse_url_takes_a_duckdb_file_and_refuses_other_engines(tmp_path: Path) -> None:
    assert (
        Settings(warehouse_url=f"duckdb:///{tmp_path}/w.duckdb").warehouse_path
        == tmp_path / "w.duckdb"
    )
    with pytest.raises(ValueError, match=r"give duckdb:///path/to/warehouse\.duckdb"):
        _ = Settings(warehouse_url="postgres://x/y").warehouse_path
    assert Settings(warehouse_url=f"duckdb:///{tmp_path}/w.duckdb").lakehouse is None


@pytest.mark.parametrize(
    ("url", "lake"),
    [
        ("lakehouse:///data/lake", "/data/lake"),
        ("lakehouse://lake", "<cwd>/lake"),
        ("lakehouse:s3a://bucket/lake", "s3a://bucket/lake"),
    ],
)
def test_a_lakehouse_url_names_the_folder_spark_reads_and_no_duckdb_file(
    url: str, lake: str
) -> None:
    settings = Settings(warehouse_url=url)
    assert settings.lakehouse == lake.replace("<cwd>", str(Path.cwd().resolve()))
    with pytest.raises(ValueError, match="a lakehouse computed on Spark"):
        _ = settings.warehouse_path

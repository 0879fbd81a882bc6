"""Writes the warehouse's tables as Parquet files in a folder: the lakehouse that Spark (or
any engine reading Parquet) runs the pipeline's expressions over (`warehouse.spark`).

Instants are written as Parquet's UTC timestamps, which Spark reads as its TIMESTAMP; the
rows keep their lineage columns (`_import_id`, `_source`, …) beside the canonical ones.
"""

from __future__ import annotations

from pathlib import Path

from riderperf.common.canonical import TABLES
from riderperf.warehouse.connection import Warehouse
from riderperf.warehouse.tables import quote

CANONICAL = tuple(t.name for t in TABLES)


def export_parquet(
    warehouse: Warehouse, folder: Path, tables: tuple[str, ...] = CANONICAL
) -> list[Path]:
    """Writes each of `tables` as `<folder>/<table>.parquet` (replacing the file), rows in
    the warehouse's order; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = folder / f"{table}.parquet"
        target = str(path).replace("'", "''")
        warehouse.con.execute(f"COPY {quote(table)} TO '{target}' (FORMAT parquet)")
        written.append(path)
    return written

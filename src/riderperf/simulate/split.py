"""Splits a simulated city at a day: what a platform holds before it, and what that day adds.

A daily import brings the rows dated on the new day; riders and documents are known from
the start. `split_at(city, day, before, after)` writes the Parquet files of `city` as two
folders of the same files: `before` holds riders, documents and every dated row before
`day` (UTC); `after` the dated rows from `day` on. Importing `before` and then `after` gives
the warehouse that importing `city` at once gives.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

# The column that dates the rows of each dated table.
DATED = {
    "orders": "created_at",
    "offers": "offered_at",
    "ratings": "created_at",
    "complaints": "created_at",
    "incidents": "occurred_at",
}


def split_at(city: Path, day: date, before: Path, after: Path) -> None:
    """Writes the city's Parquet files split at `day` into `before` and `after` (both
    replaced)."""
    import duckdb

    for folder in (before, after):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    cut = datetime.combine(day, datetime.min.time(), UTC)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        for path in sorted(city.glob("*.parquet")):
            source = f"read_parquet('{path}')"
            column = DATED.get(path.stem)
            if column is None:
                con.execute(
                    f"COPY (SELECT * FROM {source}) TO '{before / path.name}' (FORMAT parquet)"
                )
                continue
            for folder, test in ((before, "<"), (after, ">=")):
                con.execute(
                    f"COPY (SELECT * FROM {source} WHERE {column} {test} ?) "
                    f"TO '{folder / path.name}' (FORMAT parquet)",
                    [cut],
                )
    finally:
        con.close()

"""Many rows into one app database table at once, without SQLAlchemy's work per row.

An evaluation publishes a row per rider (100,000 in a large city). Through `insert()` each
row's parameters are processed one by one, which took longer than the database's own work.
`insert_rows` hands the rows to the driver as they are: SQLite's `executemany`,
PostgreSQL's `COPY … FROM STDIN`. It runs in the caller's transaction.

Values must already be what the driver stores: str, int, float, None, `date`, `datetime`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Inserts `rows` (tuples in the order of `columns`) into `table`."""
    if not rows:
        return
    known = set(table.columns.keys())
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(unknown)}")
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    target = quote(table.name)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})", list(rows))

"""Opens the warehouse: an embedded DuckDB file holding the canonical fact tables.

Import runs SQL on the DuckDB connection directly (it is also the validation
engine); the analytics pipeline reads the same tables through Ibis (`ibis_con`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riderperf.warehouse.tables import META_DDL, WAREHOUSE_LAYOUT, all_ddl, expected_columns

if TYPE_CHECKING:
    import duckdb


class WarehouseError(RuntimeError):
    """The warehouse cannot be used; the message says why and what to do."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the warehouse file open for writing."""


class WarehouseLayoutError(WarehouseError):
    """The warehouse file was written by a riderperf with another table layout."""


class Warehouse:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, path: Path | None, *, read_only: bool = False
    ) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        self._ibis: Any = None

    @property
    def ibis_con(self) -> Any:
        """An Ibis backend over the same connection, for analytics expressions."""
        if self._ibis is None:
            import ibis

            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def create_tables(self) -> None:
        """Creates every missing table and records the layout; safe to run again."""
        self.con.execute(META_DDL)
        found = self.layout()
        if found is None:
            self._refuse_unknown_tables()
            for ddl in all_ddl():
                self.con.execute(ddl)
            self.con.execute("INSERT INTO _meta VALUES ('layout', ?)", [str(WAREHOUSE_LAYOUT)])
        elif found != WAREHOUSE_LAYOUT:
            raise WarehouseLayoutError(
                f"the warehouse {self.path} has table layout {found}, this riderperf "
                f"uses layout {WAREHOUSE_LAYOUT}; use a riderperf of the same release "
                "or import into a new warehouse (RIDERPERF_WAREHOUSE_URL)"
            )

    def _refuse_unknown_tables(self) -> None:
        """A file without a layout record may still hold fact tables (written by hand or by
        an early build): they must have exactly the expected columns before it is adopted."""
        for table, expected in expected_columns().items():
            found = [
                str(r[0])
                for r in self.con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            ]
            if found and found != expected:
                raise WarehouseLayoutError(
                    f"the warehouse {self.path} has a table {table} with columns "
                    f"{', '.join(found)}, not the ones this riderperf writes; import into a "
                    "new warehouse (RIDERPERF_WAREHOUSE_URL)"
                )

    def layout(self) -> int | None:
        # fetchall, not fetchone: DuckDB 2 refuses the next statement on a connection whose
        # last result was not read to the end.
        rows = self.con.execute("SELECT value FROM _meta WHERE key = 'layout'").fetchall()
        return int(rows[0][0]) if rows else None

    def columns(self, table: str) -> list[str]:
        """The columns of `table`, in order (none when it does not exist)."""
        rows = self.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
        return [str(r[0]) for r in rows]

    def count(self, table: str) -> int:
        rows = self.con.execute(f'SELECT count(*) FROM "{table}"').fetchall()
        return int(rows[0][0]) if rows else 0

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def checkpoint_alongside(self) -> Iterator[None]:
        """Writes what the statements so far logged into the warehouse file (DuckDB's
        checkpoint, otherwise done on close) in a thread of its own while the block runs.

        DuckDB works without the GIL, so the block's Python (scoring, publishing to the app
        database) and the checkpoint's writing overlap. The block must not use this
        warehouse. An error of the block is raised as it is; one of the checkpoint after a
        block that ended well."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            done = pool.submit(self._checkpoint)
            try:
                yield
            except BaseException:
                wait([done])
                raise
            done.result()

    def _checkpoint(self) -> None:
        if not self.read_only:
            self.con.execute("CHECKPOINT")


def connect(
    path: Path | None, *, read_only: bool = False, memory_limit: str | None = None
) -> Warehouse:
    """Opens (creating if needed) the warehouse at `path`; None opens one in memory.

    `memory_limit` (such as "12GB", `RIDERPERF_WAREHOUSE_MEMORY`) caps what DuckDB holds
    before it spills to its temporary folder beside the file.

    DuckDB is imported here, not with this module: the web server imports the warehouse's
    errors and opens a warehouse only for the requests that read it."""
    import duckdb

    limit = _memory_limit(memory_limit)
    if path is not None and not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path) if path else ":memory:", read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusyError(
                f"the warehouse {path} is in use by another riderperf process; "
                "wait for it to finish and run the command again"
            ) from exc
        raise
    con.execute("SET TimeZone = 'UTC'")
    # No progress bar on the terminal (commands print JSON there), and no table names
    # resolved to Python variables of the caller: a missing table is an error.
    con.execute("SET enable_progress_bar = false")
    con.execute("SET python_enable_replacements = false")
    if limit is not None:
        con.execute(f"SET memory_limit = '{limit}'")
    warehouse = Warehouse(con, path, read_only=read_only)
    if not read_only:
        warehouse.create_tables()
    return warehouse


def has_table(con: Any, name: str) -> bool:
    """Whether the warehouse on connection `con` holds table `name`."""
    # Not ibis `list_tables()`: with DuckDB 2 it calls a connection method DuckDB removed.
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]
    ).fetchall()
    return bool(rows[0][0])


@contextmanager
def transaction(con: Any) -> Iterator[None]:
    """Runs the block in one warehouse transaction: committed when it ends, rolled back
    when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def _memory_limit(text: str | None) -> str | None:
    """`text` as DuckDB reads a memory size ("12GB", "512 MiB"), or a ValueError saying
    what to write."""
    if text is None or not text.strip():
        return None
    found = _SIZE.fullmatch(text.strip())
    if found is None:
        raise ValueError(
            f"RIDERPERF_WAREHOUSE_MEMORY={text!r}: write a size such as 12GB or 512MiB"
        )
    return f"{found.group(1)}{found.group(2)}"


@contextmanager
def open_warehouse(path: Path | None, *, read_only: bool = False) -> Iterator[Warehouse]:
    warehouse = connect(path, read_only=read_only)
    try:
        yield warehouse
    finally:
        warehouse.close()

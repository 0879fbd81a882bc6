"""Warehouse table definitions derived from the canonical schema, plus the import ledger."""

from __future__ import annotations

from riderperf.common.canonical import TABLES, Column, Table

SQL_TYPES = {
    "string": "VARCHAR",
    "enum": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "float": "DOUBLE",
    "int": "INTEGER",
    "bool": "BOOLEAN",
}

# Columns every fact table carries beside the canonical ones: where the row came from
# (import, file, row) and the unknown columns of its source row, kept aside as JSON.
LINEAGE_COLUMNS = (
    ("_import_id", "VARCHAR NOT NULL"),
    ("_source", "VARCHAR NOT NULL"),
    ("_source_row", "BIGINT NOT NULL"),
    ("_extra", "VARCHAR"),
)

# Bumped whenever the layout above changes; a warehouse of another layout is refused
# with a message instead of being half-used.
WAREHOUSE_LAYOUT = 1

META_DDL = "CREATE TABLE IF NOT EXISTS _meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL)"

IMPORTS_DDL = """
CREATE TABLE IF NOT EXISTS _imports (
    import_id VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    read BIGINT NOT NULL,
    inserted BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    conflicts BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    committed_at TIMESTAMPTZ NOT NULL
)
"""


def sql_type(column: Column) -> str:
    return SQL_TYPES[column.kind]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_ddl(table: Table) -> str:
    cols = [f"{quote(c.name)} {sql_type(c)}" for c in table.columns]
    cols += [f"{name} {decl}" for name, decl in LINEAGE_COLUMNS]
    # No PRIMARY KEY: the importer is the only writer and guarantees one row per key
    # (it classifies every row against the file and the table before inserting), and
    # DuckDB keeps key indexes in memory, which at hundreds of millions of rows costs
    # more than the whole import.
    return f"CREATE TABLE IF NOT EXISTS {quote(table.name)} (\n    " + ",\n    ".join(cols) + "\n)"


def all_ddl() -> list[str]:
    return [table_ddl(t) for t in TABLES] + [IMPORTS_DDL]


def expected_columns() -> dict[str, list[str]]:
    """Column names of every fact table, in order, as `table_ddl` creates them."""
    return {
        t.name: [c.name for c in t.columns] + [name for name, _ in LINEAGE_COLUMNS] for t in TABLES
    }

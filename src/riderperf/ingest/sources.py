"""Finds the canonical files of a dataset and stages each one into DuckDB as it was written."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from riderperf.common.canonical import FILE_SUFFIXES, TABLES, TABLES_BY_NAME

if TYPE_CHECKING:
    import duckdb


class SourceError(Exception):
    """A file that cannot be read at all; nothing of it was imported."""


@dataclass(frozen=True)
class Source:
    table: str
    path: Path
    fmt: str  # csv, parquet or jsonl
    # How messages, the rejects file and the rows' lineage name the file: its path, or
    # for an upload its name inside the archive (the server's folders never show).
    shown: str = ""

    @property
    def name(self) -> str:
        return self.shown or str(self.path)


# The field a CSV line that cannot be split into the header's columns is reported under.
ROW_LAYOUT = "(row layout)"


@dataclass(frozen=True)
class Malformed:
    """A CSV line DuckDB could not read: its data-row number, its text as DuckDB saw it, the
    field at fault (ROW_LAYOUT when the line cannot be split) and the reason."""

    row: int
    text: str
    field: str
    error: str


@dataclass
class Staged:
    """A file loaded into a temporary table, with `_row` numbering its data rows from 1."""

    source: Source
    name: str
    columns: dict[str, str]  # column name -> DuckDB type, as read
    rows: int
    malformed: list[Malformed] = field(default_factory=list)
    # Source columns stored under another name in the staged table, because their own
    # name would hide DuckDB's `rowid` (source name -> staged name).
    renamed: dict[str, str] = field(default_factory=dict)
    # Data rows of the file before this part (a large Parquet file is staged in parts).
    offset: int = 0

    def column(self, name: str) -> str:
        """The quoted name under which source column `name` is in the staged table."""
        return quote_ident(self.renamed.get(name, name))


# DuckDB's row id pseudo-column; a source column of that name would hide it.
ROWID = "rowid"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def safe_name(name: str, taken: set[str]) -> str:
    """`name` with a `_src` prefix, made unique (case-insensitively) among `taken`."""
    lowered = {t.lower() for t in taken}
    candidate = f"_src{name}"
    while candidate.lower() in lowered:
        candidate = f"_{candidate}"
    return candidate


_TABLE_PATTERN = re.compile(r"^(?P<table>[a-z]+)(?:[._-].*)?$")


def table_for(path: Path) -> str | None:
    """`orders.csv`, `orders-2026-01.parquet` and `orders_part2.jsonl` all hold orders."""
    fmt = FILE_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        return None
    match = _TABLE_PATTERN.match(path.name[: -len(path.suffix)])
    if match and match["table"] in TABLES_BY_NAME:
        return match["table"]
    return None


def find_sources(path: Path, shown: Callable[[Path], str] = str) -> tuple[list[Source], list[Path]]:
    """The dataset files under `path` in import order, and the files that were not recognised.

    `shown` names a file in what the import reports (by default its path)."""
    if not path.exists():
        raise SourceError(f"{shown(path)}: no such file or folder")
    candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    found: list[Source] = []
    ignored: list[Path] = []
    for candidate in candidates:
        table = table_for(candidate)
        if table is None:
            ignored.append(candidate)
        else:
            fmt = FILE_SUFFIXES[candidate.suffix.lower()]
            found.append(Source(table, candidate, fmt, shown(candidate)))
    order = {t.name: i for i, t in enumerate(TABLES)}
    found.sort(key=lambda s: (order[s.table], s.path.name))
    return found, ignored


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# DuckDB's position of a row in a Parquet file; the parts of a file are ranges of it.
FILE_ROW = "file_row_number"
Part = tuple[int, int]  # the data rows [start, end) of a file, counted from 0


def parts_of(con: duckdb.DuckDBPyConnection, source: Source, batch_rows: int) -> list[Part | None]:
    """How `source` is staged: whole (`[None]`), or a Parquet file of more than
    `batch_rows` rows in ranges of that many rows. DuckDB reads only the row groups a range
    touches, so each part costs its own rows, not the file's."""
    import duckdb

    if source.fmt != "parquet" or batch_rows < 1:
        return [None]
    path = _sql_str(str(source.path))
    try:
        rows = con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata({path})").fetchone()
        names = con.execute(f"DESCRIBE SELECT * FROM read_parquet({path})").fetchall()
    except duckdb.Error:
        return [None]  # staging the whole file reports what is wrong with it
    total = int(rows[0]) if rows and rows[0] is not None else 0
    if total <= batch_rows or any(str(n[0]).lower() == FILE_ROW for n in names):
        return [None]
    return [(start, min(start + batch_rows, total)) for start in range(0, total, batch_rows)]


def stage(
    con: duckdb.DuckDBPyConnection, source: Source, name: str, part: Part | None = None
) -> Staged:
    """Loads `source` (or the `part` of its rows) into temp table `name`. Raises
    SourceError if the file is unreadable."""
    import duckdb  # loaded by whoever opened `con`; not when this module is imported

    path = _sql_str(str(source.path))
    rejects = f"{name}_malformed"
    if source.fmt == "csv":
        reader = (
            f"read_csv({path}, header=true, all_varchar=true, ignore_errors=true, "
            f"store_rejects=true, rejects_table={_sql_str(rejects)}, "
            f"rejects_scan={_sql_str(rejects + '_scan')})"
        )
    elif source.fmt == "parquet":
        reader = f"read_parquet({path})"
    else:
        reader = _json_reader(con, source, path)
    select = f"SELECT * FROM {reader}"
    if part is not None:
        select = (
            f"SELECT * EXCLUDE ({FILE_ROW}) FROM read_parquet({path}, {FILE_ROW}=true) "
            f"WHERE {FILE_ROW} >= {part[0]} AND {FILE_ROW} < {part[1]}"
        )
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")
    except duckdb.Error as exc:
        found = _first_bad_json_line(source.path) if source.fmt == "jsonl" else None
        reason = (found or _first_line(exc)).replace(str(source.path), source.name)
        raise SourceError(f"{source.name}: cannot be read as {source.fmt}: {reason}") from exc
    described = con.execute(f"DESCRIBE {name}").fetchall()
    columns = {str(r[0]): str(r[1]) for r in described}
    renamed: dict[str, str] = {}
    for column in columns:
        if column.lower() == ROWID:
            renamed[column] = safe_name(column, set(columns) | set(renamed.values()))
            con.execute(
                f"ALTER TABLE {name} RENAME COLUMN {quote_ident(column)} "
                f"TO {quote_ident(renamed[column])}"
            )
    malformed: list[Malformed] = []
    if source.fmt == "csv":
        # DuckDB may log several errors for one line; each line is one malformed row.
        malformed = [
            _malformed(int(line) - 1, str(text), str(kind), str(error), column)
            for line, text, kind, error, column in con.execute(
                f"SELECT line, first(csv_line), first(error_type ORDER BY error_type), "
                f"first(error_message ORDER BY error_type), "
                f"first(column_name ORDER BY error_type) FROM {rejects} GROUP BY line "
                "ORDER BY line"
            ).fetchall()
        ]
        con.execute(f"DROP TABLE IF EXISTS {rejects}")
        con.execute(f"DROP TABLE IF EXISTS {rejects}_scan")
    count = con.execute(f"SELECT count(*) FROM {name}").fetchone()
    rows = int(count[0]) if count else 0
    offset = part[0] if part else 0
    return Staged(source, name, columns, rows, malformed, renamed, offset)


def _first_line(exc: Exception) -> str:
    """The reader's own message, without the SQL it was running."""
    return str(exc).strip().splitlines()[0]


class _BadKeys(ValueError):
    pass


def _distinct_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    names = [k for k, _ in pairs]
    if "" in names:
        raise _BadKeys("has an empty key (every value needs a column name)")
    twice = next((k for i, k in enumerate(names) if k in names[:i]), None)
    if twice is not None:
        raise _BadKeys(f"has the key {json.dumps(twice)[:80]} twice")
    return dict(pairs)


def _first_bad_json_line(path: Path) -> str | None:
    """Names the first line that is not a JSON object with distinct, non-empty keys, or says
    the file holds none (only run once a read has failed)."""
    objects = 0
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line, object_pairs_hook=_distinct_keys)
            except json.JSONDecodeError as exc:
                return f"line {number} is not valid JSON ({exc.msg} at column {exc.colno})"
            except _BadKeys as exc:
                return f"line {number} {exc}"
            if not isinstance(value, dict):
                return f"line {number} is not a JSON object"
            objects += bool(value)
    return None if objects else "the file holds no JSON object with a key"


def _json_reader(con: duckdb.DuckDBPyConnection, source: Source, path: str) -> str:
    """Reads every JSON value as text, like a CSV cell, so the checks treat both alike.

    Left to itself DuckDB would turn "2026-01-05T12:00:00" into a timestamp and hide that
    it has no offset. Keys are found over the whole file, so a key that first appears on
    the last line is still kept.
    """
    import duckdb  # loaded by whoever opened `con`; not when this module is imported

    options = "format='newline_delimited', records=true"
    try:
        keys = con.execute(
            f"DESCRIBE SELECT * FROM read_json({path}, {options}, sample_size=-1)"
        ).fetchall()
    except duckdb.Error as exc:
        where = _first_bad_json_line(source.path) or _first_line(exc)
        where = where.replace(str(source.path), source.name)
        raise SourceError(f"{source.name}: cannot be read as jsonl: {where}") from exc
    columns = ", ".join(f"{_sql_str(str(k[0]))}: 'VARCHAR'" for k in keys)
    return f"read_json({path}, {options}, columns={{{columns}}})"


def _malformed(row: int, text: str, kind: str, message: str, column: str | None) -> Malformed:
    if kind in _NOT_UTF8 and column:
        # The line splits; one value in it is not UTF-8. Name that field, like any bad value.
        reason = (
            f"{column}: the value is not valid UTF-8 text; save the file as UTF-8 "
            "and import it again"
        )
        return Malformed(row, text, column, reason)
    return Malformed(row, text, ROW_LAYOUT, _layout_error(kind, message))


_NOT_UTF8 = ("INVALID ENCODING", "INVALID UNICODE")


def _layout_error(kind: str, message: str) -> str:
    meaning = {
        "MISSING COLUMNS": "the row has fewer fields than the header",
        "TOO MANY COLUMNS": "the row has more fields than the header",
        "UNQUOTED VALUE": "a value has a stray quote",
        "INVALID UNICODE": "the row is not valid UTF-8",
    }.get(kind, "the row cannot be split into fields")
    return f"{meaning} ({message}); fix the row and import the file again"


def row_number_sql(staged: Staged) -> str:
    """SQL giving each staged row its data-row number in the file (rowid is 0-based).

    Malformed CSV rows were skipped while reading: the k-th readable row is row
    k + (number of skipped rows before it), and a skipped row r_j (sorted, 1-based)
    has r_j - j readable rows before it.
    """
    if not staged.malformed:
        return f"(rowid + {1 + staged.offset})"
    before = ", ".join(str(m.row - j) for j, m in enumerate(staged.malformed, start=1))
    return f"(rowid + 1 + len(list_filter([{before}], lambda b: b < rowid + 1)))"

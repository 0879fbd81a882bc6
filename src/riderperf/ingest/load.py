"""Loads one staged file into its warehouse table: atomically, idempotently, losing nothing.

A row is inserted when it is valid, new and its references exist; an exact copy of a
stored row (or of an earlier row of the same file) is a duplicate and changes nothing;
a row whose key exists with other content is a conflict. Rejected and conflicting rows
go to a rejects file beside the report, in the format of the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from riderperf.common.canonical import Table
from riderperf.ingest.checks import checked_sql, lit, register_functions, typed_name
from riderperf.ingest.report import TableCounts
from riderperf.ingest.sources import Staged, safe_name
from riderperf.warehouse import built_days, changed_days, day_facts
from riderperf.warehouse.tables import quote

if TYPE_CHECKING:
    import duckdb

_FORMAT_OPTIONS = {
    "csv": "FORMAT csv, HEADER true",
    "parquet": "FORMAT parquet",
    "jsonl": "FORMAT json",
}
_SUFFIX = {"csv": ".csv", "parquet": ".parquet", "jsonl": ".jsonl"}
_PART = re.compile(r"\.part\d{5}(?=\.rejects)")
_FIELDS = "list_transform(_errs, lambda e: e.field)"
# Each field once, in the order its first error was found.
_ERR_FIELDS = (
    f"array_to_string(list_filter({_FIELDS}, lambda f, i: list_position({_FIELDS}, f) = i), ';')"
)
_ERR_TEXT = "array_to_string(list_transform(_errs, lambda e: e.field || ': ' || e.error), '; ')"


BATCH_STEPS = 4  # calls of `step` during one load_batch


@dataclass
class BatchResult:
    counts: TableCounts
    rejects: Path | None
    errors_by_field: dict[str, int] = field(default_factory=dict)


def _key_text(table: Table, prefix: str = "t__") -> str:
    parts = [f"CAST({quote(prefix + k)} AS VARCHAR)" for k in table.key]
    return parts[0] if len(parts) == 1 else f"concat_ws('/', {', '.join(parts)})"


def classify_sql(table: Table, checked: str, target: str) -> str:
    """Every checked row labelled rejected, new, duplicate, conflict_file or conflict_stored.

    Keys repeated inside the file are found by grouping (cheap when, as usual, there are
    none); the first occurrence stands for the key, later ones are compared with it by
    fingerprint. A row whose key is stored is compared with the stored row value by value.
    """
    keys = ", ".join(typed_name(k) for k in table.key)
    on_dup = " AND ".join(f"d.{typed_name(k)} = v.{typed_name(k)}" for k in table.key)
    on_stored = " AND ".join(f"w.{quote(k)} = v.{typed_name(k)}" for k in table.key)
    stored = f"w.{quote(table.key[0])} IS NOT NULL"
    diffs = ", ".join(
        f"CASE WHEN v.{typed_name(c.name)} IS DISTINCT FROM w.{quote(c.name)} "
        f"THEN {lit(c.name)} END"
        for c in table.columns
    )
    return f"""
CREATE OR REPLACE TEMP TABLE {target} AS
WITH d AS (
    SELECT {keys}, min(_row) AS _first_row, arg_min(_row_hash, _row) AS _first_hash
    FROM {checked} WHERE len(_errs) = 0
    GROUP BY {keys} HAVING count(*) > 1
), m AS (
    SELECT v.*, d._first_row, d._first_hash, {stored} AS _stored,
        CASE WHEN {stored} THEN list_filter([{diffs}], lambda x: x IS NOT NULL) END AS _diff
    FROM {checked} v
    LEFT JOIN d ON {on_dup} AND len(v._errs) = 0
    LEFT JOIN {quote(table.name)} w ON {on_stored} AND len(v._errs) = 0
)
SELECT * EXCLUDE (_first_hash, _stored),
    CASE WHEN len(_errs) > 0 THEN 'rejected'
         WHEN _first_row < _row AND _row_hash = _first_hash THEN 'duplicate'
         WHEN _first_row < _row THEN 'conflict_file'
         WHEN NOT _stored THEN 'new'
         WHEN len(_diff) = 0 THEN 'duplicate'
         ELSE 'conflict_stored' END AS _status
FROM m
"""


def bad_rows_sql(table: Table, classified: str, target: str) -> str:
    key_cols = ";".join(table.key)
    key_text = _key_text(table)
    return f"""
CREATE OR REPLACE TEMP TABLE {target} AS
SELECT _rid, _row, {_ERR_FIELDS} AS _field, {_ERR_TEXT} AS _error, _errs
FROM {classified} WHERE _status = 'rejected'
UNION ALL
SELECT _rid, _row, {lit(key_cols)},
    format('conflict: {key_cols} {{}} already appears at row {{}} of this file with other '
           'content', {key_text}, _first_row), NULL
FROM {classified} WHERE _status = 'conflict_file'
UNION ALL
SELECT _rid, _row, array_to_string(_diff, ';'),
    format('conflict: the stored {table.name} row with {key_cols} {{}} differs in {{}}; '
           'send a correction as a new event instead of rewriting this one',
           {key_text}, array_to_string(_diff, ', ')), NULL
FROM {classified} WHERE _status = 'conflict_stored'
"""


def insert_sql(table: Table, classified: str, import_id: str, source: str) -> str:
    cols = [quote(c.name) for c in table.columns]
    values = [typed_name(c.name) for c in table.columns]
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(cols)}, _import_id, _source, "
        f"_source_row, _extra) SELECT {', '.join(values)}, {lit(import_id)}, "
        f"{lit(source)}, _row, _extra FROM {classified} WHERE _status = 'new'"
    )


def new_rows_sql(table: Table, classified: str, target: str) -> str:
    """A view of the rows `insert_sql` inserts, under their canonical column names."""
    values = [f"{typed_name(c.name)} AS {quote(c.name)}" for c in table.columns]
    return (
        f"CREATE OR REPLACE TEMP VIEW {target} AS SELECT {', '.join(values)} "
        f"FROM {classified} WHERE _status = 'new'"
    )


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def count_outcomes(
    con: duckdb.DuckDBPyConnection, staged: Staged, classified: str, bad: str
) -> TableCounts:
    by_status = dict(
        con.execute(f"SELECT _status, count(*) FROM {classified} GROUP BY 1").fetchall()
    )
    conflicts = int(by_status.get("conflict_file", 0)) + int(by_status.get("conflict_stored", 0))
    return TableCounts(
        read=staged.rows + len(staged.malformed),
        inserted=int(by_status.get("new", 0)),
        duplicates=int(by_status.get("duplicate", 0)),
        conflicts=conflicts,
        rejected=_count(con, f"SELECT count(*) FROM {bad}") - conflicts + len(staged.malformed),
    )


def errors_by_field(con: duckdb.DuckDBPyConnection, staged: Staged, bad: str) -> dict[str, int]:
    rows = con.execute(
        f"SELECT e.field, count(*) FROM (SELECT unnest(_errs) AS e FROM {bad}) "
        "GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    found = {str(f): int(n) for f, n in rows}
    for line in staged.malformed:
        found[line.field] = found.get(line.field, 0) + 1
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


REJECTS_COLUMNS = ("_file", "_row", "_field", "_error", "_raw")


def rejects_names(staged: Staged) -> dict[str, str]:
    """Each source column's name in the rejects file.

    A source column named like one the rejects file adds (`_error`, …, any case) is
    written as `_src_error` (or with more underscores if that is taken too), so the added
    columns keep their meaning and the file's own value is still there.
    """
    taken = set(staged.columns)
    names: dict[str, str] = {}
    for c in staged.columns:
        if c.lower() in REJECTS_COLUMNS:
            names[c] = safe_name(c, taken)
            taken.add(names[c])
        else:
            names[c] = c
    return names


def write_rejects(con: duckdb.DuckDBPyConnection, staged: Staged, bad: str, out: Path) -> None:
    """Rejected rows as they were read, plus `_file`, `_row`, `_field` and `_error`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    file = lit(staged.source.name)
    names = rejects_names(staged)
    cols = [f"s.{staged.column(c)} AS {quote(names[c])}" for c in staged.columns]
    query = (
        f"SELECT {''.join(c + ', ' for c in cols)}{file} AS _file, b._row AS _row, "
        f"b._field AS _field, b._error AS _error"
        + (", CAST(NULL AS VARCHAR) AS _raw" if staged.malformed else "")
        + f" FROM {bad} b JOIN {staged.name} s ON s.rowid = b._rid"
    )
    if staged.malformed:
        nulls = "".join(f"CAST(NULL AS VARCHAR) AS {quote(names[c])}, " for c in staged.columns)
        lines = " UNION ALL ".join(
            f"SELECT {nulls}{file}, {m.row}, {lit(m.field)}, {lit(m.error)}, {lit(m.text)}"
            for m in staged.malformed
        )
        query = f"{query} UNION ALL {lines}"
    opts = _FORMAT_OPTIONS[staged.source.fmt]
    con.execute(f"COPY ({query} ORDER BY _row) TO {lit(str(out))} ({opts})")


def merge_rejects(con: duckdb.DuckDBPyConnection, files: list[Path]) -> Path:
    """One rejects file from those of a file's parts (Parquet, the only format imported in
    parts), in row order, named as a whole file's would be; the parts' files are removed."""
    out = files[0].with_name(_PART.sub("", files[0].name))
    if files == [out]:
        return out
    listed = ", ".join(lit(str(f)) for f in files)
    con.execute(
        f"COPY (SELECT * FROM read_parquet([{listed}]) ORDER BY _row) TO {lit(str(out))} "
        f"({_FORMAT_OPTIONS['parquet']})"
    )
    for file in files:
        file.unlink()
    return out


def commit_batch(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Makes a table batch visible; until here a crash leaves the warehouse as it was."""
    con.execute("COMMIT")


def load_batch(
    con: duckdb.DuckDBPyConnection,
    staged: Staged,
    table: Table,
    *,
    import_id: str,
    rejects_dir: Path,
    now: datetime,
    step: Callable[[str], None] = lambda _: None,
    part: int | None = None,
) -> BatchResult:
    """Checks, classifies and inserts one staged file; the insert commits as one transaction,
    with what the new rows add to the day facts and which days' judgments they change
    (`warehouse.day_facts`, `warehouse.changed_days`).

    `step` is told when each of the four stages (BATCH_STEPS) is done. `part` numbers a
    part of a file staged in parts; its rejects file is named after it (`merge_rejects`
    makes the parts' files one).
    """
    checked, classified, bad, new = (
        f"{staged.name}_{s}" for s in ("checked", "classified", "bad", "new")
    )
    register_functions(con)
    # A warehouse from before the day facts gets them now, counted from what it holds.
    day_facts.ensure_day_facts(con)
    con.execute(checked_sql(staged, table, checked))
    step("checked")
    con.execute(classify_sql(table, checked, classified))
    con.execute(bad_rows_sql(table, classified, bad))
    counts = count_outcomes(con, staged, classified, bad)
    step("compared with the warehouse")
    source = staged.source.name
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(insert_sql(table, classified, import_id, source))
        if counts.inserted:
            con.execute(new_rows_sql(table, classified, new))
            day_facts.add_batch(con, table.name, new)
            changed_days.record_batch(con, table.name, new)
            if table.name == "documents":  # compliance can change on any day
                built_days.forget_all(con)
        con.execute(
            "INSERT INTO _imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                table.name,
                source,
                counts.read,
                counts.inserted,
                counts.duplicates,
                counts.conflicts,
                counts.rejected,
                now,
            ],
        )
        commit_batch(con, table.name)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    step("inserted")
    rejects: Path | None = None
    if counts.rejected or counts.conflicts:
        numbered = "" if part is None else f".part{part:05d}"
        name = f"{staged.source.path.stem}{numbered}.rejects{_SUFFIX[staged.source.fmt]}"
        rejects = rejects_dir / import_id / name
        write_rejects(con, staged, bad, rejects)
    found = errors_by_field(con, staged, bad)
    con.execute(f"DROP VIEW IF EXISTS {new}")
    for temp in (checked, classified, bad, staged.name):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    step("rejects written")
    return BatchResult(counts, rejects, found)

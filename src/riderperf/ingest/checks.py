"""Builds the vectorised SQL that types every staged value and lists each row's errors.

One query checks a whole file: required values, types, enums, ranges, timestamps
with an offset, required-when conditions and timeline order. Every failed check
yields a {field, error} pair, so a row reports all its problems at once.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from riderperf.common.canonical import (
    ID_CONTROL_CHARACTERS,
    ID_MAX_LENGTH,
    MAX_UTC_OFFSET_MINUTES,
    TIMESTAMP_YEARS,
    Column,
    Table,
)
from riderperf.ingest.sources import Staged, row_number_sql
from riderperf.warehouse.tables import quote

if TYPE_CHECKING:
    import duckdb

# An ISO-8601 date and time followed by an offset (Z, +03, +03:00 or +0300).
OFFSET_PATTERN = (
    r"^\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
)

# The offset at the end of a timestamp that matched OFFSET_PATTERN: sign, hours, minutes.
OFFSET_TAIL = r"([+-])(\d{2}):?(\d{2})?\s*$"
CONTROL_CHARACTER = f"[{ID_CONTROL_CHARACTERS}]"
NFKC_FUNCTION = "riderperf_nfkc"


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Adds the Python functions the checks call (NFKC, which DuckDB lacks) to `con`."""
    import duckdb  # loaded by whoever opened `con`; not when this module is imported

    con.execute("SELECT 1").fetchall()  # finishes any result still open on `con`
    try:
        con.create_function(NFKC_FUNCTION, _nfkc, ["VARCHAR"], "VARCHAR", side_effects=False)
    except duckdb.Error as exc:  # already registered on this connection
        if "already" not in str(exc):
            raise


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def raw_name(column: str) -> str:
    return quote(f"r__{column}")


def typed_name(column: str) -> str:
    return quote(f"t__{column}")


def raw_expr(staged: Staged, column: str) -> str:
    """The value as written; empty or blank text counts as null."""
    source_type = staged.columns.get(column)
    if source_type is None:
        return "NULL"
    if source_type == "VARCHAR":
        return f"NULLIF(TRIM({staged.column(column)}), '')"
    if source_type == "BLOB":
        # Text some Parquet writers store as plain bytes. Bytes that are not UTF-8 are read
        # as DuckDB's escaped form (`\\xFF`) only so the row can be named: utf8_checks
        # rejects it, so that form is never stored as if it had been sent.
        name = staged.column(column)
        return f"NULLIF(TRIM(coalesce(try(decode({name})), CAST({name} AS VARCHAR))), '')"
    return staged.column(column)


def written_as_text(staged: Staged, column: str) -> bool:
    """True when the source holds the column as text (or as bytes of text), so a timestamp
    in it must spell out its offset."""
    return staged.columns.get(column) in ("VARCHAR", "BLOB")


def not_utf8_name(column: str) -> str:
    return quote(f"u__{column}")


def not_utf8_flags(staged: Staged, table: Table) -> list[str]:
    """For each binary source column: a flag that its value is not UTF-8 text."""
    return [
        f"({staged.column(c.name)} IS NOT NULL AND try(decode({staged.column(c.name)})) IS NULL)"
        f" AS {not_utf8_name(c.name)}"
        for c in table.columns
        if staged.columns.get(c.name) == "BLOB"
    ]


def utf8_checks(staged: Staged, column: Column) -> list[str]:
    """A binary source column's value must be UTF-8 text."""
    if staged.columns.get(column.name) != "BLOB":
        return []
    message = "not valid UTF-8 text; write the column as UTF-8 text (a Parquet string)"
    return [_error(column.name, not_utf8_name(column.name), lit(message))]


# The warehouse stores an int column as INTEGER; a value outside it is out of range.
INT_RANGE = (-2_147_483_648, 2_147_483_647)


def number_expr(raw: str) -> str:
    """The value read as a DOUBLE (null when it is no number); never raises, never rounds."""
    return f"TRY_CAST({raw} AS DOUBLE)"


def value_range(column: Column) -> tuple[float | None, float | None]:
    """The smallest and largest value a numeric column accepts (schema range within type)."""
    low, high = column.minimum, column.maximum
    if column.kind == "int":
        low = INT_RANGE[0] if low is None else max(low, INT_RANGE[0])
        high = INT_RANGE[1] if high is None else min(high, INT_RANGE[1])
    return low, high


def _num(value: float) -> str:
    """A bound as SQL and as text: 5 rather than 5.0, 2147483647 rather than 2.14748e+09."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _readable_number(column: Column, number: str) -> str:
    """True when the number is finite and, for an int column, whole."""
    finite = f"isfinite({number})"
    return finite if column.kind == "float" else f"{finite} AND {number} = round({number})"


def _in_range(column: Column, number: str) -> str:
    low, high = value_range(column)
    parts = [f"{number} >= {_num(low)}"] if low is not None else []
    parts += [f"{number} <= {_num(high)}"] if high is not None else []
    return " AND ".join(parts) or "true"


def typed_expr(column: Column, raw: str, *, text: bool = True) -> str:
    """The value in its canonical type; null when it cannot be read as that type.

    Numbers are read with TRY_CAST and only narrowed once they are known to be finite,
    whole (int) and within range, so no value in a file can make the cast raise. A
    timestamp written as text (`text`) without an offset names no instant: it is null, so
    no timeline check compares a guess with the row's other times.
    """
    if column.identifier:
        return f"CASE WHEN {_id_problem(raw)} IS NULL THEN CAST({raw} AS VARCHAR) END"
    if column.kind in ("string", "enum"):
        return f"CAST({raw} AS VARCHAR)"
    if column.kind == "timestamp":
        value = f"TRY_CAST({raw} AS TIMESTAMPTZ)"
        valid = f"NOT ({_bad_year(value)})"
        if text:
            # Only text can spell out an offset: a typed instant has none to check, and
            # reading its text form back cost half the import's checking time.
            valid += f" AND {_offset_ok(raw)}"
            valid += f" AND regexp_matches(CAST({raw} AS VARCHAR), {lit(OFFSET_PATTERN)})"
        return f"CASE WHEN {valid} THEN {value} END"
    if column.kind == "date":
        return f"TRY_CAST({raw} AS DATE)"
    if column.kind == "bool":
        return f"TRY_CAST({raw} AS BOOLEAN)"
    number = number_expr(raw)
    valid = f"{_readable_number(column, number)} AND {_in_range(column, number)}"
    if column.kind == "float":
        return f"CASE WHEN {valid} THEN {number} END"
    # int: 3 and 3.0 are integers, 3.5 is not (a plain cast would round it).
    return f"CASE WHEN {valid} THEN TRY_CAST({number} AS INTEGER) END"


def _id_problem(raw: str) -> str:
    """SQL giving why an id is refused (plain text, never echoing it), or null when it is fine.

    The same rule as the API's ID_PATTERN, plus: no JSON object or array (a JSONL value that
    is not a plain string) and no text that Unicode NFKC would change (`R１` is not `R1`).
    """
    text = f"CAST({raw} AS VARCHAR)"
    control = f"regexp_extract({text}, {lit(CONTROL_CHARACTER)})"
    ascii_only = f"regexp_matches({text}, '^[\\x20-\\x7e]*$')"
    nfkc = f"{NFKC_FUNCTION}({text})"
    return f"""CASE
        WHEN {raw} IS NULL THEN NULL
        WHEN length({text}) > {ID_MAX_LENGTH} THEN format(
            'id is {{}} characters long; at most {ID_MAX_LENGTH} are allowed', length({text}))
        WHEN {control} <> '' THEN format(
            'id contains a control character (U+{{}}); ids may not',
            upper(lpad(to_hex(unicode({control})), 4, '0')))
        WHEN left({text}, 1) IN ('{{', '[') AND json_valid({text})
            AND json_type({text}) IN ('OBJECT', 'ARRAY') THEN format(
            'id must be plain text, not a JSON {{}}', lower(json_type({text})))
        WHEN NOT {ascii_only} AND {nfkc} <> {text} THEN format(
            'id is not in Unicode NFKC form (it would read as {{}}); write it that way',
            {nfkc})
    END"""


_YEAR_LOW = f"TIMESTAMPTZ '{TIMESTAMP_YEARS[0]:04d}-01-01 00:00:00+00'"
_YEAR_HIGH = f"TIMESTAMPTZ '{TIMESTAMP_YEARS[1] + 1:04d}-01-01 00:00:00+00'"


def _bad_year(value: str) -> str:
    """True when the instant (in UTC) is outside TIMESTAMP_YEARS."""
    return f"coalesce({value} < {_YEAR_LOW} OR {value} >= {_YEAR_HIGH}, false)"


def _offset_minutes(raw: str) -> tuple[str, str]:
    """SQL for the written offset's hours and minutes (null when there is none, or Z)."""
    text = f"CAST({raw} AS VARCHAR)"
    hours = f"TRY_CAST(NULLIF(regexp_extract({text}, {lit(OFFSET_TAIL)}, 2), '') AS INTEGER)"
    minutes = f"TRY_CAST(NULLIF(regexp_extract({text}, {lit(OFFSET_TAIL)}, 3), '') AS INTEGER)"
    minutes = f"coalesce({minutes}, 0)"
    return hours, minutes


def _offset_ok(raw: str) -> str:
    """True unless a text timestamp has an offset beyond ±14:00 or with 60 or more minutes."""
    hours, minutes = _offset_minutes(raw)
    text = f"CAST({raw} AS VARCHAR)"
    written = f"regexp_matches({text}, {lit(OFFSET_PATTERN)})"
    bad = f"{minutes} >= 60 OR {hours} * 60 + {minutes} > {MAX_UTC_OFFSET_MINUTES}"
    return f"NOT coalesce({written} AND ({bad}), false)"


def _error(field: str, condition: str, message_sql: str) -> str:
    return f"CASE WHEN {condition} THEN {{'field': {lit(field)}, 'error': {message_sql}}} END"


def column_checks(staged: Staged, column: Column) -> list[str]:
    raw, typed = raw_name(column.name), typed_name(column.name)
    text = f"CAST({raw} AS VARCHAR)"
    checks: list[str] = []
    if column.required:
        missing = (
            "required column is missing from the file"
            if column.name not in staged.columns
            else "required value is missing"
        )
        checks.append(_error(column.name, f"{raw} IS NULL", lit(missing)))
    if column.kind == "enum":
        allowed = ", ".join(column.values)
        in_list = ", ".join(lit(v) for v in column.values)
        checks.append(
            _error(
                column.name,
                f"{raw} IS NOT NULL AND {typed} NOT IN ({in_list})",
                f"format('{{}} is not one of: {allowed}', {text})",
            )
        )
    elif column.kind in ("int", "float"):
        number = number_expr(raw)
        checks.append(
            _error(
                column.name,
                f"{raw} IS NOT NULL AND NOT coalesce({_readable_number(column, number)}, false)",
                f"format('not a valid {column.kind}: {{}}', {text})",
            )
        )
    elif column.kind == "timestamp":
        checks.append(
            _error(
                column.name,
                f"{raw} IS NOT NULL AND TRY_CAST({raw} AS TIMESTAMPTZ) IS NULL",
                f"format('not a valid timestamp: {{}}', {text})",
            )
        )
        first, last = TIMESTAMP_YEARS
        checks.append(
            _error(
                column.name,
                _bad_year(f"TRY_CAST({raw} AS TIMESTAMPTZ)"),
                f"format('year must be between {first} and {last} (in UTC), got {{}}', {text})",
            )
        )
        if written_as_text(staged, column.name):
            hours = MAX_UTC_OFFSET_MINUTES // 60
            checks.append(
                _error(
                    column.name,
                    f"NOT {_offset_ok(raw)}",
                    f"format('UTC offset must be a real one, between -{hours:02d}:00 and "
                    f"+{hours:02d}:00, got {{}}', {text})",
                )
            )
    elif column.kind not in ("string",):
        checks.append(
            _error(
                column.name,
                f"{raw} IS NOT NULL AND {typed} IS NULL",
                f"format('not a valid {column.kind}: {{}}', {text})",
            )
        )
    if column.identifier:
        checks.append(_error(column.name, f"{_id_problem(raw)} IS NOT NULL", _id_problem(raw)))
    if column.kind == "timestamp" and written_as_text(staged, column.name):
        checks.append(
            _error(
                column.name,
                f"TRY_CAST({raw} AS TIMESTAMPTZ) IS NOT NULL "
                f"AND NOT regexp_matches({raw}, {lit(OFFSET_PATTERN)})",
                f"format('timestamp has no UTC offset: {{}} (write it like "
                f"2026-01-05T12:30:00+00:00)', {text})",
            )
        )
    if column.kind in ("int", "float"):
        # Compared as DOUBLE, so a value far outside the column's type is named, not cast.
        number = number_expr(raw)
        finite = f"isfinite({number})"
        low, high = value_range(column)
        if low is not None:
            checks.append(
                _error(
                    column.name,
                    f"{finite} AND {number} < {_num(low)}",
                    f"format('must be at least {_num(low)}, got {{}}', {text})",
                )
            )
        if high is not None:
            checks.append(
                _error(
                    column.name,
                    f"{finite} AND {number} > {_num(high)}",
                    f"format('must be at most {_num(high)}, got {{}}', {text})",
                )
            )
    return checks


def rule_checks(table: Table) -> list[str]:
    checks: list[str] = []
    for cond in table.conditions:
        values = ", ".join(lit(v) for v in cond.equals)
        message = f"required when {cond.when} is {' or '.join(cond.equals)}"
        checks.append(
            _error(
                cond.column,
                f"{raw_name(cond.column)} IS NULL AND {typed_name(cond.when)} IN ({values})",
                lit(message),
            )
        )
    for order in table.timeline:
        early, late = typed_name(order.earlier), typed_name(order.later)
        checks.append(
            _error(
                order.later,
                f"{late} < {early}",
                f"format('{order.later} ({{}}) is before {order.earlier} ({{}})', "
                f"CAST({late} AS VARCHAR), CAST({early} AS VARCHAR))",
            )
        )
    return checks


def reference_checks(table: Table) -> list[str]:
    """A value pointing at a rider or order that is not in the warehouse is an error.

    Tables import in dependency order, so rows sent earlier in the same run are there.
    """
    checks: list[str] = []
    for ref in table.references:
        col = typed_name(ref.column)
        exists = f"SELECT 1 FROM {quote(ref.table)} ref WHERE ref.{quote(ref.target)} = {col}"
        checks.append(
            _error(
                ref.column,
                f"{col} IS NOT NULL AND NOT EXISTS ({exists})",
                f"format('{ref.column} {{}} does not exist in {ref.table}', {col})",
            )
        )
    return checks


def extra_expr(staged: Staged, table: Table) -> str:
    """Unknown columns of the source row, kept aside as a JSON object (null when none)."""
    unknown = [c for c in staged.columns if c not in table.by_name]
    if not unknown:
        return "CAST(NULL AS VARCHAR)"
    fields = ", ".join(f"{quote(c)} := {staged.column(c)}" for c in unknown)
    return f"CAST(to_json(struct_pack({fields})) AS VARCHAR)"


def hash_expr(table: Table) -> str:
    """A fingerprint of the row's typed values, to compare rows of one file with each other.

    DuckDB's own hash is several times cheaper than md5 over text. It is only compared
    within one run, never stored, so a change of the hash between DuckDB versions cannot
    turn stored rows into false conflicts; stored rows are compared value by value.
    """
    return f"hash({', '.join(typed_name(c.name) for c in table.columns)})"


def checked_sql(staged: Staged, table: Table, target: str) -> str:
    """SQL creating temp table `target`: one row per staged row with typed values and `_errs`."""
    raws = ", ".join(f"{raw_expr(staged, c.name)} AS {raw_name(c.name)}" for c in table.columns)
    typeds = ", ".join(
        f"{typed_expr(c, raw_name(c.name), text=written_as_text(staged, c.name))} "
        f"AS {typed_name(c.name)}"
        for c in table.columns
    )
    checks = [chk for c in table.columns for chk in utf8_checks(staged, c)]
    checks += [chk for c in table.columns for chk in column_checks(staged, c)]
    checks += rule_checks(table) + reference_checks(table)
    errs = f"list_filter([{', '.join(checks)}], lambda e: e IS NOT NULL)"
    flags = not_utf8_flags(staged, table)
    raws += "".join(f", {f}" for f in flags)
    raw_cols = ", ".join(
        [raw_name(c.name) for c in table.columns]
        + [not_utf8_name(c.name) for c in table.columns if staged.columns.get(c.name) == "BLOB"]
    )
    return f"""
CREATE OR REPLACE TEMP TABLE {target} AS
SELECT * EXCLUDE ({raw_cols}), {errs} AS _errs, {hash_expr(table)} AS _row_hash
FROM (
    SELECT *, {typeds}
    FROM (
        SELECT rowid AS _rid, {row_number_sql(staged)} AS _row, {raws},
               {extra_expr(staged, table)} AS _extra
        FROM {staged.name}
    )
)
"""

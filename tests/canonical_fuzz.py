"""Valid canonical rows, and every way the format forbids to break exactly one of their fields.

Shared by the property test (tests/integration/test_import_fuzz.py, where hypothesis makes
the choices) and the on-demand run (bench/fuzz_import.py, where a seeded random does): both
hand a `Pick` to the same functions, so they exercise the same catalogue.

A dataset written by `write_mixed` holds two riders and two orders that are always valid
(so every other table has something to refer to) plus the fuzzed table's rows, good and
corrupted in a shuffled order; `Expected` says which keys must land and which data row must
be reported with which field.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from riderperf.common.canonical import TABLES_BY_NAME, Column, Table
from tests.canonical_rows import order, rider

T = TypeVar("T")
FORMATS = ("csv", "jsonl", "parquet")
FUZZED_TABLES = ("riders", "orders", "offers", "ratings", "complaints", "incidents", "documents")
BASE_RIDERS = ("R1", "R2")
BASE_ORDERS = ("O1", "O2")

# Source column names that mean something to the importer or the rejects file, or that
# look like the names it uses inside its queries; a file may still carry them.
RESERVED_COLUMNS = (
    "rowid",
    "ROWID",
    "_rid",
    "_row",
    "_file",
    "_field",
    "_error",
    "_raw",
    "_extra",
    "_errs",
    "_status",
    "_row_hash",
    "_import_id",
    "_source",
    "_source_row",
    "_first_row",
    "_diff",
    # the names the importer's queries give a column's raw, typed and UTF-8 check values
    "r__rider_id",
    "t__rider_id",
    "u__rider_id",
    "T__STATUS",
)


class Pick(Protocol):
    """Where the choices come from: hypothesis' data or a seeded random."""

    def one(self, options: Sequence[T]) -> T: ...

    def number(self, low: int, high: int) -> int: ...


class RandomPick:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def one(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def number(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


# --- valid rows -------------------------------------------------------------------------

OFFSETS = ("+00:00", "Z", "+04:00", "-12:00", "+14:00", "+05:45", "-03:30", "+0530")


def _stamp(minutes: int, offset: str) -> str:
    """2026-01-05 12:00 local time plus `minutes`, written with `offset`."""
    hours, mins = divmod(12 * 60 + minutes, 60)
    return f"2026-01-05T{hours:02d}:{mins:02d}:00{offset}"


def valid_row(table: str, key: str, index: int, pick: Pick) -> dict[str, Any]:
    """A row of `table` with key `key` that the importer must accept (and store as new)."""
    offset = pick.one(OFFSETS)
    if table == "riders":
        fleet = pick.one([False, True])
        return rider(
            key,
            capacity_type="fleet" if fleet else pick.one(["full_time", "part_time"]),
            fleet_id="F1" if fleet else None,
            vehicle=pick.one(["foot", "bicycle", "ebike", "motorbike", "car"]),
            language=pick.one(["ar", "en", "zh", None]),
        )
    if table == "orders":
        row = order(
            key,
            rider_id=pick.one(BASE_RIDERS),
            distance_km=pick.one(["0", "3.5", "1000", "0.001", "12"]),
            weather=pick.one(["clear", "storm", None]),
        )
        return row | {
            k: v.replace("+04:00", offset) for k, v in row.items() if k.endswith("_at") and v
        }
    if table == "offers":
        return {
            "offer_id": key,
            "order_id": pick.one(BASE_ORDERS),
            "rider_id": pick.one(BASE_RIDERS),
            "offered_at": _stamp(0, offset),
            "response": pick.one(["accepted", "declined", "expired"]),
            "responded_at": pick.one([_stamp(1, offset), None]),
        }
    if table == "ratings":
        return {
            "rating_id": key,
            "order_id": pick.one(BASE_ORDERS),
            "rider_id": pick.one(BASE_RIDERS),
            "source": pick.one(["customer", "merchant"]),
            "stars": pick.one(["1", "3", "5", "4.0"]),
            "tags": pick.one(["fast;friendly", None, "ok"]),
            "created_at": _stamp(50, offset),
        }
    if table == "complaints":
        return {
            "complaint_id": key,
            "order_id": pick.one([*BASE_ORDERS, None]),
            "rider_id": pick.one([*BASE_RIDERS, None]),
            "source": pick.one(["customer", "merchant", "platform", "public"]),
            "category": pick.one(["late", "rude", "fraud", "other"]),
            "created_at": _stamp(60, offset),
            "text": pick.one(["soup spilled", "", "« très » lent, 遅い", None]),
        }
    if table == "incidents":
        return {
            "incident_id": key,
            "rider_id": pick.one(BASE_RIDERS),
            "order_id": pick.one([*BASE_ORDERS, None]),
            "occurred_at": _stamp(70, offset),
            "kind": pick.one(["accident", "speeding", "other"]),
            "severity": pick.one(["minor", "major", "critical"]),
            "at_fault": pick.one(["yes", "no", "unknown", None]),
            "source": pick.one(["telematics", None]),
        }
    if table == "documents":
        return {
            "rider_id": pick.one(BASE_RIDERS),
            "doc_type": pick.one(["id", "licence", "insurance"]),
            "expires_on": (date(2027, 1, 1) + timedelta(days=index)).isoformat(),
            "verified": pick.one(["true", "false", "yes", "0", None]),
        }
    raise ValueError(table)


def key_of(table: Table, row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row[k]) for k in table.key)


# --- corruptions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Corruption:
    """One forbidden value for one field; `formats` it can be written in."""

    name: str
    value: Any
    formats: tuple[str, ...] = FORMATS


ID_CORRUPTIONS = (
    Corruption("id too long", "X" * 101),
    Corruption("id far too long", "Y" * 5000),
    Corruption("id with NUL", "R\x007"),
    Corruption("id with ANSI escape", "R\x1b[31m7"),
    Corruption("id with DEL", "R\x7f7"),
    Corruption("id with C1 control", "R\x857"),
    Corruption("id with bell", "\x07R7"),
    Corruption("full-width id", "R\uff17"),
    Corruption("ligature id", "\ufb01le7"),
    Corruption("superscript id", "R\u00b2"),
    Corruption("roman numeral id", "R\u2168"),
    Corruption("JSON object id as text", '{"id": "R7"}'),
    Corruption("JSON array id as text", '["R7"]'),
    Corruption("JSON object id", {"id": "R7"}, ("jsonl",)),
    Corruption("JSON array id", ["R7", "R8"], ("jsonl",)),
    Corruption("nested JSON id", {"a": {"b": [1, None]}}, ("jsonl",)),
)
TIMESTAMP_CORRUPTIONS = (
    Corruption("words", "yesterday at noon"),
    Corruption("impossible day", "2026-02-30T12:00:00+00:00"),
    Corruption("month 13", "2026-13-05T12:00:00Z"),
    Corruption("hour 25", "2026-01-05T25:00:00Z"),
    Corruption("no offset", "2026-01-05T12:00:00"),
    Corruption("offset +14:01", "2026-01-05T12:00:00+14:01"),
    Corruption("offset -15:00", "2026-01-05T12:00:00-15:00"),
    Corruption("offset +25:00", "2026-01-05T12:00:00+25:00"),
    Corruption("offset +99:99", "2026-01-05T12:00:00+99:99"),
    Corruption("offset 61 minutes", "2026-01-05T12:00:00+01:61"),
    Corruption("year 1999", "1999-12-31T12:00:00+00:00"),
    Corruption("year 2101", "2101-01-05T12:00:00Z"),
    Corruption("year 10000", "10000-01-05T12:00:00+00:00"),
    Corruption("year 0001", "0001-01-01T00:00:00Z"),
    Corruption("huge number", "1e30"),
    Corruption("nan", "nan"),
    Corruption("epoch seconds", 1767600000, ("jsonl",)),
    Corruption("boolean", True, ("jsonl",)),
    Corruption("object", {"at": "2026-01-05T12:00:00Z"}, ("jsonl",)),
)
DATE_CORRUPTIONS = (
    Corruption("impossible day", "2026-02-30"),
    Corruption("month 13", "2026-13-01"),
    Corruption("words", "next tuesday"),
    Corruption("huge number", "1e30"),
    Corruption("array", ["2026-01-01"], ("jsonl",)),
)
FLOAT_CORRUPTIONS = (
    Corruption("negative", "-1.5"),
    Corruption("above range", "1000.5"),
    Corruption("huge", "1e30"),
    Corruption("larger than a double", "1e309"),
    Corruption("nan", "nan"),
    Corruption("inf", "inf"),
    Corruption("-inf", "-Infinity"),
    Corruption("decimal comma", "3,5"),
    Corruption("words", "three"),
    Corruption("JSON huge", 1e30, ("jsonl",)),
    Corruption("JSON negative", -7, ("jsonl",)),
    Corruption("JSON boolean", True, ("jsonl",)),
    Corruption("JSON object", {"km": 3}, ("jsonl",)),
)
INT_CORRUPTIONS = (
    Corruption("zero", "0"),
    Corruption("six", "6"),
    Corruption("fraction", "3.5"),
    Corruption("beyond INTEGER", "99999999999"),
    Corruption("below INTEGER", "-99999999999"),
    Corruption("huge", "1e30"),
    Corruption("nan", "nan"),
    Corruption("inf", "inf"),
    Corruption("words", "five"),
    Corruption("JSON huge", 10**30, ("jsonl",)),
    Corruption("JSON fraction", 4.5, ("jsonl",)),
    Corruption("JSON array", [5], ("jsonl",)),
)
BOOL_CORRUPTIONS = (
    Corruption("words", "maybe"),
    Corruption("number 2", "2"),
    Corruption("JSON object", {"v": True}, ("jsonl",)),
)
MISSING = (Corruption("empty", ""), Corruption("blank", "   "))
# Bytes that are not UTF-8, in the middle of an otherwise fine value (in Parquet the column
# is written as binary, as some writers store text). The row is reported by that field.
INVALID_UTF8 = (
    Corruption("invalid UTF-8", b"R\xff\xfe7", ("csv", "parquet")),
    Corruption("overlong UTF-8", b"R\xc0\xaf7", ("csv", "parquet")),
    Corruption("lone continuation byte", b"\x80", ("csv", "parquet")),
)


def _enum_corruptions(column: Column) -> tuple[Corruption, ...]:
    return (
        Corruption("unknown value", "lost"),
        Corruption("upper case", column.values[0].upper()),
        Corruption("control character", column.values[0] + "\x1b[0m"),
        Corruption("JSON array", list(column.values[:1]), ("jsonl",)),
    )


def corruptions_for(table: Table, column: Column, row: dict[str, Any]) -> list[Corruption]:
    """Every value the schema forbids for `column`, given the rest of a valid `row`."""
    found: list[Corruption] = []
    conditional = next((c for c in table.conditions if c.column == column.name), None)
    if column.required or (conditional and row.get(conditional.when) in conditional.equals):
        found += MISSING
    if column.identifier:
        found += ID_CORRUPTIONS
        if any(r.column == column.name for r in table.references):
            found.append(Corruption("dangling reference", "NOPE404"))
    elif column.kind == "timestamp":
        found += TIMESTAMP_CORRUPTIONS
    elif column.kind == "date":
        found += DATE_CORRUPTIONS
    elif column.kind == "float":
        found += FLOAT_CORRUPTIONS
    elif column.kind == "int":
        found += INT_CORRUPTIONS
    elif column.kind == "bool":
        found += BOOL_CORRUPTIONS
    elif column.kind == "enum":
        found += _enum_corruptions(column)
    if column.identifier or column.kind in ("enum", "timestamp", "date"):
        found += INVALID_UTF8
    return found


def corrupt_one_field(
    table: Table, row: dict[str, Any], fmt: str, pick: Pick
) -> tuple[dict[str, Any], str, Corruption]:
    """`row` with one field broken in a way `fmt` can carry; also the field and how."""
    options = [
        (c.name, bad)
        for c in table.columns
        for bad in corruptions_for(table, c, row)
        if fmt in bad.formats
    ]
    name, bad = pick.one(options)
    return row | {name: bad.value}, name, bad


# --- writing ----------------------------------------------------------------------------


def _csv_cell(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    text = value if isinstance(value, str) else json.dumps(value)
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([text])
    return out.getvalue().encode()


def write_rows(folder: Path, table: str, rows: list[dict[str, Any]], fmt: str) -> Path:
    """Writes rows exactly as given: CSV byte by byte (so a cell may hold bytes that are not
    UTF-8), JSON Lines with JSON values as they are, Parquet as text columns."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(
        dict.fromkeys([*TABLES_BY_NAME[table].column_names, *(k for r in rows for k in r)])
    )
    path = folder / f"{table}.{fmt}"
    if fmt == "csv":
        lines = [b",".join(_csv_cell(n) for n in names)]
        lines += [b",".join(_csv_cell(r.get(n)) for n in names) for r in rows]
        path.write_bytes(b"\n".join(lines) + b"\n")
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps({n: r.get(n) for n in names}) + "\n" for r in rows))
    else:
        columns = {}
        for n in names:
            values = [r.get(n) for r in rows]
            if any(isinstance(v, bytes) for v in values):
                columns[n] = pa.array([_as_bytes(v) for v in values], pa.binary())
            else:
                columns[n] = pa.array([_as_text(v) for v in values], pa.string())
        pq.write_table(pa.table(columns), path)
    return path


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _as_bytes(value: Any) -> bytes | None:
    text = value if isinstance(value, bytes) else _as_text(value)
    return text.encode() if isinstance(text, str) else text


# --- one mixed dataset ------------------------------------------------------------------


@dataclass
class Expected:
    table: str
    fmt: str
    good_keys: set[tuple[str, ...]] = field(default_factory=set)  # base rows included
    base_keys: set[tuple[str, ...]] = field(default_factory=set)
    bad_rows: dict[int, str] = field(default_factory=dict)  # data row -> field reported
    how: dict[int, str] = field(default_factory=dict)  # data row -> corruption, for messages


def write_mixed(
    folder: Path,
    table_name: str,
    fmt: str,
    good: int,
    bad: int,
    pick: Pick,
    *,
    prefix: str = "K",
    reserved: Sequence[str] = (),
) -> Expected:
    """A dataset whose `table_name` file holds `good` valid and `bad` corrupted rows, mixed;
    every row of it also carries the `reserved` columns (with a value of its own)."""
    table = TABLES_BY_NAME[table_name]
    expected = Expected(table_name, fmt)
    base: dict[str, list[dict[str, Any]]] = {
        "riders": [rider(r) for r in BASE_RIDERS],
        "orders": [order(o, rider_id=BASE_RIDERS[0]) for o in BASE_ORDERS],
    }
    plan = [True] * good + [False] * bad
    order_of_rows = _shuffled(plan, pick)
    rows = list(base.get(table_name, []))
    expected.base_keys = {key_of(table, r) for r in rows}
    expected.good_keys |= expected.base_keys
    for index, is_good in enumerate(order_of_rows):
        row = valid_row(table_name, f"{prefix}{index}", index, pick)
        if is_good:
            expected.good_keys.add(key_of(table, row))
        else:
            row, name, how = corrupt_one_field(table, row, fmt, pick)
            number = len(rows) + 1
            expected.bad_rows[number] = name
            expected.how[number] = f"{name}: {how.name} ({how.value!r:.60})"
        rows.append(row)
    for name in reserved:
        for number, row in enumerate(rows, start=1):
            row[name] = f"{name}-{number}"
    for other in ("riders", "orders"):
        if other != table_name:
            write_rows(folder, other, base[other], fmt)
    write_rows(folder, table_name, rows, fmt)
    return expected


def _shuffled(items: list[bool], pick: Pick) -> list[bool]:
    left = list(items)
    out: list[bool] = []
    while left:
        out.append(left.pop(pick.number(0, len(left) - 1)))
    return out


# --- reading back -----------------------------------------------------------------------


def read_rejects(path: Path) -> list[dict[str, Any]]:
    """The rows of a rejects file, every value as text (as read by Python, not DuckDB)."""
    if path.suffix == ".parquet":
        return list(pq.read_table(path).to_pylist())
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
    with path.open(encoding="utf-8", errors="replace", newline="") as text:
        return list(csv.DictReader(text))


@dataclass
class Outcome:
    """What became of one mixed file's rows, and every way that differs from `Expected`."""

    kept_good: int = 0
    lost_good: int = 0
    reported_bad: int = 0
    problems: list[str] = field(default_factory=list)


def compare(expected: Expected, report: Any, warehouse: Path) -> Outcome:
    """Holds an import's report, rejects and stored rows to what `write_mixed` planted."""
    outcome = Outcome()
    table = TABLES_BY_NAME[expected.table]
    if report.file_errors:
        outcome.problems.append(f"file errors: {[e.message for e in report.file_errors]}")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        keys = ", ".join(f"CAST({k} AS VARCHAR)" for k in table.key)
        stored = {tuple(r) for r in con.execute(f"SELECT {keys} FROM {table.name}").fetchall()}
    finally:
        con.close()
    outcome.kept_good = len((expected.good_keys - expected.base_keys) & stored)
    lost = expected.good_keys - stored
    outcome.lost_good = len(lost)
    if lost:
        outcome.problems.append(f"good rows not stored: {sorted(lost)[:5]}")
    if stored - expected.good_keys:
        outcome.problems.append(
            f"stored rows that were corrupted: {sorted(stored - expected.good_keys)[:5]}"
        )
    rejects = [p for p in report.rejects if p.name.startswith(f"{table.name}.")]
    reported: dict[int, str] = {}
    for path in rejects:
        for r in read_rejects(path):
            reported[int(r["_row"])] = str(r["_field"])
    for number, name in expected.bad_rows.items():
        if number not in reported:
            outcome.problems.append(f"row {number} ({expected.how[number]}) was not reported")
        elif reported[number] != name:
            outcome.problems.append(
                f"row {number} ({expected.how[number]}) reported under {reported[number]!r}"
            )
        else:
            outcome.reported_bad += 1
    extra = set(reported) - set(expected.bad_rows)
    if extra:
        outcome.problems.append(f"rows reported that were good: {sorted(extra)}")
    return outcome

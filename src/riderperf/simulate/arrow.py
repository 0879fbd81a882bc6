"""Decides how generated numbers become Arrow columns: ids, UTC timestamps, ISO-8601 text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from riderperf.common.canonical import Column, Table

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
U8 = NDArray[np.uint8]

TIMESTAMP = pa.timestamp("us", tz="UTC")
_OFFSET = b"+00:00"
_EPOCH = date(1970, 1, 1)


def arrow_type(column: Column) -> pa.DataType:
    """The Arrow type a canonical column is written with (enums are plain strings)."""
    types: dict[str, pa.DataType] = {
        "timestamp": TIMESTAMP,
        "date": pa.date32(),
        "float": pa.float64(),
        "int": pa.int64(),
        "bool": pa.bool_(),
    }
    return types.get(column.kind, pa.string())


def _string_array(rows: U8, valid: NDArray[np.bool_] | None = None) -> pa.Array:
    """Fixed-width byte rows as a StringArray, built straight from buffers (no Python loop)."""
    n, width = rows.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    bitmap = None
    nulls = 0
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        nulls = int(n - valid.sum())
    data = pa.py_buffer(np.ascontiguousarray(rows))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), data, bitmap, nulls)


def fixed_width_ids(prefix: str, numbers: I64, width: int) -> pa.Array:
    """Ids such as `O000000042`: the prefix then the number zero-padded to `width` digits."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if len(numbers) and (numbers.min() < 0 or numbers.max() >= 10**width):
        raise ValueError(f"id numbers for {prefix!r} do not fit {width} digits")
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    rows = np.empty((len(numbers), len(head) + width), dtype=np.uint8)
    rows[:, : len(head)] = head
    rest = numbers.copy()
    for j in range(width - 1, -1, -1):
        rows[:, len(head) + j] = 48 + rest % 10
        rest //= 10
    return _string_array(rows)


def id_width(minimum: int, count: int) -> int:
    """Digits needed to number `count` things, at least `minimum`."""
    return max(minimum, len(str(max(count, 1))))


def whole_seconds(minutes: F64) -> F64:
    """Minutes rounded to the whole second they are written as (NaN stays NaN)."""
    return np.asarray(np.rint(minutes * 60.0), dtype=np.float64)


def timestamps(base_s: int, minutes: F64) -> pa.Array:
    """Minutes after a UTC epoch second, rounded to whole seconds; NaN becomes null."""
    valid = ~np.isnan(minutes)
    secs = np.where(valid, whole_seconds(minutes), 0.0).astype(np.int64) + base_s
    return pa.array(secs * 1_000_000, type=TIMESTAMP, mask=~valid)


def take(values: pa.Array, codes: I64, valid: NDArray[np.bool_] | None = None) -> pa.Array:
    """values[codes] as an Arrow array; null where `valid` is False."""
    mask = None if valid is None else ~valid
    return pc.take(values, pa.array(codes, type=pa.int64(), mask=mask))


@lru_cache(maxsize=1)
def _clock_table() -> U8:
    """`HH:MM:SS` for every second of a day, as 86400 rows of 8 bytes."""
    sod = np.arange(86400)
    parts = (sod // 3600, sod // 60 % 60, sod % 60)
    rows = np.full((86400, 8), ord(":"), dtype=np.uint8)
    for k, part in enumerate(parts):
        rows[:, 3 * k] = 48 + part // 10
        rows[:, 3 * k + 1] = 48 + part % 10
    return rows


def iso_text(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """UTC timestamps as `YYYY-MM-DDTHH:MM:SS+00:00` (whole seconds), nulls kept."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    n = len(column)
    valid = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
    micros = pc.cast(column, pa.int64()).fill_null(0).to_numpy()
    secs = micros // 1_000_000
    day = secs // 86400
    first = int(day[valid].min()) if valid.any() else 0
    day = np.where(valid, day, first) - first
    span = int(day.max()) + 1 if n else 1
    prefixes = np.frombuffer(
        b"".join(
            (_EPOCH + timedelta(days=first + d)).isoformat().encode() + b"T" for d in range(span)
        ),
        dtype=np.uint8,
    ).reshape(span, 11)
    rows = np.empty((n, 25), dtype=np.uint8)
    rows[:, :11] = prefixes[day]
    rows[:, 11:19] = _clock_table()[secs % 86400]
    rows[:, 19:] = np.frombuffer(_OFFSET, dtype=np.uint8)
    return _string_array(rows, valid)


def canonical_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a canonical table, columns in schema.py order."""
    return pa.schema([pa.field(c.name, arrow_type(c)) for c in table.columns])


def canonical_table(table: Table, columns: Mapping[str, pa.Array]) -> pa.Table:
    """Columns laid out as the canonical table; every column of schema.py must be given."""
    missing = [name for name in table.column_names if name not in columns]
    extra = [name for name in columns if name not in table.by_name]
    if missing or extra:
        raise ValueError(f"{table.name}: missing columns {missing}, unknown columns {extra}")
    target = canonical_schema(table)
    arrays = [columns[f.name].cast(f.type) for f in target]
    return pa.Table.from_arrays(arrays, schema=target)


def constant(value: str, count: int) -> pa.Array:
    """One string repeated `count` times."""
    return pa.repeat(pa.scalar(value, pa.string()), count)

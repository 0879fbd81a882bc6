"""Decides how tables reach disk: one streamed file per canonical table, truth always as CSV."""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from riderperf.common import canonical as schema
from riderperf.simulate.arrow import canonical_schema, iso_text

FORMATS = ("parquet", "csv", "jsonl")
_JSON_SLICE = 100_000
_NEEDS_ESCAPE = r'[\\"\x00-\x1f]'


class TableSink(Protocol):
    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


def text_timestamps(table: pa.Table) -> pa.Table:
    """Timestamp columns replaced by ISO-8601 text with an explicit +00:00 offset."""
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, iso_text(table.column(i)))
    return table


class ParquetSink:
    """Appends one row group per write; timestamps stay tz-aware UTC microseconds."""

    def __init__(self, path: Path, arrow_schema: pa.Schema) -> None:
        self._writer = pq.ParquetWriter(path, arrow_schema, compression="snappy")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


class CsvSink:
    """A header then rows; empty cells are nulls, strings quoted only when needed."""

    def __init__(self, path: Path, arrow_schema: pa.Schema) -> None:
        self._schema = text_timestamps(arrow_schema.empty_table()).schema
        options = pacsv.WriteOptions(quoting_style="needed")
        self._writer = pacsv.CSVWriter(str(path), self._schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(text_timestamps(table).cast(self._schema))

    def close(self) -> None:
        self._writer.close()


def _json_values(column: pa.Array) -> pa.Array:
    """Each value as JSON text: strings quoted and escaped, numbers and bools bare, null."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        column = iso_text(column)  # never needs escaping
    elif pa.types.is_date(kind):
        column = column.cast(pa.string())
    elif (
        pa.types.is_string(kind) and pc.any(pc.match_substring_regex(column, _NEEDS_ESCAPE)).as_py()
    ):
        # Generated text never needs escaping; for any other text the exact encoder is worth it.
        values = column.to_pylist()
        encoded = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        return pa.array(encoded, pa.string()).fill_null("null")
    if pa.types.is_string(column.type):
        quote = pa.scalar('"')
        column = pc.binary_join_element_wise(quote, column, quote, "")
    else:
        column = column.cast(pa.string())
    return column.fill_null("null")


def json_lines(table: pa.Table) -> pa.Array:
    """One JSON object per row, each ending in a newline, columns in table order."""
    parts: list[pa.Array | pa.Scalar] = []
    for i, name in enumerate(table.column_names):
        parts.append(pa.scalar(("{" if i == 0 else ",") + json.dumps(name) + ":"))
        parts.append(_json_values(table.column(i).combine_chunks()))
    parts.append(pa.scalar("}\n"))
    return pc.binary_join_element_wise(*parts, "")


class JsonlSink:
    """JSON Lines written straight from Arrow string buffers."""

    def __init__(self, path: Path, arrow_schema: pa.Schema) -> None:
        self._file: BinaryIO = path.open("wb")

    def write(self, table: pa.Table) -> None:
        for start in range(0, table.num_rows, _JSON_SLICE):
            lines = json_lines(table.slice(start, _JSON_SLICE))
            if not len(lines):
                continue
            _, offsets_buffer, data = lines.buffers()
            offsets = np.frombuffer(offsets_buffer, dtype=np.int32)
            first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
            self._file.write(memoryview(data)[first:last])

    def close(self) -> None:
        self._file.close()


_SINKS: dict[str, type[ParquetSink] | type[CsvSink] | type[JsonlSink]] = {
    "parquet": ParquetSink,
    "csv": CsvSink,
    "jsonl": JsonlSink,
}


class DatasetWriter:
    """One sink per canonical table, opened up front so every table file exists, plus the truth
    files; counts rows per table."""

    def __init__(self, out: Path, fmt: str) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        out.mkdir(parents=True, exist_ok=True)
        (out / "truth").mkdir(exist_ok=True)
        self.rows = {t.name: 0 for t in schema.TABLES}
        self._schemas = {t.name: canonical_schema(t) for t in schema.TABLES}
        self._sinks: dict[str, TableSink] = {}
        self._truth: dict[str, pacsv.CSVWriter] = {}
        try:
            for t in schema.TABLES:
                path = out / f"{t.name}.{fmt}"
                self._sinks[t.name] = _SINKS[fmt](path, self._schemas[t.name])
        except BaseException:
            self.close()
            raise
        self._out = out

    def write(self, name: str, table: pa.Table) -> None:
        if not table.schema.equals(self._schemas[name]):
            raise ValueError(f"{name}: schema {table.schema} is not the canonical one")
        self._sinks[name].write(table)
        self.rows[name] += table.num_rows

    def write_truth(self, name: str, table: pa.Table) -> None:
        """Append rows to truth/<name>.csv (header written once)."""
        if name not in self._truth:
            path = str(self._out / "truth" / f"{name}.csv")
            options = pacsv.WriteOptions(quoting_style="needed")
            self._truth[name] = pacsv.CSVWriter(path, table.schema, write_options=options)
        self._truth[name].write_table(table)

    def close(self) -> None:
        for sink in [*self._sinks.values(), *self._truth.values()]:
            sink.close()
        self._sinks, self._truth = {}, {}

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

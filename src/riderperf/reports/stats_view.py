"""Decides how another package's stats dict is shown: scalars as figures, the rest as tables.

The contract dicts of appeals, inspections and decisions are shown generically, so a key
a package adds appears in the report without a change here: a scalar becomes a figure, a
mapping of scalars a two-column table, a mapping of mappings or a list of mappings a table
with one row each, and a mapping that mixes them is opened up under its own name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from riderperf.reports.formatting import figure_text
from riderperf.reports.model import NO_DATA, SourceSection, Table

# Keys that only repeat the window asked for; the report's title page already says it.
ECHOED_KEYS = frozenset({"start", "end", "period"})


def stats_section(title: str, stats: Any, note: str = "") -> SourceSection:
    """A contract stats dict as a report section; no data when it holds nothing but zeros."""
    if not isinstance(stats, Mapping) or not stats:
        return SourceSection(title, False, note or NO_DATA, raw=stats or None)
    shown = {k: v for k, v in stats.items() if str(k) not in ECHOED_KEYS}
    figures: list[tuple[str, str]] = []
    tables: list[Table] = []
    _collect("", shown, figures, tables)
    if all(_is_nothing(v) for v in shown.values()):
        why = note if note.startswith(NO_DATA) else f"{NO_DATA} ({note})" if note else NO_DATA
        return SourceSection(title, False, why, raw=stats)
    return SourceSection(title, True, note, figures, [t for t in tables if t.rows], raw=stats)


def _collect(
    prefix: str, stats: Mapping[Any, Any], figures: list[tuple[str, str]], tables: list[Table]
) -> None:
    for key, value in stats.items():
        name = f"{prefix}{key}".replace("_", " ")
        if isinstance(value, Mapping) and value:
            inner = list(value.values())
            if all(isinstance(v, Mapping) for v in inner):
                tables.append(_rows_table(name, [str(k) for k in value], inner))
            elif any(isinstance(v, Mapping) for v in inner):
                _collect(f"{prefix}{key} ", value, figures, tables)
            else:
                rows = [[str(k), figure_text(str(key), v)] for k, v in value.items()]
                tables.append(Table(name, ["", "value"], rows))
        elif _is_rows(value):
            tables.append(_rows_table(name, None, list(value)))
        else:
            figures.append((name, figure_text(str(key), value)))


def _is_rows(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def _rows_table(title: str, names: list[str] | None, rows: list[Mapping[Any, Any]]) -> Table:
    columns = _union_keys(rows)
    cells = [[_cell(c, row.get(c)) for c in columns] for row in rows]
    headers = [c.replace("_", " ") for c in columns]
    if names is None:
        return Table(title, headers, cells)
    return Table(title, ["", *headers], [[n, *r] for n, r in zip(names, cells, strict=True)])


def _cell(key: str, value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {figure_text(str(k), v)}" for k, v in value.items())
    return figure_text(key, value)


def _union_keys(rows: Iterable[Mapping[Any, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns += [str(k) for k in row if str(k) not in columns]
    return columns


def _is_nothing(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(_is_nothing(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_is_nothing(v) for v in value)
    return value is None or value == 0 or value == ""

"""The timeline of one subject or one rider as `riderperf audit show` prints it, read from
the stored rows without the ORM: a row someone tampered with into values the application
never writes is shown as stored, with what is wrong with it, instead of stopping the read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine

from riderperf.audit.stored import COLUMNS, canonical_content, show_value, stored_rows


@dataclass(frozen=True)
class TimelineEntry:
    """One stored event; `problem` says why it is malformed, None when it is well formed."""

    values: dict[str, Any]
    problem: str | None

    def as_dict(self) -> dict[str, Any]:
        return {**self.values, "problem": self.problem}


def subject_timeline(engine: Engine, subject_type: str, subject_id: str) -> list[TimelineEntry]:
    return _timeline(engine, {"subject_type": subject_type, "subject_id": subject_id})


def rider_timeline(engine: Engine, rider_id: str) -> list[TimelineEntry]:
    return _timeline(engine, {"rider_id": rider_id})


def _timeline(engine: Engine, where: dict[str, str]) -> list[TimelineEntry]:
    with stored_rows(engine, where) as (rows, _head):
        return [_entry(row) for row in rows]


def _entry(row: tuple[Any, ...]) -> TimelineEntry:
    content = canonical_content(row)
    problem = content if isinstance(content, str) else None
    values = {name: _value(name, value) for name, value in zip(COLUMNS, row, strict=True)}
    values.pop("prev_hash")
    values.pop("hash")
    if problem is None:
        values["details"] = orjson.loads(row[COLUMNS.index("details")])
    return TimelineEntry(values, problem)


def _value(name: str, value: object) -> Any:
    """Well-typed values as they are; anything else quoted (JSON-safe and printable)."""
    if name == "seq" and type(value) is int:
        return value
    if type(value) is str and value.isprintable():
        return value
    if value is None and name == "rider_id":
        return None
    return show_value(value)

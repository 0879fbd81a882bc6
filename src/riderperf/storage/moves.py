"""Moves one row from the state its caller read to a new one with a compare-and-set.

Two people acting on the same row at once both read it in the same state; the UPDATE names
that state (status, version, or a column still empty) in its WHERE, so the database lets
exactly one of them change the row. The other changes no row and learns it lost, before it
writes any event or notice. Every state move of the app goes through `compare_and_set`.

Why it is enough on both databases: PostgreSQL (read committed) makes a second UPDATE of the
same row wait for the first transaction and then evaluates the WHERE again on the committed
row; SQLite lets one writer at a time and the WHERE reads the row as committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, update
from sqlalchemy.orm import Session


def compare_and_set(
    session: Session,
    model: type[Any],
    key: ColumnElement[bool],
    *,
    expected: Mapping[str, Any],
    values: Mapping[str, Any],
) -> bool:
    """UPDATE `model` SET `values` WHERE `key` AND every `expected` column holds its value;
    True when it changed exactly one row.

    `expected` maps column names to the values the caller read (None means the column is
    still empty, `IS NULL`). When it holds `version`, the version is bumped by one unless
    `values` sets it. The session's copies of the row are not refreshed: the caller knows
    what it wrote, or refreshes.
    """
    if not expected:
        raise ValueError("compare_and_set needs the state the caller read (expected)")
    written = dict(values)
    if "version" in expected and "version" not in written:
        written["version"] = expected["version"] + 1
    conditions = [key]
    for name, value in expected.items():
        column = getattr(model, name)
        conditions.append(column.is_(None) if value is None else column == value)
    result = session.execute(
        update(model)
        .where(*conditions)
        .values(**written)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1

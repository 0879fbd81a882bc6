"""Reads audit rows as the database stores them and says what is wrong with a tampered one.

The verifier cannot trust the ORM: someone who dropped the append-only triggers can write
anything into a row, and a value the column type was never meant to hold (text or an integer
in `at` on SQLite, a year after 9999 or `infinity` in a PostgreSQL timestamp, bytes in
`details`) makes the ORM or the driver raise while fetching, which stops the whole walk.
So the rows are read with no conversion at all: SQLite hands back its stored values as they
are (text that is not UTF-8 is decoded with surrogate escapes instead of raising), and
PostgreSQL sends every column but `seq` as text, times in UTC. Each value is then checked
here, one row at a time, and a bad one becomes a sentence naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, text

from riderperf.audit.log import canonical_time

# The order of the columns in a stored row; `StoredRow` is a tuple of raw values in it.
COLUMNS = (
    "seq",
    "event_id",
    "at",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "rider_id",
    "details",
    "prev_hash",
    "hash",
)
StoredRow = tuple[Any, ...]
# What the event hash covers but the previous hash: seq, event id, canonical time, actor,
# action, subject type, subject id, rider id, details.
HashedContent = tuple[int, str, str, str, str, str, str, str | None, str]

# How a column is named in a sentence, for the text columns the application always fills.
_TEXT_FIELDS = {
    "event_id": "event id",
    "actor": "actor",
    "action": "action",
    "subject_type": "subject type",
    "subject_id": "subject id",
    "prev_hash": "previous hash",
    "hash": "hash",
}
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_BATCH = 5000


@contextmanager
def stored_rows(
    engine: Engine, where: Mapping[str, str] | None = None
) -> Iterator[tuple[Iterator[StoredRow], StoredRow | None]]:
    """The audit events in sequence order, as raw tuples, and the raw (seq, hash) of the
    head row (None when it is missing), read in one transaction; `where` keeps the events
    whose text columns equal the values given (e.g. one subject's, one rider's)."""
    unknown = set(where or {}) - set(_TEXT_FIELDS) - {"rider_id"}
    if unknown:
        raise ValueError(f"cannot select audit events by {sorted(unknown)}")
    condition = " AND ".join(f"{name} = :{name}" for name in where or {})
    with engine.connect() as con, con.begin():
        if con.dialect.name == "postgresql":
            # Times as text in UTC and ISO form, whatever the server's defaults.
            con.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
            con.exec_driver_sql("SET LOCAL DateStyle = 'ISO, YMD'")
            columns = ", ".join(["seq", *(f"CAST({c} AS text)" for c in COLUMNS[1:])])
        else:
            columns = ", ".join(COLUMNS)
        with _tolerant_text(con):
            head = con.exec_driver_sql("SELECT seq, hash FROM audit_head WHERE id = 1").first()
            query = f"SELECT {columns} FROM audit_events"
            query += f" WHERE {condition} ORDER BY seq" if condition else " ORDER BY seq"
            result = con.execution_options(yield_per=_BATCH).execute(text(query), dict(where or {}))
            yield (tuple(row) for row in result), None if head is None else tuple(head)


@contextmanager
def _tolerant_text(con: Connection) -> Iterator[None]:
    """SQLite stores whatever bytes it is given as text; Python's driver raises on text that
    is not UTF-8, so for the walk it decodes with surrogate escapes and the check names it."""
    if con.dialect.name != "sqlite":
        yield
        return
    raw: Any = con.connection.driver_connection
    before = raw.text_factory
    raw.text_factory = _decode_leniently
    try:
        yield
    finally:
        raw.text_factory = before


def _decode_leniently(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def canonical_content(row: StoredRow) -> HashedContent | str:
    """The values the event hash covers, with the time in canonical form; or, when a value
    is not what the application writes, a sentence saying which and why."""
    seq, event_id, at, actor, action, subject_type, subject_id, rider_id, details = row[:9]
    if type(seq) is not int:
        return f"its sequence number is {_kind(seq)}, not an integer"
    for name in ("event_id", "actor", "action", "subject_type", "subject_id", "prev_hash"):
        value = row[_INDEX[name]]
        if type(value) is not str:
            return _missing_or_wrong(_TEXT_FIELDS[name], value)
    if rider_id is not None and type(rider_id) is not str:
        return f"its rider id is {_kind(rider_id)}, not text"
    time_text = _time_text(at)
    if time_text is None:
        return _time_problem(at)
    problem = _details_problem(details)
    if problem is not None:
        return problem
    stored_hash = row[_INDEX["hash"]]
    if type(stored_hash) is not str:
        return _missing_or_wrong("hash", stored_hash)
    return (seq, event_id, time_text, actor, action, subject_type, subject_id, rider_id, details)


def non_utf8_problem(row: StoredRow) -> str:
    """Which text field hashing refused: SQLite text that is not UTF-8 (looked for only
    after the hash failed, so the walk over an intact log never pays for it)."""
    for name in COLUMNS[1:]:
        value = row[_INDEX[name]]
        if type(value) is str and not _is_utf8(value):
            return f"its {_TEXT_FIELDS.get(name, name.replace('_', ' '))} is not UTF-8 text"
    return "its values cannot be hashed"


def _time_text(at: object) -> str | None:
    if type(at) is not str:
        return None
    try:
        return canonical_time(datetime.fromisoformat(at))
    except (ValueError, OverflowError):
        return None


def _time_problem(at: object) -> str:
    if type(at) is not str:
        return f"its time is {_kind(at)}, not a date and time"
    return f"its time {_show(at)} is not a date and time the application can read"


def _details_problem(details: object) -> str | None:
    if type(details) is not str:
        return f"its details are {_kind(details)}, not JSON text"
    try:
        value = orjson.loads(details)
    except orjson.JSONDecodeError:
        if not _is_utf8(details):
            return "its details are not UTF-8 text"
        return f"its details are not JSON: {_show(details)}"
    if not isinstance(value, dict):
        return f"its details are not a JSON object: {_show(details)}"
    return None


def _missing_or_wrong(field: str, value: object) -> str:
    if value is None:
        return f"it has no {field}"
    return f"its {field} is {_kind(value)}, not text"


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(value: object) -> str:
    if value is None:
        return "empty (NULL)"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"binary ({len(value)} bytes)"
    if isinstance(value, bool | int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text {_show(value)}"
    return f"a {type(value).__name__}"


def _show(value: object, limit: int = 60) -> str:
    """A stored value quoted for a message: repr, so control characters stay visible, and
    cut short, since an attacker chooses its length."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_value(value: object, limit: int = 60) -> str:
    """A stored value quoted for display, whatever its type (see `_show`)."""
    return _show(value, limit)


def show_event_id(value: object) -> str:
    if type(value) is str and value.isprintable() and len(value) <= 40:
        return value
    return _show(value, 40)

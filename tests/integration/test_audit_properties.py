"""Whatever value an attacker writes into one field of one audit row, verify names that row.

Hypothesis corrupts one column of one event of a small valid chain on SQLite (where a column
holds any type: text, integers, floats, bytes, NULL, text that is not UTF-8) and checks that
`verify_chain` returns instead of raising and reports a break at that event.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from riderperf.audit.log import record_event
from riderperf.audit.stored import COLUMNS as STORED_COLUMNS
from riderperf.audit.verify import verify_chain
from riderperf.storage.db import make_engine, unit_of_work
from tests.databases import copy_sqlite

EVENTS = 5
# Every stored column but the sequence number, which orders the chain.
COLUMNS = [c for c in STORED_COLUMNS if c != "seq"]
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class NotUtf8:
    """Bytes to store as SQLite text, which SQLite accepts and Python's driver cannot decode."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"NotUtf8({self.data!r})"


values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.binary(max_size=30),
    st.builds(NotUtf8, st.binary(min_size=1, max_size=10).map(lambda b: b"\xff" + b)),
    st.datetimes().map(str),  # times that parse, on other days
    st.dictionaries(st.text(max_size=5), st.integers(-1000, 1000), max_size=3).map(
        lambda d: orjson.dumps(d).decode()
    ),
    st.sampled_from(["[/bold]", "infinity", "0" * 64, "{}", "[]", "null", "1e400"]),
)


@pytest.fixture(scope="module")
def valid_chain(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chain of five events in a table rebuilt without triggers or NOT NULL, as an
    attacker would leave it."""
    path = tmp_path_factory.mktemp("audit_chain") / "app.db"
    copy_sqlite(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with unit_of_work(engine) as session:
        for i in range(EVENTS):
            record_event(
                session,
                actor="ops.ana",
                action="decision.approved",
                subject_type="decision",
                subject_id=f"d{i}",
                rider_id=f"R{i}",
                at=AT + timedelta(minutes=i),
                details={"reason": f"step {i}", "points": i},
            )
    with engine.begin() as con:
        con.execute(text("CREATE TABLE audit_events_loose AS SELECT * FROM audit_events"))
        con.execute(text("DROP TABLE audit_events"))
        con.execute(text("ALTER TABLE audit_events_loose RENAME TO audit_events"))
    engine.dispose()
    assert verify_chain(make_engine(f"sqlite:///{path}")).ok
    return path


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seq=st.integers(1, EVENTS), column=st.sampled_from(COLUMNS), value=values)
def test_verify_names_any_row_with_any_corrupted_field(
    valid_chain: Path, scratch: Path, seq: int, column: str, value: Any
) -> None:
    path = scratch / "app.db"
    shutil.copyfile(valid_chain, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        select = text(
            f"SELECT CAST({column} AS BLOB), typeof({column}) FROM audit_events WHERE seq = :s"
        )
        with engine.begin() as con:
            before = con.execute(select, {"s": seq}).one()
            if isinstance(value, NotUtf8):
                statement = f"UPDATE audit_events SET {column} = CAST(:v AS TEXT) WHERE seq = :s"
                con.execute(text(statement), {"v": value.data, "s": seq})
            else:
                statement = f"UPDATE audit_events SET {column} = :v WHERE seq = :s"
                con.execute(text(statement), {"v": value, "s": seq})
            after = con.execute(select, {"s": seq}).one()
        assume(tuple(after) != tuple(before))  # the column's affinity may store the same
        report = verify_chain(engine)
    finally:
        engine.dispose()
    assert not report.ok
    assert any(b.seq == seq and b.problem.startswith(f"event {seq} (") for b in report.breaks), (
        report.breaks
    )

"""The audit log: appends chain, tampering behind the application's back is found and named."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from riderperf.audit.log import events_for, events_for_rider, record_event
from riderperf.audit.verify import verify_chain
from riderperf.cli.audit import audit_app
from riderperf.config import Settings
from riderperf.storage.db import make_engine, unit_of_work, upgrade

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _append(engine: Engine, count: int, start: int = 0) -> None:
    with unit_of_work(engine) as session:
        for i in range(start, start + count):
            record_event(
                session,
                actor="ops.ana",
                action="decision.approved",
                subject_type="decision",
                subject_id=f"d{i}",
                rider_id=f"R{i % 3}",
                at=AT + timedelta(minutes=i),
                details={"reason": f"step {i}", "points": i},
            )


def _use_stores(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """The CLI reads its stores from the environment: point it at the test's."""
    monkeypatch.setenv("RIDERPERF_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("RIDERPERF_DATABASE_URL", settings.database_url)


def _allow_tampering(engine: Engine) -> None:
    """What an attacker with database access does first: switch the guard off."""
    with engine.begin() as con:
        if engine.dialect.name == "sqlite":
            con.execute(text("DROP TRIGGER audit_events_refuse_update"))
            con.execute(text("DROP TRIGGER audit_events_refuse_delete"))
        else:
            con.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))


def test_intact_chain_verifies(engine: Engine) -> None:
    _append(engine, 5)
    _append(engine, 3, start=5)
    report = verify_chain(engine)
    assert report.ok and report.events == 8


def test_timelines_return_the_events_of_one_subject_or_rider_in_order(engine: Engine) -> None:
    _append(engine, 6)
    with unit_of_work(engine) as session:
        assert [e.subject_id for e in events_for(session, "decision", "d4")] == ["d4"]
        rider = events_for_rider(session, "R1")
        assert [e.subject_id for e in rider] == ["d1", "d4"]
        assert rider[0].details == {"points": 1, "reason": "step 1"}


def test_database_refuses_updates_and_deletes_of_audit_rows(engine: Engine) -> None:
    _append(engine, 2)
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as con:
            con.execute(text(statement))
    assert verify_chain(engine).ok


def test_changed_row_is_named(engine: Engine) -> None:
    _append(engine, 6)
    _allow_tampering(engine)
    with engine.begin() as con:
        con.execute(
            text("UPDATE audit_events SET details = :d WHERE seq = 4"), {"d": '{"points":0}'}
        )
    report = verify_chain(engine)
    assert not report.ok
    assert report.broken_seq == 4
    assert "changed" in str(report.problem)


def test_removed_row_in_the_middle_is_named(engine: Engine) -> None:
    _append(engine, 6)
    _allow_tampering(engine)
    with engine.begin() as con:
        con.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    report = verify_chain(engine)
    assert not report.ok and report.broken_seq == 3
    assert "removed" in str(report.problem)


def test_removed_last_rows_are_found_through_the_head(engine: Engine) -> None:
    _append(engine, 6)
    _allow_tampering(engine)
    with engine.begin() as con:
        con.execute(text("DELETE FROM audit_events WHERE seq >= 5"))
    report = verify_chain(engine)
    assert not report.ok and report.broken_seq == 5


def test_cli_verify_exits_nonzero_and_names_the_event(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_stores(monkeypatch, settings)
    _append(engine, 4)
    assert runner.invoke(audit_app, ["verify"]).exit_code == 0
    _allow_tampering(engine)
    with engine.begin() as con:
        con.execute(text("UPDATE audit_events SET actor = 'someone.else' WHERE seq = 2"))
    result = runner.invoke(audit_app, ["verify"])
    assert result.exit_code == 1
    assert "event 2" in result.output


@pytest.mark.postgres
def test_concurrent_appends_keep_one_chain_on_postgres(pg_database_url: str) -> None:
    engine = make_engine(pg_database_url)
    upgrade(engine)
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                _append(engine, 1, start=n * 100 + i)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    report = verify_chain(engine)
    engine.dispose()
    assert report.ok and report.events == 40


def _allow_nulls(engine: Engine) -> None:
    """An attacker who can drop triggers can also lift NOT NULL: on SQLite by rebuilding the
    table (which drops its triggers too), on PostgreSQL with ALTER TABLE."""
    with engine.begin() as con:
        if engine.dialect.name == "sqlite":
            con.execute(text("CREATE TABLE audit_events_loose AS SELECT * FROM audit_events"))
            con.execute(text("DROP TABLE audit_events"))
            con.execute(text("ALTER TABLE audit_events_loose RENAME TO audit_events"))
        else:
            con.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            for column in ("at", "details", "hash", "prev_hash", "actor", "event_id"):
                con.execute(text(f"ALTER TABLE audit_events ALTER COLUMN {column} DROP NOT NULL"))


def _write_raw(engine: Engine, seq: int, column: str, value: object) -> None:
    with engine.begin() as con:
        con.execute(
            text(f"UPDATE audit_events SET {column} = :v WHERE seq = :s"), {"v": value, "s": seq}
        )


# A row tampered with a value the application never writes. The SQLite value is what the
# column's affinity lets through; the PostgreSQL value is what the typed column holds, or
# None when it cannot hold anything of the kind (a timestamptz holds no integer, text no bytes).
MALFORMED = [
    pytest.param("at", "the day before yesterday", "infinity", "time", id="unparsable-time"),
    pytest.param("at", 1_700_000_000, None, "time", id="integer-time"),
    pytest.param("at", "20000-01-01 00:00:00", "20000-01-01 00:00:00+00", "time", id="absurd-time"),
    pytest.param("details", b"\x00\xff\xfe", None, "binary", id="binary-details"),
    pytest.param("details", "{not json", "{not json", "not JSON", id="details-not-json"),
    pytest.param("details", "42", "42", "not a JSON object", id="details-not-an-object"),
    pytest.param("hash", None, None, "no hash", id="missing-hash"),
    pytest.param("actor", b"\x80", None, "actor", id="binary-actor"),
    pytest.param("prev_hash", b"\x07", None, "previous hash", id="binary-prev-hash"),
    # Not malformed, but quoted in the CLI's message: must not be read as rich markup.
    pytest.param("event_id", "[/oops]", "[/oops]", "changed", id="markup-in-event-id"),
]


def _tamper_one(
    engine: Engine, column: str, sqlite_value: object, pg_value: object, words: str
) -> tuple[bool, str]:
    """Writes the malformed value into event 3. Returns whether anything was written and the
    words the verifier's report must hold. PostgreSQL's typed columns refuse some values
    outright (asserted here), and store bytes sent to a text column as their hex text, which
    the verifier then finds changed rather than binary."""
    _allow_nulls(engine)
    if engine.dialect.name == "sqlite" or pg_value is not None or column == "hash":
        _write_raw(engine, 3, column, sqlite_value if engine.dialect.name == "sqlite" else pg_value)
        return True, words
    try:
        _write_raw(engine, 3, column, sqlite_value)
    except DBAPIError:
        return False, ""
    return True, "event 3 ("


@pytest.mark.parametrize(("column", "sqlite_value", "pg_value", "words"), MALFORMED)
def test_malformed_row_is_named_and_the_rest_of_the_chain_still_checked(
    engine: Engine, column: str, sqlite_value: object, pg_value: object, words: str
) -> None:
    _append(engine, 6)
    written, words = _tamper_one(engine, column, sqlite_value, pg_value, words)
    if not written:
        assert verify_chain(engine).ok  # the refused write left the chain intact
        return
    _write_raw(engine, 5, "actor", "someone.else")
    report = verify_chain(engine)
    assert not report.ok and report.events == 6
    assert report.broken_seq == 3 and report.broken_event_id
    first = report.breaks[0]
    assert first.seq == 3 and first.event_id == report.broken_event_id
    assert first.problem.startswith(f"event 3 ({first.event_id})")
    assert words in first.problem, first.problem
    assert [b.seq for b in report.breaks if "changed" in b.problem][-1] == 5


@pytest.mark.parametrize(("column", "sqlite_value", "pg_value", "words"), MALFORMED)
def test_cli_verify_names_a_malformed_row_and_exits_nonzero(
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    column: str,
    sqlite_value: object,
    pg_value: object,
    words: str,
) -> None:
    _use_stores(monkeypatch, settings)
    _append(engine, 4)
    written, words = _tamper_one(engine, column, sqlite_value, pg_value, words)
    if not written:
        assert runner.invoke(audit_app, ["verify"]).exit_code == 0
        return
    result = runner.invoke(audit_app, ["verify"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "event 3 (" in result.output and words in result.output
    as_json = runner.invoke(audit_app, ["verify", "--json"])
    assert as_json.exit_code == 1
    listed = json.loads(as_json.stdout)
    assert listed["ok"] is False and listed["broken_seq"] == 3
    assert [b["seq"] for b in listed["breaks"]][:1] == [3]
    assert words in listed["breaks"][0]["problem"]


@pytest.mark.parametrize(("column", "sqlite_value", "pg_value", "words"), MALFORMED)
def test_cli_show_prints_a_malformed_row_as_stored_and_exits_nonzero(
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    column: str,
    sqlite_value: object,
    pg_value: object,
    words: str,
) -> None:
    _use_stores(monkeypatch, settings)
    _append(engine, 6)
    written, words = _tamper_one(engine, column, sqlite_value, pg_value, words)
    shown = runner.invoke(audit_app, ["show", "--rider", "R0"])  # events 1 and 4: intact
    assert shown.exit_code == 0, shown.output
    assert [line.split()[0] for line in shown.stdout.splitlines()] == ["1", "4"]
    as_json = runner.invoke(audit_app, ["show", "--json", "--subject", "decision:d2"])
    listed = json.loads(as_json.stdout)
    assert [e["seq"] for e in listed] == [3]
    malformed = written and listed[0]["problem"] is not None
    assert as_json.exit_code == (1 if malformed else 0), as_json.output
    text_form = runner.invoke(audit_app, ["show", "--rider", "R2"])  # events 3 and 6
    assert text_form.exception is None or isinstance(text_form.exception, SystemExit)
    assert text_form.stdout.split()[:1] == ["3"]
    if malformed:
        assert "malformed" in text_form.stdout and "riderperf audit verify" in text_form.output
        assert text_form.exit_code == 1

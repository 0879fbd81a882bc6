"""The audit log: appends chain, tampering behind the application's back is found and named."""

from __future__ import annotations

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
    monkeypatch.setenv("RIDERPERF_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("RIDERPERF_DATABASE_URL", settings.database_url)
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

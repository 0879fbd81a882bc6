"""The one compare-and-set of the app on SQLite and PostgreSQL: it changes the row only in
the state the caller read, bumps the version, and reads None as a column still empty."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from riderperf.clock import as_utc
from riderperf.config import Settings
from riderperf.decisions.orm import Decision
from riderperf.notices.orm import Notice
from riderperf.notices.service import issue_notice
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.storage.moves import compare_and_set

AT = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    made = make_engine(settings.app_database_url)
    with unit_of_work(made) as session:
        session.add(
            Decision(
                decision_id="d-cas",
                decision_key="test|d-cas",
                rider_id="r-cas",
                kind="warning",
                status="proposed",
                rule_id="late_deliveries",
                policy_version="default",
                period="2026-W45",
                period_end=date(2026, 11, 9),
                inputs={},
                reason_params={},
                created_at=AT,
            )
        )
    yield made
    made.dispose()


def moved(engine: Engine, status: str, version: int) -> bool:
    with unit_of_work(engine) as session:
        return compare_and_set(
            session,
            Decision,
            Decision.decision_id == "d-cas",
            expected={"status": status, "version": version},
            values={"status": "rejected", "rejected_by": "olga", "rejected_at": AT},
        )


def test_a_move_from_the_state_read_changes_the_row_and_bumps_its_version(
    engine: Engine,
) -> None:
    assert moved(engine, "proposed", 1)
    with unit_of_work(engine) as session:
        decision = session.get(Decision, "d-cas")
        assert decision is not None
        assert (decision.status, decision.version, decision.rejected_by) == ("rejected", 2, "olga")


@pytest.mark.parametrize("status, version", [("proposed", 2), ("in_effect", 1)])
def test_a_move_from_a_state_the_row_is_no_longer_in_changes_nothing(
    engine: Engine, status: str, version: int
) -> None:
    assert not moved(engine, status, version)
    with unit_of_work(engine) as session:
        decision = session.get(Decision, "d-cas")
        assert decision is not None
        assert (decision.status, decision.version) == ("proposed", 1)


def test_none_expects_a_column_still_empty(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        notice_id = issue_notice(
            session,
            rider_id="r-cas",
            kind="case.closed",
            params={"case_id": "c-1"},
            at=AT,
            subject_type="case",
            subject_id="c-1",
        ).notice_id

    def stamp(hour: int) -> bool:
        with unit_of_work(engine) as session:
            return compare_and_set(
                session,
                Notice,
                Notice.notice_id == notice_id,
                expected={"read_at": None},
                values={"read_at": AT.replace(hour=hour)},
            )

    assert stamp(9) and not stamp(10)
    with unit_of_work(engine) as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None and notice.read_at is not None
        assert as_utc(notice.read_at) == AT.replace(hour=9)

"""Notices are stored with their typed parameters and text, audited, and listed per rider."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, func, inspect, select

from riderperf.audit.log import events_for, events_for_rider
from riderperf.audit.verify import verify_chain
from riderperf.config import Settings
from riderperf.notices import NoticeError, render_notice
from riderperf.notices.orm import Notice
from riderperf.notices.service import NoticeNotFound, issue_notice, mark_read, notices_for
from riderperf.storage.db import alembic_config, unit_of_work, upgrade
from riderperf.storage.models import Rider
from riderperf.stores import open_stores

AT = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
SUSPENSION = {
    "offence": "complaints",
    "period": "2026-W46",
    "count": 7,
    "per_100": 3.5,
    "days": 3,
    "until": date(2026, 11, 19),
    "appeal_deadline": date(2026, 11, 30),
}


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    with open_stores(settings) as stores:
        with unit_of_work(stores.engine) as session:
            session.add_all([_rider("R1", "ar-EG"), _rider("R2", None), _rider("R3", "hi")])
        yield stores.engine


def _rider(rider_id: str, language: str | None) -> Rider:
    return Rider(
        rider_id=rider_id,
        capacity_type="full_time",
        city="Dubai",
        vehicle="motorbike",
        joined_on=date(2025, 3, 1),
        language=language,
        status="active",
        registered_at=AT,
    )


def _issue(engine: Engine, rider_id: str, **overrides: object) -> str:
    arguments: dict = {
        "rider_id": rider_id,
        "kind": "decision.suspension",
        "params": SUSPENSION,
        "at": AT,
        "subject_type": "decision",
        "subject_id": "D-1",
    } | overrides
    with unit_of_work(engine) as session:
        return issue_notice(session, **arguments).notice_id


@pytest.mark.replays_migrations
def test_migration_creates_the_notices_table_with_a_rider_index(engine: Engine) -> None:
    indexes = {
        index["name"]: index["column_names"] for index in inspect(engine).get_indexes("notices")
    }
    assert indexes["ix_notices_rider_id"] == ["rider_id"]


@pytest.mark.replays_migrations
def test_the_migration_downgrades_and_upgrades_again(engine: Engine) -> None:
    _issue(engine, "R1")
    command.downgrade(alembic_config(engine), "0004")
    assert "notices" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "notices" in inspect(engine).get_table_names()


def test_a_notice_round_trips_with_dates_as_dates(engine: Engine) -> None:
    notice_id = _issue(engine, "R1")
    with unit_of_work(engine) as session:
        (stored,) = notices_for(session, "R1")
    assert stored.notice_id == notice_id
    assert stored.params == SUSPENSION
    assert isinstance(stored.params["until"], date)
    assert stored.created_at == AT
    assert stored.read_at is None
    assert (stored.subject_type, stored.subject_id) == ("decision", "D-1")
    expected = render_notice("decision.suspension", SUSPENSION, "ar-EG")
    assert (stored.title, stored.body) == (expected.title, expected.body)
    assert (stored.language, stored.direction) == ("ar-EG", "rtl")


def test_datetime_params_come_back_aware(engine: Engine) -> None:
    due = datetime(2026, 11, 18, 17, 30, tzinfo=UTC)
    params = {"case_id": "C-9", "subject": "decision D-1", "resolution_due": due}
    _issue(engine, "R3", kind="case.submitted", params=params, subject_type="case")
    with unit_of_work(engine) as session:
        (stored,) = notices_for(session, "R3")
    assert stored.params["resolution_due"] == due
    assert stored.language == "hi"


def test_language_comes_from_the_rider_else_english_unless_given(engine: Engine) -> None:
    _issue(engine, "R2")
    _issue(engine, "R404")
    _issue(engine, "R1", language="pt-BR", at=AT + timedelta(hours=1))
    with unit_of_work(engine) as session:
        assert [n.language for n in notices_for(session, "R2")] == ["en"]
        assert [n.language for n in notices_for(session, "R404")] == ["en"]
        assert [n.language for n in notices_for(session, "R1")] == ["pt-BR"]


def test_notices_are_listed_oldest_first_for_their_rider_only(engine: Engine) -> None:
    later = _issue(engine, "R1", at=AT + timedelta(days=2))
    earlier = _issue(engine, "R1")
    _issue(engine, "R3")
    with unit_of_work(engine) as session:
        assert [n.notice_id for n in notices_for(session, "R1")] == [earlier, later]


def test_issuing_records_an_audit_event_in_the_same_transaction(engine: Engine) -> None:
    notice_id = _issue(engine, "R1")
    with unit_of_work(engine) as session:
        (event,) = events_for(session, "notice", notice_id)
        assert (event.actor, event.action, event.rider_id) == ("system", "notice.issued", "R1")
        assert event.details == {"kind": "decision.suspension"}
    assert verify_chain(engine).ok


def test_a_notice_that_cannot_render_writes_nothing(engine: Engine) -> None:
    params = {name: value for name, value in SUSPENSION.items() if name != "until"}
    with pytest.raises(NoticeError, match="'until'"), unit_of_work(engine) as session:
        issue_notice(
            session,
            rider_id="R1",
            kind="decision.suspension",
            params=params,
            at=AT,
            subject_type="decision",
            subject_id="D-1",
        )
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 0
        assert events_for_rider(session, "R1") == []


def test_a_param_that_json_cannot_hold_is_refused_by_name(engine: Engine) -> None:
    params = SUSPENSION | {"evidence": [{"file": "photo.jpg"}], "ratio": object()}
    with pytest.raises(NoticeError, match="'ratio'"), unit_of_work(engine) as session:
        issue_notice(
            session,
            rider_id="R1",
            kind="decision.suspension",
            params=params,
            at=AT,
            subject_type="decision",
            subject_id="D-1",
        )


def test_reading_a_notice_is_stamped_once(engine: Engine) -> None:
    notice_id = _issue(engine, "R1")
    opened = AT + timedelta(hours=3)
    with unit_of_work(engine) as session:
        mark_read(session, notice_id, by="R1", at=opened)
    with unit_of_work(engine) as session:
        assert (
            mark_read(session, notice_id, by="R1", at=opened + timedelta(days=1)).read_at == opened
        )
        actions = [event.action for event in events_for(session, "notice", notice_id)]
    assert actions == ["notice.issued", "notice.read"]
    with pytest.raises(NoticeNotFound), unit_of_work(engine) as session:
        mark_read(session, "no-such-notice", by="R1", at=opened)

"""The demo tells one story in the present: what the portal, the inspector's page and the
reports show agrees with the data and the clock. One small city is built for the module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from riderperf.cli.app import app
from riderperf.config import Settings, load_settings
from riderperf.demo.timeline import Timeline
from riderperf.notices.orm import Notice
from riderperf.reports.data import gather_report
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.stores import open_stores
from riderperf.users.orm import User
from riderperf.web.i18n import translator_for
from riderperf.web.views.inspector import current_period, planned_riders
from riderperf.web.views.portal import build_portal

# A Wednesday: the city's four weeks end on Sunday 2026-12-06, and its appeals fall on
# Monday 2026-11-30, inside November, the month most of the city lies in.
NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
RIDERS, DAYS = 150, 28


@dataclass(frozen=True)
class Demo:
    settings: Settings
    output: str
    timeline: Timeline


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    home = tmp_path_factory.mktemp("demo") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("riderperf.clock.system_clock", lambda: NOW)
        patch.setenv("RIDERPERF_HOME", str(home))
        result = CliRunner().invoke(
            app, ["demo", "--riders", str(RIDERS), "--days", str(DAYS), "--no-serve"]
        )
        assert result.exit_code == 0, result.output
        yield Demo(load_settings(), result.output, Timeline(NOW, DAYS))


def test_demo_tells_every_act_of_the_story(demo: Demo) -> None:
    out = demo.output
    assert "the city runs from 2026-11-09 to 2026-12-06" in out
    for week in ("2026-W46", "2026-W47", "2026-W48", "2026-W49"):
        assert week in out
    assert "score distribution, 2026-W49" in out
    assert "decisions made by the policy" in out
    assert "chain intact" in out
    assert "inspection plan 2026-W49" in out
    assert "this week's plan 2026-W50" in out
    assert "rider.demo" in out and "ops.demo" in out
    for name in ("supervision-2026-W49.pdf", "supervision-2026-11.pdf"):
        assert (demo.settings.home / "reports" / name).stat().st_size > 10_000


def test_every_phase_says_what_it_did(demo: Demo) -> None:
    for phase in ("simulate", "import", "decide 2026-W48", "decide 2026-W49", "appeals:"):
        assert any(line.startswith("✓ " + phase) for line in demo.output.splitlines()), phase


def _portal_rider(settings: Settings) -> str:
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            user = session.get(User, "rider.demo")
            assert user is not None and user.rider_id
            return user.rider_id
    finally:
        engine.dispose()


def test_portal_rider_can_still_appeal_a_decision(demo: Demo) -> None:
    engine = make_engine(demo.settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            portal = build_portal(
                session, engine, _portal_rider(demo.settings), translator_for("en"), NOW, None
            )
    finally:
        engine.dispose()
    assert portal.cases, "the portal rider is the one whose appeal was overturned"
    assert any(line.appeal is not None for line in portal.decisions)


def test_portal_points_are_what_the_points_notices_say_and_have_not_expired(
    demo: Demo,
) -> None:
    last = demo.timeline.last_week.label
    engine = make_engine(demo.settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            notices = session.scalars(
                select(Notice).where(Notice.kind == "decision.points").order_by(Notice.created_at)
            ).all()
            newest = {n.rider_id: n for n in notices}  # the newest points notice per rider
            touched = set(
                session.scalars(select(Notice.rider_id).where(Notice.kind.like("%restored%")))
            )
            checked = 0
            for rider, notice in sorted(newest.items()):
                if notice.params["period"] != last or rider in touched or checked == 20:
                    continue
                portal = build_portal(session, engine, rider, translator_for("en"), NOW, None)
                assert _day(notice.params["expires_on"]) > NOW.date()
                assert portal.points == notice.params["total_points"], rider
                checked += 1
    finally:
        engine.dispose()
    assert checked > 0


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_inspector_has_a_plan_for_the_current_week(demo: Demo) -> None:
    engine = make_engine(demo.settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            assert planned_riders(session, current_period(NOW))
    finally:
        engine.dispose()


def test_reports_count_the_appeals_the_demo_made(demo: Demo) -> None:
    assert demo.timeline.month.label == "2026-11"
    with open_stores(demo.settings) as stores:
        for period in (demo.timeline.last_week, demo.timeline.month):
            appeals = gather_report(stores, period, at=NOW).appeals
            assert appeals.available, (period.label, appeals.note)
            assert appeals.raw["submitted"] == 3 and appeals.raw["decided"] == 3


def test_demo_writes_its_reports_where_it_says(demo: Demo) -> None:
    for line in demo.output.splitlines():
        if line.startswith("report:"):
            assert Path(line.split(":", 1)[1].strip()).exists()


def test_demo_refuses_a_home_holding_the_city_of_another_week(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "demo" / "city-3000x28-seed7-from2026-01-05").mkdir(parents=True)
    result = CliRunner().invoke(app, ["demo", "--no-serve"], env={"RIDERPERF_HOME": str(home)})
    assert result.exit_code == 1
    assert "city-3000x28-seed7-from2026-01-05" in result.output
    assert "RIDERPERF_HOME" in result.output

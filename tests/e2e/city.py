"""A small simulated city for the browser tests: imported, two weeks evaluated and decided,
one user per role with a password, and the riders each journey needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from riderperf.clock import fixed_clock
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.decisions.orm import Decision
from riderperf.decisions.service import decide_period
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.policy.versions import ensure_default_published
from riderperf.simulate import simulate_city
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.storage.models import Rider, riders_table
from riderperf.users.identity import hash_password
from riderperf.users.service import create_user

WEEKS = (
    ("2026-W02", datetime(2026, 1, 12, 8, tzinfo=UTC)),
    ("2026-W03", datetime(2026, 1, 19, 8, tzinfo=UTC)),
)
# The app's "now": the Tuesday after week 3, within the appeal window of both weeks.
NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class City:
    settings: Settings
    arabic_rider: str  # speaks Arabic, holds penalty points that may be appealed
    arabic_points: str  # that points decision
    other_rider: str  # another language, with an appeal a reviewer decides
    other_points: str
    suspension: str  # a proposed suspension awaiting approval
    fleet: str  # the fleet manager's fleet
    own_fleet_rider: str
    foreign_rider: str  # a rider of another fleet


def build_city(home: Path, data: Path) -> City:
    simulate_city(riders=120, days=14, seed=5, start=date(2026, 1, 5), out=data)
    settings = Settings(home=home)
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    ensure_default_published(engine, fixed_clock(WEEKS[0][1]))
    assert import_path(data, settings).exit_code == 0
    for label, at in WEEKS:
        evaluate_period(settings, parse_period(label), clock=fixed_clock(at))
        decide_period(settings, parse_period(label), at=at)
    try:
        with unit_of_work(engine) as session:
            return _cast(session, settings)
    finally:
        engine.dispose()


def _cast(session: Session, settings: Settings) -> City:
    riders = {r.rider_id: r for r in session.scalars(select(Rider))}
    points = [
        d
        for d in session.scalars(
            select(Decision).where(Decision.kind == "points", Decision.status == "in_effect")
        )
        if d.appeal_deadline is not None and d.appeal_deadline >= NOW.date()
    ]
    arabic = next(d for d in points if riders[d.rider_id].language == "ar")
    other = next(d for d in points if riders[d.rider_id].language not in ("ar", "en"))
    suspension = session.scalars(
        select(Decision).where(Decision.kind == "suspension", Decision.status == "proposed")
    ).first()
    assert suspension is not None, "the simulated city proposes suspensions"
    fleet = next(r.fleet_id for r in riders.values() if r.fleet_id)
    own = next(r.rider_id for r in riders.values() if r.fleet_id == fleet)
    foreign = next(r.rider_id for r in riders.values() if r.fleet_id and r.fleet_id != fleet)
    # Personal data, so that masking shows: the simulator writes none.
    for named, name, phone in (
        (own, "Maria Souza", "+55 11 98765 4821"),
        (arabic.rider_id, "Layla Haddad", "+971 50 123 4567"),
    ):
        session.execute(
            update(riders_table)
            .where(riders_table.c.rider_id == named)
            .values(display_name=name, phone=phone)
        )
    secret = hash_password(PASSWORD)
    staff: dict[str, tuple[str, str | None, str | None]] = {
        "ada": ("admin", None, None),
        "olga": ("ops_manager", None, None),
        "rene": ("reviewer", None, None),
        "ines": ("inspector", None, None),
        "fred": ("fleet_manager", None, fleet),
        "layla": ("rider", arabic.rider_id, None),
        "other": ("rider", other.rider_id, None),
    }
    for username, (role, rider_id, fleet_id) in staff.items():
        create_user(
            session,
            username,
            role,
            rider_id=rider_id,
            fleet_id=fleet_id,
            at=NOW,
            password_hash=secret,
        )
    return City(
        settings=settings,
        arabic_rider=arabic.rider_id,
        arabic_points=arabic.decision_id,
        other_rider=other.rider_id,
        other_points=other.decision_id,
        suspension=suspension.decision_id,
        fleet=fleet,
        own_fleet_rider=own,
        foreign_rider=foreign,
    )

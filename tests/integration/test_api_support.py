"""Shared fixtures of the API tests: a small simulated city, imported, evaluated and decided,
on SQLite and on PostgreSQL, with one user per role. It is built once per session and
backend; each test module gets a copy of its stores (module-scoped).

Holds no tests itself; the test_api_* modules import its fixtures.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from riderperf.clock import fixed_clock
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.decisions.orm import Decision
from riderperf.decisions.service import decide_period
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.policy import default_policy_folder
from riderperf.server import create_app
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.storage.models import Rider, riders_table
from riderperf.users.identity import hash_password, issue_api_token
from riderperf.users.service import create_user
from riderperf.workflows.policies import publish_policy
from tests.snapshots import Snapshots

PERIOD = parse_period("2026-W02")
DECIDED_AT = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
NOW = DECIDED_AT + timedelta(hours=2)  # the app's clock: appeal windows are open
VERSION = "api-test"
PASSWORD = "correct horse battery"
STAFF_ROLES = ("admin", "ops_manager", "reviewer", "inspector", "trainer")


@dataclass
class City:
    """A prepared city: its settings, the bearer token of each user, and who is who."""

    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # username → role
    rider_a: str = ""  # the rider user "rider"
    rider_b: str = ""  # another rider, outside fleet_a
    fleet_a: str = ""  # the fleet of user "fleet_manager"
    fleet_rider: str = ""  # a rider of fleet_a
    other_fleet_rider: str = ""  # a rider of another fleet

    def headers(self, username: str | None) -> dict[str, str]:
        return {} if username is None else {"Authorization": f"Bearer {self.tokens[username]}"}


@pytest.fixture(scope="session")
def api_dataset(snapshots: Snapshots) -> Path:
    return snapshots.dataset(riders=160, days=14, seed=5, start=date(2026, 1, 5))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def api_backend(request: pytest.FixtureRequest) -> str:
    """The module's app database backend: each test module runs on SQLite and PostgreSQL."""
    return str(request.param)


def prepare_city(settings: Settings, dataset: Path, policy: Path) -> City:
    """Imports the city, evaluates and decides week 2, and creates one user per role."""
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    publish_policy(engine, policy, VERSION, date(2025, 1, 1), "tests")
    engine.dispose()
    assert import_path(dataset, settings).exit_code == 0
    evaluate_period(settings, PERIOD, clock=fixed_clock(DECIDED_AT))
    decide_period(settings, PERIOD, at=DECIDED_AT)
    city = City(settings)
    engine = make_engine(settings.app_database_url)
    hashed = hash_password(PASSWORD)
    with unit_of_work(engine) as session:
        riders = list(session.scalars(select(Rider).order_by(Rider.rider_id)))
        fleets = sorted({r.fleet_id for r in riders if r.fleet_id})
        city.fleet_a = fleets[0]
        city.fleet_rider = next(r.rider_id for r in riders if r.fleet_id == fleets[0])
        city.other_fleet_rider = next(r.rider_id for r in riders if r.fleet_id == fleets[1])
        penalised = sorted(
            set(
                session.scalars(
                    select(Decision.rider_id).where(
                        Decision.status == "in_effect", Decision.offence.is_not(None)
                    )
                )
            )
        )
        outside = [
            r
            for r in penalised
            if r not in {x.rider_id for x in riders if x.fleet_id == city.fleet_a}
        ]
        city.rider_a, city.rider_b = outside[0], outside[1]
        for index, rider in enumerate(riders):
            session.execute(
                update(riders_table)
                .where(riders_table.c.rider_id == rider.rider_id)
                .values(display_name=f"Maria Souza {index}", phone=f"+55 11 98765 {index:04d}")
            )
        for role in STAFF_ROLES:
            create_user(session, role, role, at=DECIDED_AT, password_hash=hashed)
        create_user(
            session,
            "fleet_manager",
            "fleet_manager",
            fleet_id=city.fleet_a,
            at=DECIDED_AT,
            password_hash=hashed,
        )
        create_user(
            session, "rider", "rider", rider_id=city.rider_a, at=DECIDED_AT, password_hash=hashed
        )
        create_user(
            session, "rider_b", "rider", rider_id=city.rider_b, at=DECIDED_AT, password_hash=hashed
        )
        for username in (*STAFF_ROLES, "fleet_manager", "rider", "rider_b"):
            city.tokens[username] = issue_api_token(session, username, label="tests", at=DECIDED_AT)
    city.roles = {u: ("rider" if u == "rider_b" else u) for u in city.tokens}
    engine.dispose()
    return city


def prepared_city(settings: Settings, dataset: Path) -> City:
    """`prepare_city` with a copy of the bundled policy files the API needs."""
    policy = settings.home.parent / "policy"
    policy.mkdir(parents=True)
    for name in (
        "responsibility.yaml",
        "scoring.yaml",
        "tiers.yaml",
        "decisions.yaml",
        "appeals.yaml",
    ):
        shutil.copy(default_policy_folder() / name, policy / name)
    return prepare_city(settings, dataset, policy)


@pytest.fixture(scope="module")
def api_city(
    api_dataset: Path,
    api_backend: str,
    snapshots: Snapshots,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[City]:
    """The prepared city, built once per session and backend; each module gets a copy of
    its stores, so what one module writes no other module sees."""
    snapshot, city = snapshots.prepared(
        "api-city", api_backend, lambda settings: prepared_city(settings, api_dataset)
    )
    with snapshots.copy(snapshot, tmp_path_factory.mktemp("api_city")) as settings:
        yield replace(city, settings=settings, tokens=dict(city.tokens), roles=dict(city.roles))


@pytest.fixture(scope="module")
def client(api_city: City) -> Iterator[TestClient]:
    app = create_app(api_city.settings, clock=fixed_clock(NOW))
    with TestClient(app) as opened:
        yield opened

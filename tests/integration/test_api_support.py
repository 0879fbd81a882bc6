"""Shared fixtures of the API tests: a small simulated city, imported, evaluated and decided,
on SQLite and on PostgreSQL, with one user per role (module-scoped: built once per module).

Holds no tests itself; the test_api_* modules import its fixtures.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import OperationalError

from riderperf.clock import fixed_clock
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.decisions.orm import Decision
from riderperf.decisions.service import decide_period
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.policy import default_policy_folder
from riderperf.server import create_app
from riderperf.simulate import simulate_city
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.storage.models import Rider, riders_table
from riderperf.users.identity import hash_password, issue_api_token
from riderperf.users.service import create_user
from riderperf.workflows.policies import publish_policy

PERIOD = parse_period("2026-W02")
DECIDED_AT = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
NOW = DECIDED_AT + timedelta(hours=2)  # the app's clock: appeal windows are open
VERSION = "api-test"
PASSWORD = "correct horse battery"
STAFF_ROLES = ("admin", "ops_manager", "reviewer", "inspector", "trainer")
PG_ADMIN_URL = os.environ.get(
    "RIDERPERF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


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


def simulated_city(out: Path) -> Path:
    simulate_city(riders=160, days=14, seed=5, start=date(2026, 1, 5), out=out)
    return out


@pytest.fixture(scope="session")
def api_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated_city(tmp_path_factory.mktemp("api_city"))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def api_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty app database for the module: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api_db') / 'app.db'}"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"riderperf_api_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL tests must run in CI, but: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {str(exc).splitlines()[0]}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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


@pytest.fixture(scope="module")
def api_city(
    api_dataset: Path, api_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> City:
    home = tmp_path_factory.mktemp("api_home")
    policy = home / "policy"
    policy.mkdir()
    for name in (
        "responsibility.yaml",
        "scoring.yaml",
        "tiers.yaml",
        "decisions.yaml",
        "appeals.yaml",
    ):
        shutil.copy(default_policy_folder() / name, policy / name)
    return prepare_city(
        Settings(home=home / "home", database_url=api_database_url), api_dataset, policy
    )


@pytest.fixture(scope="module")
def client(api_city: City) -> Iterator[TestClient]:
    app = create_app(api_city.settings, clock=fixed_clock(NOW))
    with TestClient(app) as opened:
        yield opened

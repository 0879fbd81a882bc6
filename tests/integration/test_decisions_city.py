"""Decisions on a small simulated city: shared fixtures, what decide finds, the ledger.

The policy is published from a copy of the bundled files evaluate and decide need, so these
tests do not depend on other parts of the default policy folder.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.clock import fixed_clock
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.decisions.ledger import points_balance
from riderperf.decisions.orm import Decision
from riderperf.decisions.repair import compensate_lost_bonus
from riderperf.decisions.service import DecideResult, decide_period
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.users.service import create_user
from riderperf.workflows.policies import publish_policy
from tests.snapshots import Snapshot, Snapshots

PERIOD = parse_period("2026-W02")
AT = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # the Monday after the week
VERSION = "decisions-test"
POLICY_FILES = ("responsibility.yaml", "scoring.yaml", "tiers.yaml", "decisions.yaml")


def simulated_city(snapshots: Snapshots) -> Path:
    return snapshots.dataset(riders=200, days=14, seed=5, start=date(2026, 1, 5))


def decision_policy(folder: Path) -> Path:
    for name in POLICY_FILES:
        shutil.copy(default_policy_folder() / name, folder / name)
    return folder


def prepare(settings: Settings, city: Path, policy: Path) -> Settings:
    """The city imported, the policy published, week 2 evaluated, two users created."""
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    publish_policy(engine, policy, VERSION, date(2025, 1, 1), "tests")
    with unit_of_work(engine) as session:
        create_user(session, "olga", "ops_manager", at=AT)
        create_user(session, "rene", "reviewer", at=AT)
    engine.dispose()
    assert import_path(city, settings).exit_code == 0
    evaluate_period(settings, PERIOD, clock=fixed_clock(AT))
    return settings


@contextmanager
def app_session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as opened:
            yield opened
    finally:
        engine.dispose()


def evaluated_city(snapshots: Snapshots, backend: str) -> Snapshot:
    """The city after `prepare`, built once per session and backend."""

    def build(settings: Settings) -> Settings:
        policy = settings.home.parent / "policy"
        policy.mkdir(parents=True)
        return prepare(settings, simulated_city(snapshots), decision_policy(policy))

    return snapshots.prepared("decisions-evaluated", backend, build)[0]


def decided_city(snapshots: Snapshots, backend: str) -> tuple[Snapshot, DecideResult]:
    """The evaluated city with week 2 decided at AT, built once per session and backend."""
    return snapshots.prepared(
        "decisions-decided",
        backend,
        lambda settings: decide_period(settings, PERIOD, at=AT),
        base=evaluated_city(snapshots, backend),
    )


@pytest.fixture(scope="module")
def city(snapshots: Snapshots) -> Path:
    return simulated_city(snapshots)


@pytest.fixture(scope="module")
def policy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return decision_policy(tmp_path_factory.mktemp("policy"))


@pytest.fixture
def session(snapshots: Snapshots, backend: str, tmp_path: Path) -> Iterator[Session]:
    """A copy of the city imported, evaluated and decided (`prepare`, then decide week 2)."""
    snapshot, _ = decided_city(snapshots, backend)
    with snapshots.copy(snapshot, tmp_path) as settings, app_session(settings) as opened:
        yield opened


def all_decisions(session: Session) -> list[Decision]:
    return list(session.scalars(select(Decision).order_by(Decision.decision_id)))


def archetypes(city: Path) -> dict[str, str]:
    with (city / "truth" / "riders.csv").open() as f:
        return {row["rider_id"]: row["archetype"] for row in csv.DictReader(f)}


def test_fraud_is_proposed_for_the_fraud_ring_and_documents_for_lapsed_riders(
    city: Path, session: Session
) -> None:
    truth = archetypes(city)
    found = all_decisions(session)
    fraud = {d.rider_id for d in found if d.offence == "fraud"}
    assert fraud, "the simulated fraud ring draws fraud complaints"
    assert {truth[r] for r in fraud} == {"fraud_ring"}
    lapsed = [d for d in found if d.rule_id == "document_expired"]
    assert lapsed and all(d.reason_params["doc_type"] for d in lapsed)
    late = {d.rider_id for d in found if d.offence == "late_deliveries"}
    assert late and {truth[r] for r in late} == {"chronically_late"}


def test_points_expire_after_the_policy_window(session: Session, policy_folder: Path) -> None:
    scored = session.scalars(select(Decision).where(Decision.kind == "points")).first()
    assert scored is not None
    days = load_policy(policy_folder).at(PERIOD.start).get("decisions.ladder.points_expiry_days")
    rider = scored.rider_id
    assert points_balance(session, rider, PERIOD.last_day) == 0  # from the day after the week
    active = points_balance(session, rider, PERIOD.end)
    assert active >= scored.reason_params["points"]
    assert points_balance(session, rider, PERIOD.end + timedelta(days=days - 1)) == active
    assert points_balance(session, rider, PERIOD.end + timedelta(days=days)) == 0


def test_compensation_pays_the_bonus_difference_once(session: Session, policy_folder: Path) -> None:
    policy = load_policy(policy_folder)
    later = AT + timedelta(days=20)

    def compensate(old: str, new: str, case_id: str) -> Decision | None:
        return compensate_lost_bonus(
            session,
            "R000001",
            PERIOD.label,
            old_tier=old,
            new_tier=new,
            policy=policy,
            at=later,
            case_id=case_id,
        )

    paid = compensate("silver", "gold", "C9")
    assert paid is not None
    assert (paid.kind, paid.status, paid.reason_params) == (
        "compensation",
        "in_effect",
        {"bonus_pct": 2.0, "period": PERIOD.label},
    )
    again = compensate("silver", "gold", "C9")
    assert again is not None and again.decision_id == paid.decision_id
    assert compensate("gold", "silver", "C10") is None

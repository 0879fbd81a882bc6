"""On a simulated city the judgment finds the planted cause of late and cancelled orders.

The simulator writes the party that really caused every late and cancelled order
(truth/orders.csv, see docs/simulation.md). The judgment never sees it: it reads the imported
warehouse with the default policy. Riders delayed only by slow restaurants or bad weather
must not be held responsible.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta

import pytest

from riderperf.config import Settings
from riderperf.ingest.service import import_path
from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.responsibility.params import JudgmentParams
from riderperf.responsibility.store import write_judgments
from riderperf.simulate import simulate_city
from riderperf.warehouse.connection import open_warehouse

START = date(2026, 3, 2)
DAYS = 14


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, str, int]]]:
    """(truth cause, judged party, orders) per event, for a city of 600 riders × 14 days."""
    root = tmp_path_factory.mktemp("accuracy")
    simulate_city(riders=600, days=DAYS, seed=3, start=START, out=root / "city")
    settings = Settings(home=root / "home")
    report = import_path(root / "city", settings)
    assert report.exit_code == 0, report.as_json()

    policy_folder = root / "policy"
    policy_folder.mkdir()
    shutil.copy(default_policy_folder() / "responsibility.yaml", policy_folder)
    params = JudgmentParams.from_parameters(load_policy(policy_folder).at(START))
    begin = datetime(START.year, START.month, START.day, tzinfo=UTC) - timedelta(days=1)
    with open_warehouse(settings.warehouse_path) as warehouse:
        write_judgments(warehouse, params, "default", begin, begin + timedelta(days=DAYS + 2))
        rows = warehouse.con.execute(
            """
            SELECT t.event, t.cause, j.party, count(*)
            FROM read_csv(?, all_varchar = true) AS t
            LEFT JOIN judgments AS j ON j.order_id = t.order_id AND j.event = t.event
            GROUP BY ALL
            """,
            [str(root / "city" / "truth" / "orders.csv")],
        ).fetchall()
    found: dict[str, list[tuple[str, str, int]]] = {"late": [], "cancelled": []}
    for event, cause, party, count in rows:
        found[event].append((cause, party, count))
    return found


def match_rate(cells: list[tuple[str, str, int]]) -> float:
    return sum(n for cause, party, n in cells if cause == party) / sum(n for *_, n in cells)


def test_every_late_and_cancelled_order_is_judged(
    judged: dict[str, list[tuple[str, str, int]]],
) -> None:
    assert all(party is not None for cells in judged.values() for _, party, _ in cells)
    assert sum(n for *_, n in judged["late"]) > 1000


def test_the_judged_party_of_late_orders_matches_the_planted_cause_for_95_percent(
    judged: dict[str, list[tuple[str, str, int]]],
) -> None:
    assert match_rate(judged["late"]) >= 0.95


def test_the_judged_party_of_cancelled_orders_matches_the_planted_cause_for_95_percent(
    judged: dict[str, list[tuple[str, str, int]]],
) -> None:
    assert match_rate(judged["cancelled"]) >= 0.95


def test_riders_delayed_by_restaurants_or_weather_are_not_held_responsible(
    judged: dict[str, list[tuple[str, str, int]]],
) -> None:
    not_theirs = [c for c in judged["late"] if c[0] in ("merchant", "force_majeure")]
    blamed = sum(n for _, party, n in not_theirs if party == "rider")
    assert blamed <= 0.002 * sum(n for *_, n in not_theirs)

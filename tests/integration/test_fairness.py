"""Fairness on a simulated city: the planted late riders rank low, nobody else pays for them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from riderperf.common.periods import days_period
from riderperf.config import Settings
from riderperf.evaluation.service import EvaluationResult, evaluate_period
from riderperf.ingest.service import import_path
from riderperf.metrics.windows import kpi_window
from riderperf.simulate import simulate_city
from riderperf.warehouse.connection import open_warehouse

START = date(2026, 1, 5)
DAYS = 14


@pytest.fixture(scope="module")
def evaluated(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, pd.DataFrame, EvaluationResult]:
    work = tmp_path_factory.mktemp("fair")
    simulate_city(riders=600, days=DAYS, seed=3, start=START, out=work / "city")
    settings = Settings(home=work / "home")
    assert import_path(work / "city", settings).exit_code == 0
    period = days_period(START, START + timedelta(days=DAYS))
    result = evaluate_period(settings, period)
    with open_warehouse(settings.warehouse_path, read_only=True) as warehouse:
        window = kpi_window(warehouse, period, result.policy_version, "rider")
    return work / "city", window, result


def test_nine_in_ten_chronically_late_riders_are_in_the_bottom_fifth_of_on_time_rate(
    evaluated: tuple[Path, pd.DataFrame, EvaluationResult],
) -> None:
    city, window, _ = evaluated
    truth = pd.read_csv(city / "truth" / "riders.csv")
    rated = window[window["on_time_rate_den"] > 0].merge(truth, on="rider_id")
    bottom_fifth = rated["on_time_rate"] <= rated["on_time_rate"].quantile(0.2)
    late_riders = rated["archetype"] == "chronically_late"
    assert late_riders.sum() >= 20  # enough planted riders for the share to mean something
    assert (bottom_fifth & late_riders).sum() / late_riders.sum() >= 0.9


def test_riders_made_late_only_by_others_keep_a_full_on_time_rate(
    evaluated: tuple[Path, pd.DataFrame, EvaluationResult],
) -> None:
    city, window, _ = evaluated
    causes = pd.read_csv(city / "truth" / "orders.csv")
    orders = pd.read_parquet(city / "orders.parquet", columns=["order_id", "rider_id"])
    late = causes[causes["event"] == "late"].merge(orders, on="order_id")
    own_fault = set(late.loc[late["cause"] == "rider", "rider_id"])
    others_only = set(late["rider_id"]) - own_fault
    innocent = window[window["rider_id"].isin(others_only) & (window["on_time_rate_den"] > 0)]
    assert len(innocent) >= 100
    full = innocent["on_time_rate_num"] == innocent["on_time_rate_den"]
    assert full.mean() >= 0.99


def test_chronically_late_riders_end_in_the_lower_tiers(
    evaluated: tuple[Path, pd.DataFrame, EvaluationResult],
) -> None:
    city, _, result = evaluated
    truth = pd.read_csv(city / "truth" / "riders.csv")
    late_riders = set(truth.loc[truth["archetype"] == "chronically_late", "rider_id"])
    reliable = set(truth.loc[truth["archetype"] == "reliable", "rider_id"])
    tiers = {c.rider_id: c.tier for c in result.cards if c.status == "ranked"}
    low = [tiers[r] in ("watch", "bronze") for r in late_riders if r in tiers]
    high = [tiers[r] in ("gold", "silver") for r in reliable if r in tiers]
    assert sum(low) / len(low) >= 0.9
    assert sum(high) / len(high) >= 0.9

"""`riderperf evaluate` end to end: judgments, scorecards published, exports, previous tiers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from riderperf.cli.app import app
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.evaluation.published import evaluation_for
from riderperf.evaluation.records import load_cards
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.stores import open_stores
from tests.snapshots import Snapshots

runner = CliRunner()


@pytest.fixture
def imported(snapshots: Snapshots, backend: str, tmp_path: Path) -> Iterator[Settings]:
    """A copy of the city imported into fresh stores (imported once per session and backend)."""

    def build(settings: Settings) -> None:
        city = snapshots.dataset(riders=300, days=14, seed=5, start=date(2026, 1, 5))
        assert import_path(city, settings).exit_code == 0

    snapshot, _ = snapshots.prepared("city-300-imported", backend, build)
    with snapshots.copy(snapshot, tmp_path / "stores") as settings:
        yield settings


def test_evaluate_publishes_one_scorecard_per_rider_with_work(imported: Settings) -> None:
    result = evaluate_period(imported, parse_period("2026-W02"))
    con = duckdb.connect(str(imported.warehouse_path), read_only=True)
    workers = con.execute(
        "SELECT count(DISTINCT rider_id) FROM orders WHERE rider_id IS NOT NULL "
        "AND created_at >= '2026-01-05' AND created_at < '2026-01-12'"
    ).fetchone()
    late = con.execute(
        "SELECT count(*) FROM orders WHERE status = 'delivered' AND delivered_at > promised_at "
        "AND created_at >= '2026-01-05' AND created_at < '2026-01-12'"
    ).fetchone()
    judged_late = con.execute("SELECT count(*) FROM judgments WHERE event = 'late'").fetchone()
    con.close()
    assert workers is not None and late is not None
    assert len(result.cards) >= workers[0]
    assert judged_late == late
    with open_stores(imported) as stores:
        published = evaluation_for(stores.engine, "2026-W02")
        assert published is not None
        assert published.riders == len(result.cards)
        stored = load_cards(stores.engine, published.evaluation_id)
    assert [c.rider_id for c in stored] == sorted(c.rider_id for c in result.cards)
    for card in stored:
        if card.score == card.score:
            assert sum(k.contribution for k in card.kpis.values()) == pytest.approx(
                card.score, abs=0.05
            )


def test_next_week_sees_this_weeks_tier_as_previous(imported: Settings) -> None:
    first = evaluate_period(imported, parse_period("2026-W02"))
    second = evaluate_period(imported, parse_period("2026-W03"))
    tiers = {c.rider_id: c.tier for c in first.cards if c.tier}
    carried = [c for c in second.cards if c.rider_id in tiers]
    assert carried
    assert all(c.previous_tier == tiers[c.rider_id] for c in carried)


def test_cli_evaluate_scorecard_and_exports(imported: Settings, tmp_path: Path) -> None:
    env = {"RIDERPERF_HOME": str(imported.home)}
    if imported.database_url:
        env["RIDERPERF_DATABASE_URL"] = imported.database_url
    done = runner.invoke(app, ["evaluate", "--period", "2026-W02", "--json"], env=env)
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["period"] == "2026-W02"
    assert summary["policy_version"] == "default"
    assert (summary["judged_days"], summary["built_days"]) == (7, 7)
    again = runner.invoke(app, ["evaluate", "--period", "2026-W02"], env=env)
    assert again.exit_code == 0, again.output
    assert "days judged again: 0 of 7; daily facts built again: 0 of 7" in again.output
    card = runner.invoke(app, ["scorecard", "R000001", "--period", "2026-W02", "--json"], env=env)
    assert card.exit_code == 0, card.output
    data = json.loads(card.stdout)
    assert data["rider_id"] == "R000001"
    assert set(data["kpis"]) >= {"on_time_rate", "customer_rating", "acceptance_rate"}

    judgments = tmp_path / "judgments.csv"
    exported = runner.invoke(
        app, ["judgments", "export", "--period", "2026-W02", "--out", str(judgments)], env=env
    )
    assert exported.exit_code == 0, exported.output
    rows = pd.read_csv(judgments)
    assert {"order_id", "event", "party", "minutes_rider", "rule", "explanation"} <= set(rows)
    assert rows["event"].isin(["late", "cancelled", "complaint"]).all()
    assert summary["judgments"] == len(rows)

    cards = tmp_path / "scorecards.parquet"
    exported = runner.invoke(
        app, ["scorecards", "export", "--period", "2026-W02", "--out", str(cards)], env=env
    )
    assert exported.exit_code == 0, exported.output
    frame = pd.read_parquet(cards)
    assert len(frame) == summary["riders"]
    assert {"rider_id", "score", "tier", "on_time_rate", "on_time_rate_num"} <= set(frame)


def test_scorecard_before_evaluation_says_what_to_run(tmp_path: Path) -> None:
    env = {"RIDERPERF_HOME": str(tmp_path / "home")}
    result = runner.invoke(app, ["scorecard", "R1", "--period", "2026-W02"], env=env)
    assert result.exit_code == 1
    assert "riderperf evaluate --period 2026-W02" in result.output


def test_period_and_as_of_are_exclusive(tmp_path: Path) -> None:
    env = {"RIDERPERF_HOME": str(tmp_path / "home")}
    both = ["evaluate", "--period", "2026-W02", "--as-of", "2026-01-19"]
    assert runner.invoke(app, both, env=env).exit_code == 1
    assert runner.invoke(app, ["evaluate", "--period", "2026-W99"], env=env).exit_code == 1


def test_as_of_must_be_a_date_and_says_so(tmp_path: Path) -> None:
    env = {"RIDERPERF_HOME": str(tmp_path / "home")}
    result = runner.invoke(app, ["evaluate", "--as-of", "2026-13-01"], env=env)
    assert result.exit_code == 1
    assert "--as-of '2026-13-01'" in result.output


def test_evaluating_a_period_without_data_warns(tmp_path: Path) -> None:
    env = {"RIDERPERF_HOME": str(tmp_path / "home")}
    result = runner.invoke(app, ["evaluate", "--period", "2026-W02"], env=env)
    assert result.exit_code == 0
    assert "no rider has data in 2026-W02" in result.output

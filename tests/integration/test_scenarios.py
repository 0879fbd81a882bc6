"""A what-if under another policy version never replaces what was published: riders'
scorecards, the input of `decide` and the next period's hysteresis stay as they were, and the
evaluation is listed as a scenario until someone publishes it on purpose."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riderperf.cli.app import app
from riderperf.clock import as_utc
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.decisions.service import MissingEvaluation
from riderperf.evaluation.orm import OFFICIAL, SCENARIO, Scorecard
from riderperf.evaluation.published import (
    list_evaluations,
    published_evaluation,
    published_scorecards,
)
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.policy import default_policy_folder
from riderperf.storage.db import unit_of_work
from riderperf.stores import open_stores
from riderperf.web.views.common import published_evaluations
from riderperf.web.views.riders import score_history
from riderperf.workflows.periods import decide_period_with_violations
from riderperf.workflows.policies import publish_policy
from tests.snapshots import Snapshots

runner = CliRunner()
WEEK = "2026-W02"
NEXT = "2026-W03"
STRICT = "strict"


def city(snapshots: Snapshots) -> Path:
    return snapshots.dataset(riders=200, days=14, seed=11, start=date(2026, 1, 5))


def strict_policy(folder: Path) -> Path:
    """The default policy with gold out of reach (no score reaches 1001)."""
    shutil.copytree(default_policy_folder(), folder)
    tiers = folder / "tiers.yaml"
    text = tiers.read_text(encoding="utf-8")
    assert "      2000-01-01: 950\n" in text
    tiers.write_text(text.replace("      2000-01-01: 950\n", "      2000-01-01: 1001\n", 1))
    return folder


@pytest.fixture
def published(snapshots: Snapshots, backend: str, tmp_path: Path) -> Iterator[Settings]:
    """A copy of the city imported, W02 evaluated officially under the default policy, and a
    stricter version published (effective later than W03, so W03 stays under the default);
    built once per session and backend."""

    def build(settings: Settings) -> None:
        assert import_path(city(snapshots), settings).exit_code == 0
        evaluate_period(settings, parse_period(WEEK), policy_version="default")
        with open_stores(settings) as stores:
            strict = strict_policy(settings.home.parent / "strict")
            publish_policy(stores.engine, strict, STRICT, date(2027, 1, 1), "ana")

    snapshot, _ = snapshots.prepared("scenarios-published", backend, build)
    with snapshots.copy(snapshot, tmp_path / "stores") as settings:
        yield settings


def cli(settings: Settings, *args: str) -> str:
    env = {"RIDERPERF_HOME": str(settings.home)}
    if settings.database_url:
        env["RIDERPERF_DATABASE_URL"] = settings.database_url
    done = runner.invoke(app, list(args), env=env)
    assert done.exit_code == 0, done.output
    return done.stdout


def published_cards(settings: Settings) -> dict[str, tuple[float | None, str | None, str]]:
    with open_stores(settings) as stores, unit_of_work(stores.engine) as session:
        query = published_scorecards().where(Scorecard.period == WEEK)
        return {c.rider_id: (c.score, c.tier, c.evaluation_id) for c in session.scalars(query)}


def test_a_what_if_under_another_version_is_a_scenario_and_changes_nothing_riders_see(
    published: Settings,
) -> None:
    before = published_cards(published)
    with open_stores(published) as stores, unit_of_work(stores.engine) as session:
        official = published_evaluation(session, WEEK)
        assert official is not None and official.purpose == OFFICIAL
    assert {tier for _, tier, _ in before.values()} >= {"gold"}

    printed = cli(published, "evaluate", "--period", WEEK, "--policy", STRICT)
    assert "scenario:" in printed and "not published" in printed
    summary = json.loads(cli(published, "evaluate", "--period", WEEK, "--policy", STRICT, "--json"))
    assert (summary["purpose"], summary["published"]) == (SCENARIO, False)
    assert "gold" not in summary["tiers"]  # the what-if did move tiers …

    assert published_cards(published) == before  # … and riders still see the official ones
    with open_stores(published) as stores, unit_of_work(stores.engine) as session:
        still = published_evaluation(session, WEEK)
        assert still is not None and still.evaluation_id == official.evaluation_id
        assert [e.evaluation_id for e in published_evaluations(session)] == [official.evaluation_id]
        rider = next(iter(before))
        history, _ = score_history(session, rider)
        assert [(h["period"], h["score"], h["tier"]) for h in history] == [
            (WEEK, before[rider][0], before[rider][1])
        ]
        listed = [
            (e.policy_version, e.purpose, e.published) for e in list_evaluations(session, WEEK)
        ]
    assert sorted(listed) == [
        ("default", OFFICIAL, True),
        (STRICT, SCENARIO, False),
        (STRICT, SCENARIO, False),
    ]
    rows = json.loads(cli(published, "evaluations", "list", "--period", WEEK, "--json"))
    assert [r["purpose"] for r in rows if r["policy_version"] == STRICT] == [SCENARIO, SCENARIO]


def test_decide_reads_the_published_evaluation_not_the_scenario(published: Settings) -> None:
    cli(published, "evaluate", "--period", WEEK, "--policy", STRICT)
    with open_stores(published) as stores, unit_of_work(stores.engine) as session:
        official = published_evaluation(session, WEEK)
    assert official is not None and official.finished_at is not None
    at = as_utc(official.finished_at)
    decided = decide_period_with_violations(published, parse_period(WEEK), at=at)
    assert (decided.evaluation_id, decided.policy_version) == (official.evaluation_id, "default")
    with pytest.raises(MissingEvaluation, match="--official"):
        decide_period_with_violations(published, parse_period(WEEK), at=at, policy_version=STRICT)


def test_the_next_period_keeps_the_published_tiers_as_its_previous_ones(
    published: Settings,
) -> None:
    official = {r: tier for r, (_, tier, _) in published_cards(published).items() if tier}
    cli(published, "evaluate", "--period", WEEK, "--policy", STRICT)
    following = evaluate_period(published, parse_period(NEXT), policy_version="default")
    carried = {c.rider_id: c.previous_tier for c in following.cards if c.rider_id in official}
    assert carried and carried == {r: official[r] for r in carried}
    assert "gold" in carried.values()  # the scenario had no gold: its tiers were not read


def test_official_publishes_a_what_if_on_purpose(published: Settings) -> None:
    before = published_cards(published)
    summary = json.loads(
        cli(published, "evaluate", "--period", WEEK, "--policy", STRICT, "--official", "--json")
    )
    assert (summary["purpose"], summary["published"]) == (OFFICIAL, True)
    after = published_cards(published)
    assert set(after) == set(before)
    assert {eid for _, _, eid in after.values()} == {summary["evaluation_id"]}
    assert "gold" not in {tier for _, tier, _ in after.values()}
    with open_stores(published) as stores, unit_of_work(stores.engine) as session:
        flags = sorted((e.policy_version, e.published) for e in list_evaluations(session, WEEK))
    assert flags == [("default", False), (STRICT, True)]

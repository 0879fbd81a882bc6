"""Issue's end to end through the command line: decide → a rider appeals a penalty → a
reviewer overturns it → points, score and notices reflect it, and the audit log shows every
step and verifies. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riderperf.cli.app import app
from riderperf.config import Settings
from riderperf.simulate import simulate_city

runner = CliRunner()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    simulate_city(riders=120, days=14, seed=5, start=date(2026, 1, 5), out=out)
    return out


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RIDERPERF_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("RIDERPERF_DATABASE_URL", settings.database_url)
    return settings


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--json"))


def test_overturned_penalty_restores_points_raises_score_and_tells_the_rider(
    city: Path, cli_env: Settings, tmp_path: Path
) -> None:
    run("import", str(city))
    for week in ("2026-W02", "2026-W03"):
        run("evaluate", "--period", week)
        assert run_json("decide", "--period", week)["created"] > 0
    run("users", "create", "ops.ana", "--role", "ops_manager")
    run("users", "create", "rev.li", "--role", "reviewer")

    decisions = run_json("decisions", "list")
    penalty = next(
        d
        for d in decisions
        if d["kind"] == "points" and d["offence"] == "late_deliveries" and d["period"] == "2026-W03"
    )
    rider, points = penalty["rider_id"], penalty["reason_params"]["points"]
    ledger_before = run_json("decisions", "ledger", rider)["entries"]
    card_before = run_json("scorecard", rider, "--period", "2026-W03")
    blamed = [
        j for j in _judgments(cli_env, rider) if j["event"] == "late" and j["party"] == "rider"
    ]
    assert blamed, "the penalty counts late deliveries judged the rider's"

    evidence = tmp_path / "receipt.jpg"
    evidence.write_bytes(b"order ready at 12:41, picked up 12:42")
    case = run_json(
        "appeals", "submit", penalty["decision_id"], "--rider", rider,
        "--reason", "The restaurant kept me waiting every time", "--evidence", str(evidence),
    )  # fmt: skip
    case_id = case["case_id"]
    assert case["evidence"][0]["sha256"]
    run("appeals", "move", case_id, "--to", "under_review", "--by", "rev.li")
    outcome = run_json(
        "appeals", "decide", case_id, "--outcome", "overturned", "--by", "rev.li",
        "--reason", "Merchant delays were counted as the rider's",
    )  # fmt: skip
    assert outcome["outcome"] == "overturned"

    # Points: the original entry stays, a compensating entry takes the points back.
    ledger_after = run_json("decisions", "ledger", rider)["entries"]
    assert ledger_after[: len(ledger_before)] == ledger_before
    restored = [e for e in ledger_after[len(ledger_before) :] if e["points"] < 0]
    assert sum(-e["points"] for e in restored) >= points
    assert run_json("decisions", "show", penalty["decision_id"])["status"] == "overturned"

    # Score: the late deliveries no longer count against the rider.
    card_after = run_json("scorecard", rider, "--period", "2026-W03")
    assert card_after["kpis"]["on_time_rate"]["num"] > card_before["kpis"]["on_time_rate"]["num"]
    assert card_after["score"] > card_before["score"]
    assert [r["new_score"] for r in outcome["reevaluated"]] == [card_after["score"]]
    after = {j["event_id"]: j for j in _judgments(cli_env, rider)}
    assert all(after[j["event_id"]]["party"] == "none" for j in blamed)

    # Notices: the rider was told at every step, in their own language.
    kinds = [n["kind"] for n in run_json("notices", rider)]
    for kind in ("decision.points", "case.submitted", "case.under_review", "case.decided"):
        assert kind in kinds
    assert "decision.points_restored" in kinds

    # Audit: every step of the case is on its timeline, and the chain verifies.
    timeline = [e["action"] for e in run_json("audit", "show", "--subject", f"case:{case_id}")]
    assert timeline[0].endswith("submitted") and any("decided" in a for a in timeline)
    assert any("under_review" in a for a in timeline)
    decision_events = run_json("audit", "show", "--subject", f"decision:{penalty['decision_id']}")
    assert any("overturned" in e["action"] for e in decision_events)
    verified = run_json("audit", "verify")
    assert verified["ok"] and verified["events"] > 0


def _judgments(settings: Settings, rider: str) -> list[dict[str, Any]]:
    import duckdb

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT event_id, event, party FROM judgments WHERE rider_id = ? "
            "AND occurred_at >= '2026-01-12' AND occurred_at < '2026-01-19'",
            [rider],
        ).fetchall()
    finally:
        con.close()
    return [{"event_id": r[0], "event": r[1], "party": r[2]} for r in rows]
